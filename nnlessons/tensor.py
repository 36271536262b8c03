"""The Tensor: a NumPy array that remembers how it was computed.

Every operation below computes its value and, right beside it, a ``backward``
function: given the gradient of the final result with respect to the
operation's output (``g``), it returns the gradient with respect to each
input. That is the chain rule, one node at a time. ``Tensor.backward`` visits
the nodes of the graph in reverse topological order and calls them.

A scalar is simply a 0-d tensor, so the worked examples of the course and the
vectorised networks run on the same engine.
"""

from __future__ import annotations

import contextlib
import numbers
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

__all__ = [
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "manual_seed",
    "default_rng",
]

_grad_enabled = True
_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Seed the package's random generator (used to initialise layers), like ``torch.manual_seed``."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    """The package's random generator, seeded by :func:`manual_seed`."""
    return _rng


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the graph."""
    return _grad_enabled


@contextlib.contextmanager
def _set_grad_enabled(mode: bool) -> Iterator[None]:
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, mode
    try:
        yield
    finally:
        _grad_enabled = previous


def no_grad():
    """Context manager inside which no graph is recorded (evaluation, parameter updates)."""
    return _set_grad_enabled(False)


def enable_grad():
    """Context manager that turns graph recording back on inside :func:`no_grad`."""
    return _set_grad_enabled(True)


