"""Tests for nnlessons.chapters.circles_vote: the vote reading of a 2 -> 3 -> 2 tanh network is the network's
own decision (compared with its forward pass), and hand-made networks give the regions geometry predicts."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn
from nnlessons.chapters.circles_vote import draw_vote, inner_region, network_says_inner, triangle_report, vote

# three lines tangent to the unit circle, normals at 90, 210 and 330 degrees: an equilateral triangle
NORMALS = np.array([[np.cos(a), np.sin(a)] for a in np.radians([90, 210, 330])])


def hand_made(steep, weights=(1.0, 1.0, 1.0), bias_diff=-2.0, flip=()):
    """Units tanh(steep * (1 - n_i . x)): positive inside the triangle; class-1 score minus class-0 score is
    sum_i weights_i h_i + bias_diff. ``flip`` negates those units (and their output weights)."""
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
    W, b, a = -steep * NORMALS, steep * np.ones(3), np.array(weights, dtype=float)
    for i in flip:
        W[i], b[i], a[i] = -W[i], -b[i], -a[i]
    net[0].weight.data[...] = W
    net[0].bias.data[...] = b
    net[2].weight.data[...] = np.vstack([np.zeros(3), a])
    net[2].bias.data[...] = [0.0, bias_diff]
    return net


def test_the_vote_is_the_networks_decision():
    nl.manual_seed(3)
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))
    net[2].weight.data[...] *= 8
    X = np.random.default_rng(0).uniform(-2, 2, size=(5000, 2))
    v = vote(net)
    assert np.array_equal(inner_region(v, X), network_says_inner(net, X))
    assert network_says_inner(net, X).any() and not network_says_inner(net, X).all()


def test_orientation_does_not_change_the_vote():
    v = vote(hand_made(3.0, weights=(2.0, 3.0, 4.0), bias_diff=-5.0))
    w = vote(hand_made(3.0, weights=(2.0, 3.0, 4.0), bias_diff=-5.0, flip=(0, 2)))
    np.testing.assert_allclose(w.weights, [2.0, 3.0, 4.0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(w.signs, [-1.0, 1.0, -1.0])
    assert w.threshold == pytest.approx(5.0 / 3.0) == v.threshold


def test_steep_units_with_threshold_two_give_the_triangle():
    # tanh is nearly a sign: the sum of votes is 3 inside the triangle and at most 1 outside it
    v = vote(hand_made(200.0, bias_diff=-2.0))
    assert v.threshold == pytest.approx(2.0)
    report = triangle_report(v, low=-3, high=3, n=301)
    assert report["area_outside"] < 0.02 and report["area_cut"] < 0.02


def test_a_lower_threshold_crosses_the_sides_and_a_higher_one_cuts_the_corners():
    v = vote(hand_made(3.0))
    centre_of_side = 1.1 * NORMALS[0]      # just outside side 1, in the middle
    corner = np.array([0.0, -1.9])          # inside the triangle, near the corner opposite side 1 (at (0, -2))
    assert inner_region(v, centre_of_side[None], threshold=1.5)[0]
    assert not inner_region(v, corner[None], threshold=1.5)[0]
    assert inner_region(v, corner[None], threshold=0.5)[0]
    # far away across a side one unit votes -1 and two vote +1: a sum of 1, so t < 1 is unbounded
    far = 50 * NORMALS[0]
    assert inner_region(v, far[None], threshold=0.9)[0] and not inner_region(v, far[None], threshold=1.1)[0]


def test_triangle_report_counts_points():
    v = vote(hand_made(3.0))
    X = np.array([[0.0, 0.0], [0.0, 1.2], [0.0, -0.5], [3.0, 3.0]])
    y = np.array([1, 1, 1, 0])
    report = triangle_report(v, X, y)
    assert report["inner_points"] == 3 and report["inner_points_outside"] == 1


def test_vote_refuses_other_networks_and_draw_returns_axes():
    with pytest.raises(ValueError, match="Linear\\(2, H\\), Tanh\\(\\), Linear\\(H, 2\\)"):
        vote(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2)))
    import matplotlib.pyplot as plt

    ax = draw_vote(vote(hand_made(3.0)), np.zeros((2, 2)), np.array([0, 1]), 1.5)
    assert "threshold t = 1.50" in ax.get_title()
    plt.close("all")


def test_train_snapshots_keep_the_initial_and_final_weights():
    from nnlessons import functional as F
    from nnlessons.chapters.circles_vote import train_snapshots
    from nnlessons.training import fit
    from nnlessons.training.data import circles

    X, y = circles(60, seed=2)
    s = train_snapshots(X, y, hidden=(2,), epochs=(0, 5, 20), lr=0.5, seed=1)
    nl.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2))
    for name, value in fresh.state_dict().items():
        assert np.array_equal(s.states[2, 0][name], value)
    history = fit(fresh, F.cross_entropy, X, y, epochs=5, lr=0.5)
    for name, value in fresh.state_dict().items():
        assert np.array_equal(s.states[2, 5][name], value)
    assert len(s.losses[2]) == 20 and s.losses[2][:5] == history.train_loss
    assert sorted(s.states) == [(2, 0), (2, 5), (2, 20)] and 0 <= s.accuracy[2] <= 1
