"""The linear pieces of a ReLU network: where they are, and how many there are.

A network of ``Linear`` and ``ReLU`` modules is affine wherever the on/off pattern of its ReLUs stays the
same (each ReLU then multiplies by 1 or by 0), so its input space is cut into regions, one per pattern that
occurs, and the network is affine on each. Chapter 2 counts them:

- :func:`activation_patterns`: which ReLUs are on, for every input point;
- :func:`regions_2d`: the region of every point of a grid over a square, and how many distinct patterns
  the grid meets;
- :func:`pieces_1d`: along a segment of the real line, the breakpoints where the network's slope changes
  and the number of linear pieces;
- :func:`piece_counts`: those counts for random networks (PyTorch's default initialisation) of several
  widths and depths, averaged over seeds;
- :func:`sawtooth_network`: a hand-built network with 2 units per hidden layer whose number of pieces
  doubles with every layer (the tent map composed with itself; Telgarsky 2016).

Counting on a grid can miss a region that falls between grid points, so grid counts are lower bounds of
the true numbers; the tests compare them with exact counts where those are known.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import nn
from ..tensor import Tensor, default_rng, no_grad
from ..training.models import mlp

__all__ = ["relu_network", "activation_patterns", "regions_2d", "pieces_1d", "piece_counts",
           "max_pieces_one_layer", "sawtooth_network"]


def relu_network(n_in: int, width: int, depth: int, n_out: int = 1, seed: int = 0) -> nn.Sequential:
    """``depth`` hidden ReLU layers of ``width`` units, PyTorch's default initialisation from ``seed``.

    It is the network that ``manual_seed(seed)`` followed by building the layers gives; the package's
    generator is left as it was.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"relu_network: width and depth must be at least 1, got width={width}, depth={depth}")
    state = default_rng().bit_generator.state
    try:
        return mlp([n_in] + [width] * depth + [n_out], nn.ReLU, seed=seed)
    finally:
        default_rng().bit_generator.state = state


def activation_patterns(net: nn.Sequential, X) -> tuple[np.ndarray, np.ndarray]:
    """The on/off pattern of every ReLU at every point, and the network's output there.

    Args:
        net: an ``nn.Sequential`` of ``Linear`` and ``ReLU`` modules.
        X: points, shape (n, d).

    Returns:
        ``(patterns, output)``: a bool array (n, number of ReLU units), True where a unit's input is
        positive, and the network's output (n, outputs).
    """
    Z = np.asarray(X, dtype=np.float64)
    bits = []
    with no_grad():
        for module in net:
            if isinstance(module, nn.ReLU):
                bits.append(Z > 0)
            elif not isinstance(module, nn.Linear):
                raise TypeError(f"activation_patterns: expected Linear and ReLU modules, got {type(module).__name__}")
            Z = module(Tensor(Z)).data
    patterns = np.hstack(bits) if bits else np.zeros((len(Z), 0), dtype=bool)
    return patterns, Z


def _labels(patterns: np.ndarray) -> np.ndarray:
    """One integer per distinct row of ``patterns`` (0, 1, ... in order of first appearance in sorted order)."""
    if patterns.shape[1] == 0:
        return np.zeros(len(patterns), dtype=int)
    _, labels = np.unique(np.packbits(patterns, axis=1), axis=0, return_inverse=True)
    return labels.reshape(-1)


def regions_2d(net: nn.Sequential, low: float = -1.5, high: float = 1.5, n: int = 200):
    """The linear region of every point of an n x n grid over the square [low, high]^2.

    Returns:
        ``(x1, x2, region, count, output)``: the grid coordinates (n, n) each, the region label of every
        grid point (n, n), the number of distinct activation patterns the grid meets, and the network's
        output at every grid point (n, n, outputs).
    """
    x1, x2 = np.meshgrid(np.linspace(low, high, n), np.linspace(low, high, n))
    patterns, out = activation_patterns(net, np.column_stack([x1.ravel(), x2.ravel()]))
    region = _labels(patterns)
    return x1, x2, region.reshape(n, n), int(region.max()) + 1, out.reshape(n, n, -1)


