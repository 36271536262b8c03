"""Check functions for the coding exercises of chapters 5 (derivatives) and 6 (backpropagation).

- :func:`check_ce_grad`: the hand-derived gradient of logistic regression's cross-entropy,
  (1/N) sum_n (yhat_n - y_n) x_n, against a reference.
- :func:`check_backward`: any operation's backward function against central differences of the
  forward function, the way an autograd engine's author tests a new operation.
- :func:`check_softsign_backward`: that check for the exercise's new operation, softsign.
- :func:`make_op`: turn a forward and a backward function on arrays into an operation on
  :class:`~nnlessons.Tensor` objects that backpropagation uses like any built-in one.

Each check prints a verdict (what is wrong, on which input) and returns True or False.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..tensor import Tensor, _as_tensor
from . import check_function

__all__ = [
    "check_backward",
    "check_ce_grad",
    "check_softsign_backward",
    "ce_grad_reference",
    "make_op",
    "numeric_vjp",
    "softsign_forward",
]


# ------------------------------------------------------------------------------ chapter 5
def _sigmoid(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def ce_grad_reference(w, X, y) -> np.ndarray:
    """d/dw of the mean cross-entropy of logistic regression: (1/N) sum_n (sigma(w . x_n) - y_n) x_n."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    yhat = _sigmoid(X @ np.asarray(w, dtype=np.float64))
    return (yhat - y) @ X / len(y)


def _ce_cases() -> dict:
    rng = np.random.default_rng(5)
    X5 = rng.normal(size=(5, 3))
    return {
        "the lecture's single example (w = 0.5, x = 2, y = 1)": (np.array([0.5]), np.array([[2.0]]), np.array([1.0])),
        "one example with y = 0": (np.array([-1.0, 2.0]), np.array([[0.5, 1.5]]), np.array([0.0])),
        "a batch of 5 examples in 3-D": (np.array([0.3, -0.7, 1.1]), X5, np.array([1.0, 0.0, 0.0, 1.0, 1.0])),
        "confident predictions (large |w . x|)": (np.array([4.0, -3.0]), 3.0 * np.array([[1.0, -1.0], [-1.0, 1.0]]),
                                                 np.array([1.0, 1.0])),
    }


def check_ce_grad(ce_grad: Callable[..., Any]) -> bool:
    """Check ``ce_grad(w, X, y)``: the gradient of the mean logistic cross-entropy with respect to ``w``.

    ``w`` has shape (D,), ``X`` shape (N, D) (one example per row), ``y`` shape (N,) with labels 0 or 1.
    The answer is a NumPy array of shape (D,).
    """
    return check_function(ce_grad, ce_grad_reference, _ce_cases(), name="ce_grad", atol=1e-10, rtol=1e-8)


# ------------------------------------------------------------------------------ chapter 6
def numeric_vjp(forward: Callable[[np.ndarray], np.ndarray], x, g, eps: float = 1e-6) -> np.ndarray:
    """d/dx of sum(g * forward(x)) by central differences: what ``backward(x, g)`` must return."""
    x = np.array(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    out = np.zeros_like(x)
    flat, oflat = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        up = float(np.sum(g * forward(x)))
        flat[i] = orig - eps
        down = float(np.sum(g * forward(x)))
        flat[i] = orig
        oflat[i] = (up - down) / (2 * eps)
    return out


def check_backward(backward: Callable[..., Any], forward: Callable[[np.ndarray], np.ndarray],
                   inputs: Mapping[str, Any], *, name: str | None = None, seed: int = 0,
                   atol: float = 1e-6, rtol: float = 1e-5) -> bool:
    """Check an elementwise-or-not operation's ``backward(x, g)`` against central differences.

    Args:
        backward: the function under test. Given the input array ``x`` and the upstream gradient
            ``g = dL/d out`` (same shape as ``forward(x)``), it returns ``dL/dx`` (same shape as ``x``).
        forward: the operation on arrays, ``out = forward(x)``.
        inputs: ``{"label": x}`` input arrays to test at; for each, ``g`` is drawn at random (seeded).
        name: what to call the function in the verdict.

    The expected answer for each case is the central difference of ``sum(g * forward(x))``.
    """
    rng = np.random.default_rng(seed)
    cases = {}
    for label, x in inputs.items():
        x = np.asarray(x, dtype=np.float64)
        g = rng.normal(size=np.shape(forward(x)))
        cases[label] = (x, g)
    return check_function(backward, lambda x, g: numeric_vjp(forward, x, g), cases, name=name,
                          atol=atol, rtol=rtol)


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


def check_softsign_backward(softsign_backward: Callable[..., Any]) -> bool:
    """Check ``softsign_backward(x, g)``, which must return g * d softsign/dx, against central differences."""
    return check_backward(softsign_backward, softsign_forward, _softsign_inputs(), name="softsign_backward")


def make_op(forward: Callable[[np.ndarray], np.ndarray], backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
            op: str) -> Callable[[Tensor], Tensor]:
    """Make a one-input operation on Tensors from array functions, as the engine's own are made.

    ``forward(x)`` computes the value; ``backward(x, g)`` returns the gradient with respect to ``x``
    given the upstream gradient ``g``. The result records a node named ``op`` in the graph, so
    ``backward()``, ``gradcheck`` and ``draw_graph`` treat it like a built-in operation.
    """

    def apply(x) -> Tensor:
        x = _as_tensor(x)
        out = np.asarray(forward(x.data), dtype=np.float64)
        return Tensor._make(out, (x,), lambda g: (np.asarray(backward(x.data, g), dtype=np.float64),), op)

    apply.__name__ = op
    apply.__doc__ = f"The operation {op!r} on a Tensor (made with nnlessons.checks.backprop.make_op)."
    return apply


def _softsign_backward_reference(x, g):
    x = np.asarray(x, dtype=np.float64)
    return g / (1.0 + np.abs(x)) ** 2

