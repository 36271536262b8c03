"""Check autograd against central differences."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .tensor import Tensor, no_grad

__all__ = ["gradcheck", "GradcheckError", "numeric_grad"]


class GradcheckError(RuntimeError):
    """Autograd and central differences disagree."""


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """df/dx by central differences: entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    Each entry of ``x`` is nudged in place, ``f(x)`` is called, and the entry is restored, so ``f`` may
    read ``x`` through the argument or through a tensor that holds it. ``x`` must be a writable,
    C-contiguous float array (nudging a copy would not change what ``f`` sees).
    """
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.flags.c_contiguous and x.flags.writeable):
        raise ValueError("numeric_grad: x must be a writable, C-contiguous float array; "
                         "pass np.array(x, dtype=float) for a fresh copy")
    grad = np.zeros_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)  # views: nudging flat nudges x
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        up = f(x)
        flat[i] = orig - eps
        down = f(x)
        flat[i] = orig
        grad_flat[i] = (up - down) / (2 * eps)
    return grad


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Tensor] | Tensor, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """Compare the gradients autograd computes for ``fn(*inputs)`` with central differences.

    For a non-scalar output y, the scalar L = sum(v * y) with a fixed random v is checked, which
    tests the vector-Jacobian product that backpropagation computes. Each entry of each input that
    requires grad is nudged by +-eps: dL/dx ~ (L(x + eps) - L(x - eps)) / (2 eps).

    Returns:
        True when abs(autograd - numeric) <= atol + rtol * abs(numeric) everywhere.

    Raises:
        GradcheckError: naming the input, the index, and both values at the first mismatch.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError("gradcheck: no input is a Tensor with requires_grad=True")
    # Differentiate with respect to fresh leaf copies of the inputs, as PyTorch differentiates with
    # respect to the inputs themselves: this works for non-leaf inputs (whose .grad is never filled)
    # and non-contiguous ones (whose values could not be nudged through a flat view), and leaves
    # the caller's tensors and their .grad untouched.
    inputs = tuple(Tensor(np.ascontiguousarray(x.data), requires_grad=x.requires_grad)
                   if isinstance(x, Tensor) else x for x in inputs)
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    v = np.random.default_rng(12345).standard_normal(out.shape)

    def scalar() -> float:
        with no_grad():
            return float(np.sum(v * fn(*inputs).data))

    if out.requires_grad:
        (out * v).sum().backward()
    analytic = [x.grad if isinstance(x, Tensor) else None for x in inputs]

    for k, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        got = analytic[k] if analytic[k] is not None else np.zeros_like(x.data)
        numeric = numeric_grad(lambda _: scalar(), x.data, eps)  # x.data is the contiguous copy made above
        close = np.abs(got - numeric) <= atol + rtol * np.abs(numeric)
        if not close.all():
            index = np.unravel_index(int(np.argmin(close.reshape(-1))), x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradcheck: input {k} (shape {x.shape}) at index {tuple(int(j) for j in index)}: "
                f"autograd gives {got[index]:.10g} but central differences give {numeric[index]:.10g}"
            )
    return True
