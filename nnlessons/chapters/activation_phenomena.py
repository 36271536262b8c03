"""Experiments of the activation-function chapter that are longer than a notebook cell should be.

- :func:`moons_net`: the chapter's ReLU network 2 -> 32 -> 32 -> 1 with a chosen bias initialisation;
- :func:`dying_relu_run`: the four-stage dying-ReLU experiment (train, one step with a learning rate 100
  times too large, train again), with the dead units counted after each stage;
- :func:`push`: the dead fraction after one step of a given length along the gradient, for the explorer
  of "size of the step against dead units";
- :func:`conditioning`: the curvatures (eigenvalues) of the squared loss of a linear unit, the best fixed
  learning rate, and the input mean's share of the largest curvature.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import nn
from ..tensor import Tensor, manual_seed
from ..training import fit
from .activation_experiments import dead_fraction, dead_units, frozen_units

__all__ = ["BIAS_INITS", "moons_net", "DyingRun", "dying_relu_run", "push", "conditioning"]

BIAS_INITS = {"default (random)": None, "zero": 0.0, "0.01": 0.01, "0.1": 0.1}
"""Bias initialisations compared in the chapter: None keeps PyTorch's default, uniform in +-1/sqrt(fan_in)."""


def moons_net(activation: Callable[[], nn.Module] = nn.ReLU, bias: float | None = None, seed: int = 0,
              hidden: int = 32) -> nn.Sequential:
    """``Linear(2, h), act, Linear(h, h), act, Linear(h, 1)``, PyTorch's initialisation from ``seed``.

    ``bias=None`` keeps the default random biases; a number sets every bias (all three layers) to it.
    The weights are the same for every ``bias`` and every ``activation`` with the same seed.
    """
    manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, hidden), activation(), nn.Linear(hidden, hidden), activation(),
                        nn.Linear(hidden, 1))
    if bias is not None:
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.bias.data[...] = bias
    return net


@dataclass
class DyingRun:
    """What :func:`dying_relu_run` measured on one network.

    Attributes:
        stages: names of the four moments measured.
        dead: array (4, n_layers): fraction of units of each rectifier layer that are <= 0 on every input.
        loss: array (4,): training loss at each moment.
        step_size: length of the big step, lr * ||gradient|| over all parameters.
        zero_gradient: fraction of units whose weights and bias got exactly zero gradient right after it.
        frozen_is_dead: right after the big step, the zero-gradient units are exactly the dead ones.
        first_layer_dead_unchanged: the first-layer units dead after the big step kept their weights and
            bias bit for bit through the last stage, and are still dead.
        n_first_layer_dead: how many first-layer units the big step left dead.
    """

    stages: tuple
    dead: np.ndarray
    loss: np.ndarray
    step_size: float
    zero_gradient: float
    frozen_is_dead: bool
    first_layer_dead_unchanged: bool
    n_first_layer_dead: int

    @property
    def dead_total(self) -> np.ndarray:
        """Fraction of all rectifier units dead at each stage (layers of equal width)."""
        return self.dead.mean(axis=1)


def _loss(net, X, Y, loss_fn) -> float:
    return float(loss_fn(net(Tensor(X)), Y).item())


