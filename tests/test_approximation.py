"""Tests for nnlessons.chapters.approximation: hand-set bump networks, error measurement, side-by-side training, least squares."""

import copy
import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn, optim
from nnlessons.chapters import approximation as approx
from nnlessons.chapters.approximation import (
    approximation_error_2d, predict_2d, relu_interpolation, tower_approximation, tower_network,
)
from nnlessons import functional as F
from nnlessons.training import data


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(model, x):
    with nl.no_grad():
        return model(nl.Tensor(np.asarray(x, dtype=float).reshape(-1, 1))).data.ravel()


# ---------------------------------------------------------------------------------------------
# bump_network
# ---------------------------------------------------------------------------------------------


def test_bump_network_architecture_and_weights_follow_the_formula():
    model = approx.bump_network([1.0, 2.0, 4.0], heights=[0.5, -1.5], steepness=[10.0, 3.0])
    assert isinstance(model, nn.Sequential) and len(model) == 3
    assert isinstance(model[0], nn.Linear) and isinstance(model[1], nn.Sigmoid) and isinstance(model[2], nn.Linear)
    assert model[0].weight.shape == (4, 1) and model[2].weight.shape == (1, 4)
    np.testing.assert_array_equal(model[0].weight.data.ravel(), [10.0, 10.0, 3.0, 3.0])
    np.testing.assert_array_equal(model[0].bias.data, [-10.0, -20.0, -6.0, -12.0])
    np.testing.assert_array_equal(model[2].weight.data.ravel(), [0.5, -0.5, -1.5, 1.5])
    np.testing.assert_array_equal(model[2].bias.data, [0.0])


def test_bump_network_computes_the_sum_of_bumps_in_closed_form():
    edges, heights, s = [-1.0, 0.0, 0.5, 2.0], [0.3, 1.2, -0.7], 7.0
    model = approx.bump_network(edges, heights, s)
    x = np.linspace(-3, 4, 57)
    expected = sum(h * (sigmoid(s * (x - a)) - sigmoid(s * (x - b)))
                   for h, a, b in zip(heights, edges[:-1], edges[1:]))
    np.testing.assert_allclose(predict(model, x), expected, rtol=0, atol=1e-14)


def test_bump_network_accepts_separate_left_right_pairs():
    model = approx.bump_network(np.array([[0.0, 1.0], [3.0, 4.0]]), heights=2.0, steepness=50.0)
    values = predict(model, [0.5, 2.0, 3.5, 5.0])
    np.testing.assert_allclose(values, [2.0, 0.0, 2.0, 0.0], atol=1e-10)
    # half height at an edge, whatever the steepness
    np.testing.assert_allclose(predict(model, [0.0, 1.0]), [1.0, 1.0], atol=1e-10)


def test_a_steep_bump_is_nearly_an_indicator():
    model = approx.bump_network([1.0, 2.0], heights=[0.8], steepness=200.0)
    x = np.array([0.0, 0.9, 1.1, 1.5, 1.9, 2.1, 3.0])
    np.testing.assert_allclose(predict(model, x), [0, 0, 0.8, 0.8, 0.8, 0, 0], atol=1e-8)


@pytest.mark.parametrize(
    "edges, heights, steepness",
    [
        ([1.0], [1.0], 1.0),              # one edge is no bump
        ([2.0, 1.0], [1.0], 1.0),         # decreasing edges
        ([0.0, 1.0, 2.0], [1.0], 1.0),    # two bumps, one height
        ([0.0, 1.0], [1.0], 0.0),         # steepness must be > 0
        ([0.0, 1.0], [1.0], [1.0, 2.0]),  # one steepness per bump
        ([0.0, np.inf], [1.0], 1.0),      # finite edges
        (np.zeros((2, 3)), [1.0, 1.0], 1.0),
    ],
)
def test_bump_network_rejects_bad_arguments(edges, heights, steepness):
    with pytest.raises(ValueError, match=r"edges|height|steepness|bump"):
        approx.bump_network(edges, heights, steepness)


# ---------------------------------------------------------------------------------------------
# bump_approximation and approximation_error
# ---------------------------------------------------------------------------------------------


def test_approximation_error_of_a_known_function():
    # |x - x| = 0; |(x + 0.5) - x| = 0.5 everywhere
    assert approx.approximation_error(lambda t: t, lambda x: x, -1, 1) == (0.0, 0.0)
    worst, mean = approx.approximation_error(lambda t: t + 0.5, lambda x: x, -1, 1)
    assert worst == pytest.approx(0.5) and mean == pytest.approx(0.5)
    # |x^2 - 0| on [0, 1]: max 1, mean ~ 1/3 on a fine grid
    worst, mean = approx.approximation_error(lambda t: t * 0.0, lambda x: x**2, 0, 1, n=20001)
    assert worst == pytest.approx(1.0) and mean == pytest.approx(1 / 3, abs=1e-4)


