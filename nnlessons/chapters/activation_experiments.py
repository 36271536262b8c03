"""Measurements for the activation-function chapter: derivatives, dead units, gradient flow, speed of training.

Each function measures one thing a lecture claim is about, so that the chapter can show the claim
instead of stating it:

- :func:`derivative`: an element-wise function and its derivative at many points, from autograd;
- :func:`layer_grad_norms` on a :func:`deep_stack`: how large the gradient is in each layer of a deep
  network (saturating activations make it vanish);
- :func:`dead_fraction`: the share of rectifier units that are negative for every input (a dead ReLU
  outputs 0 and passes no gradient, whatever the input);
- :func:`gd_path`: the path of gradient descent on one linear neuron (the zig-zag of all-positive inputs);
- :func:`epochs_to_target`: how many epochs of gradient descent a small network needs to reach a
  training loss, for several seeds and learning rates at once (one batched "ensemble" of networks);
- :func:`time_forward`: the best-of-several wall time of each function on the same array;
- :func:`conditioning`: the curvatures of a linear unit's squared loss, and what the input mean adds to them;
- :func:`moons_net` and :func:`dying_relu_run`: the dying-ReLU experiment (train, one step with a learning
  rate 100 times too large, train again; dead units counted after each stage), with :data:`BIAS_INITS`;
- :func:`push`: the dead fraction after one step of a chosen length along the gradient.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import nn
from ..tensor import Tensor, manual_seed, no_grad
from ..training.arguments import check_integer
from ..training.ensemble import stack_linear_layers, train_together
from ..training.loop import fit
from ..training.models import mlp, predict

__all__ = [
    "derivative", "deep_stack", "layer_grad_norms", "RECTIFIERS", "dead_fraction", "dead_units", "frozen_units",
    "gd_path", "first_reaching", "ConvergenceResult", "epochs_to_target", "time_forward",
    "conditioning", "BIAS_INITS", "moons_net", "DyingRun", "dying_relu_run", "push",
]


# ---------------------------------------------------------------------------------------- derivatives
def derivative(fn: Callable[[Tensor], Tensor], x) -> tuple[np.ndarray, np.ndarray]:
    """Values f(x) and derivatives f'(x) of an element-wise function, at every entry of ``x``, by autograd.

    Because each output entry depends only on the matching input entry, the gradient of sum(f(x))
    with respect to x is exactly the vector of f'(x_i).

    Args:
        fn: maps a Tensor to a Tensor of the same shape, element by element (e.g. ``F.relu``).
        x: the points (number, list or array).

    Returns:
        ``(values, slopes)``: two float64 arrays of the shape of ``x``.
    """
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    out = fn(t)
    if out.shape != t.shape:
        raise ValueError(f"derivative: fn must act element-wise, but it turned shape {t.shape} into {out.shape}")
    out.sum().backward()
    slopes = t.grad if t.grad is not None else np.zeros_like(t.data)
    return out.data.copy(), slopes.copy()


# ------------------------------------------------------------------------------------ gradient flow
def deep_stack(activation: Callable[[], nn.Module], *, depth: int = 10, width: int = 64,
               in_features: int | None = None, out_features: int = 1, seed: int = 0,
               gain: float = 2.0) -> nn.Sequential:
    """A deep network ``Linear, act, Linear, act, ..., Linear`` with ``depth`` hidden layers: an
    :func:`~nnlessons.training.models.mlp` with He-scaled normal weights.

    The weights are drawn from N(0, gain / fan_in) (``gain=2``: He et al., 2015, the scale that keeps
    ReLU signals the same size from layer to layer) and the biases are zero, so that two stacks built with
    the same seed have exactly the same weights and differ only in their activation.

    Args:
        activation: makes one activation module, e.g. ``nn.Sigmoid`` or ``lambda: nn.LeakyReLU(0.1)``.
        depth: number of hidden layers (each a Linear followed by the activation).
        width: units per hidden layer.
        in_features: input size (default ``width``).
        out_features: output size (the last Linear has no activation).
        seed: seed of the weights.
        gain: weight variance times fan_in.
    """
    check_integer("depth", depth, where="deep_stack")
    check_integer("width", width, where="deep_stack")
    in_features = width if in_features is None else in_features
    return mlp([in_features] + [width] * depth + [out_features], activation, init="normal", seed=seed, gain=gain)


def _linears(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def layer_grad_norms(model: nn.Module, X, y, loss_fn: Callable = F.mse_loss) -> np.ndarray:
    """The norm ||dL/dW|| of the gradient on each Linear layer's weight matrix, first layer first.

    One forward and backward pass of ``loss_fn(model(X), y)``; the gradients are left in
    ``.grad`` (cleared first, so nothing accumulates from earlier calls).
    """
    linears = _linears(model)
    if not linears:
        raise ValueError("layer_grad_norms: the model has no Linear layer")
    model.zero_grad()
    loss = loss_fn(model(X if isinstance(X, Tensor) else Tensor(X)), y)
    loss.backward()
    return np.array([np.linalg.norm(lin.weight.grad) for lin in linears])


# -------------------------------------------------------------------------------------- dead units
RECTIFIERS = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU)
"""The activations whose units :func:`dead_fraction` inspects (those with a 'negative regime')."""


def _flat(model: nn.Module) -> list[nn.Module]:
    """The layers of a (possibly nested) Sequential, in the order they run."""
    if isinstance(model, nn.Sequential):
        return [leaf for m in model for leaf in _flat(m)]
    return [model]


def dead_units(model: nn.Module, X) -> list[np.ndarray]:
    """For each rectifier layer of a Sequential model, a boolean mask of its units that are dead on ``X``.

    A unit is dead on ``X`` when its input (the pre-activation z = W x + b) is <= 0 for every row
    of ``X``. For ReLU such a unit outputs 0 for every input and passes back no gradient, so gradient
    descent on this data never changes its incoming weights again. For leaky ReLU, PReLU and ELU the
    same units are 'all negative' but still pass a gradient (slope 0.01, alpha, or alpha e^z).
    """
    layers = _flat(model)
    if not any(isinstance(m, RECTIFIERS) for m in layers):
        raise ValueError("dead_units: the model has no ReLU, LeakyReLU, PReLU or ELU layer")
    masks = []
    h = X if isinstance(X, Tensor) else Tensor(X)
    with no_grad():
        for m in layers:
            if isinstance(m, RECTIFIERS):
                z = h.data.reshape(-1, h.shape[-1])
                masks.append(np.all(z <= 0.0, axis=0))
            h = m(h)
    return masks


def dead_fraction(model: nn.Module, X, per_layer: bool = False):
    """Fraction of rectifier units that are <= 0 before the activation for every row of ``X``.

    For a ReLU network this is the fraction of dead units: they output 0 for every input. Returns one
    number over all rectifier layers, or a list with one fraction per layer if ``per_layer``.
    """
    masks = dead_units(model, X)
    if per_layer:
        return [float(m.mean()) for m in masks]
    return float(np.concatenate(masks).mean())


def frozen_units(model: nn.Module, X, y, loss_fn: Callable = F.mse_loss) -> list[np.ndarray]:
    """For each rectifier layer, a mask of the units whose incoming weights and bias get exactly zero gradient.

    One full-batch backward pass of ``loss_fn(model(X), y)``; a frozen unit is one that gradient descent on
    this data does not move at all. Each rectifier must follow a Linear layer. Dead ReLU units are frozen;
    leaky ReLU units never are (unless nothing reaches them from the loss).
    """
    layers = _flat(model)
    pairs = []
    for i, m in enumerate(layers):
        if isinstance(m, RECTIFIERS):
            if i == 0 or not isinstance(layers[i - 1], nn.Linear):
                raise ValueError(f"frozen_units: layer {i} ({type(m).__name__}) does not follow a Linear layer")
            pairs.append(layers[i - 1])
    if not pairs:
        raise ValueError("frozen_units: the model has no ReLU, LeakyReLU, PReLU or ELU layer")
    model.zero_grad()
    loss_fn(model(X if isinstance(X, Tensor) else Tensor(X)), y).backward()
    masks = []
    for lin in pairs:
        gw = lin.weight.grad if lin.weight.grad is not None else np.zeros(lin.weight.shape)
        frozen = np.all(gw == 0.0, axis=1)
        if lin.bias is not None and lin.bias.grad is not None:
            frozen &= lin.bias.grad == 0.0
        masks.append(frozen)
    model.zero_grad()
    return masks


# ------------------------------------------------------------------------------------------ zig-zag
def gd_path(X, y, w0, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent on a linear neuron without bias, loss = mean((X w - y)^2) / 2.

    Returns ``(path, losses)``: ``path[t]`` is w after t steps (``path[0] = w0``), shape
    (steps + 1, d), and ``losses[t]`` the loss there, shape (steps + 1,). The neuron is
    ``nn.Linear(d, 1, bias=False)`` trained by :func:`~nnlessons.training.fit`.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    neuron = nn.Linear(X.shape[1], 1, bias=False)
    neuron.weight.data[0] = np.asarray(w0, dtype=np.float64)
    path = [neuron.weight.data[0].copy()]

    def half_mse(output: Tensor, target) -> Tensor:
        return 0.5 * F.mse_loss(output, target)

    def record(epoch, model, history) -> None:
        path.append(model.weight.data[0].copy())

    history = fit(neuron, half_mse, X, y, epochs=steps, lr=lr, progress=False, callback=record)
    final = float(half_mse(Tensor(predict(neuron, X)), y).data)
    return np.array(path), np.array(history.train_loss + [final])


def first_reaching(values, target: float) -> float:
    """The first index t with ``values[t] <= target`` (searched along the last axis), inf if none.

    With ``values[t]`` the loss after t epochs, this is the number of epochs needed to reach ``target``.
    Works on a 1-d sequence (returns a float) or an array (returns an array of the leading shape).
    """
    v = np.asarray(values, dtype=np.float64)
    hit = v <= target
    first = np.argmax(hit, axis=-1).astype(np.float64)
    reached = hit.any(axis=-1)
    out = np.where(reached, first, np.inf)
    return float(out) if out.ndim == 0 else out


# -------------------------------------------------------------------------------- speed of training
@dataclass
class ConvergenceResult:
    """What :func:`epochs_to_target` measured for one activation.

    Attributes:
        epochs: array (n_lrs, n_seeds): the number of epochs of full-batch gradient descent after which
            the training loss was <= target for the first time; inf if it was not reached while that
            network was trained (networks of learning rates other than the best stop early).
        losses: array (n_lrs, n_seeds, n_recorded): training loss after 0, 1, 2, ... epochs (nan where a
            network was no longer trained).
        best: index of the chosen learning rate (see :func:`epochs_to_target`).
        lrs, seeds, target: the settings.
    """

    epochs: np.ndarray
    losses: np.ndarray
    best: int
    lrs: tuple
    seeds: tuple
    target: float

    @property
    def best_lr(self) -> float:
        """The learning rate with which the typical seed reached the target soonest."""
        return self.lrs[self.best]

    @property
    def best_epochs(self) -> np.ndarray:
        """Epochs per seed at the best learning rate (inf for a seed that did not reach the target)."""
        return self.epochs[self.best]


def epochs_to_target(activation: Callable[[Tensor], Tensor], X, y, *, hidden: Sequence[int] = (16, 16),
                     seeds: Iterable[int] = range(5), lrs: Iterable[float] = (0.1,), target: float = 0.1,
                     max_epochs: int = 1000) -> ConvergenceResult:
    """Train the same MLP for every (learning rate, seed) pair by full-batch gradient descent; count epochs.

    The network is ``Linear, activation, ..., Linear`` with the given hidden sizes, PyTorch's default
    initialisation from ``manual_seed(seed)`` (so the same seed gives the same initial weights whatever
    the activation), one output logit and the binary cross-entropy loss (``y`` holds 0/1 labels). All
    networks train at once as one batch of independent networks (their losses are summed, so each one's
    gradient is its own).

    The best learning rate is the one whose median seed reaches ``target`` first (for an even number
    of seeds: the seed ranked ceil(n/2), the 'upper' median; ties go to the first in ``lrs``). Training
    of all learning rates stops as soon as that is decided (half the seeds of one learning rate have
    reached the target: no other can then do better); the best learning rate's networks then go on until
    every seed has reached the target, or until ``max_epochs``.

    Args:
        activation: element-wise Tensor function, e.g. ``F.relu`` or ``lambda z: F.elu(z, 1.0)``.
        X: inputs (n, d); y: labels (n,) in {0, 1}.
        hidden: sizes of the hidden layers.
        seeds, lrs: the seeds of the initial weights and the learning rates to try.
        target: the training loss to reach; max_epochs: the most epochs any network trains.
    """
    seeds, lrs = tuple(int(s) for s in seeds), tuple(float(a) for a in lrs)
    if not seeds or not lrs:
        raise ValueError("epochs_to_target: give at least one seed and one learning rate")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or len(y) != len(X):
        raise ValueError(f"epochs_to_target: X must be (n, d) with one label per row; got {X.shape} and {y.shape}")
    n_lrs, n_seeds = len(lrs), len(seeds)
    rank = (n_seeds + 1) // 2  # the median seed for an odd number of seeds
    # member i * n_seeds + j: learning rate i, PyTorch's initialisation after manual_seed(seeds[j])
    params = [Tensor(a, requires_grad=True) for a in
              stack_linear_layers([mlp([X.shape[1], *hidden, 1], seed=s) for s in seeds], copies=n_lrs)]
    Xt, Y = Tensor(X), y.reshape(1, -1, 1)

    def member_losses() -> Tensor:
        h = Xt
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = activation(h)
        return F.binary_cross_entropy_with_logits(h, np.broadcast_to(Y, h.shape), reduction="none").mean(axis=(1, 2))

    race = _Race(n_lrs, n_seeds, rank, target, max_epochs)
    with np.errstate(over="ignore", invalid="ignore"):
        train_together(params, member_losses, steps=max_epochs + 1, lr=np.repeat(np.array(lrs), n_seeds)[:, None, None],
                       on_step=race.step)
    return race.result(lrs, seeds)


class _Race:
    """The bookkeeping of :func:`epochs_to_target`: who reached the target when, which learning rate won."""

    def __init__(self, n_lrs: int, n_seeds: int, rank: int, target: float, max_epochs: int):
        self.n_lrs, self.n_seeds, self.rank, self.target, self.max_epochs = n_lrs, n_seeds, rank, target, max_epochs
        self.active = np.arange(n_lrs * n_seeds)  # members still training
        self.losses = np.full((n_lrs * n_seeds, max_epochs + 1), np.nan)
        self.first = np.full(n_lrs * n_seeds, np.inf)
        self.best, self.last = None, 0

    def step(self, epoch: int, values: np.ndarray):
        """Record an epoch; True stops training, a mask keeps only the best learning rate's members."""
        value = np.where(np.isfinite(values), values, np.inf)
        self.losses[self.active, epoch] = value
        newly = (value <= self.target) & np.isinf(self.first[self.active])
        self.first[self.active[newly]] = epoch
        self.last = epoch
        table = self.first.reshape(self.n_lrs, self.n_seeds)
        keep = None
        if self.best is None:
            kth = np.sort(table, axis=1)[:, self.rank - 1]
            if np.isfinite(kth).any():
                self.best = int(np.argmin(kth))  # exact: every undecided row has kth > epoch >= min(kth)
                keep = np.isin(self.active, np.arange(self.best * self.n_seeds, (self.best + 1) * self.n_seeds))
                self.active = self.active[keep]
        if (self.best is not None and np.isfinite(table[self.best]).all()) or epoch == self.max_epochs:
            return True
        return keep

    def result(self, lrs: tuple, seeds: tuple) -> "ConvergenceResult":
        best = self.best
        if best is None:  # no learning rate brought half of the seeds to the target
            best = int(np.argmin(np.sort(self.first.reshape(self.n_lrs, self.n_seeds), axis=1)[:, self.rank - 1]))
        curves = self.losses[:, : self.last + 1].reshape(self.n_lrs, self.n_seeds, -1)
        return ConvergenceResult(self.first.reshape(self.n_lrs, self.n_seeds), curves, best, lrs, seeds,
                                 float(self.target))


# ------------------------------------------------------------------------------------------- timing
def time_forward(fns: Mapping[str, Callable], x, *, repeat: int = 5, number: int = 3) -> dict[str, float]:
    """Best-of-``repeat`` seconds per call of each function on ``x`` (each timing averages ``number`` calls).

    The minimum over repeats is the least disturbed by other programs running on the machine.
    """
    out = {}
    for name, fn in fns.items():
        fn(x)  # warm up
        best = math.inf
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                fn(x)
            best = min(best, (time.perf_counter() - start) / number)
        out[name] = best
    return out


# ------------------------------------------------------------------- dying ReLUs, conditioning
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
        dead_are_frozen: right after the big step, every dead unit has exactly zero gradient (a unit can
            also have zero gradient while alive, when nothing downstream of it passes a gradient).
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
    dead_are_frozen: bool
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
        dead_are_frozen=all(bool(np.all(f[d])) for f, d in zip(frozen, dead_masks)),
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
