"""The Tensor: a NumPy array that remembers how it was computed.

Every operation below computes its value and, right beside it, a ``backward``
function: given the gradient of the final result with respect to the
operation's output (``g``), it returns the gradient with respect to each
input. That is the chain rule, one node at a time. ``Tensor.backward`` visits
the nodes of the graph in reverse topological order and calls them, then frees
the graph: that walk, and the ``no_grad`` switch, are in :mod:`nnlessons.autograd`
(its names are importable from here too).

To add an operation outside this file, use the public surface: :meth:`Tensor.from_op`
records it, :attr:`Tensor.inputs` and :attr:`Tensor.op` read a node,
:meth:`Tensor.input_grads` runs one node's backward, :func:`topological_order` lists a
graph, and :func:`backward_steps` follows backpropagation step by step.

A scalar is simply a 0-d tensor, so the worked examples of the course and the
vectorised networks run on the same engine.
"""

from __future__ import annotations

import numbers
from typing import Callable, Optional, Sequence

import numpy as np

from . import autograd
from .autograd import (BackwardStep, backward_steps, enable_grad, is_grad_enabled, no_grad,  # noqa: F401 (re-exported)
                       topological_order)

__all__ = ["Tensor", "manual_seed", "default_rng"]  # and the names of .autograd, imported above

