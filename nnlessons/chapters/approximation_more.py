"""Universal approximation beyond sigmoid bumps in one dimension: ReLU interpolation and towers in two.

Two constructions with weights set by hand, for the chapter on the universal approximation theorem:

- :func:`relu_interpolation`: N ReLU units whose network is the piecewise-linear interpolant of a target
  at N + 1 evenly spaced knots (a ReLU network is piecewise linear, and each unit adds one kink);
- :func:`tower_network` and :func:`tower_approximation`: functions of two inputs as sums of "towers"
  (Nielsen, *Neural Networks and Deep Learning*, ch. 4): two steps in x make a ridge, a ridge in x
  plus a ridge in y is 2 on their crossing and 1 on the arms, and a second layer of sigmoid units with
  threshold 1.5 keeps only the crossing: a tower. Towers on a grid of squares tile the plane;
- :func:`approximation_error_2d`: maximum and mean error on a grid of a square.

Weights have PyTorch's shapes (out, in).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import nn
from ..tensor import Tensor, no_grad

__all__ = ["relu_interpolation", "tower_network", "tower_approximation", "approximation_error_2d", "predict_2d"]


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
