"""Tests for nnlessons.chapters.activation_experiments: each measurement against a closed form or a hand-built case."""

import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import F, nn
from nnlessons.chapters.activation_experiments import (
    conditioning, dead_fraction, dead_units, deep_stack, derivative, dying_relu_run, epochs_to_target,
    first_reaching, frozen_units, gd_path, layer_grad_norms, moons_net, push, time_forward,
)
from nnlessons.tensor import Tensor
from nnlessons.training import fit
from nnlessons.training.data import moons


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------------------------ derivative
def test_derivative_matches_closed_forms():
    x = np.linspace(-8, 8, 161)
    v, d = derivative(F.sigmoid, x)
    np.testing.assert_allclose(v, sigmoid(x), rtol=1e-14)
    np.testing.assert_allclose(d, sigmoid(x) * (1 - sigmoid(x)), rtol=1e-12, atol=1e-16)
    _, d = derivative(F.tanh, x)
    np.testing.assert_allclose(d, 1 - np.tanh(x) ** 2, atol=1e-15)
    _, d = derivative(lambda t: F.elu(t, 0.5), x)
    np.testing.assert_allclose(d, np.where(x > 0, 1.0, 0.5 * np.exp(np.minimum(x, 0))), atol=1e-15)


def test_derivative_agrees_with_central_differences_and_keeps_the_shape():
    x = np.array([[-1.3, 0.4], [2.2, -0.1]])
    h = 1e-6
    for fn in (F.sigmoid, F.tanh, lambda t: F.softplus(t, 2.0)):
        _, d = derivative(fn, x)
        numeric = (fn(nl.Tensor(x + h)).data - fn(nl.Tensor(x - h)).data) / (2 * h)
        assert d.shape == x.shape
        np.testing.assert_allclose(d, numeric, atol=1e-8)


def test_derivative_of_a_constant_part_is_zero_and_non_elementwise_functions_are_refused():
    _, d = derivative(F.relu, [-2.0, -1.0])
    assert np.array_equal(d, [0.0, 0.0])
    with pytest.raises(ValueError, match="element-wise"):
        derivative(lambda t: t.sum(), [1.0, 2.0])


# ------------------------------------------------------------------------------------- gradient flow
def test_deep_stack_layout_and_identical_weights_for_every_activation():
    a = deep_stack(nn.Sigmoid, depth=3, width=5, in_features=2, out_features=1, seed=4)
    b = deep_stack(nn.ReLU, depth=3, width=5, in_features=2, out_features=1, seed=4)
    kinds = [type(m).__name__ for m in a]
    assert kinds == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb and np.array_equal(pa.data, pb.data)
    assert a[0].weight.shape == (5, 2) and a[-1].weight.shape == (1, 5)
    assert all(np.all(m.bias.data == 0) for m in a if isinstance(m, nn.Linear))


def test_deep_stack_weight_scale_is_he_initialisation():
    net = deep_stack(nn.ReLU, depth=2, width=400, seed=0)
    std = net[2].weight.data.std()
    assert abs(std - math.sqrt(2 / 400)) < 0.02 * math.sqrt(2 / 400)


def test_layer_grad_norms_equal_the_norms_of_finite_difference_gradients():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 1))
    net = deep_stack(nn.Tanh, depth=2, width=3, in_features=3, seed=2)
    norms = layer_grad_norms(net, X, y)
    assert norms.shape == (3,)
    h = 1e-6
    for k, lin in enumerate(m for m in net if isinstance(m, nn.Linear)):
        numeric = np.zeros(lin.weight.shape)
        for idx in np.ndindex(*lin.weight.shape):
            old = lin.weight.data[idx]
            with nl.no_grad():
                lin.weight.data[idx] = old + h
                up = F.mse_loss(net(nl.Tensor(X)), y).item()
                lin.weight.data[idx] = old - h
                down = F.mse_loss(net(nl.Tensor(X)), y).item()
            lin.weight.data[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        assert abs(norms[k] - np.linalg.norm(numeric)) < 1e-7
    # calling again gives the same numbers (no accumulation into .grad)
    np.testing.assert_array_equal(layer_grad_norms(net, X, y), norms)


def test_sigmoid_gradients_vanish_in_a_deep_stack_and_relu_ones_do_not():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 32)), rng.normal(size=(64, 1))
    sig = layer_grad_norms(deep_stack(nn.Sigmoid, depth=10, width=32, seed=0), X, y)
    rel = layer_grad_norms(deep_stack(nn.ReLU, depth=10, width=32, seed=0), X, y)
    assert sig[0] / sig[-1] < 1e-4 < rel[0] / rel[-1]


# ---------------------------------------------------------------------------------------- dead units
def hand_network(act=nn.ReLU):
    """2 -> 3 -> 2 -> 1; on inputs with x1 in [0, 1] unit 1 of layer 1 is dead (z = -x1 - 1)."""
    net = nn.Sequential(nn.Linear(2, 3), act(), nn.Linear(3, 2), act(), nn.Linear(2, 1))
    net[0].weight.data[...] = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]
    net[0].bias.data[...] = [0.0, -1.0, 0.5]
    net[2].weight.data[...] = [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]]  # unit 1 of layer 2: z = -(...) - 1 < 0
    net[2].bias.data[...] = [0.0, -1.0]
    net[4].weight.data[...] = [[1.0, 1.0]]
    return net