_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    """Seed the package's random generator (used to initialise layers), like ``torch.manual_seed``."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    """The package's random generator, seeded by :func:`manual_seed`."""
    return _rng


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

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain",
                 "_version", "_saved_versions", "__weakref__")
    __array_ufunc__ = None  # so that ndarray + Tensor calls Tensor.__radd__ instead of NumPy's loop

    def __init__(self, data, requires_grad: bool = False):
        self.data: np.ndarray = np.array(_to_array(data), dtype=np.float64)  # a copy, as torch.tensor makes
        self.grad: Optional[np.ndarray] = None
        self.requires_grad: bool = bool(requires_grad)
        self._parents: tuple = ()
        self._backward: Optional[Callable] = None
        self._op: str = ""
        self._retain: bool = False
        self._version: int = 0  # bumped by every in-place change, so a graph can tell its inputs changed
        self._saved_versions: tuple = ()

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

    @property
    def inputs(self) -> tuple:
        """The tensors this one was computed from, in the order the operation took them.

        Empty for a leaf, for a tensor made where no gradient can flow, and for a node whose graph
        an earlier ``backward()`` has freed.
        """
        return self._parents

    @property
    def op(self) -> str:
        """The name of the operation that made this tensor ("" for a leaf), e.g. "+", "@", "tanh"."""
        return self._op

    def input_grads(self, grad) -> tuple:
        """One step of the chain rule: given d(root)/d(self), return d(root)/d(input) for each of
        :attr:`inputs` (None where no gradient flows). Reads the graph; writes nothing.

        Raises:
            RuntimeError: if the graph was freed by ``backward()``, or an input was changed in place.
        """
        if self._backward is None:
            raise RuntimeError("input_grads(): this tensor is a leaf; it has no operation to differentiate")
        autograd._check_versions(self)
        return tuple(self._backward(np.asarray(grad, dtype=np.float64)))

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
    def from_op(data, inputs: Sequence["Tensor"], backward: Callable, op: str = "") -> "Tensor":
        """Record an operation: the public way to add one to the engine.

        Args:
            data: the operation's result (an array).
            inputs: the tensors it was computed from.
            backward: ``backward(g)``, given g = d(root)/d(result), returns one gradient per input,
                d(root)/d(input) with the input's shape, or None where none flows (the chain rule).
            op: the operation's name, shown by :attr:`op` and in graph drawings.

        Returns:
            A tensor that records ``inputs`` and ``backward`` when grad mode is on and an input
            requires grad, and a plain tensor otherwise.

        Example:
            >>> def cube(x):
            ...     backward = lambda g: (g * 3 * x.data ** 2,)  # d(x^3)/dx = 3 x^2
            ...     return Tensor.from_op(x.data ** 3, (x,), backward, "cube")
        """
        inputs = tuple(inputs)
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"from_op({op!r}): input {i} is a {type(t).__name__}, not a Tensor")
        if not callable(backward):
            raise TypeError(f"from_op({op!r}): backward must be a function g -> gradients, got {backward!r}")

        def checked_backward(g):  # user code: check the count, make arrays of float64
            grads = tuple(backward(g))
            if len(grads) != len(inputs):
                raise ValueError(f"backward of {op!r} returned {len(grads)} gradients for {len(inputs)} inputs")
            return tuple(None if pg is None else np.asarray(pg, dtype=np.float64) for pg in grads)

        return Tensor._make(np.asarray(data, dtype=np.float64), inputs, checked_backward, op)

    @staticmethod
    def _make(data: np.ndarray, parents: tuple, backward: Callable, op: str) -> "Tensor":
        """The engine's own :meth:`from_op`, without the argument checks (it is called for every node)."""
        out = Tensor.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data, dtype=np.float64)
        out.grad = None
        out._retain = False
        out._version = 0
        if autograd._grad_enabled and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out._parents = parents
            out._backward = backward
            out._op = op
            out._saved_versions = (0,) + tuple(p._version for p in parents)
        else:
            out.requires_grad = False
            out._parents = ()
            out._backward = None
            out._op = ""
            out._saved_versions = ()
        return out

    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Back-propagate: add d(self)/d(leaf) into the ``.grad`` of every leaf that requires it.

        As in PyTorch, the graph is freed on the way (each node drops its inputs and its backward
        function, so the arrays they hold can be released): a second ``backward()`` through it
        raises. Pass ``retain_graph=True`` to keep it, e.g. to back-propagate twice or to draw it
        afterwards.

        Args:
            gradient: d(loss)/d(self), needed when ``self`` is not a scalar (as in PyTorch).
            retain_graph: keep the graph for another backward pass.
        """
        for _ in backward_steps(self, gradient, retain_graph=retain_graph):
            pass

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
        """u ** n; d/du = n u^(n-1). With a tensor exponent v: d/dv = ln(u) u^v.

        At u = 0 the gradients are PyTorch's: d/du = 0 when n = 0 (u^0 is the constant 1), and
        d/dv = 0 when v >= 0 (0^v is constant there); elsewhere inf or nan, without NumPy warnings.
        """
        u = self
        if isinstance(exponent, numbers.Real):
            n = float(exponent)
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 = inf, as in PyTorch
                out = u.data**n

            def backward(g):
                if n == 0.0:
                    return (np.zeros_like(u.data),)
                with np.errstate(divide="ignore", invalid="ignore"):
                    return (g * n * u.data ** (n - 1),)

            return Tensor._make(out, (u,), backward, f"**{exponent:g}")
        v = _as_tensor(exponent)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _broadcast_op(np.power, u, v, "**")

        def backward_uv(g):
            gu = gv = None
            with np.errstate(divide="ignore", invalid="ignore"):
                if u.requires_grad:
                    du = np.where(v.data == 0, 0.0, v.data * u.data ** (v.data - 1))
                    gu = _unbroadcast(g * du, u.shape)
                if v.requires_grad:
                    dv = np.where((u.data == 0) & (v.data >= 0), 0.0, np.log(u.data) * out)
                    gv = _unbroadcast(g * dv, v.shape)
            return gu, gv

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
        try:
            out = a.data @ b.data
        except ValueError:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not match: their batch dimensions "
                f"{a.shape[:-2]} and {b.shape[:-2]} cannot be broadcast together"
            ) from None

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
        """x[index]; the gradient flows back to the selected entries (repeats add up).

        ``index`` is anything NumPy takes: integers, slices, integer arrays or lists, or a boolean
        mask such as ``x > 0``. A Tensor index must hold whole numbers (tensors hold floats).
        Lists and arrays are copied, so changing them later does not change the gradient.
        """
        x = self
        index = _frozen_index(index)
        try:
            out = np.array(x.data[index])
        except IndexError as err:
            raise IndexError(f"x[{index!r:.60}] on a tensor of shape {x.shape}: {err}") from None

        def backward(g):
            gx = np.zeros_like(x.data)
            np.add.at(gx, index, g)
            return (gx,)

        return Tensor._make(out, (x,), backward, "[]")

    # --------------------------------------------------------------- in place
    def __iadd__(self, other) -> "Tensor":
        """x += y, in place: see :meth:`_in_place`."""
        return self._in_place(other, np.add, Tensor.__add__, "+=")

    def __isub__(self, other) -> "Tensor":
        """x -= y, in place, e.g. ``p -= lr * p.grad`` under ``no_grad()``."""
        return self._in_place(other, np.subtract, Tensor.__sub__, "-=")

    def __imul__(self, other) -> "Tensor":
        """x *= y, in place."""
        return self._in_place(other, np.multiply, Tensor.__mul__, "*=")

    def __itruediv__(self, other) -> "Tensor":
        """x /= y, in place."""
        return self._in_place(other, np.true_divide, Tensor.__truediv__, "/=")

    def _in_place(self, other, ufunc, op, name: str) -> "Tensor":
        """Change this tensor's values in place (same object, same array), with PyTorch's rules.

        - Under ``no_grad()`` (or when no gradient is involved): only the values change.
        - A leaf that requires grad (a parameter) may not be changed while the graph is recorded:
          its gradient would no longer be that of the value it had. That is PyTorch's rule.
        - Any other tensor becomes the node ``(its old value) op other`` in the graph.

        Each change bumps the tensor's version, so a graph that used the old values refuses to
        back-propagate through them (RuntimeError) instead of silently using the new ones.
        """
        other_t = other if isinstance(other, Tensor) else None
        if self.data.base is not None:
            raise RuntimeError(
                f"'{name}': this tensor's values are a view of another tensor's (made by .T or reshape); "
                "in-place arithmetic on it is not supported. Write x = x op y instead."
            )
        recording = autograd._grad_enabled and (self.requires_grad or (other_t is not None and other_t.requires_grad))
        if recording and self.requires_grad and self._backward is None:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation ('{name}'): "
                "changing a parameter while the graph is recorded would make its gradient wrong. "
                "Update parameters inside `with nl.no_grad():`, e.g. `with nl.no_grad(): p -= lr * p.grad`."
            )
        value = other_t.data if other_t is not None else _to_array(other)
        try:
            fits = np.broadcast_shapes(self.shape, np.shape(value)) == self.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"'{name}': cannot update a tensor of shape {self.shape} in place with a value "
                             f"of shape {np.shape(value)} (the result would have another shape)")
        if recording:  # record the change as a node whose input is a copy of the old value
            old = Tensor.__new__(Tensor)
            for slot in ("requires_grad", "_parents", "_backward", "_op", "_version", "_saved_versions"):
                setattr(old, slot, getattr(self, slot))
            old.data, old.grad, old._retain = self.data.copy(), None, False
            new = op(old, other)
            self._parents, self._backward, self._op = new._parents, new._backward, name
            self.requires_grad = True
            self._saved_versions = (self._version + 1,) + new._saved_versions[1:]
        ufunc(self.data, value, out=self.data)
        self._version += 1
        return self

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
        """Mean of the entries; each entry gets the output's gradient divided by the count.

        The mean of no entries is nan, as in PyTorch.
        """
        count = self.data.size if axis is None else int(np.prod([self.shape[i] for i in np.atleast_1d(axis)]))
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count if count else np.nan)

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


def _frozen_index(index):
    """A copy of an index, checked: lists and arrays copied (so the backward uses the index as it
    was), a Tensor index turned into integers, floats refused."""
    if isinstance(index, tuple):
        return tuple(_frozen_index(i) for i in index)
    if isinstance(index, Tensor):
        values = index.data
        if not np.all(values == np.round(values)):
            raise IndexError(f"a Tensor index must hold whole numbers, got {values.ravel()[:4]}; "
                             "use an integer array, or a boolean mask such as x > 0")
        return values.astype(np.intp)
    if isinstance(index, (list, np.ndarray)):
        arr = np.array(index)
        if arr.dtype.kind not in "biu":
            raise IndexError(f"index arrays must hold integers or booleans, got dtype {arr.dtype}: {index!r:.60}")
        return arr
    if isinstance(index, (float, np.floating)):
        raise IndexError(f"an index must be an integer, a slice, an integer array or a boolean mask, got the float {index}")
    return index


def _broadcast_op(fn, a: Tensor, b: Tensor, name: str) -> np.ndarray:
    try:
        return fn(a.data, b.data)
    except ValueError:
        raise ValueError(f"'{name}': shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def tensors(*values: Sequence) -> tuple:
    """Convenience: wrap several values as tensors."""
    return tuple(_as_tensor(v) for v in values)