def _to_array(data) -> np.ndarray:
    """Convert numbers, lists and arrays to a float64 array; refuse anything else."""
    if isinstance(data, Tensor):
        return data.data
    try:
        arr = np.asarray(data)
    except ValueError as err:  # ragged lists
        raise TypeError(f"Tensor data must be a number, a (nested) list of numbers or an array: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor data must be numeric (bool, int or float), got {type(data).__name__} "
            f"with dtype {arr.dtype}: {data!r:.60}"
        )
    return arr.astype(np.float64, copy=False)


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo NumPy broadcasting: sum ``grad`` down to ``shape``.

    Broadcasting copied the input along new leading axes and along axes of
    length 1, so the gradient is the sum over those copies.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), exact for every x, with no warning.

    For x < -709, e^-x overflows to inf and 1 / (1 + inf) = 0, which is sigma(x) to double
    precision; the overflow is expected, so its warning is silenced. The steps run in place on
    one buffer: this is the hot path of sigmoid networks.
    """
    t = np.negative(x)
    if t.ndim == 0:
        t = np.asarray(t)  # 0-d results come back as NumPy scalars, which cannot be written in place
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    return np.reciprocal(t, out=t)


class Tensor:
    """A float64 array with an optional gradient, PyTorch style.

    Args:
        data: a number, a (nested) list of numbers, or an array.
        requires_grad: record operations on this tensor so that ``backward`` fills ``.grad``.

    Example:
        >>> w = Tensor(2.0, requires_grad=True)
        >>> y = w ** 3
        >>> y.backward()
        >>> w.grad   # 3 w^2
        array(12.)
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain", "__weakref__")
    __array_ufunc__ = None  # so that ndarray + Tensor calls Tensor.__radd__ instead of NumPy's loop

    def __init__(self, data, requires_grad: bool = False):
        self.data: np.ndarray = np.array(_to_array(data), dtype=np.float64)  # a copy, as torch.tensor makes
        self.grad: Optional[np.ndarray] = None
        self.requires_grad: bool = bool(requires_grad)
        self._parents: tuple = ()
        self._backward: Optional[Callable] = None
        self._op: str = ""
        self._retain: bool = False

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple:
        """The tuple of dimensions, e.g. (batch, features); () for a scalar."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions (0 for a scalar)."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of entries."""
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than by an operation."""
        return self._backward is None

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return float(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def detach(self) -> "Tensor":
        """A new leaf tensor sharing the data, cut from the graph."""
        return Tensor(self.data)

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this non-leaf tensor after ``backward`` (leaves always keep it)."""
        self._retain = True
        return self

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({body}{extra})"

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        return bool(self.data)

    __hash__ = object.__hash__

    # --------------------------------------------------------- graph recording
    @staticmethod
    def _make(data: np.ndarray, parents: tuple, backward: Callable, op: str) -> "Tensor":
        """Wrap an operation's result; record the node only if a gradient may flow through it."""
        out = Tensor.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
        out.grad = None
        out._retain = False
        if _grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = parents
            out._backward = backward
            out._op = op
        else:
            out.requires_grad = False
            out._parents = ()
            out._backward = None
            out._op = ""
        return out

    def backward(self, gradient=None) -> None:
        """Back-propagate: add d(self)/d(leaf) into the ``.grad`` of every leaf that requires it.

        Nodes are visited in reverse topological order, so a node's gradient is complete (every
        consumer has added its share) before it is passed on. Unlike PyTorch, which frees the graph
        unless ``retain_graph=True``, the graph is kept, so it can be drawn or back-propagated again.

        Args:
            gradient: d(loss)/d(self), needed when ``self`` is not a scalar (as in PyTorch).
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no graph to back-propagate through")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): a gradient argument is needed for non-scalar output (shape {self.shape}); "
                    "grad can be implicitly created only for scalar outputs"
                )
            seed = np.ones_like(self.data)
        else:
            seed = _to_array(gradient)
            if seed.shape != self.shape:
                raise ValueError(f"backward(): gradient has shape {seed.shape} but the output has shape {self.shape}")

        grads = {id(self): seed}
        owned = set()  # ids whose gradient array we created and may add into in place
        for node in reversed(_topological_order(self)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None or node._retain:
                if node.grad is None:
                    node.grad = np.array(g, dtype=np.float64, copy=True)
                else:
                    node.grad += g
                if node._backward is None:
                    continue
            for parent, pg in zip(node._parents, node._backward(g)):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                if key not in grads:
                    grads[key] = pg
                elif key in owned:
                    grads[key] += pg
                else:
                    grads[key] = grads[key] + pg
                    owned.add(key)

    # -------------------------------------------------------------- arithmetic
    def __add__(self, other) -> "Tensor":
        """a + b; d/da = 1, d/db = 1 (summed over broadcast axes)."""
        a, b = self, _as_tensor(other)
        out = _broadcast_op(np.add, a, b, "+")

        def backward(g):
            return (_unbroadcast(g, a.shape) if a.requires_grad else None,
                    _unbroadcast(g, b.shape) if b.requires_grad else None)

        return Tensor._make(out, (a, b), backward, "+")

    def __sub__(self, other) -> "Tensor":
        """a - b; d/da = 1, d/db = -1."""
        a, b = self, _as_tensor(other)
        out = _broadcast_op(np.subtract, a, b, "-")

        def backward(g):
            return (_unbroadcast(g, a.shape) if a.requires_grad else None,
                    _unbroadcast(-g, b.shape) if b.requires_grad else None)

        return Tensor._make(out, (a, b), backward, "-")

    def __mul__(self, other) -> "Tensor":
        """a * b; d/da = b, d/db = a."""
        a, b = self, _as_tensor(other)
        out = _broadcast_op(np.multiply, a, b, "*")

        def backward(g):
            return (_unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                    _unbroadcast(g * a.data, b.shape) if b.requires_grad else None)

        return Tensor._make(out, (a, b), backward, "*")

    def __truediv__(self, other) -> "Tensor":
        """a / b; d/da = 1/b, d/db = -a/b^2."""
        a, b = self, _as_tensor(other)
        out = _broadcast_op(np.true_divide, a, b, "/")

        def backward(g):
            return (_unbroadcast(g / b.data, a.shape) if a.requires_grad else None,
                    _unbroadcast(-g * a.data / b.data**2, b.shape) if b.requires_grad else None)

        return Tensor._make(out, (a, b), backward, "/")

    def __pow__(self, exponent) -> "Tensor":
        """u ** n; d/du = n u^(n-1). With a tensor exponent v: d/dv = ln(u) u^v."""
        u = self
        if isinstance(exponent, numbers.Real):
            n = float(exponent)
            out = u.data**n

            def backward(g):
                return (g * n * u.data ** (n - 1),)

            return Tensor._make(out, (u,), backward, f"**{exponent:g}")
        v = _as_tensor(exponent)
        out = _broadcast_op(np.power, u, v, "**")

        def backward_uv(g):
            return (_unbroadcast(g * v.data * u.data ** (v.data - 1), u.shape) if u.requires_grad else None,
                    _unbroadcast(g * np.log(u.data) * out, v.shape) if v.requires_grad else None)

        return Tensor._make(out, (u, v), backward_uv, "**")

    def __rpow__(self, base) -> "Tensor":
        """a ** u for a number a; d/du = a^u ln a."""
        return _as_tensor(base) ** self

    def __matmul__(self, other) -> "Tensor":
        """A @ B (1-d, 2-d or batched); dA = g B^T, dB = A^T g."""
        a, b = self, _as_tensor(other)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least one dimension, got shapes {a.shape} and {b.shape}")
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if a.shape[-1] != k_b:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not match: the first has {a.shape[-1]} columns "
                f"but the second has {k_b} rows"
            )
        out = a.data @ b.data

        def backward(g):
            a2 = a.data if a.ndim > 1 else a.data[None, :]
            b2 = b.data if b.ndim > 1 else b.data[:, None]
            g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
            if a.ndim == 1:
                g2 = np.expand_dims(g2, -2)
            ga = gb = None
            if a.requires_grad:
                ga = _unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
            if b.requires_grad:
                gb = _unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
            return ga, gb

        return Tensor._make(out, (a, b), backward, "@")

    def __neg__(self) -> "Tensor":
        """-a; d/da = -1."""
        return Tensor._make(-self.data, (self,), lambda g: (-g,), "neg")

    def __radd__(self, other) -> "Tensor":
        return _as_tensor(other) + self

    def __rsub__(self, other) -> "Tensor":
        return _as_tensor(other) - self

    def __rmul__(self, other) -> "Tensor":
        return _as_tensor(other) * self

    def __rtruediv__(self, other) -> "Tensor":
        return _as_tensor(other) / self

    def __rmatmul__(self, other) -> "Tensor":
        return _as_tensor(other) @ self

    # Comparisons give plain boolean arrays (no gradient), as masks.
    def __lt__(self, other):
        return self.data < _to_array(other)

    def __le__(self, other):
        return self.data <= _to_array(other)

    def __gt__(self, other):
        return self.data > _to_array(other)

    def __ge__(self, other):
        return self.data >= _to_array(other)

    def __getitem__(self, index) -> "Tensor":
        """x[index]; the gradient flows back to the selected entries (repeats add up)."""
        x = self
        if isinstance(index, Tensor):
            index = index.data.astype(np.intp)
        out = np.array(x.data[index])

        def backward(g):
            gx = np.zeros_like(x.data)
            np.add.at(gx, index, g)
            return (gx,)

        return Tensor._make(out, (x,), backward, "[]")

    # -------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Sum of the entries; each entry gets the output's gradient."""
        x = self
        out = np.asarray(x.data.sum(axis=axis, keepdims=keepdims))

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, x.shape),)

        return Tensor._make(out, (x,), backward, "sum")

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Mean of the entries; each entry gets the output's gradient divided by the count."""
        count = self.data.size if axis is None else np.prod([self.shape[i] for i in np.atleast_1d(axis)])
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    # ------------------------------------------------------------- reshaping
    def reshape(self, *shape) -> "Tensor":
        """Same entries, new shape; the gradient is reshaped back."""
        x = self
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            out = x.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} entries) into {shape}") from None
        return Tensor._make(out, (x,), lambda g: (g.reshape(x.shape),), "reshape")

    @property
    def T(self) -> "Tensor":
        """Transpose (all axes reversed); the gradient is transposed back."""
        return Tensor._make(self.data.T, (self,), lambda g: (g.T,), "T")

    # ---------------------------------------------------- elementwise functions
    def exp(self) -> "Tensor":
        """e^x; d/dx = e^x."""
        x = self
        out = np.exp(x.data)
        return Tensor._make(out, (x,), lambda g: (g * out,), "exp")

    def log(self) -> "Tensor":
        """ln x; d/dx = 1/x."""
        x = self
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(x.data)
        return Tensor._make(out, (x,), lambda g: (g / x.data,), "log")

    def sqrt(self) -> "Tensor":
        """sqrt(x); d/dx = 1 / (2 sqrt(x))."""
        x = self
        out = np.sqrt(x.data)
        return Tensor._make(out, (x,), lambda g: (g / (2.0 * out),), "sqrt")

    def sin(self) -> "Tensor":
        """sin x; d/dx = cos x."""
        x = self
        return Tensor._make(np.sin(x.data), (x,), lambda g: (g * np.cos(x.data),), "sin")

    def cos(self) -> "Tensor":
        """cos x; d/dx = -sin x."""
        x = self
        return Tensor._make(np.cos(x.data), (x,), lambda g: (-g * np.sin(x.data),), "cos")

    def abs(self) -> "Tensor":
        """abs(x); d/dx = sign(x) (0 at 0, as in PyTorch)."""
        x = self
        return Tensor._make(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "abs")

    def tanh(self) -> "Tensor":
        """tanh x; d/dx = 1 - tanh(x)^2."""
        x = self
        out = np.tanh(x.data)

        def backward(g):
            d = np.asarray(out * out)  # written in place on one buffer: 1 - tanh^2, times g
            np.subtract(1.0, d, out=d)
            d *= g
            return (d,)

        return Tensor._make(out, (x,), backward, "tanh")

    def sigmoid(self) -> "Tensor":
        """sigma(x) = 1 / (1 + e^-x); d/dx = sigma(x) (1 - sigma(x))."""
        x = self
        out = _stable_sigmoid(x.data)

        def backward(g):
            d = 1.0 - out  # written in place on one buffer: sigma (1 - sigma), times g
            d *= out
            d *= g
            return (d,)

        return Tensor._make(out, (x,), backward, "sigmoid")

    def relu(self) -> "Tensor":
        """max(0, x); d/dx = 1 for x > 0, else 0 (0 at x = 0, as in PyTorch)."""
        x = self
        out = np.maximum(x.data, 0.0)
        return Tensor._make(out, (x,), lambda g: (g * (x.data > 0),), "relu")


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def _broadcast_op(fn, a: Tensor, b: Tensor, name: str) -> np.ndarray:
    try:
        return fn(a.data, b.data)
    except ValueError:
        raise ValueError(f"'{name}': shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def _topological_order(root: Tensor) -> list:
    """Nodes reachable from ``root``, each after all of its parents (iterative, no recursion limit)."""
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


def tensors(*values: Sequence) -> tuple:
    """Convenience: wrap several values as tensors."""
    return tuple(_as_tensor(v) for v in values)
