"""Tests for nnlessons.training.data: shapes, dtypes, determinism, balance and the geometry of each data set."""

import math

import numpy as np
import pytest

from nnlessons.training import data

CLASSIFICATION = {
    "xor": (data.xor, 2),
    "moons": (data.moons, 2),
    "circles": (data.circles, 2),
    "spirals": (data.spirals, 3),
    "blobs": (data.blobs, 3),
}


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_shapes_and_dtypes(name):
    make, k = CLASSIFICATION[name]
    X, y = make(n=120, seed=1)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert y.shape == (120,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(k))
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_deterministic_per_seed_and_differs_across_seeds(name):
    make, _ = CLASSIFICATION[name]
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
@pytest.mark.parametrize("n", [12, 13, 301])
def test_classes_balanced_to_within_one(name, n):
    make, k = CLASSIFICATION[name]
    _, y = make(n=n, seed=0)
    counts = np.bincount(y, minlength=k)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_rows_are_shuffled(name):
    make, _ = CLASSIFICATION[name]
    _, y = make(n=200, seed=0)
    # Sorted labels would have exactly k - 1 changes; shuffled ones have many.
    assert np.count_nonzero(np.diff(y)) > 50


@pytest.mark.parametrize("seed", range(5))
def test_xor_labels_follow_the_sign_rule(seed):
    X, y = data.xor(n=200, seed=seed)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    # Every quadrant is populated equally.
    quadrant = 2 * (X[:, 0] > 0) + (X[:, 1] > 0)
    np.testing.assert_array_equal(np.bincount(quadrant, minlength=4), [50, 50, 50, 50])


def test_xor_without_noise_is_the_four_corners():
    X, y = data.xor(n=8, noise=0.0)
    assert set(map(tuple, X)) == {(1.0, 1.0), (-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0)}
    np.testing.assert_array_equal(y, (X[:, 0] != X[:, 1]).astype(np.int64))


@pytest.mark.parametrize("seed", range(5))
def test_circles_radii_separate(seed):
    X, y = data.circles(n=400, noise=0.05, factor=0.5, seed=seed)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() < r[y == 0].min()
    assert abs(np.median(r[y == 0]) - 1.0) < 0.05
    assert abs(np.median(r[y == 1]) - 0.5) < 0.05


def test_circles_without_noise_lie_exactly_on_the_circles():
    X, y = data.circles(n=50, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_moons_without_noise_lie_on_their_arcs():
    X, y = data.moons(n=100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_spirals_without_noise_follow_their_arms():
    k = 4
    X, y = data.spirals(n=200, k=k, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 0], X[:, 1])  # X = r (sin t, cos t)
    expected = 4.0 * y + 4.0 * r
    keep = r > 1e-9  # the angle of the centre point is undefined
    diff = np.angle(np.exp(1j * (angle[keep] - expected[keep])))
    np.testing.assert_allclose(diff, 0.0, atol=1e-9)
    assert np.bincount(y).tolist() == [50] * k
    assert r.max() == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(10))