X01 = np.array([[0.0, 0.0], [0.5, -0.2], [1.0, 0.3]])


def test_dead_units_masks_by_hand():
    masks = dead_units(hand_network(), X01)
    assert [m.tolist() for m in masks] == [[False, True, False], [False, True]]
    assert dead_fraction(hand_network(), X01) == pytest.approx(2 / 5)
    assert dead_fraction(hand_network(), X01, per_layer=True) == pytest.approx([1 / 3, 1 / 2])


def test_a_unit_negative_for_every_input_is_counted_whatever_the_rectifier():
    for act in (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.PReLU):
        assert dead_fraction(hand_network(act), X01) == pytest.approx(2 / 5)


def test_nested_sequentials_are_flattened_and_models_without_rectifiers_refused():
    net = hand_network()
    nested = nn.Sequential(nn.Sequential(net[0], net[1]), nn.Sequential(net[2], net[3], net[4]))
    assert dead_fraction(nested, X01) == pytest.approx(2 / 5)
    with pytest.raises(ValueError, match="no ReLU"):
        dead_units(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()), X01)


def test_frozen_units_are_the_dead_relus_and_none_with_leaky_relu():
    y = np.array([[1.0], [0.0], [2.0]])
    frozen = frozen_units(hand_network(), X01, y, F.mse_loss)
    assert [m.tolist() for m in frozen] == [[False, True, False], [False, True]]
    leaky = frozen_units(hand_network(nn.LeakyReLU), X01, y, F.mse_loss)
    assert not any(m.any() for m in leaky)


def test_a_dead_first_layer_relu_unit_keeps_its_weights_through_training():
    net = hand_network()
    before = net[0].weight.data[1].copy(), net[0].bias.data[1].copy()
    opt = nl.optim.SGD(net.parameters(), lr=0.1)
    y = np.array([[1.0], [0.0], [2.0]])
    for _ in range(20):
        loss = F.mse_loss(net(nl.Tensor(X01)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert np.array_equal(net[0].weight.data[1], before[0]) and net[0].bias.data[1] == before[1]
    assert dead_units(net, X01)[0][1]


# -------------------------------------------------------------------------------------------- zig-zag
def test_gd_path_is_gradient_descent_on_the_quadratic():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 1, size=(20, 2))
    y = X @ [1.0, -1.0]
    path, losses = gd_path(X, y, [0.5, 0.5], lr=0.7, steps=5)
    assert path.shape == (6, 2) and losses.shape == (6,)
    w = np.array([0.5, 0.5])
    for t in range(6):
        np.testing.assert_allclose(path[t], w, atol=1e-14)
        assert losses[t] == pytest.approx(0.5 * np.mean((X @ w - y) ** 2), rel=1e-12)
        w = w - 0.7 * X.T @ (X @ w - y) / len(X)


def test_first_reaching():
    assert first_reaching([3.0, 2.0, 1.0, 0.5], 1.0) == 2.0
    assert first_reaching([3.0, 2.0], 1.0) == math.inf
    np.testing.assert_array_equal(first_reaching([[3.0, 0.1], [5.0, 4.0]], 1.0), [1.0, math.inf])


# --------------------------------------------------------------------------------- speed of training
def small_data():
    X, y = nl.training.data.moons(40, noise=0.1, seed=0)
    return X, y


def test_epochs_to_target_members_start_as_pytorch_initialised_networks():
    X, y = small_data()
    res = epochs_to_target(F.tanh, X, y, hidden=(4,), seeds=(3, 5), lrs=(0.5, 1.0), target=0.0, max_epochs=2)
    for j, seed in enumerate((3, 5)):
        nl.manual_seed(seed)
        net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
        loss = F.binary_cross_entropy_with_logits(net(nl.Tensor(X)), y.reshape(-1, 1).astype(float)).item()
        assert res.losses[0, j, 0] == pytest.approx(loss, rel=1e-12)
        assert res.losses[1, j, 0] == pytest.approx(loss, rel=1e-12)
        # one step of gradient descent on the single network gives the member's next loss
        opt = nl.optim.SGD(net.parameters(), lr=1.0)
        F.binary_cross_entropy_with_logits(net(nl.Tensor(X)), y.reshape(-1, 1).astype(float)).backward()
        opt.step()
        after = F.binary_cross_entropy_with_logits(net(nl.Tensor(X)), y.reshape(-1, 1).astype(float)).item()
        assert res.losses[1, j, 1] == pytest.approx(after, rel=1e-10)


def test_epochs_to_target_counts_the_first_epoch_at_or_below_target_and_picks_the_best_lr():
    X, y = small_data()
    res = epochs_to_target(F.relu, X, y, hidden=(8,), seeds=range(3), lrs=(0.0, 0.3, 1.0), target=0.3,
                           max_epochs=400)
    assert res.epochs.shape == (3, 3)
    assert np.all(np.isinf(res.epochs[0]))  # lr = 0 never moves
    assert res.best_lr == res.lrs[res.best] and res.best != 0
    best = res.losses[res.best]
    for j in range(3):
        e = int(res.best_epochs[j])
        assert best[j, e] <= 0.3 and np.all(best[j, :e] > 0.3)
    # the best learning rate's median seed got there no later than any other learning rate's
    med = np.sort(res.epochs, axis=1)[:, 1]
    assert med[res.best] == med.min()


def test_epochs_to_target_gives_inf_when_the_target_is_not_reached():
    X, y = small_data()
    res = epochs_to_target(F.sigmoid, X, y, hidden=(4,), seeds=(0,), lrs=(0.1,), target=1e-9, max_epochs=5)
    assert np.isinf(res.best_epochs).all() and res.losses.shape == (1, 1, 6)


# ---------------------------------------------------------------------------------------------- timing
def test_time_forward_returns_a_positive_time_per_function():
    x = np.ones(1000)
    times = time_forward({"exp": np.exp, "max": lambda a: np.maximum(a, 0)}, x, repeat=2, number=2)
    assert set(times) == {"exp", "max"} and all(t > 0 for t in times.values())


# ---- dying ReLUs, pushes along the gradient, conditioning

X_MOONS, y_moons = moons(200, noise=0.1, seed=0)
Y_MOONS = y_moons.reshape(-1, 1).astype(float)


def test_moons_net_biases_and_same_weights():
    default, zero = moons_net(nn.ReLU, None, 3), moons_net(nn.ReLU, 0.01, 3)
    for a, b in zip(default, zero):
        if isinstance(a, nn.Linear):
            assert np.array_equal(a.weight.data, b.weight.data)
            assert np.all(b.bias.data == 0.01)
            bound = 1 / math.sqrt(a.in_features)  # PyTorch's default: uniform in +-1/sqrt(fan_in)
            assert np.all(np.abs(a.bias.data) <= bound) and np.all(a.bias.data != 0)


def test_dying_relu_run_counts_and_the_step_size_is_lr_times_the_gradient_norm():
    net = moons_net(nn.ReLU, None, 0)
    run = dying_relu_run(net, X_MOONS, Y_MOONS, before=20, after=10)
    assert run.dead.shape == (4, 2) and run.loss.shape == (4,)
    # recompute the big step independently: 20 epochs of the same training, then the gradient norm
    twin = moons_net(nn.ReLU, None, 0)
    fit(twin, F.binary_cross_entropy_with_logits, X_MOONS, Y_MOONS, epochs=20, lr=0.5, progress=False)
    assert run.dead[1].tolist() == dead_fraction(twin, X_MOONS, per_layer=True)
    twin.zero_grad()
    F.binary_cross_entropy_with_logits(twin(Tensor(X_MOONS)), Y_MOONS).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in twin.parameters()))
    assert run.step_size == pytest.approx(50.0 * norm, rel=1e-12)
    assert run.frozen_is_dead and run.dead_are_frozen and run.first_layer_dead_unchanged


