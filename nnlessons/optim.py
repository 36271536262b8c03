"""Stochastic gradient descent, with PyTorch's update rule."""

from __future__ import annotations

import math
import warnings
from typing import Iterable

import numpy as np

from .tensor import Tensor

__all__ = ["SGD"]


class SGD:
    """Gradient descent: p <- p - lr * v, where v = g (plain) or v <- momentum * v + g (momentum).

    As in ``torch.optim.SGD``, the first momentum step sets v = g, and parameters whose
    ``.grad`` is None are skipped.

    Args:
        params: the tensors to update, e.g. ``model.parameters()``.
        lr: the learning rate alpha (a non-negative number).
        momentum: the momentum factor in [0, 1).
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0):
        if not isinstance(lr, (int, float, np.floating)) or math.isnan(lr) or lr < 0:
            raise ValueError(f"SGD: invalid learning rate {lr!r}; expected a number >= 0")
        if not isinstance(momentum, (int, float, np.floating)) or math.isnan(momentum) or momentum < 0:
            raise ValueError(f"SGD: invalid momentum {momentum!r}; expected a number >= 0")
        if isinstance(params, Tensor):
            raise TypeError("SGD: params must be an iterable of tensors, e.g. model.parameters() or [w, b], "
                            "not a single Tensor")
        self.params = []
        for i, p in enumerate(params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise ValueError(f"SGD: parameter {i} is not a tensor that requires grad")
            if not p.is_leaf:
                raise ValueError(f"SGD: can't optimize a non-leaf Tensor (parameter {i} was computed by "
                                 f"{p.op!r}); pass the tensors you created, e.g. model.parameters()")
            if any(p is q for q in self.params):
                warnings.warn("SGD: optimizer contains a parameter group with duplicate parameters; each "
                              "is stepped once, as in PyTorch", UserWarning, stacklevel=2)
                continue
            self.params.append(p)
        if not self.params:
            raise ValueError("SGD: got an empty parameter list")
        self.lr = float(lr)
        self.momentum = float(momentum)
        self._velocity: list = [None] * len(self.params)

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to None."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Move every parameter one step against its gradient (in place; each parameter once)."""
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.momentum:
                v = self._velocity[i]
                if v is None:
                    v = self._velocity[i] = g.copy()
                else:
                    v *= self.momentum
                    v += g
                g = v
            p.data -= self.lr * g
            p._version += 1  # an in-place change: a graph still holding the old value refuses to use it
