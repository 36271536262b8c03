"""Checks for the coding exercises of chapter 6: an operation's backward function, checked against central
differences of its forward function, the way an autograd engine's author tests a new operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..gradcheck import numeric_grad
from ..tensor import Tensor
from . import Verdict, check_function

__all__ = ["check_backward", "check_softsign_backward", "make_op", "numeric_vjp", "softsign_forward"]


def numeric_vjp(forward: Callable[[np.ndarray], np.ndarray], x, g, eps: float = 1e-6) -> np.ndarray:
    """d/dx of sum(g * forward(x)) by central differences: what ``backward(x, g)`` must return."""
    g = np.asarray(g, dtype=np.float64)
    return numeric_grad(lambda v: float(np.sum(g * forward(v))), np.array(x, dtype=np.float64), eps)


def check_backward(backward: Callable[..., Any], forward: Callable[[np.ndarray], np.ndarray],
                   inputs: Mapping[str, Any], *, name: str | None = None, seed: int = 0,
                   atol: float = 1e-6, rtol: float = 1e-5) -> Verdict:
    """Check an elementwise-or-not operation's ``backward(x, g)`` against central differences.

    Args:
        backward: the function under test. Given the input array ``x`` and the upstream gradient
            ``g = dL/d out`` (same shape as ``forward(x)``), it returns ``dL/dx`` (same shape as ``x``).
        forward: the operation on arrays, ``out = forward(x)``.
        inputs: ``{"label": x}`` input arrays to test at; for each, ``g`` is drawn at random (seeded).
        name: what to call the function in the verdict.

    The expected answer for each case is the central difference of ``sum(g * forward(x))``. Prints the
    verdict; returns a :class:`Verdict` (true if every case passed).
    """
    rng = np.random.default_rng(seed)
    cases = {}
    for label, x in inputs.items():
        x = np.asarray(x, dtype=np.float64)
        g = rng.normal(size=np.shape(forward(x)))
        cases[label] = (x, g)
    return Verdict(check_function(backward, lambda x, g: numeric_vjp(forward, x, g), cases, name=name,
                                  atol=atol, rtol=rtol))


def softsign_forward(x) -> np.ndarray:
    """softsign(x) = x / (1 + abs(x)), elementwise: an S-shaped curve like tanh with polynomial tails."""
    x = np.asarray(x, dtype=np.float64)
    return x / (1.0 + np.abs(x))


def _softsign_inputs() -> dict:
    return {
        "a single number": np.array(0.5),
        "a vector with both signs": np.array([-3.0, -0.5, 0.25, 2.0]),
        "a 2 x 3 matrix": np.array([[0.1, -1.2, 3.0], [-0.02, 0.7, -5.0]]),
        "values close to 0": np.array([-1e-3, 1e-3]),
    }


def check_softsign_backward(softsign_backward: Callable[..., Any]) -> Verdict:
    """Check ``softsign_backward(x, g)``, which must return g * d softsign/dx, against central differences."""
    return check_backward(softsign_backward, softsign_forward, _softsign_inputs(), name="softsign_backward")


def make_op(forward: Callable[[np.ndarray], np.ndarray], backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
            op: str) -> Callable[[Tensor], Tensor]:
    """Make a one-input operation on Tensors from array functions, as the engine's own are made.

    ``forward(x)`` computes the value; ``backward(x, g)`` returns the gradient with respect to ``x``
    given the upstream gradient ``g``. The result records a node named ``op`` in the graph with the
    engine's public :meth:`Tensor.from_op`, so ``backward()``, ``gradcheck`` and ``draw_graph`` treat
    it like a built-in operation.
    """

    def apply(x) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        return Tensor.from_op(forward(x.data), (x,), lambda g: (backward(x.data, g),), op)

    apply.__name__ = op
    apply.__doc__ = f"The operation {op!r} on a Tensor (made with nnlessons.checks.ch06.make_op)."
    return apply


def _softsign_backward_reference(x, g):
    x = np.asarray(x, dtype=np.float64)
    return g / (1.0 + np.abs(x)) ** 2