def test_leaky_relu_units_never_have_a_zero_gradient():
    run = dying_relu_run(moons_net(nn.LeakyReLU, None, 0), X_MOONS, Y_MOONS, before=20, after=5)
    assert run.zero_gradient == 0.0 and run.dead[2].sum() > 0  # negative everywhere, yet not frozen


def test_push_of_length_lr_times_gradient_norm_is_the_gradient_step():
    net = moons_net(nn.ReLU, None, 1)
    fit(net, F.binary_cross_entropy_with_logits, X_MOONS, Y_MOONS, epochs=30, lr=0.5, progress=False)
    before = [p.data.copy() for p in net.parameters()]
    net.zero_grad()
    F.binary_cross_entropy_with_logits(net(Tensor(X_MOONS)), Y_MOONS).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    fractions = push(net, X_MOONS, Y_MOONS, [0.0, 20.0 * norm])
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), before))  # restored
    assert fractions[0] == dead_fraction(net, X_MOONS)
    fit(net, F.binary_cross_entropy_with_logits, X_MOONS, Y_MOONS, epochs=1, lr=20.0, progress=False)
    assert fractions[1] == dead_fraction(net, X_MOONS)


def test_conditioning_closed_form():
    X2 = np.array([[1.0, 1.0], [1.0, -1.0]])  # X_MOONS^T X_MOONS / n = I; mean (1, 0); covariance diag(0, 1)
    c = conditioning(X2)
    assert c["lam_min"] == pytest.approx(1) and c["lam_max"] == pytest.approx(1)
    assert c["kappa"] == pytest.approx(1) and c["lr"] == pytest.approx(1) and c["rate"] == pytest.approx(0)
    assert c["mean_sq"] == pytest.approx(1) and c["cov_max"] == pytest.approx(1)
    c = conditioning(np.array([[2.0, 0.0], [0.0, 1.0]]))  # X_MOONS^T X_MOONS / n = diag(2, 0.5)
    assert c["kappa"] == pytest.approx(4) and c["rate"] == pytest.approx(3 / 5) and c["lr"] == pytest.approx(0.8)