def dying_relu_run(net: nn.Module, X, Y, *, lr: float = 0.5, big_lr: float = 50.0, before: int = 100,
                   after: int = 200, loss_fn: Callable = F.binary_cross_entropy_with_logits) -> DyingRun:
    """Train ``before`` epochs at ``lr``, take one full-batch step at ``big_lr``, train ``after`` more epochs.

    Counts dead units (per rectifier layer) at initialisation, after the first training, right after the
    big step and at the end. All training is full-batch gradient descent with :func:`fit`.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)

    def train(rate, epochs):
        fit(net, loss_fn, X, Y, epochs=epochs, lr=rate, progress=False)

    dead, loss = [dead_fraction(net, X, per_layer=True)], [_loss(net, X, Y, loss_fn)]
    train(lr, before)
    dead.append(dead_fraction(net, X, per_layer=True))
    loss.append(_loss(net, X, Y, loss_fn))
    net.zero_grad()
    loss_fn(net(Tensor(X)), Y).backward()
    step_size = big_lr * math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    train(big_lr, 1)
    dead.append(dead_fraction(net, X, per_layer=True))
    loss.append(_loss(net, X, Y, loss_fn))
    dead_masks = dead_units(net, X)
    frozen = frozen_units(net, X, Y, loss_fn)
    first = next(m for m in net.modules() if isinstance(m, nn.Linear))
    w0, b0 = first.weight.data.copy(), first.bias.data.copy()
    train(lr, after)
    dead.append(dead_fraction(net, X, per_layer=True))
    loss.append(_loss(net, X, Y, loss_fn))
    d1 = dead_masks[0]
    unchanged = bool(np.array_equal(first.weight.data[d1], w0[d1]) and np.array_equal(first.bias.data[d1], b0[d1])
                     and dead_units(net, X)[0][d1].all())
    return DyingRun(
        stages=("at initialisation", f"after {before} epochs", f"after one step with lr {big_lr:g}",
                f"after {after} more epochs"),
        dead=np.array(dead), loss=np.array(loss), step_size=step_size,
        zero_gradient=float(np.concatenate(frozen).mean()),
        frozen_is_dead=all(np.array_equal(f, d) for f, d in zip(frozen, dead_masks)),
        first_layer_dead_unchanged=unchanged, n_first_layer_dead=int(d1.sum()),
    )


def push(net: nn.Module, X, Y, lengths: Sequence[float],
         loss_fn: Callable = F.binary_cross_entropy_with_logits) -> np.ndarray:
    """Dead fraction after one step of each length along minus the full-batch gradient (net left unchanged).

    The step moves all parameters together by ``-length * g / ||g||``: the same direction as a gradient
    step, with its size set directly instead of through the learning rate.
    """
    X = np.asarray(X, dtype=np.float64)
    params = list(net.parameters())
    net.zero_grad()
    loss_fn(net(Tensor(X)), Y).backward()
    grads = [p.grad.copy() for p in params]
    norm = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
    saved = [p.data.copy() for p in params]
    out = []
    try:
        for length in lengths:
            for p, p0, g in zip(params, saved, grads):
                p.data[...] = p0 - length * g / norm
            out.append(dead_fraction(net, X))
    finally:
        for p, p0 in zip(params, saved):
            p.data[...] = p0
        net.zero_grad()
    return np.array(out)


def conditioning(X) -> dict:
    """Curvatures of the loss mean((X w - y)^2) / 2 of a linear unit, and what the input mean adds.

    Returns ``lam_min``, ``lam_max`` (eigenvalues of X^T X / n), ``kappa = lam_max / lam_min``, the best
    fixed learning rate ``2 / (lam_min + lam_max)``, the factor ``(kappa - 1) / (kappa + 1)`` by which
    that rate shrinks the distance to the minimum per step, ``mean_sq = ||mean of the rows||^2`` and
    ``cov_max``, the largest eigenvalue of the covariance of the rows: X^T X / n = cov + mean mean^T,
    so a large mean adds up to ``mean_sq`` to the largest curvature.
    """
    X = np.asarray(X, dtype=np.float64)
    lam_min, lam_max = np.linalg.eigvalsh(X.T @ X / len(X))[[0, -1]]
    kappa = lam_max / lam_min
    mean = X.mean(axis=0)
    cov_max = np.linalg.eigvalsh(np.cov(X.T, bias=True))[-1]
    return dict(lam_min=float(lam_min), lam_max=float(lam_max), kappa=float(kappa),
                lr=float(2 / (lam_min + lam_max)), rate=float((kappa - 1) / (kappa + 1)),
                mean_sq=float(mean @ mean), cov_max=float(cov_max))
