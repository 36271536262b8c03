"""Many small networks trained side by side as one computation, for speed.

A figure that compares ten networks (widths, seeds, learning rates) would train them one after the
other; stacked into one computation, the same arithmetic runs in one pass of larger arrays. The
networks stay independent: the loss minimised is the *sum* of the members' losses, so each weight's
gradient is that of its own member's loss, and every member has its own learning rate.

:func:`train_together` is the loop (the same steps as :func:`nnlessons.training.fit`: forward, backward,
update, with SGD's momentum rule); the caller says how the stacked members compute their losses.
:func:`stack_linear_layers` stacks identically shaped networks along a leading member axis.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import numpy as np

from .. import nn
from ..tensor import Tensor
from .arguments import check_integer

__all__ = ["stack_linear_layers", "train_together"]


def stack_linear_layers(nets: Sequence[nn.Module], copies: int = 1) -> list[np.ndarray]:
    """The Linear layers of identically shaped networks, stacked along a leading member axis.

    Returns ``[W_1, b_1, W_2, b_2, ...]`` with ``W_l`` of shape (K, in, out) (transposed, so that a batch
    of inputs X (n, in) gives ``X @ W_l + b_l`` of shape (K, n, out)) and ``b_l`` of shape (K, 1, out),
    where K = ``copies * len(nets)``: member ``i * len(nets) + j`` starts as a copy of ``nets[j]``.
    """
    layers = [[m for m in net.modules() if isinstance(m, nn.Linear)] for net in nets]
    stacked = []
    for depth in range(len(layers[0])):
        W = np.stack([net[depth].weight.data.T for net in layers])
        b = np.stack([net[depth].bias.data[None, :] for net in layers])
        stacked += [np.tile(W, (copies, 1, 1)), np.tile(b, (copies, 1, 1))]
    return stacked


def train_together(params: Sequence[Tensor], member_losses: Callable[[], Tensor], *, steps: int,
                   lr: Union[float, np.ndarray], momentum: float = 0.0,
                   on_step: Optional[Callable[[int, np.ndarray], object]] = None) -> np.ndarray:
    """Train K networks at once by full-batch gradient descent on the sum of their losses.

    Each step: ``losses = member_losses()`` (a Tensor of shape (K,), one loss per member, computed from
    ``params``), record it, ask ``on_step``, then back-propagate ``losses.sum()`` and update every
    parameter as ``optim.SGD`` does (v = g at the first step, then v = momentum * v + g; p -= lr * v).

    Args:
        params: the stacked parameters (leaf Tensors that require grad).
        member_losses: computes the members' losses from ``params``.
        steps: the most loss evaluations; each but a stopping one is followed by an update.
        lr: a learning rate, or an array that broadcasts against every parameter (one per member:
            shape (K, 1, 1) for parameters with the member axis first).
        momentum: SGD's momentum factor.
        on_step: ``on_step(step, losses)`` after the losses of a step are recorded, before its update.
            Return None to go on, True to stop before the update, or a boolean mask over the members
            still training to keep only those (then every parameter, ``lr`` and the momentum must have
            the member axis first).

    Returns:
        The losses, shape (steps run, K): row t holds each member's loss before update t (NaN for a
        member no longer training).
    """
    check_integer("steps", steps, where="train_together")
    params = list(params)
    lr = np.asarray(lr, dtype=np.float64) if np.ndim(lr) else float(lr)
    velocity: list = [None] * len(params)
    active: Optional[np.ndarray] = None  # indices of the members still training (None: all)
    record: list = []
    for step in range(steps):
        losses = member_losses()
        values = losses.data
        if active is None:
            active = np.arange(len(values))
        row = np.full(len(record[0]) if record else len(values), np.nan)
        row[active] = values
        record.append(row)
        decision = on_step(step, values) if on_step is not None else None
        if decision is True:
            break
        losses.sum().backward()
        keep = None if decision is None or decision is False else np.asarray(decision, dtype=bool)
        for i, p in enumerate(params):
            g = p.grad
            if momentum:
                if velocity[i] is None:
                    velocity[i] = g.copy()
                else:
                    velocity[i] *= momentum
                    velocity[i] += g
                g = velocity[i]
            p.grad = None
            if keep is not None:  # members that stop training leave the stack
                p.data, g = p.data[keep], g[keep]
                velocity[i] = None if velocity[i] is None else velocity[i][keep]
            p.data -= (lr[keep] if keep is not None and np.ndim(lr) else lr) * g
        if keep is not None:
            active = active[keep]
            lr = lr[keep] if np.ndim(lr) else lr
    return np.array(record)