def test_bump_approximation_heights_are_the_target_at_the_midpoints():
    model = approx.bump_approximation(np.cos, -2.0, 2.0, n_bumps=4, steepness=5.0)
    mids = np.array([-1.5, -0.5, 0.5, 1.5])
    np.testing.assert_allclose(model[2].weight.data[0, ::2], np.cos(mids))
    # outer edges moved one piece (width 1) out: -3, -1, 0, 1, 3 as left/right pairs
    lefts = -model[0].bias.data[::2] / 5.0
    rights = -model[0].bias.data[1::2] / 5.0
    np.testing.assert_allclose(lefts, [-3.0, -1.0, 0.0, 1.0])
    np.testing.assert_allclose(rights, [-1.0, 0.0, 1.0, 3.0])


def test_bump_approximation_error_falls_like_one_over_n_and_obeys_the_staircase_bound():
    f = data.TARGETS["sin2x_abs"]
    lipschitz, low, high = 2.3, -3.0, 3.0
    ns = [8, 16, 32, 64, 128]
    errors = []
    for n in ns:
        model = approx.bump_approximation(f, low, high, n, steepness=10 * n / (high - low))
        errors.append(approx.approximation_error(model, f, low, high)[0])
    errors = np.array(errors)
    assert np.all(errors <= lipschitz * (high - low) / (2 * np.array(ns)))
    slope = np.polyfit(np.log(ns), np.log(errors), 1)[0]
    assert -1.1 < slope < -0.9


def test_bump_approximation_of_a_constant_is_exact_inside_the_interval():
    model = approx.bump_approximation(lambda x: np.full_like(x, 2.0), 0.0, 1.0, n_bumps=5, steepness=400.0)
    # adjacent bumps of equal height sum to a constant (the sigmoids of shared edges cancel)
    worst, _ = approx.approximation_error(model, lambda x: np.full_like(x, 2.0), 0.0, 1.0)
    assert worst < 1e-12


def test_bump_approximation_accepts_target_names_and_rejects_bad_input():
    by_name = approx.bump_approximation("sin", 0.0, 1.0, 3, 10.0)
    by_fn = approx.bump_approximation(np.sin, 0.0, 1.0, 3, 10.0)
    np.testing.assert_array_equal(by_name[2].weight.data, by_fn[2].weight.data)
    for bad, message in [(dict(target="nope"), "unknown target 'nope'"), (dict(n_bumps=0), "n_bumps=0"),
                         (dict(low=1.0, high=0.0), "low < high")]:
        args = dict(target=np.sin, low=0.0, high=1.0, n_bumps=3, steepness=10.0) | bad
        with pytest.raises(ValueError, match=message):
            approx.bump_approximation(**args)


# ---------------------------------------------------------------------------------------------
# Square, one_hidden_layer, hidden_features, least_squares_output
# ---------------------------------------------------------------------------------------------


def test_square_activation_and_its_gradient():
    x = nl.Tensor(np.array([-2.0, 0.5, 3.0]), requires_grad=True)
    y = approx.Square()(x)
    np.testing.assert_array_equal(y.data, [4.0, 0.25, 9.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-4.0, 1.0, 6.0])
    assert nl.gradcheck(lambda t: approx.Square()(t).sum(), [nl.Tensor(np.array([0.3, -1.2]), requires_grad=True)])


def test_a_square_network_is_a_quadratic_whatever_its_width():
    x = np.linspace(-2, 2, 101)
    for width in [1, 5, 50]:
        nl.manual_seed(width)
        net = approx.one_hidden_layer(width, "square")
        y = predict(net, x)
        coef = np.polyfit(x, y, 2)
        assert np.abs(np.polyval(coef, x) - y).max() < 1e-9
        rank = np.linalg.matrix_rank(approx.hidden_features(net, x))
        assert rank == min(width, 3)


def test_one_hidden_layer_shapes_and_activations():
    for name, cls in [("sigmoid", nn.Sigmoid), ("tanh", nn.Tanh), ("relu", nn.ReLU), ("square", approx.Square)]:
        net = approx.one_hidden_layer(7, name)
        assert isinstance(net[1], cls)
        assert net[0].weight.shape == (7, 1) and net[2].weight.shape == (1, 7)
    assert isinstance(approx.one_hidden_layer(2, nn.ELU)[1], nn.ELU)
    with pytest.raises(ValueError, match="width must be an integer >= 1, got width=0"):
        approx.one_hidden_layer(0)
    with pytest.raises(ValueError, match="unknown activation 'cubic'"):
        approx.one_hidden_layer(3, "cubic")