def test_blobs_are_linearly_separable(seed):
    X, y = data.blobs(seed=seed)
    centers = data.blob_centers(3)
    # Nearest-centre classification is linear (a Voronoi diagram); it gets every point right.
    nearest = np.argmin(((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=-1), axis=1)
    np.testing.assert_array_equal(nearest, y)


def test_blob_centers_on_circle_of_radius_two():
    c = data.blob_centers(5)
    np.testing.assert_allclose(np.hypot(c[:, 0], c[:, 1]), 2.0)
    np.testing.assert_allclose(c[0], [0.0, 2.0], atol=1e-12)


@pytest.mark.parametrize(
    "name, f",
    [
        ("sin", np.sin),
        ("abs", np.abs),
        ("step", lambda x: np.where(x >= 0, 1.0, 0.0)),
        ("sin2x_abs", lambda x: np.sin(2 * x) + 0.3 * np.abs(x)),
    ],
)
def test_regression_named_targets(name, f):
    x, y = data.regression_1d(name, n=50, low=-2.0, high=2.0, seed=0)
    assert x.shape == (50, 1) and y.shape == (50, 1)
    assert x.dtype == np.float64 and y.dtype == np.float64
    assert np.all(np.diff(x[:, 0]) >= 0)
    assert x.min() >= -2.0 and x.max() <= 2.0
    np.testing.assert_allclose(y, f(x))


def test_regression_step_value_at_zero_and_grid():
    x, y = data.regression_1d("step", n=5, low=-1.0, high=1.0, grid=True)
    np.testing.assert_allclose(x[:, 0], [-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(y[:, 0], [0.0, 0.0, 1.0, 1.0, 1.0])


def test_regression_sin2x_abs_known_value():
    x, y = data.regression_1d("sin2x_abs", n=3, low=-1.0, high=1.0, grid=True)
    np.testing.assert_allclose(y[:, 0], [math.sin(-2) + 0.3, 0.0, math.sin(2) + 0.3])


def test_regression_callable_targets_vectorised_and_scalar():
    x, y = data.regression_1d(lambda x: x**2, n=20, seed=2)
    np.testing.assert_allclose(y, x**2)
    x, y = data.regression_1d(math.cos, n=20, seed=2)  # math.cos only takes scalars
    np.testing.assert_allclose(y, np.cos(x))


def test_regression_noise_deterministic_and_about_right_size():
    x1, y1 = data.regression_1d("sin", n=2000, noise=0.1, seed=5)
    x2, y2 = data.regression_1d("sin", n=2000, noise=0.1, seed=5)
    np.testing.assert_array_equal(y1, y2)
    residual = y1 - np.sin(x1)
    assert 0.09 < residual.std() < 0.11
    x3, _ = data.regression_1d("sin", n=2000, noise=0.1, seed=6)
    assert not np.allclose(x1, x3)


def test_regression_callable_with_wrong_output_size():
    with pytest.raises(ValueError, match="one value per input"):
        data.regression_1d(lambda x: x[:3], n=10)


def test_unknown_target_names_the_bad_value_and_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown target 'cosine'") as info:
        data.regression_1d("cosine")
    message = str(info.value)
    assert "'cosine'" in message
    for name in data.TARGETS:
        assert repr(name) in message


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: data.xor(n=0), "n=0"),
        (lambda: data.moons(n=-5), "n=-5"),
        (lambda: data.circles(n=2.5), "n=2.5"),
        (lambda: data.spirals(k=1), "k=1"),
        (lambda: data.blobs(k=0), "k=0"),
        (lambda: data.spirals(n=2, k=3), "n=2"),
        (lambda: data.circles(factor=1.5), "factor=1.5"),
        (lambda: data.moons(noise=-0.1), "noise=-0.1"),
        (lambda: data.blobs(spread=float("nan")), "spread=nan"),
        (lambda: data.regression_1d("sin", n=0), "n=0"),
        (lambda: data.regression_1d("sin", low=1.0, high=0.0), "low=1.0"),
        (lambda: data.regression_1d(3), "3"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_value(call, fragment):
    import re

    with pytest.raises(ValueError, match=re.escape(fragment)):
        call()


def test_train_val_split_partitions_the_rows():
    X = np.arange(100, dtype=np.float64).reshape(50, 2)
    y = np.arange(50)
    (X_tr, y_tr), (X_val, y_val) = data.train_val_split(X, y, val_fraction=0.2, seed=0)
    assert X_tr.shape == (40, 2) and X_val.shape == (10, 2)
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(50))
    # Rows stay paired with their labels.
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)
    # Deterministic per seed, different across seeds.
    (_, y_tr2), _ = data.train_val_split(X, y, val_fraction=0.2, seed=0)
    (_, y_tr3), _ = data.train_val_split(X, y, val_fraction=0.2, seed=1)
    np.testing.assert_array_equal(y_tr, y_tr2)
    assert not np.array_equal(y_tr, y_tr3)


def test_train_val_test_split_partitions_the_rows():
    X = np.random.default_rng(0).standard_normal((300, 2))
    y = np.arange(300) % 3
    (X_tr, y_tr), (X_val, y_val), (X_te, y_te) = data.train_val_test_split(
        X, y, val_fraction=0.2, test_fraction=0.1, seed=0
    )
    assert (len(y_tr), len(y_val), len(y_te)) == (210, 60, 30)
    rows = np.vstack([X_tr, X_val, X_te])
    labels = np.concatenate([y_tr, y_val, y_te])
    order = np.argsort(rows[:, 0])
    np.testing.assert_array_equal(rows[order], X[np.argsort(X[:, 0])])
    np.testing.assert_array_equal(labels[order], y[np.argsort(X[:, 0])])


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"val_fraction": 0.0}, "val_fraction=0.0"),
        ({"val_fraction": 1.0}, "val_fraction=1.0"),
        ({"val_fraction": 0.01}, "too few"),
    ],
)
def test_split_bad_fractions(kwargs, fragment):
    X, y = data.xor(n=20)
    with pytest.raises(ValueError, match=fragment):
        data.train_val_split(X, y, **kwargs)


def test_split_mismatched_lengths_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(10, 2\).*\(9,\)"):
        data.train_val_split(np.zeros((10, 2)), np.zeros(9))


def test_three_way_split_needs_training_data():
    X, y = data.xor(n=20)
    with pytest.raises(ValueError, match="no training data"):
        data.train_val_test_split(X, y, val_fraction=0.5, test_fraction=0.5)


@pytest.mark.parametrize("make", [data.xor, data.moons, data.circles, data.spirals, data.blobs, data.regression_1d])
def test_a_negative_seed_is_refused_naming_the_argument(make):
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0, got seed=-1"):
        make(seed=-1)


@pytest.mark.parametrize("make", [data.xor, data.moons, data.circles, data.spirals, data.regression_1d])
@pytest.mark.parametrize("noise", ["0.1", None, [0.1]])
def test_a_non_numeric_noise_is_refused_naming_the_argument(make, noise):
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0, got noise="):
        make(noise=noise)


def test_target_function_looks_up_names_and_passes_callables_through():
    assert data.target_function("sin") is np.sin
    assert data.target_function(np.cos) is np.cos
    with pytest.raises(ValueError, match="unknown target 'cosh'"):
        data.target_function("cosh")
