"""Does depth help? One wide hidden layer against two or three narrower ones, trained side by side.

Chapter 2 compares ReLU networks with the same number of parameters and different depths, over several
seeds and learning rates. Trained one after the other, the runs would take far longer than a notebook
cell should; here they are stacked into one computation and trained by the course's loop for stacked networks
(:func:`nnlessons.training.ensemble.train_together`). Every member is an ordinary network
``Linear, ReLU, ..., Linear`` with PyTorch's default initialisation from its own seed (exactly the
network that ``manual_seed(seed)`` followed by building the layers gives), and the loss minimised is the
sum of the members' losses, so each member's weights follow its own gradient: the stacked run gives
the numbers that :func:`nnlessons.training.fit` with ``optim.SGD(..., momentum=...)`` gives for each
member on its own.

- :func:`n_parameters`: the number of weights and biases of a network with given layer widths;
- :func:`widths_for_budget`: the hidden width that brings a network of a given depth closest to a
  parameter budget;
- :func:`train_side_by_side`: train (architecture, seed, learning rate) members together and return
  their final losses (and, on request, the trained networks as ``nn.Sequential``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import nn
from ..tensor import Tensor, default_rng
from ..training.ensemble import stack_linear_layers, train_together
from ..training.models import mlp

__all__ = ["n_parameters", "widths_for_budget", "SideBySide", "train_side_by_side"]


def n_parameters(sizes: Sequence[int]) -> int:
    """Weights and biases of ``Linear(sizes[0], sizes[1]), ..., Linear(sizes[-2], sizes[-1])``.

    >>> n_parameters([1, 10, 10, 1])  # 20 + 110 + 11
    141
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"n_parameters: give at least two sizes (input and output), got {sizes}")
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))


def widths_for_budget(n_in: int, n_out: int, hidden_layers: int, budget: int) -> list[int]:
    """Layer sizes ``[n_in, w, ..., w, n_out]`` (``hidden_layers`` equal widths w) closest to ``budget``.

    Ties go to the smaller network.

    >>> widths_for_budget(1, 1, 2, 140)
    [1, 10, 10, 1]
    """
    if hidden_layers < 1:
        raise ValueError(f"widths_for_budget: hidden_layers must be at least 1, got {hidden_layers}")
    best = None
    for width in range(1, budget + 1):
        sizes = [n_in] + [width] * hidden_layers + [n_out]
        gap = abs(n_parameters(sizes) - budget)
        if best is None or gap < best[0]:
            best = (gap, sizes)
        if n_parameters(sizes) > budget:
            break
    return best[1]


@dataclass
class SideBySide:
    """What :func:`train_side_by_side` measured.

    Attributes:
        members: ``(architecture name, seed, learning rate)`` of every member, in order.
        final_loss: array (members,): each member's training loss after the last step (inf if it diverged).
        loss: array (epochs, members): every member's training loss before each step (NaN after it
            diverged).
        nets: the trained networks as ``nn.Sequential`` (``Linear``/``ReLU``), if asked for, else None
            (None for a member that diverged).
    """

    members: list
    final_loss: np.ndarray
    loss: np.ndarray
    nets: list | None = None

    def best_over_lr(self) -> dict:
        """``{(name, seed): (lowest final loss over the learning rates, that learning rate)}``."""
        best: dict = {}
        for (name, seed, lr), value in zip(self.members, self.final_loss):
            if (name, seed) not in best or value < best[name, seed][0]:
                best[name, seed] = (float(value), lr)
        return best