def test_hidden_features_are_the_activations_of_the_first_layer():
    net = approx.bump_network([0.0, 1.0], [1.0], 4.0)
    x = np.array([-1.0, 0.5, 2.0])
    H = approx.hidden_features(net, x)
    np.testing.assert_allclose(H, sigmoid(4.0 * (x[:, None] - np.array([0.0, 1.0]))), atol=1e-15)


def test_least_squares_output_matches_numpy_polyfit_for_square_features():
    x = np.linspace(-3, 3, 61)
    y = np.abs(x)
    nl.manual_seed(0)
    net = approx.least_squares_output(approx.one_hidden_layer(10, "square"), x, y)
    np.testing.assert_allclose(predict(net, x), np.polyval(np.polyfit(x, y, 2), x), atol=1e-9)


def test_least_squares_output_is_optimal_and_keeps_the_hidden_layer():
    x, y = data.regression_1d("sin", n=40, noise=0.1, seed=3)
    nl.manual_seed(1)
    net = approx.one_hidden_layer(6)
    hidden_before = net[0].weight.data.copy()
    before = float(np.mean((predict(net, x) - y.ravel()) ** 2))
    approx.least_squares_output(net, x, y)
    np.testing.assert_array_equal(net[0].weight.data, hidden_before)
    after = float(np.mean((predict(net, x) - y.ravel()) ** 2))
    assert after < before
    # the gradient of the loss with respect to the output layer is zero at the least-squares solution
    loss = F.mse_loss(net(nl.Tensor(x)), y)
    loss.backward()
    assert np.abs(net[2].weight.grad).max() < 1e-10 and abs(net[2].bias.grad[0]) < 1e-10


# ---------------------------------------------------------------------------------------------
# fit_widths
# ---------------------------------------------------------------------------------------------


def separate_training(widths, x, y, steps, lr, momentum, seed, activation="sigmoid"):
    """The reference: each network trained on its own, with a plain nnlessons training loop."""
    nl.manual_seed(seed)
    models = [approx.one_hidden_layer(w, activation) for w in widths]
    losses = np.empty((steps, len(widths)))
    for j, model in enumerate(models):
        opt = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        for step in range(steps):
            loss = F.mse_loss(model(nl.Tensor(x)), y)
            losses[step, j] = loss.item()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return models, losses


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_fit_widths_equals_separate_training(activation):
    x, y = data.regression_1d("sin2x_abs", n=30, grid=True)
    widths = [1, 3, 5]
    joint, joint_losses = approx.fit_widths(widths, x, y, activation=activation, steps=60, lr=0.05,
                                            momentum=0.9, seed=4)
    alone, alone_losses = separate_training(widths, x, y, 60, 0.05, 0.9, 4, activation)
    np.testing.assert_allclose(joint_losses, alone_losses, rtol=1e-10, atol=1e-13)
    for a, b in zip(joint, alone):
        for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
            np.testing.assert_allclose(p.data, q.data, rtol=1e-10, atol=1e-13, err_msg=name)


def test_fit_widths_reduces_the_loss_and_returns_independent_models():
    x, y = data.regression_1d("sin", n=50, grid=True)
    models, losses = approx.fit_widths([2, 8], x, y, steps=300, lr=0.05, momentum=0.9, seed=0)
    assert losses.shape == (300, 2)
    assert np.all(losses[-1] < losses[0] / 5)
    assert models[0][0].weight.shape == (2, 1) and models[1][0].weight.shape == (8, 1)
    # the returned models compute the loss that was recorded (up to the last step's update)
    final = [float(np.mean((predict(m, x) - y.ravel()) ** 2)) for m in models]
    np.testing.assert_allclose(final, losses[-1], rtol=0.05)
    models[0][0].weight.data[:] = 0.0   # changing one leaves the other alone
    assert np.all(models[1][0].weight.data != 0.0)


def test_fit_widths_reports_divergence_and_bad_arguments():
    x, y = data.regression_1d("sin", n=20, grid=True)
    with pytest.raises(FloatingPointError, match="diverged"):
        approx.fit_widths([4], x, 1e3 * y, activation="square", steps=200, lr=1.0, momentum=0.9)
    with pytest.raises(ValueError, match="at least one width"):
        approx.fit_widths([], x, y)
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got steps=0"):
        approx.fit_widths([2], x, y, steps=0)
    with pytest.raises(ValueError, match="same number of points, got 20 and 10"):
        approx.fit_widths([2], x, y[:10])


def test_fit_widths_makes_no_numpy_warnings_when_it_diverges():
    import warnings

    x, y = data.regression_1d("sin", n=20, grid=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="diverged"):
            approx.fit_widths([4], x, 1e3 * y, activation="square", steps=200, lr=1.0, momentum=0.9)


# ---- ReLU interpolation and towers

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
