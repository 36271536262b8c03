"""mlp (networks from layer sizes) and predict (a model run without a graph)."""

import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn
from nnlessons.training.models import mlp, predict


def test_mlp_puts_the_activation_between_layers_only():
    net = mlp([2, 16, 16, 1], activation=nn.ReLU)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [m.weight.shape for m in net if isinstance(m, nn.Linear)] == [(16, 2), (16, 16), (1, 16)]
    assert [type(m).__name__ for m in mlp([3, 4])] == ["Linear"]


def test_mlp_pytorch_init_is_that_of_linear_layers_after_manual_seed():
    nl.manual_seed(3)
    by_hand = [nn.Linear(2, 5), nn.Linear(5, 1)]
    net = mlp([2, 5, 1], nn.Tanh, seed=3)
    for a, b in zip(by_hand, [net[0], net[2]]):
        assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)
        bound = 1 / math.sqrt(a.weight.shape[1])  # PyTorch: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        assert np.all(np.abs(b.weight.data) <= bound)


def test_mlp_normal_init_draws_from_its_own_seed_and_leaves_the_global_generator():
    state = nl.default_rng().bit_generator.state
    net = mlp([4, 3, 2], init="normal", seed=5, gain=2.0, bias_std=0.5)
    assert nl.default_rng().bit_generator.state == state
    rng = np.random.default_rng(5)
    W1 = rng.normal(0.0, math.sqrt(2.0 / 4), size=(3, 4))
    b1 = rng.normal(0.0, 0.5, size=3)
    assert np.array_equal(net[0].weight.data, W1) and np.array_equal(net[0].bias.data, b1)
    zero_bias = mlp([4, 3], init="normal", seed=5)
    assert np.array_equal(zero_bias[0].bias.data, np.zeros(3))


def test_mlp_refuses_bad_arguments_naming_them():
    with pytest.raises(ValueError, match="at least two sizes"):
        mlp([3])
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1, got sizes\[1\]=0"):
        mlp([3, 0, 1])
    with pytest.raises(ValueError, match="init must be one of"):
        mlp([3, 1], init="xavier")
    with pytest.raises(ValueError, match="2 layers need 2 bias flags"):
        mlp([3, 2, 1], bias=[True])


def test_predict_runs_without_a_graph_and_returns_an_array():
    net = nn.Linear(2, 1)
    net.weight.data[...] = [[1.0, -2.0]]
    net.bias.data[...] = 0.5
    out = predict(net, [[1.0, 1.0], [0.0, 2.0]])
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert np.array_equal(out, [[-0.5], [-3.5]])  # 1 - 2 + 0.5 and -4 + 0.5
    assert net.weight.grad is None
    assert np.array_equal(predict(np.sin, np.array([[0.0]])), [[0.0]])  # a NumPy function gets the array
