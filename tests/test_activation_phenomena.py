"""Tests for nnlessons.chapters.activation_phenomena: dying ReLUs, pushes along the gradient, conditioning."""

import math

import numpy as np
import pytest

from nnlessons import functional as F
from nnlessons import nn
from nnlessons.chapters.activation_experiments import dead_fraction
from nnlessons.chapters.activation_phenomena import conditioning, dying_relu_run, moons_net, push
from nnlessons.tensor import Tensor
from nnlessons.training import fit
from nnlessons.training.data import moons

X, y = moons(200, noise=0.1, seed=0)
Y = y.reshape(-1, 1).astype(float)


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
    run = dying_relu_run(net, X, Y, before=20, after=10)
    assert run.dead.shape == (4, 2) and run.loss.shape == (4,)
    # recompute the big step independently: 20 epochs of the same training, then the gradient norm
    twin = moons_net(nn.ReLU, None, 0)
    fit(twin, F.binary_cross_entropy_with_logits, X, Y, epochs=20, lr=0.5, progress=False)
    assert run.dead[1].tolist() == dead_fraction(twin, X, per_layer=True)
    twin.zero_grad()
    F.binary_cross_entropy_with_logits(twin(Tensor(X)), Y).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in twin.parameters()))
    assert run.step_size == pytest.approx(50.0 * norm, rel=1e-12)
    assert run.frozen_is_dead and run.first_layer_dead_unchanged


def test_leaky_relu_units_never_have_a_zero_gradient():
    run = dying_relu_run(moons_net(nn.LeakyReLU, None, 0), X, Y, before=20, after=5)
    assert run.zero_gradient == 0.0 and run.dead[2].sum() > 0  # negative everywhere, yet not frozen


def test_push_of_length_lr_times_gradient_norm_is_the_gradient_step():
    net = moons_net(nn.ReLU, None, 1)
    fit(net, F.binary_cross_entropy_with_logits, X, Y, epochs=30, lr=0.5, progress=False)
    before = [p.data.copy() for p in net.parameters()]
    net.zero_grad()
    F.binary_cross_entropy_with_logits(net(Tensor(X)), Y).backward()
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    fractions = push(net, X, Y, [0.0, 20.0 * norm])
    assert all(np.array_equal(p.data, b) for p, b in zip(net.parameters(), before))  # restored
    assert fractions[0] == dead_fraction(net, X)
    fit(net, F.binary_cross_entropy_with_logits, X, Y, epochs=1, lr=20.0, progress=False)
    assert fractions[1] == dead_fraction(net, X)


def test_conditioning_closed_form():
    X2 = np.array([[1.0, 1.0], [1.0, -1.0]])  # X^T X / n = I; mean (1, 0); covariance diag(0, 1)
    c = conditioning(X2)
    assert c["lam_min"] == pytest.approx(1) and c["lam_max"] == pytest.approx(1)
    assert c["kappa"] == pytest.approx(1) and c["lr"] == pytest.approx(1) and c["rate"] == pytest.approx(0)
    assert c["mean_sq"] == pytest.approx(1) and c["cov_max"] == pytest.approx(1)
    c = conditioning(np.array([[2.0, 0.0], [0.0, 1.0]]))  # X^T X / n = diag(2, 0.5)
    assert c["kappa"] == pytest.approx(4) and c["rate"] == pytest.approx(3 / 5) and c["lr"] == pytest.approx(0.8)
