"""Seeded toy data sets for the course.

Every generator takes a ``seed`` and returns NumPy arrays, so the same call gives the same data on
every machine:

- classification sets return ``X`` (float64, shape ``(n, 2)``) and ``y`` (int64 class labels,
  shape ``(n,)``), with the classes as balanced as ``n`` allows and the rows shuffled;
- :func:`regression_1d` returns ``x`` and ``y``, both float64 of shape ``(n, 1)``.

Pass them straight to :func:`nnlessons.training.loop.fit`, or wrap them in :class:`nnlessons.Tensor` yourself.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

import numpy as np

from .arguments import check_integer, check_nonnegative, check_seed

__all__ = [
    "TARGETS",
    "blob_centers",
    "blobs",
    "circles",
    "moons",
    "regression_1d",
    "spirals",
    "target_function",
    "train_val_split",
    "train_val_test_split",
    "xor",
]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _check(n: int, seed: int, minimum: int = 1, k: Optional[int] = None, **numbers: float) -> None:
    """Check a generator's arguments: k >= 2 classes, n >= minimum points, a valid seed, numbers >= 0."""
    if k is not None:
        check_integer("k", k, 2)
    check_integer("n", n, minimum)
    check_seed(seed)
    for name, value in numbers.items():
        check_nonnegative(name, value)


