"""Chapter 5: how noisy a mini-batch gradient is, and what momentum does on a narrow valley.

- :func:`minibatch_noise` measures the spread of mini-batch gradients around the full gradient by
  drawing many mini-batches; :func:`predicted_minibatch_noise` is the same number in closed form.
- :func:`heavy_ball_path` runs gradient descent with momentum, PyTorch's rule
  (``v <- momentum * v + g``, ``w <- w - lr * v``, as in :class:`nnlessons.optim.SGD`), on a
  quadratic loss, and :func:`steps_to_converge` counts the steps it needs.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import numpy as np

__all__ = ["QuadraticPath", "heavy_ball_path", "minibatch_noise", "predicted_minibatch_noise",
           "steps_to_converge"]


def _check_per_example(per_example_grads) -> np.ndarray:
    G = np.asarray(per_example_grads, dtype=np.float64)
    if G.ndim != 2 or len(G) < 2:
        raise ValueError(f"per_example_grads must have shape (N, D) with N >= 2 (one row per example), "
                         f"got shape {G.shape}")
    return G


def _check_batch_size(batch_size, n: int) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an integer from 1 to N = {n}, got {batch_size!r}")
    return int(batch_size)


def minibatch_noise(per_example_grads, batch_sizes: Sequence[int], *, draws: int = 2000,
                    seed: int = 0) -> dict:
    """Root-mean-square distance between mini-batch gradients and the full gradient, measured.

    Args:
        per_example_grads: array (N, D), row n is the gradient of example n's loss. The full
            gradient is their mean; a mini-batch gradient is the mean of ``batch_size`` rows drawn
            without replacement (as one batch of a shuffled epoch is).
        batch_sizes: the batch sizes to measure, each from 1 to N.
        draws: mini-batches drawn per batch size.
        seed: seed of the draws.

    Returns:
        ``{batch_size: (rms, bias)}``: ``rms`` is sqrt(mean ||g_B - g||^2) over the draws, ``bias``
        the length of (mean of the draws) - g, which shrinks towards 0 as ``draws`` grows.
    """
    G = _check_per_example(per_example_grads)
    n = len(G)
    full = G.mean(axis=0)
    rng = np.random.default_rng(seed)
    result = {}
    for b in batch_sizes:
        b = _check_batch_size(b, n)
        # draw `draws` batches at once: the first b entries of independent random permutations
        index = np.argsort(rng.random((draws, n)), axis=1)[:, :b]
        estimates = G[index].mean(axis=1)
        errors = estimates - full
        result[b] = (float(np.sqrt(np.mean(np.sum(errors**2, axis=1)))),
                     float(np.linalg.norm(estimates.mean(axis=0) - full)))
    return result


def predicted_minibatch_noise(per_example_grads, batch_size: int) -> float:
    """The expected rms error of a mini-batch gradient, in closed form (sampling without replacement).

    E ||g_B - g||^2 = (N - B) / (N - 1) * S^2 / B, where S^2 = (1/N) sum_n ||g_n - g||^2 is the spread
    of the per-example gradients: the variance of a mean of B draws from a finite population.
    """
    G = _check_per_example(per_example_grads)
    n = len(G)
    b = _check_batch_size(batch_size, n)
    spread = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    return float(np.sqrt((n - b) / (n - 1) * spread / b))


class QuadraticPath(NamedTuple):
    """A descent path on a quadratic loss: ``path[k]`` are the weights after k steps, ``losses[k]`` their loss."""

    path: np.ndarray
    losses: np.ndarray


def heavy_ball_path(hessian, minimum, loss_min: float, start, *, lr: float, momentum: float = 0.0,
                    steps: int = 300) -> QuadraticPath:
    """Gradient descent with momentum on L(w) = loss_min + (w - w*)^T H (w - w*) / 2.

    The update is PyTorch's (and :class:`nnlessons.optim.SGD`'s): the first step sets v = g, then
    ``v <- momentum * v + g`` and ``w <- w - lr * v``, with the exact gradient g = H (w - w*).
    The path stops early (and is shorter) if the weights blow up past 1e6.
    """
    H = np.asarray(hessian, dtype=np.float64)
    best = np.asarray(minimum, dtype=np.float64)
    w = np.array(start, dtype=np.float64)
    if H.shape != (len(w), len(w)) or best.shape != w.shape:
        raise ValueError(f"heavy_ball_path: hessian {H.shape}, minimum {best.shape} and start {w.shape} do not fit")

    def loss(p):
        d = p - best
        return loss_min + 0.5 * d @ H @ d

    path, losses = [w.copy()], [loss(w)]
    v = None
    for _ in range(steps):
        g = H @ (w - best)
        v = g.copy() if v is None else momentum * v + g
        w = w - lr * v
        if not np.all(np.abs(w) < 1e6):
            break
        path.append(w.copy())
        losses.append(loss(w))
    return QuadraticPath(np.array(path), np.array(losses))


def steps_to_converge(losses, loss_min: float, tol: float = 1e-6, steps: Optional[int] = None) -> Optional[int]:
    """The number of steps after which the loss stays within ``tol`` of ``loss_min``; None if it never does.

    Args:
        losses: the loss before the first step and after every step (``losses[k]`` after k steps).
        loss_min: the smallest value of the loss.
        tol: how close counts as converged.
        steps: the number of steps that were run; if ``losses`` is shorter (the run diverged), None.
    """
    gaps = np.asarray(losses, dtype=np.float64) - loss_min
    if steps is not None and len(gaps) < steps + 1:
        return None
    outside = np.flatnonzero(gaps >= tol)
    if len(outside) == 0:
        return 0
    last = int(outside[-1])
    return None if last == len(gaps) - 1 else last + 1
