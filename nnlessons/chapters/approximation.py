"""Universal approximation in one dimension: networks built by hand and networks trained side by side.

The chapter on the universal approximation theorem uses these tools:

- :func:`bump_network` sets by hand the weights of a one-hidden-layer sigmoid network that is a sum of
  "bumps": each bump is the difference of two steep sigmoids (two hidden units), so N bumps need
  ``Linear(1, 2N)``, ``Sigmoid()``, ``Linear(2N, 1)``.
- :func:`bump_approximation` chooses those weights for a target function on an interval (one bump per
  piece of the interval, as high as the target at the piece's midpoint).
- :func:`approximation_error` measures the maximum and mean absolute error on a fine grid.
- :func:`fit_widths` trains one-hidden-layer networks of several widths at once, by full-batch gradient
  descent with momentum, and returns them as separate ``nn.Sequential`` models.
- :func:`hidden_features` and :func:`least_squares_output` give the hidden layer's outputs and refit the
  output layer by linear least squares (the best output weights for a fixed hidden layer).
- :class:`Square` is the activation ``g(z) = z**2``, whose networks are quadratics whatever their width.
- :func:`relu_interpolation`: N ReLU units whose network is the piecewise-linear interpolant of a target
  at N + 1 evenly spaced knots (a ReLU network is piecewise linear; each unit adds one kink).
- :func:`tower_network` and :func:`tower_approximation`: functions of two inputs as sums of "towers"
  (Nielsen, *Neural Networks and Deep Learning*, ch. 4): two steps in x make a ridge, a ridge in x plus a
  ridge in y is 2 on their crossing and 1 on the arms, and a second layer of sigmoid units with threshold
  1.5 keeps only the crossing. :func:`predict_2d` and :func:`approximation_error_2d` evaluate them.

Every network has weights of shape (out, in) as in PyTorch: ``model[0].weight[i, 0]`` is the input weight
of hidden unit i and ``model[2].weight[0, i]`` its output weight.
"""

from __future__ import annotations

from typing import Callable, Sequence, Union

import numpy as np

from .. import nn
from ..tensor import Tensor, manual_seed, no_grad
from ..training.arguments import check_integer
from ..training.data import target_function
from ..training.ensemble import train_together
from ..training.models import mlp, predict

__all__ = [
    "ACTIVATIONS",
    "Square",
    "approximation_error",
    "bump_approximation",
    "bump_network",
    "fit_widths",
    "hidden_features",
    "least_squares_output",
    "one_hidden_layer",
    "relu_interpolation",
    "tower_network",
    "tower_approximation",
    "predict_2d",
    "approximation_error_2d",
]


class Square(nn.Module):
    """The polynomial activation ``g(z) = z**2`` (not universal: its networks are quadratics)."""

    def forward(self, x: Tensor) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        return x * x


#: Activation names accepted by :func:`one_hidden_layer` and :func:`fit_widths`.
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "square": Square,
}


def _activation(activation: Union[str, Callable[[], nn.Module]]) -> Callable[[], nn.Module]:
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; use one of {sorted(ACTIVATIONS)} or a Module class"
            )
        return ACTIVATIONS[activation]
    if callable(activation):
        return activation
    raise ValueError(f"activation must be a name or a Module class, got {activation!r}")


def one_hidden_layer(width: int, activation: Union[str, Callable[[], nn.Module]] = "sigmoid") -> nn.Sequential:
    """``mlp([1, width, 1], g)``: ``Linear(1, width), g, Linear(width, 1)``, initialised as PyTorch does.

    The chapter's network, with the activation also given by name (see :data:`ACTIVATIONS`).
    """
    check_integer("width", width, where="one_hidden_layer")
    return mlp([1, int(width), 1], _activation(activation))


# ---------------------------------------------------------------------------------------------
# Networks set by hand
# ---------------------------------------------------------------------------------------------