def _class_sizes(n: int, k: int) -> np.ndarray:
    """Split n points into k classes whose sizes differ by at most one."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order].astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------


def xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters at the corners (+-1, +-1): the XOR problem.

    A point's label is 1 when exactly one of its corner's coordinates is negative, i.e. when the
    corner satisfies x1 * x2 < 0, and 0 otherwise. With the default noise every point lies in its
    corner's quadrant, so ``y == (X[:, 0] * X[:, 1] < 0)``. No straight line separates the classes.

    Args:
        n: Number of points (spread as evenly as possible over the four corners).
        noise: Standard deviation of the Gaussian noise around each corner.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``(X, y)`` with X float64 of shape (n, 2) and y int64 of shape (n,), values in {0, 1}.
    """
    _check(n, seed, noise=noise)
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
    which = np.arange(n) % 4
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = (corners[which, 0] * corners[which, 1] < 0).astype(np.int64)
    return _shuffled(rng, X, y)


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("two moons").

    Class 0 is the upper arc (cos t, sin t), class 1 the lower arc (1 - cos t, 0.5 - sin t), for
    t in [0, pi], plus Gaussian noise; the same shape as scikit-learn's ``make_moons``.

    Args:
        n: Number of points (half on each moon).
        noise: Standard deviation of the Gaussian noise added to both coordinates.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``(X, y)`` with X float64 of shape (n, 2) and y int64 of shape (n,), values in {0, 1}.
    """
    _check(n, seed, 2, noise=noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _shuffled(rng, X, y)


def circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on radius 1, class 1 on radius ``factor``.

    Args:
        n: Number of points (half on each circle).
        noise: Standard deviation of the Gaussian noise added to both coordinates.
        factor: Radius of the inner circle, strictly between 0 and 1.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``(X, y)`` with X float64 of shape (n, 2) and y int64 of shape (n,), values in {0, 1}.
    """
    _check(n, seed, 2, noise=noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must lie strictly between 0 and 1, got factor={factor!r}")
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    radius = np.repeat([1.0, factor], [n0, n1])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _shuffled(rng, X, y)


def spirals(n: int = 300, k: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` interleaved spiral arms, one per class (the CS231n spiral data set).

    Arm j has radius r in [0, 1] and angle 4j + 4r (plus Gaussian noise on the angle), so every arm
    turns through 4 radians and the arms are rotated copies of each other.

    Args:
        n: Number of points (spread as evenly as possible over the k arms).
        k: Number of classes (arms), at least 2.
        noise: Standard deviation of the Gaussian noise on the angle, in radians.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``(X, y)`` with X float64 of shape (n, 2) and y int64 of shape (n,), values in {0, ..., k-1}.
    """
    _check(n, seed, k, k, noise=noise)
    rng = np.random.default_rng(seed)
    sizes = _class_sizes(n, k)
    radius = np.concatenate([np.linspace(0.0, 1.0, m) for m in sizes])
    y = np.repeat(np.arange(k), sizes)
    angle = 4.0 * y + 4.0 * radius + noise * rng.standard_normal(n)
    X = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)])
    return _shuffled(rng, X, y)


def blobs(n: int = 300, k: int = 3, spread: float = 0.4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` round Gaussian clusters whose centres sit evenly on a circle of radius 2.

    With the default spread the classes are linearly separable (every point is nearest its own
    centre), which makes this the data set for multi-class logistic regression.

    Args:
        n: Number of points (spread as evenly as possible over the k clusters).
        k: Number of classes (clusters), at least 2.
        spread: Standard deviation of each cluster in both coordinates.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``(X, y)`` with X float64 of shape (n, 2) and y int64 of shape (n,), values in {0, ..., k-1}.
    """
    _check(n, seed, k, k, spread=spread)
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(k), _class_sizes(n, k))
    X = blob_centers(k)[y] + spread * rng.standard_normal((n, 2))
    return _shuffled(rng, X, y)


def blob_centers(k: int = 3) -> np.ndarray:
    """The centres used by :func:`blobs`: k points evenly spaced on a circle of radius 2.

    Args:
        k: Number of clusters.

    Returns:
        A float64 array of shape (k, 2); centre j is at angle pi/2 + 2 pi j / k.
    """
    angle = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k
    return 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])


# ---------------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------------


def _step(x: np.ndarray) -> np.ndarray:
    return (x >= 0).astype(np.float64)


def _sin2x_abs(x: np.ndarray) -> np.ndarray:
    return np.sin(2.0 * x) + 0.3 * np.abs(x)


#: The named targets of :func:`regression_1d`; each maps a float array to an array of the same shape.
TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "abs": np.abs,
    "step": _step,
    "sin2x_abs": _sin2x_abs,
}


def target_function(target: Union[str, Callable[[np.ndarray], np.ndarray]]) -> Callable[[np.ndarray], np.ndarray]:
    """The function a target stands for: a name from :data:`TARGETS`, or a callable returned as it is.

    Raises:
        ValueError: for an unknown name or something that is neither a name nor a callable.
    """
    if isinstance(target, str):
        if target not in TARGETS:
            allowed = ", ".join(repr(name) for name in TARGETS)
            raise ValueError(f"unknown target {target!r}; use one of {allowed} or pass a function")
        return TARGETS[target]
    if callable(target):
        return target
    raise ValueError(f"target must be a name from TARGETS or a callable, got {target!r}")


def _evaluate_target(f: Callable, x: np.ndarray) -> np.ndarray:
    """Apply f to the column x (n, 1), falling back to one call per point for scalar-only functions."""
    try:
        out = np.asarray(f(x), dtype=np.float64)
    except TypeError:
        out = np.array([f(float(v)) for v in x.ravel()], dtype=np.float64)
    if out.size != x.size:
        raise ValueError(
            f"the target function must return one value per input: given x of shape {x.shape}, "
            f"it returned shape {out.shape}"
        )
    return out.reshape(x.shape)


def regression_1d(
    target: Union[str, Callable[[np.ndarray], np.ndarray]] = "sin",
    n: int = 100,
    low: float = -3.0,
    high: float = 3.0,
    noise: float = 0.0,
    seed: int = 0,
    grid: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples of a 1-D function, y = f(x) + noise, for the approximation chapters.

    Named targets (see :data:`TARGETS`): ``"sin"`` (sin x), ``"abs"`` (abs x), ``"step"`` (1 for
    x >= 0, else 0) and ``"sin2x_abs"`` (sin 2x + 0.3 abs(x)). Any callable works too; it receives a
    float64 array of shape (n, 1).

    Args:
        target: A name from :data:`TARGETS` or a function of x.
        n: Number of samples.
        low: Left end of the interval.
        high: Right end of the interval.
        noise: Standard deviation of the Gaussian noise added to y.
        seed: Seed for ``np.random.default_rng``.
        grid: If True, x is evenly spaced on [low, high]; otherwise x is drawn uniformly.

    Returns:
        ``(x, y)``, both float64 of shape (n, 1), sorted by x.
    """
    f = target_function(target)
    _check(n, seed, noise=noise)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high, got low={low!r}, high={high!r}")
    rng = np.random.default_rng(seed)
    if grid:
        x = np.linspace(low, high, n)
    else:
        x = np.sort(rng.uniform(low, high, n))
    x = x.reshape(n, 1)
    y = _evaluate_target(f, x)
    if noise > 0:
        y = y + noise * rng.standard_normal((n, 1))
    return x, y


# ---------------------------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------------------------


def _split_sizes(n: int, fractions: list[float], names: list[str]) -> list[int]:
    for name, fraction in zip(names, fractions):
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {name}={fraction!r}")
    if sum(fractions) >= 1.0:
        raise ValueError(f"the fractions {dict(zip(names, fractions))} leave no training data")
    sizes = [int(round(n * fraction)) for fraction in fractions]
    if min(sizes) < 1 or n - sum(sizes) < 1:
        raise ValueError(f"{n} points are too few to split with {dict(zip(names, fractions))}")
    return sizes


def _as_arrays(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(getattr(X, "data", X))
    y = np.asarray(getattr(y, "data", y))
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got shapes {X.shape} and {y.shape}")
    return X, y


def train_val_split(
    X: np.ndarray, y: np.ndarray, val_fraction: float = 0.2, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle the rows and split them into a training and a validation set.

    Args:
        X: Inputs, one row per example (array or Tensor).
        y: Targets with the same number of rows.
        val_fraction: Share of the rows that go to the validation set.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``((X_train, y_train), (X_val, y_val))``, ready for ``fit(..., val=(X_val, y_val))``.
    """
    X, y = _as_arrays(X, y)
    check_seed(seed)
    (n_val,) = _split_sizes(len(X), [val_fraction], ["val_fraction"])
    order = np.random.default_rng(seed).permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int = 0,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle the rows and split them into training, validation and test sets.

    Args:
        X: Inputs, one row per example (array or Tensor).
        y: Targets with the same number of rows.
        val_fraction: Share of the rows that go to the validation set.
        test_fraction: Share of the rows that go to the test set.
        seed: Seed for ``np.random.default_rng``.

    Returns:
        ``((X_train, y_train), (X_val, y_val), (X_test, y_test))``.
    """
    X, y = _as_arrays(X, y)
    check_seed(seed)
    n_val, n_test = _split_sizes(len(X), [val_fraction, test_fraction], ["val_fraction", "test_fraction"])
    order = np.random.default_rng(seed).permutation(len(X))
    val, test, train = order[:n_val], order[n_val : n_val + n_test], order[n_val + n_test :]
    return (X[train], y[train]), (X[val], y[val]), (X[test], y[test])