def train_side_by_side(architectures: dict, X, y, *, task: str = "regression", seeds: Sequence[int] = (0,),
                       lrs: Sequence[float] = (0.01,), epochs: int = 1000, momentum: float = 0.9,
                       keep_nets: bool = False) -> SideBySide:
    """Train ReLU networks of several architectures, seeds and learning rates by full-batch SGD, together.

    The members of one architecture are stacked (:func:`nnlessons.training.ensemble.stack_linear_layers`)
    and trained by the course's loop for stacked networks, :func:`nnlessons.training.ensemble.train_together`.

    Args:
        architectures: ``{name: sizes}``, e.g. ``{"one layer": [1, 48, 1], "two layers": [1, 10, 10, 1]}``;
            each is ``Linear, ReLU, ..., Linear`` with PyTorch's default initialisation from the seed.
        X: inputs, shape (n, d).
        y: targets: shape (n, k) (or (n,) for k = 1) for ``task="regression"`` (mean squared error);
            integer classes, shape (n,), for ``task="classification"`` (cross-entropy).
        seeds: the seeds; a member's initial weights depend on its seed and architecture only.
        lrs: the learning rates; every (architecture, seed) is trained once with each.
        epochs: number of full-batch steps.
        momentum: SGD's momentum factor (``v = momentum * v + gradient``, ``w -= lr * v``, as ``optim.SGD``).
        keep_nets: also return the trained networks.

    Returns:
        A :class:`SideBySide`. A member whose loss becomes NaN or infinite stops training; its final loss
        is inf (and its network None).
    """
    if task not in ("regression", "classification"):
        raise ValueError(f"train_side_by_side: task must be 'regression' or 'classification', got {task!r}")
    X = np.asarray(X, dtype=np.float64)
    if task == "regression":
        target = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    else:
        target = np.eye(list(architectures.values())[0][-1])[np.asarray(y).astype(int)]  # one-hot (n, classes)
    Xt = Tensor(X)
    members, losses, finals, nets = [], [], [], []
    for name, sizes in architectures.items():
        if sizes[0] != X.shape[1]:
            raise ValueError(f"train_side_by_side: architecture {name!r} takes {sizes[0]} inputs, "
                             f"X has {X.shape[1]} columns")
        # member i * len(seeds) + j: seed j with learning rate i
        params = [Tensor(a, requires_grad=True)
                  for a in stack_linear_layers([_seeded(sizes, seed) for seed in seeds], copies=len(lrs))]
        members += [(name, seed, lr) for lr in lrs for seed in seeds]
        lr_column = np.repeat(np.asarray(lrs, dtype=np.float64), len(seeds))[:, None, None]
        active = np.arange(len(lr_column))

        def stop_diverged(step, values):
            nonlocal active
            finite = np.isfinite(values)
            if finite.all():
                return None
            active = active[finite]
            return finite

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            record = train_together(params, lambda: _member_losses(params, Xt, target, task), steps=epochs,
                                    lr=lr_column, momentum=momentum, on_step=stop_diverged)
            last = _member_losses(params, Xt, target, task).data
        final = np.full(len(lr_column), np.inf)
        final[active] = np.where(np.isfinite(last), last, np.inf)
        history = np.full((epochs, len(lr_column)), np.nan)
        history[:len(record)] = record
        losses.append(history)
        finals.append(final)
        if keep_nets:
            kept = [None] * len(lr_column)
            for row, member in enumerate(active):
                kept[member] = _unstack(params, row)
            nets += kept
    return SideBySide(members=members, final_loss=np.concatenate(finals), loss=np.hstack(losses),
                      nets=nets if keep_nets else None)


def _seeded(sizes: Sequence[int], seed: int) -> nn.Sequential:
    """The ReLU network that ``manual_seed(seed)`` and then building its layers gives; the generator is restored."""
    state = default_rng().bit_generator.state
    try:
        return mlp(sizes, nn.ReLU, seed=seed)
    finally:
        default_rng().bit_generator.state = state


def _unstack(params: list[Tensor], row: int) -> nn.Sequential:
    """Member ``row`` of stacked parameters [W_1 (K, in, out), b_1 (K, 1, out), ...] as an nn.Sequential."""
    sizes = [params[0].shape[1]] + [W.shape[2] for W in params[::2]]
    net = _seeded(sizes, 0)
    for layer, W, b in zip([m for m in net if isinstance(m, nn.Linear)], params[::2], params[1::2]):
        layer.weight.data[...] = W.data[row].T
        layer.bias.data[...] = b.data[row, 0]
    return net


def _member_losses(params: list[Tensor], X: Tensor, target: np.ndarray, task: str) -> Tensor:
    """The loss of every stacked member, shape (K,)."""
    Z = X
    n_layers = len(params) // 2
    for k in range(n_layers):
        Z = Z @ params[2 * k] + params[2 * k + 1]      # (K, n, out)
        if k < n_layers - 1:
            Z = Z.relu()
    if task == "regression":
        return ((Z - target) ** 2).mean(axis=(1, 2))
    return -(F.log_softmax(Z, dim=-1) * target).sum(axis=(1, 2)) * (1.0 / len(target))
