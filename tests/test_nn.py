"""Modules: parameters, PyTorch's Linear layout and initialisation, containers, error messages."""

import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import Tensor, nn, functional as F


def test_linear_layout_is_out_by_in_and_computes_x_wT_plus_b():
    nl.manual_seed(0)
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.array([[1.0, 2.0, 3.0]])
    z = layer(Tensor(x)).data
    # z_i = sum_j W_ij x_j + b_i, written out with loops
    for i in range(2):
        assert z[0, i] == pytest.approx(sum(layer.weight.data[i, j] * x[0, j] for j in range(3)) + layer.bias.data[i])


def test_linear_initialisation_matches_pytorch_bounds():
    nl.manual_seed(1)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = layer.weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)  # uniform(-b, b) has sd b / sqrt(3)
    assert np.abs(layer.bias.data).max() <= bound


def test_manual_seed_makes_initialisation_repeatable():
    nl.manual_seed(7)
    a = nn.Linear(4, 4).weight.data.copy()
    nl.manual_seed(7)
    b = nn.Linear(4, 4).weight.data
    nl.manual_seed(8)
    c = nn.Linear(4, 4).weight.data
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_sequential_parameters_names_and_indexing():
    net = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3, bias=False), nn.PReLU())
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "3.weight"]
    assert len(list(net.parameters())) == 4
    assert isinstance(net[1], nn.Tanh) and len(net) == 4 and isinstance(net[-1], nn.PReLU)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "PReLU"]
    assert len(net[:2]) == 2
    assert "Linear(in_features=2, out_features=5, bias=True)" in repr(net)


def test_activation_modules_match_functional():
    x = Tensor(np.linspace(-3, 3, 13))
    pairs = [(nn.Sigmoid(), 1 / (1 + np.exp(-x.data))), (nn.Tanh(), np.tanh(x.data)), (nn.ReLU(), np.maximum(x.data, 0)),
             (nn.LeakyReLU(0.1), np.maximum(0.1 * x.data, x.data)), (nn.ELU(0.5), np.where(x.data > 0, x.data, 0.5 * np.expm1(x.data))),
             (nn.PReLU(init=0.2), np.maximum(0.2 * x.data, x.data)), (nn.Identity(), x.data)]
    for module, expected in pairs:
        np.testing.assert_allclose(module(x).data, expected, atol=1e-15)


def test_custom_module_registers_nested_parameters_and_zero_grad():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 3)
            self.out = nn.Linear(3, 1)
            self.scale = nn.Parameter(1.0)

        def forward(self, x):
            return self.out(self.hidden(x).relu()) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    net(Tensor(np.ones((4, 2)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert len(list(net.modules())) == 3 and len(list(net.children())) == 2


def test_state_dict_round_trip():
    net = nn.Sequential(nn.Linear(2, 2))
    saved = net.state_dict()
    net[0].weight.data += 1.0
    assert not np.array_equal(saved["0.weight"], net[0].weight.data)
    net.load_state_dict(saved)
    assert np.array_equal(saved["0.weight"], net[0].weight.data)
    with pytest.raises(ValueError, match=r"0.bias.*\(2,\).*\(3,\)"):
        net.load_state_dict({"0.weight": saved["0.weight"], "0.bias": np.zeros(3)})


def test_linear_width_mismatch_names_both_shapes():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(2, 3\)"):
        layer(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 2)


def test_sequential_refuses_non_modules():
    with pytest.raises(TypeError, match="argument 1 is a function"):
        nn.Sequential(nn.Linear(1, 1), F.relu)
