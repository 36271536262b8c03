"""SGD: PyTorch's update rule (documented in torch.optim.SGD) and its argument checks."""

import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import Tensor, nn, optim


def test_plain_sgd_step_is_p_minus_lr_grad():
    p = Tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()  # grad 2p
    opt.step()
    np.testing.assert_allclose(p.data, [1.0 - 0.2, -2.0 + 0.4])


def test_momentum_follows_pytorch_buffer_rule():
    # torch.optim.SGD: b_1 = g_1, b_t = momentum * b_{t-1} + g_t, p -= lr * b_t.
    p = Tensor(1.0, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    expected, buf = 1.0, None
    for _ in range(4):
        opt.zero_grad()
        (p * p).backward()
        g = 2 * expected
        buf = g if buf is None else 0.9 * buf + g
        expected -= 0.1 * buf
        opt.step()
        assert p.item() == pytest.approx(expected, rel=1e-12)


def test_zero_grad_and_skipping_params_without_grad():
    a, b = Tensor(1.0, requires_grad=True), Tensor(5.0, requires_grad=True)
    opt = optim.SGD([a, b], lr=1.0)
    (a * 3).backward()
    opt.step()
    assert a.item() == -2.0 and b.item() == 5.0
    opt.zero_grad()
    assert a.grad is None


def test_gradient_descent_minimises_a_quadratic():
    nl.manual_seed(0)
    layer = nn.Linear(1, 1)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x = Tensor(np.linspace(-1, 1, 20).reshape(-1, 1))
    y = 3 * x.data - 1
    for _ in range(500):
        opt.zero_grad()
        loss = ((layer(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    assert layer.weight.item() == pytest.approx(3.0, abs=1e-6) and layer.bias.item() == pytest.approx(-1.0, abs=1e-6)


@pytest.mark.parametrize("lr", [-0.1, math.nan, "0.1"])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD([Tensor(1.0, requires_grad=True)], lr=lr)


def test_bad_momentum_and_params():
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD([Tensor(1.0, requires_grad=True)], lr=0.1, momentum=-1)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="parameter 0"):
        optim.SGD([Tensor(1.0)], lr=0.1)