def _pairs(edges) -> np.ndarray:
    """(N, 2) array of (left, right) from N + 1 increasing edges or from N pairs."""
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim == 1:
        if e.size < 2:
            raise ValueError(f"give at least two edges (one bump), got {e.size}")
        pairs = np.column_stack([e[:-1], e[1:]])
    elif e.ndim == 2 and e.shape[1] == 2 and e.shape[0] >= 1:
        pairs = e
    else:
        raise ValueError(
            f"edges must be N + 1 increasing numbers or an (N, 2) array of (left, right), got shape {e.shape}"
        )
    if not np.all(np.isfinite(pairs)):
        raise ValueError("edges must be finite")
    if np.any(pairs[:, 1] <= pairs[:, 0]):
        raise ValueError("every bump needs left < right (edges must increase)")
    return pairs


def _per_bump(value, n: int, name: str) -> np.ndarray:
    """One float per bump: a number is repeated, an array must have n entries."""
    v = np.asarray(value, dtype=np.float64)
    if v.ndim == 0:
        return np.full(n, float(v))
    if v.shape != (n,):
        raise ValueError(f"need one {name} per bump (or one number): {n} bumps, got shape {v.shape}")
    return v


def bump_network(edges, heights, steepness) -> nn.Sequential:
    """A sum of sigmoid bumps as a one-hidden-layer network with weights set by hand.

    Bump k rises at ``left_k`` and falls at ``right_k``::

        h_k * (sigmoid(s_k * (x - left_k)) - sigmoid(s_k * (x - right_k)))

    Its two hidden units have input weight ``s_k`` and biases ``-s_k * left_k`` and ``-s_k * right_k``;
    their output weights are ``+h_k`` and ``-h_k``. The output bias is 0.

    Args:
        edges: N + 1 increasing numbers (bump k spans ``edges[k]`` to ``edges[k + 1]``), or an (N, 2)
            array of (left, right) pairs.
        heights: the N heights ``h_k`` (a number is used for every bump).
        steepness: the slope ``s_k > 0`` of the sigmoids (a number, or one per bump). A sigmoid goes
            from 0.12 to 0.88 over an interval of width 4 / s.

    Returns:
        ``nn.Sequential(nn.Linear(1, 2N), nn.Sigmoid(), nn.Linear(2N, 1))``; hidden units 2k and 2k + 1
        make bump k.
    """
    pairs = _pairs(edges)
    n = len(pairs)
    h = _per_bump(heights, n, "height")
    s = _per_bump(steepness, n, "steepness")
    if not (np.all(np.isfinite(h)) and np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError("heights must be finite and steepness finite and > 0")
    model = nn.Sequential(nn.Linear(1, 2 * n), nn.Sigmoid(), nn.Linear(2 * n, 1))
    hidden, out = model[0], model[2]
    hidden.weight.data[:, 0] = np.repeat(s, 2)
    hidden.bias.data[:] = -np.repeat(s, 2) * pairs.reshape(-1)  # left_0, right_0, left_1, right_1, ...
    out.weight.data[0, :] = np.column_stack([h, -h]).reshape(-1)
    out.bias.data[:] = 0.0
    return model


def bump_approximation(target, low: float, high: float, n_bumps: int, steepness: float) -> nn.Sequential:
    """N bumps that approximate ``target`` on [low, high] (the constructive proof in one dimension).

    The interval is cut into ``n_bumps`` pieces of width ``w = (high - low) / n_bumps``; bump k sits on
    piece k and is as high as the target at the piece's midpoint. The two outermost edges are moved one
    piece further out (to ``low - w`` and ``high + w``), so that the first and last bumps are not cut in
    half at the ends of the interval by their own sigmoid's midpoint.

    Args:
        target: a NumPy function of x, or a name from ``nnlessons.training.data.TARGETS``.
        low, high: the interval.
        n_bumps: number of bumps N (the network has 2N hidden units).
        steepness: slope of every sigmoid (see :func:`bump_network`).

    Returns:
        The network from :func:`bump_network`.
    """
    f = target_function(target)
    check_integer("n_bumps", n_bumps, where="bump_approximation")
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high, got low={low!r}, high={high!r}")
    edges = np.linspace(low, high, n_bumps + 1)
    width = (high - low) / n_bumps
    mids = (edges[:-1] + edges[1:]) / 2
    heights = np.asarray(f(mids.reshape(-1, 1)), dtype=np.float64).reshape(-1)
    edges[0] -= width
    edges[-1] += width
    return bump_network(edges, heights, steepness)


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def approximation_error(model: Callable, target, low: float, high: float, n: int = 2001) -> tuple[float, float]:
    """Maximum and mean of ``|model(x) - target(x)|`` over n evenly spaced points of [low, high].

    The maximum over a fine grid estimates the uniform distance ``sup |f - g|`` of the theorems; the mean
    is an L^1 distance for the uniform measure on the interval.
    """
    f = target_function(target)
    x = np.linspace(low, high, n).reshape(-1, 1)
    err = np.abs(predict(model, x).reshape(-1) - np.asarray(f(x), dtype=np.float64).reshape(-1))
    return float(err.max()), float(err.mean())


def hidden_features(model: nn.Sequential, x) -> np.ndarray:
    """The hidden layer's outputs g(W x + b), shape (n, width), for a model built like :func:`one_hidden_layer`."""
    x = np.asarray(getattr(x, "data", x), dtype=np.float64).reshape(-1, 1)
    return predict(nn.Sequential(model[0], model[1]), x)


def least_squares_output(model: nn.Sequential, x, y) -> nn.Sequential:
    """Set the output layer to the least-squares fit of y on the hidden features (hidden layer unchanged).

    The network is linear in its output weights, so for a fixed hidden layer the best output weights and
    bias (smallest mean squared error on the data) solve a linear least-squares problem;
    ``numpy.linalg.lstsq`` finds the minimum-norm solution. The model is changed in place and returned.
    """
    y = np.asarray(getattr(y, "data", y), dtype=np.float64).reshape(-1)
    H = hidden_features(model, x)
    A = np.column_stack([H, np.ones(len(H))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    model[2].weight.data[0, :] = coef[:-1]
    model[2].bias.data[:] = coef[-1]
    return model


# ---------------------------------------------------------------------------------------------
# Training several widths at once
# ---------------------------------------------------------------------------------------------


def fit_widths(
    widths: Sequence[int],
    x,
    y,
    *,
    activation: Union[str, Callable[[], nn.Module]] = "sigmoid",
    steps: int = 2000,
    lr: float = 0.05,
    momentum: float = 0.9,
    seed: int = 0,
) -> tuple[list[nn.Sequential], np.ndarray]:
    """Train one-hidden-layer networks of the given widths on (x, y), all at once.

    Each network is ``one_hidden_layer(width, activation)``, initialised in turn after
    ``manual_seed(seed)``, and trained by ``steps`` full-batch steps of SGD with momentum on its mean
    squared error. The networks are trained side by side as one wide network whose output layer is
    masked block-diagonally: network j's output sees only its own hidden units, and the loss is the sum
    of the networks' losses. Every weight's gradient is then that of its own network's loss, and SGD
    updates every weight separately, so the result is the same as training the networks one after the
    other (up to rounding), only faster.

    Args:
        widths: hidden-layer widths, e.g. ``[1, 2, 4, 8]``.
        x, y: training data, shape (n, 1) or (n,).
        activation: "sigmoid", "tanh", "relu", "square", or a Module class.
        steps: number of full-batch gradient steps.
        lr, momentum: of ``optim.SGD``.
        seed: passed to ``manual_seed`` before the networks are created.

    Returns:
        ``(models, losses)``: the trained networks (one per width, in order) and an array of shape
        (steps, len(widths)) with each network's training loss before each step.
    """
    widths = [int(w) for w in widths]
    if not widths:
        raise ValueError("fit_widths: give at least one width")
    check_integer("steps", steps, where="fit_widths")
    X = np.asarray(getattr(x, "data", x), dtype=np.float64).reshape(-1, 1)
    Y = np.asarray(getattr(y, "data", y), dtype=np.float64).reshape(-1, 1)
    if len(X) != len(Y):
        raise ValueError(f"fit_widths: x and y need the same number of points, got {len(X)} and {len(Y)}")
    manual_seed(seed)
    models = [one_hidden_layer(w, activation) for w in widths]
    params, start, mask = _side_by_side(models, widths)
    W1, b1, W2, b2 = params
    g, Xt, targets, mask_t = _activation(activation)(), Tensor(X), Tensor(np.repeat(Y, len(widths), axis=1)), Tensor(mask)

    def member_losses() -> Tensor:  # each network's mean squared error
        out = g(Xt @ W1.T + b1) @ (W2 * mask_t).T + b2
        return ((out - targets) ** 2).mean(axis=0)

    def check(step: int, losses: np.ndarray) -> None:
        if not np.all(np.isfinite(losses)):
            raise FloatingPointError(
                f"fit_widths: a loss became {losses} at step {step}; training diverged, use a smaller lr")

    with np.errstate(over="ignore", invalid="ignore"):
        losses = train_together(params, member_losses, steps=steps, lr=lr, momentum=momentum, on_step=check)
    for j, m in enumerate(models):
        sl = slice(start[j], start[j + 1])
        m[0].weight.data[...] = W1.data[sl]
        m[0].bias.data[...] = b1.data[sl]
        m[2].weight.data[0, :] = W2.data[j, sl]
        m[2].bias.data[0] = b2.data[j]
    return models, losses


def _side_by_side(models: list, widths: list) -> tuple[list, np.ndarray, np.ndarray]:
    """One wide network holding the models: the hidden layers one above the other, and a block-diagonal
    output layer (``mask`` keeps network j's output on its own hidden units ``start[j]:start[j + 1]``)."""
    start = np.cumsum([0] + widths)
    mask = np.zeros((len(widths), start[-1]))
    W2 = np.zeros((len(widths), start[-1]))
    for j, m in enumerate(models):
        mask[j, start[j]:start[j + 1]] = 1.0
        W2[j, start[j]:start[j + 1]] = m[2].weight.data[0]
    params = [Tensor(np.concatenate([m[0].weight.data for m in models]), requires_grad=True),
              Tensor(np.concatenate([m[0].bias.data for m in models]), requires_grad=True),
              Tensor(W2, requires_grad=True),
              Tensor(np.array([m[2].bias.data[0] for m in models]), requires_grad=True)]
    return params, start, mask


# ---------------------------------------------------------------------------------------------
# ReLU interpolation and towers in two dimensions
# ---------------------------------------------------------------------------------------------


def relu_interpolation(target: Callable[[np.ndarray], np.ndarray], low: float, high: float,
                       n_units: int) -> nn.Sequential:
    """``Linear(1, N), ReLU, Linear(N, 1)`` equal to the linear interpolant of ``target`` at N + 1 knots.

    The knots are ``x_k = low + k h`` with ``h = (high - low) / N``. Unit k is ``relu(x - x_k)`` (input
    weight 1, bias ``-x_k``), for k = 0, ..., N - 1; its output weight is the change of slope at ``x_k``
    (the first unit's is the slope of the first piece), and the output bias is ``target(low)``. On
    [low, high] the network is then exactly the interpolant; outside it continues the last piece to the
    right and is the constant ``target(low)`` to the left.
    """
    if isinstance(n_units, bool) or not isinstance(n_units, (int, np.integer)) or n_units < 1:
        raise ValueError(f"n_units must be a positive integer, got {n_units!r}")
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high, got low={low!r}, high={high!r}")
    knots = np.linspace(low, high, int(n_units) + 1)
    values = np.asarray(target(knots.reshape(-1, 1)), dtype=np.float64).reshape(-1)
    slopes = np.diff(values) / np.diff(knots)
    model = nn.Sequential(nn.Linear(1, int(n_units)), nn.ReLU(), nn.Linear(int(n_units), 1))
    model[0].weight.data[:, 0] = 1.0
    model[0].bias.data[:] = -knots[:-1]
    model[2].weight.data[0, :] = np.diff(np.concatenate([[0.0], slopes]))
    model[2].bias.data[:] = values[0]
    return model


def tower_network(x_edges, y_edges, heights, steepness: float, threshold_steepness: float) -> nn.Sequential:
    """Towers on the grid of rectangles ``[x_i, x_{i+1}] x [y_j, y_{j+1}]``, with heights ``heights[i, j]``.

    The network is ``Linear(2, A), Sigmoid, Linear(A, T), Sigmoid, Linear(T, 1)`` with
    ``A = len(x_edges) + len(y_edges)`` step units and ``T = (len(x_edges) - 1) (len(y_edges) - 1)`` towers:

    - first layer: unit a steps from 0 to 1 across ``x = x_a`` (input weights (s, 0), bias -s x_a), then
      the units that step across ``y = y_b``;
    - second layer: tower (i, j) is ``sigmoid(t (R_i(x) + Q_j(y) - 1.5))`` with the ridges
      ``R_i = S(x - x_i) - S(x - x_{i+1})`` and ``Q_j`` likewise in y: about 1 where both ridges are 1
      (inside the rectangle), about 0 on the arms (sum 1) and outside (sum 0);
    - output: ``sum_ij heights[i, j] * tower_ij``, no bias.

    Args:
        x_edges, y_edges: increasing edges of the grid.
        heights: array (len(x_edges) - 1, len(y_edges) - 1).
        steepness: s of the step units; threshold_steepness: t of the tower units.
    """
    xe, ye = np.asarray(x_edges, dtype=np.float64), np.asarray(y_edges, dtype=np.float64)
    if xe.ndim != 1 or ye.ndim != 1 or len(xe) < 2 or len(ye) < 2 or np.any(np.diff(xe) <= 0) \
            or np.any(np.diff(ye) <= 0):
        raise ValueError("x_edges and y_edges must each be at least two increasing numbers")
    h = np.asarray(heights, dtype=np.float64)
    nx, ny = len(xe) - 1, len(ye) - 1
    if h.shape != (nx, ny):
        raise ValueError(f"heights must have shape ({nx}, {ny}), one per rectangle, got {h.shape}")
    if not (steepness > 0 and threshold_steepness > 0):
        raise ValueError("steepness and threshold_steepness must be > 0")
    a, t = len(xe) + len(ye), nx * ny
    model = nn.Sequential(nn.Linear(2, a), nn.Sigmoid(), nn.Linear(a, t), nn.Sigmoid(), nn.Linear(t, 1))
    w1 = np.zeros((a, 2))
    w1[: len(xe), 0] = steepness
    w1[len(xe):, 1] = steepness
    model[0].weight.data[...] = w1
    model[0].bias.data[...] = -steepness * np.concatenate([xe, ye])
    w2 = np.zeros((t, a))
    for i in range(nx):
        for j in range(ny):
            k = i * ny + j
            w2[k, i], w2[k, i + 1] = 1.0, -1.0                        # ridge in x
            w2[k, len(xe) + j], w2[k, len(xe) + j + 1] = 1.0, -1.0    # ridge in y
    model[2].weight.data[...] = threshold_steepness * w2
    model[2].bias.data[...] = -1.5 * threshold_steepness
    model[4].weight.data[0, :] = h.reshape(-1)
    model[4].bias.data[:] = 0.0
    return model


def tower_approximation(target: Callable[[np.ndarray, np.ndarray], np.ndarray], low: float, high: float,
                        n: int, steepness: float, threshold_steepness: float = 20.0) -> nn.Sequential:
    """n x n towers on the square [low, high]^2, each as high as ``target(x, y)`` at its centre.

    As with the bumps in one dimension, the outermost edges are moved one square further out, so that
    the towers along the border are not cut in half by their own edge.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    edges = np.linspace(low, high, int(n) + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    heights = np.asarray(target(*np.meshgrid(mids, mids, indexing="ij")), dtype=np.float64)
    w = (high - low) / n
    edges[0] -= w
    edges[-1] += w
    return tower_network(edges, edges, heights, steepness, threshold_steepness)


def predict_2d(model: Callable, x: np.ndarray, y: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """The model's output at the points (x, y) (arrays of one shape), computed in chunks of points."""
    points = np.column_stack([np.ravel(x), np.ravel(y)]).astype(np.float64)
    out = np.empty(len(points))
    with no_grad():
        for start in range(0, len(points), chunk):
            out[start:start + chunk] = model(Tensor(points[start:start + chunk])).data.reshape(-1)
    return out.reshape(np.shape(x))


def approximation_error_2d(model: Callable, target: Callable[[np.ndarray, np.ndarray], np.ndarray],
                           low: float, high: float, n: int = 201) -> tuple[float, float]:
    """Maximum and mean of ``|model - target|`` on an n x n grid of the square [low, high]^2."""
    g = np.linspace(low, high, n)
    x, y = np.meshgrid(g, g, indexing="ij")
    err = np.abs(predict_2d(model, x, y) - target(x, y))
    return float(err.max()), float(err.mean())
