"""Check autograd against central differences."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .tensor import Tensor, no_grad

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Autograd and central differences disagree."""


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
        flat = x.data.reshape(-1)  # a view (the copy is contiguous): nudging it nudges the input
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            up = scalar()
            flat[i] = orig - eps
            down = scalar()
            flat[i] = orig
            numeric = (up - down) / (2 * eps)
            auto = got.reshape(-1)[i]
            if not abs(auto - numeric) <= atol + rtol * abs(numeric):
                index = np.unravel_index(i, x.shape) if x.ndim else ()
                raise GradcheckError(
                    f"gradcheck: input {k} (shape {x.shape}) at index {tuple(int(j) for j in index)}: "
                    f"autograd gives {auto:.10g} but central differences give {numeric:.10g}"
                )
    return True
