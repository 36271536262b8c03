"""Tests for nnlessons.chapters.approximation_more: ReLU interpolation and towers, set by hand."""

import numpy as np
import pytest

from nnlessons.chapters.approximation_more import (
    approximation_error_2d, predict_2d, relu_interpolation, tower_approximation, tower_network,
)
from nnlessons.tensor import Tensor, no_grad


def predict(model, x):
    with no_grad():
        return model(Tensor(np.asarray(x, dtype=float).reshape(-1, 1))).data.ravel()


def test_relu_interpolation_is_numpy_interp_on_the_interval():
    f = lambda x: np.sin(2 * x) + 0.3 * np.abs(x)  # noqa: E731
    model = relu_interpolation(f, -3.0, 3.0, 12)
    assert model[0].out_features == 12
    knots = np.linspace(-3, 3, 13)
    x = np.linspace(-3, 3, 1001)
    np.testing.assert_allclose(predict(model, x), np.interp(x, knots, f(knots)), atol=1e-12)
    # outside: constant to the left, the last piece continued to the right
    assert predict(model, [-5.0])[0] == pytest.approx(f(-3.0))
    slope = (f(3.0) - f(2.5)) / 0.5
    assert predict(model, [4.0])[0] == pytest.approx(f(3.0) + slope)


def test_relu_interpolation_error_is_within_h2_max_f2_over_8_and_reaches_it():
    # f = sin: |f''| <= 1; the linear interpolant's error is at most h^2/8, nearly reached where |sin| = 1
    for n in (8, 32, 128):
        model = relu_interpolation(np.sin, 0.0, 2 * np.pi, n)
        x = np.linspace(0, 2 * np.pi, 20001)
        err = np.abs(predict(model, x) - np.sin(x)).max()
        h = 2 * np.pi / n
        assert 0.9 * h**2 / 8 < err <= h**2 / 8 + 1e-12


def test_relu_interpolation_rejects_bad_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        relu_interpolation(np.sin, 0.0, 1.0, 0)
    with pytest.raises(ValueError, match="low < high"):
        relu_interpolation(np.sin, 1.0, 0.0, 3)


def test_one_tower_is_high_inside_and_low_on_the_arms_and_outside():
    model = tower_network([0.0, 1.0], [0.0, 1.0], [[2.0]], steepness=100.0, threshold_steepness=50.0)
    assert [m.out_features for m in (model[0], model[2], model[4])] == [4, 1, 1]
    x = np.array([0.5, 0.5, 3.0, 0.5, -2.0])
    y = np.array([0.5, 3.0, 0.5, -2.0, -2.0])  # inside, two arms, below, far corner
    out = predict_2d(model, x, y)
    assert out[0] == pytest.approx(2.0, abs=1e-6)
    assert np.all(np.abs(out[1:]) < 1e-6)
    # on an edge the tower is at half height, at a corner it is (almost) off: sum of ridges 1 < 1.5
    edge, corner = predict_2d(model, np.array([1.0, 1.0]), np.array([0.5, 1.0]))
    assert edge == pytest.approx(1.0, abs=1e-6) and corner < 1e-6


def test_tower_approximation_takes_the_target_at_the_centres_and_the_mean_error_halves():
    f = lambda x, y: np.sin(2 * x) * np.cos(y)  # noqa: E731
    model = tower_approximation(f, -2.0, 2.0, 4, steepness=200.0, threshold_steepness=40.0)
    centres = np.linspace(-1.5, 1.5, 4)
    cx, cy = np.meshgrid(centres, centres, indexing="ij")
    np.testing.assert_allclose(predict_2d(model, cx, cy), f(cx, cy), atol=1e-6)
    means = [approximation_error_2d(tower_approximation(f, -2, 2, n, 40.0 * n / 4), f, -2, 2, n=200)[1]
             for n in (4, 8, 16)]
    assert 1.8 < means[0] / means[1] < 2.2 and 1.8 < means[1] / means[2] < 2.2


def test_tower_network_checks_its_arguments():
    with pytest.raises(ValueError, match=r"heights must have shape \(2, 1\)"):
        tower_network([0, 1, 2], [0, 1], [[1.0, 2.0]], 10.0, 10.0)
    with pytest.raises(ValueError, match="increasing"):
        tower_network([1, 0], [0, 1], [[1.0]], 10.0, 10.0)


def test_approximation_error_2d_of_a_known_difference():
    # the zero network (all weights 0 in the output layer) against f = x + y on [0, 1]^2:
    # max |x + y| = 2, mean over the grid = 1
    model = tower_network([0.0, 1.0], [0.0, 1.0], [[0.0]], 10.0, 10.0)
    worst, mean = approximation_error_2d(model, lambda x, y: x + y, 0.0, 1.0, n=101)
    assert worst == pytest.approx(2.0) and mean == pytest.approx(1.0)