def pieces_1d(net: nn.Sequential, low: float = -3.0, high: float = 3.0, n: int = 20001,
              tol: float = 1e-9) -> tuple[int, np.ndarray]:
    """The linear pieces of a network with one input and one output, on the segment [low, high].

    The activation pattern is evaluated on a grid of ``n`` points. Between two neighbouring grid points
    whose patterns differ, the network has a breakpoint if its slope (or its offset) differs on the two
    sides; neighbouring regions whose affine maps agree within ``tol`` (relative) are one piece. A piece
    narrower than two grid steps is not seen, so the count is exact only when the pieces are wider.

    Returns:
        ``(pieces, breakpoints)``: the number of pieces and the approximate breakpoints (midpoints of the
        grid steps where the affine map changes).
    """
    x = np.linspace(low, high, n)
    patterns, out = activation_patterns(net, x[:, None])
    if out.shape[1] != 1:
        raise ValueError(f"pieces_1d: the network must have one output, it has {out.shape[1]}")
    y = out[:, 0]
    change = np.flatnonzero(np.any(patterns[1:] != patterns[:-1], axis=1))
    # the segments of constant pattern, as index ranges [start, stop); a pattern met at a single grid
    # point is a kink that falls exactly on the grid (or a region narrower than the grid step): skipped
    starts = np.concatenate([[0], change + 1])
    stops = np.concatenate([change + 1, [n]])
    keep = stops - starts >= 2
    starts, stops = starts[keep], stops[keep]
    maps = []
    for a, b in zip(starts, stops):
        slope = (y[b - 1] - y[a]) / (x[b - 1] - x[a])
        maps.append((slope, y[a] - slope * x[a]))
    breakpoints = []
    for i in range(1, len(maps)):
        (s0, c0), (s1, c1) = maps[i - 1], maps[i]
        scale = 1.0 + abs(s0) + abs(c0)
        if abs(s1 - s0) > tol * scale or abs(c1 - c0) > tol * scale:
            breakpoints.append(0.5 * (x[stops[i - 1] - 1] + x[starts[i]]))
    return len(breakpoints) + 1, np.array(breakpoints)


def max_pieces_one_layer(width: int, n_in: int = 1) -> int:
    """The most linear regions one hidden layer of ``width`` ReLUs can cut R^n_in into (n_in = 1 or 2).

    On a line, ``width`` breakpoints make at most width + 1 pieces; in the plane, ``width`` lines make at
    most 1 + width + width (width - 1) / 2 regions.
    """
    if n_in == 1:
        return width + 1
    if n_in == 2:
        return 1 + width + width * (width - 1) // 2
    raise ValueError(f"max_pieces_one_layer: n_in must be 1 or 2, got {n_in}")


def piece_counts(widths: Sequence[int], depths: Sequence[int], seeds: Sequence[int] = (0, 1, 2), *,
                 dims: int = 1, low: float = -3.0, high: float = 3.0, n: int | None = None) -> np.ndarray:
    """Mean number of linear pieces of random ReLU networks, for every (depth, width).

    Args:
        widths, depths: the hidden-layer widths and the numbers of hidden layers.
        seeds: one random network (PyTorch's default initialisation) per seed; the counts are averaged.
        dims: 1 counts pieces on the segment [low, high] (:func:`pieces_1d`), 2 counts distinct
            activation patterns on a grid over the square [low, high]^2 (:func:`regions_2d`).
        n: grid points (per axis); default 20001 for dims=1 and 200 for dims=2.

    Returns:
        An array (len(depths), len(widths)) of mean counts.
    """
    if dims not in (1, 2):
        raise ValueError(f"piece_counts: dims must be 1 or 2, got {dims}")
    counts = np.zeros((len(depths), len(widths)))
    for i, depth in enumerate(depths):
        for j, width in enumerate(widths):
            values = []
            for seed in seeds:
                net = relu_network(dims, width, depth, seed=seed)
                if dims == 1:
                    values.append(pieces_1d(net, low, high, n or 20001)[0])
                else:
                    values.append(regions_2d(net, low, high, n or 200)[3])
            counts[i, j] = np.mean(values)
    return counts


def sawtooth_network(depth: int) -> nn.Sequential:
    """A ReLU network 1 -> 2 -> ... -> 2 -> 1 with ``depth`` hidden layers: the tent map composed ``depth`` times.

    The tent map t(x) = 2 relu(x) - 4 relu(x - 1/2) is 2x on [0, 1/2] and 2 - 2x on [1/2, 1]: two pieces,
    mapping [0, 1] onto [0, 1] twice. Composed ``depth`` times it is a sawtooth with 2^depth pieces on
    [0, 1], computed by ``depth`` hidden layers of 2 units each. One hidden layer needs at least
    2^depth - 1 units for that many pieces (Telgarsky 2016).
    """
    if depth < 1:
        raise ValueError(f"sawtooth_network: depth must be at least 1, got {depth}")
    state = default_rng().bit_generator.state
    try:
        modules: list[nn.Module] = []
        first = nn.Linear(1, 2)
        first.weight.data[...] = [[1.0], [1.0]]
        first.bias.data[...] = [0.0, -0.5]
        modules += [first, nn.ReLU()]
        for _ in range(depth - 1):
            # the next layer's units read t = 2 h_1 - 4 h_2: relu(t) and relu(t - 1/2)
            layer = nn.Linear(2, 2)
            layer.weight.data[...] = [[2.0, -4.0], [2.0, -4.0]]
            layer.bias.data[...] = [0.0, -0.5]
            modules += [layer, nn.ReLU()]
        last = nn.Linear(2, 1)
        last.weight.data[...] = [[2.0, -4.0]]
        last.bias.data[...] = [0.0]
        modules.append(last)
    finally:
        default_rng().bit_generator.state = state
    return nn.Sequential(*modules)
