"""Tests for nnlessons.chapters.linear_regions, against counts known in closed form.

One hidden layer on a line: its pieces are cut at the points -b_i / w_i; the tent map composed L times has
2^L pieces on [0, 1]; lines in general position cut the plane into 1 + n + n(n - 1)/2 regions.
"""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn
from nnlessons.chapters.linear_regions import (activation_patterns, max_pieces_one_layer, piece_counts, pieces_1d,
                                               regions_2d, relu_network, sawtooth_network)


def forward(net, X):
    with nl.no_grad():
        return net(nl.Tensor(np.asarray(X, dtype=float))).data


def set_layers(net, params):
    for layer, (W, b) in zip([m for m in net if isinstance(m, nn.Linear)], params):
        layer.weight.data[...] = W
        layer.bias.data[...] = b
    return net


def test_relu_network_is_the_seeded_network_and_leaves_the_generator_alone():
    nl.manual_seed(99)
    expected_draw = nl.default_rng().uniform(size=2)
    nl.manual_seed(99)
    net = relu_network(2, 5, 3, seed=4)
    assert np.array_equal(nl.default_rng().uniform(size=2), expected_draw)
    nl.manual_seed(4)
    same = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(),
                         nn.Linear(5, 1))
    assert [type(m).__name__ for m in net] == [type(m).__name__ for m in same]
    for (_, a), (_, b) in zip(net.named_parameters(), same.named_parameters()):
        assert np.array_equal(a.data, b.data)
    with pytest.raises(ValueError, match="at least 1"):
        relu_network(1, 0, 2)


def test_activation_patterns_of_a_hand_made_layer():
    net = set_layers(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
                     [(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.0, -0.5])),
                      (np.array([[1.0, 2.0, 3.0]]), np.array([0.0]))])
    X = np.array([[1.0, 1.0], [-1.0, 2.0], [0.2, 0.1], [-1.0, -1.0]])
    patterns, out = activation_patterns(net, X)
    assert patterns.tolist() == [[True, True, True], [False, True, True], [True, True, False], [False, False, False]]
    relu = np.maximum
    expected = relu(X[:, 0], 0) + 2 * relu(X[:, 1], 0) + 3 * relu(X.sum(axis=1) - 0.5, 0)
    np.testing.assert_allclose(out[:, 0], expected, rtol=0, atol=1e-14)
    with pytest.raises(TypeError, match="Linear and ReLU"):
        activation_patterns(nn.Sequential(nn.Linear(2, 2), nn.Tanh()), X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pieces_of_one_hidden_layer_are_cut_at_minus_b_over_w(seed):
    net = relu_network(1, 12, 1, seed=seed)
    w, b = net[0].weight.data[:, 0], net[0].bias.data
    a = net[2].weight.data[0]
    kinks = -b / w
    inside = np.sort(kinks[(np.abs(kinks) < 3) & (np.abs(a) > 0)])
    pieces, breakpoints = pieces_1d(net, -3, 3, n=60001)
    assert pieces == len(inside) + 1
    np.testing.assert_allclose(breakpoints, inside, rtol=0, atol=1e-4)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 6])
def test_the_sawtooth_has_two_to_the_depth_pieces(depth):
    net = sawtooth_network(depth)
    x = np.linspace(0, 1, 1001)
    tent = x.copy()
    for _ in range(depth):
        tent = 1 - np.abs(2 * tent - 1)                 # the tent map, composed with itself
    np.testing.assert_allclose(forward(net, x[:, None])[:, 0], tent, rtol=0, atol=1e-12)
    pieces, breakpoints = pieces_1d(net, 0, 1, n=20001)
    assert pieces == 2 ** depth
    np.testing.assert_allclose(breakpoints, np.arange(1, 2 ** depth) / 2 ** depth, rtol=0, atol=1e-4)
    assert sum(m.out_features for m in net if isinstance(m, nn.Linear)) - 1 == 2 * depth  # 2 units a layer


def test_a_piece_with_the_same_map_on_both_sides_is_not_a_breakpoint():
    # two units that switch on at x = 0 and x = 1, the second with output weight 0: one kink only
    net = set_layers(nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)),
                     [(np.array([[1.0], [1.0]]), np.array([0.0, -1.0])), (np.array([[1.0, 0.0]]), np.array([0.0]))])
    pieces, breakpoints = pieces_1d(net, -2, 2, n=4001)
    assert pieces == 2
    np.testing.assert_allclose(breakpoints, [0.0], atol=1e-3)


def test_regions_of_lines_in_general_position():
    # units relu(x1), relu(x2), relu(x1 + x2 - 0.5): three lines, no two parallel, not through one point
    net = set_layers(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
                     [(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.0, -0.5])),
                      (np.ones((1, 3)), np.zeros(1))])
    x1, x2, region, count, out = regions_2d(net, -2, 2, n=101)
    assert count == 7 == max_pieces_one_layer(3, n_in=2)
    assert region.shape == x1.shape == x2.shape == (101, 101) and out.shape == (101, 101, 1)
    # two points on the same side of every line share a region; across a line they do not
    assert region[80, 80] == region[90, 95] and region[80, 80] != region[20, 80]


def test_max_pieces_one_layer():
    assert [max_pieces_one_layer(n) for n in (1, 2, 8)] == [2, 3, 9]
    assert [max_pieces_one_layer(n, 2) for n in (1, 2, 3, 4, 32)] == [2, 4, 7, 11, 529]
    with pytest.raises(ValueError, match="n_in must be 1 or 2"):
        max_pieces_one_layer(3, 3)


def test_piece_counts_respect_the_one_layer_bounds():
    widths = (2, 4, 8)
    one_d = piece_counts(widths, (1, 2), seeds=(0, 1), dims=1, n=4001)
    two_d = piece_counts(widths, (1,), seeds=(0, 1), dims=2, n=60)
    assert one_d.shape == (2, 3) and two_d.shape == (1, 3)
    assert np.all(one_d[0] <= np.array([max_pieces_one_layer(w) for w in widths]))
    assert np.all(two_d[0] <= np.array([max_pieces_one_layer(w, 2) for w in widths]))
    assert np.all(one_d >= 1)
    with pytest.raises(ValueError, match="dims must be 1 or 2"):
        piece_counts(widths, (1,), dims=3)
