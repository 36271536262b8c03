"""Autograd: whether operations are recorded, and the walk of backpropagation through the graph.

:mod:`nnlessons.tensor` records the graph: every operation's result remembers its inputs and a
``backward`` function. This module walks it. :func:`topological_order` lists the nodes so that each
comes after its inputs; :func:`backward_steps` visits them in the reverse order and applies the chain
rule at each one (``Tensor.backward`` is that walk run to the end); :class:`no_grad` turns recording off.

Every name here is also importable from :mod:`nnlessons.tensor` and from ``nnlessons``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["BackwardStep", "backward_steps", "topological_order", "no_grad", "enable_grad", "is_grad_enabled"]

_grad_enabled = True  # read by Tensor's operations on every call


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the graph."""
    return _grad_enabled


class _GradMode:
    """Sets whether operations are recorded, for a ``with`` block or a decorated function.

    The same object may be entered again while it is active (nested ``with``): each entry
    remembers the mode it replaced, on a stack, and each exit restores it.
    """

    mode = True

    def __init__(self) -> None:
        self._previous: list = []

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self._previous.pop()

    def __call__(self, fn: Callable) -> Callable:
        """Use as a decorator: ``@nl.no_grad()`` runs every call of ``fn`` in this mode."""
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Inside ``with no_grad():`` (or a function decorated ``@no_grad()``) no graph is recorded:
    evaluation, and parameter updates such as ``p -= lr * p.grad``."""

    mode = False


class enable_grad(_GradMode):
    """Turns graph recording back on inside :class:`no_grad` (also usable as a decorator)."""

    mode = True


def topological_order(root: Tensor) -> list:
    """The tensors that ``root`` was computed from (those that require grad), and ``root`` itself,
    each listed after all of its inputs. Iterative, so deep graphs hit no recursion limit."""
    order: list = []
    visited = {id(root)}
    stack: list = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent.requires_grad and id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


class BackwardStep(NamedTuple):
    """What :func:`backward_steps` did at one node.

    Attributes:
        node: the tensor just processed.
        grad: d(root)/d(node), complete (every consumer of the node had added its share).
        flows: (input, gradient) pairs: what the node passed to each input that requires grad.
    """

    node: Tensor
    grad: np.ndarray
    flows: tuple


def backward_steps(root: Tensor, gradient=None, *, retain_graph: bool = False,
                   accumulate_grad: bool = True) -> Iterator[BackwardStep]:
    """Backpropagation, one node at a time: the loop that :meth:`~nnlessons.tensor.Tensor.backward` runs.

    The nodes are visited in reverse topological order, so a node's gradient is complete (every
    consumer has added its share) before the node passes it on to its inputs. Each step is
    yielded after it is done, so a figure or a stepper can follow the engine's own walk.

    Args:
        root: the tensor to differentiate (one element, unless ``gradient`` is given).
        gradient: d(loss)/d(root) for a non-scalar root.
        retain_graph: keep the graph; otherwise each node is freed once it has passed its gradient on.
        accumulate_grad: add the gradients into ``.grad`` of the leaves (and of tensors that called
            :meth:`~nnlessons.tensor.Tensor.retain_grad`); False leaves every ``.grad`` untouched.
    """
    if not root.requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no graph to back-propagate through")
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward(): a gradient argument is needed for non-scalar output (shape {root.shape}); "
                "grad can be implicitly created only for scalar outputs"
            )
        seed = np.ones_like(root.data)
    else:
        from .tensor import _to_array  # imported here: tensor.py imports this module

        seed = _to_array(gradient)
        if seed.shape != root.shape:
            raise ValueError(f"backward(): gradient has shape {seed.shape} but the output has shape {root.shape}")

    grads = {id(root): seed}  # id(node) -> d(root)/d(node) summed so far
    owned = set()  # ids whose gradient array was created here, so it may be added into in place (speed)
    for node in reversed(topological_order(root)):
        g = grads.pop(id(node), None)
        if g is None:  # no gradient reached this node
            if node._backward is not None and not retain_graph:
                _free(node)
            continue
        if accumulate_grad and (node._backward is None or node._retain):
            if node.grad is None:
                node.grad = np.array(g, dtype=np.float64, copy=True)
            else:
                node.grad += g
        if node._backward is None:  # a leaf: nothing to pass on
            yield BackwardStep(node, g, ())
            continue
        _check_versions(node)
        flows = []
        for parent, pg in zip(node._parents, node._backward(g)):  # the chain rule at this node
            if pg is None or not parent.requires_grad:
                continue
            if pg.shape != parent.data.shape:
                raise RuntimeError(f"backward of {node._op!r} returned a gradient of shape {pg.shape} "
                                   f"for an input of shape {parent.shape}")
            flows.append((parent, pg))
            key = id(parent)
            if key not in grads:
                grads[key] = pg
            elif key in owned:
                grads[key] += pg
            else:
                grads[key] = grads[key] + pg
                owned.add(key)
        if not retain_graph:
            _free(node)
        yield BackwardStep(node, g, tuple(flows))


def _graph_freed(g):
    raise RuntimeError(
        "Trying to backward through the graph a second time (or through part of a graph that an earlier "
        "backward() already freed). backward() frees the graph to release its memory; specify "
        "retain_graph=True in the first backward() if you need to back-propagate through it again."
    )


def _free(node: Tensor) -> None:
    """Drop a node's inputs and backward function (and so the arrays they hold); it stays a non-leaf."""
    node._parents = ()
    node._backward = _graph_freed
    node._saved_versions = node._saved_versions[:1]


def _check_versions(node: Tensor) -> None:
    """Refuse to differentiate a node whose output or inputs were changed in place after it was made."""
    saved = node._saved_versions
    if saved and (saved[0] != node._version or
                  any(p._version != v for p, v in zip(node._parents, saved[1:]))):
        changed = node if saved[0] != node._version else next(
            p for p, v in zip(node._parents, saved[1:]) if p._version != v)
        which = "its output" if changed is node else f"an input of shape {changed.shape}"
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {which} of {node._op!r} was changed in place after {node._op!r} was recorded, "
            "so its gradient would be computed from the new values. Change the tensor out of place "
            "(x = x + y), or run backward() before changing it."
        )
