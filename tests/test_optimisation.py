"""Tests for nnlessons.chapters.optimisation: mini-batch noise and gradient descent with momentum."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons.chapters.optimisation import (heavy_ball_path, minibatch_noise, predicted_minibatch_noise,
                                             steps_to_converge)


def test_predicted_noise_is_the_finite_population_variance_of_a_mean():
    # three one-dimensional "gradients" 0, 1, 2: every batch of 2 can be listed by hand
    G = np.array([[0.0], [1.0], [2.0]])
    pairs = [0.5, 1.0, 1.5]  # the means of the three possible pairs; the full gradient is 1
    assert predicted_minibatch_noise(G, 2) == pytest.approx(np.sqrt(np.mean((np.array(pairs) - 1) ** 2)))
    assert predicted_minibatch_noise(G, 1) == pytest.approx(np.sqrt(2 / 3))  # the spread itself
    assert predicted_minibatch_noise(G, 3) == 0.0  # the full batch has no noise


def test_measured_noise_matches_the_closed_form_and_is_unbiased():
    rng = np.random.default_rng(0)
    G = rng.normal(size=(50, 3)) + np.array([1.0, -2.0, 0.5])
    noise = minibatch_noise(G, [1, 4, 16, 50], draws=4000, seed=1)
    for b, (rms, bias) in noise.items():
        assert rms == pytest.approx(predicted_minibatch_noise(G, b), rel=0.05, abs=1e-12)
        assert bias < 4 * predicted_minibatch_noise(G, 1) / np.sqrt(4000 * b) + 1e-12
    assert noise[50] == pytest.approx((0.0, 0.0), abs=1e-12)
    # quadrupling the batch (far from N) about halves the noise
    assert noise[1][0] / noise[4][0] == pytest.approx(2.0, rel=0.1)


def test_minibatch_noise_refuses_bad_batch_sizes():
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to N = 3"):
        minibatch_noise(np.zeros((3, 2)), [4])
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        predicted_minibatch_noise(np.zeros(5), 1)


def test_heavy_ball_path_is_nnlessons_sgd_with_momentum():
    H = np.array([[4.0, 1.0], [1.0, 0.5]])
    best = np.array([1.0, -2.0])
    path = heavy_ball_path(H, best, 0.25, (0.0, 0.0), lr=0.2, momentum=0.7, steps=30)
    w = nl.Tensor([0.0, 0.0], requires_grad=True)
    opt = nl.optim.SGD([w], lr=0.2, momentum=0.7)
    for k in range(30):
        d = w - nl.Tensor(best)
        loss = 0.25 + 0.5 * (d @ nl.Tensor(H) @ d)
        assert loss.item() == pytest.approx(path.losses[k], abs=1e-12)
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert np.allclose(w.data, path.path[k + 1], atol=1e-12)


def test_plain_descent_on_one_direction_is_a_geometric_sequence():
    # L(w) = (lam/2) w^2: one step multiplies w by 1 - lr lam; lr above 2/lam diverges
    lam = 5.0
    path = heavy_ball_path([[lam]], [0.0], 0.0, [1.0], lr=0.1, steps=10)
    assert np.allclose(path.path[:, 0], 0.5 ** np.arange(11))
    diverged = heavy_ball_path([[lam]], [0.0], 0.0, [1.0], lr=0.5, steps=100)
    assert len(diverged.losses) < 101 and steps_to_converge(diverged.losses, 0.0, steps=100) is None


def test_steps_to_converge_counts_the_last_entry_into_the_band():
    losses = [1.0, 0.1, 1e-7, 1e-5, 1e-8, 1e-9]
    assert steps_to_converge(losses, 0.0, tol=1e-6) == 4  # within 1e-6 from step 4 on, not step 2
    assert steps_to_converge([1.0, 0.5], 0.0) is None
    assert steps_to_converge([0.0, 0.0], 0.0) == 0
