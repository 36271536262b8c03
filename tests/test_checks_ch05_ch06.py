"""Tests for nnlessons.checks.ch05 and ch06: right answers pass, wrong ones fail with a useful verdict."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons.checks.ch05 import ce_grad_reference, check_ce_grad
from nnlessons.checks.ch06 import check_backward, check_softsign_backward, make_op, numeric_vjp, softsign_forward
from tests.helpers import numeric_grad


def test_ce_grad_reference_is_the_derivative_of_the_mean_cross_entropy():
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7).astype(float), rng.normal(size=3)

    def ce(w):
        p = 1 / (1 + np.exp(-X @ w))
        return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))

    assert np.allclose(ce_grad_reference(w, X, y), numeric_grad(ce, w), atol=1e-8)
    # the lecture's single example: dCE/dw = (yhat - y) x
    yhat = 1 / (1 + np.exp(-0.5 * 2.0))
    assert ce_grad_reference(np.array([0.5]), np.array([[2.0]]), np.array([1.0]))[0] == pytest.approx((yhat - 1) * 2)


def test_check_ce_grad_accepts_right_and_rejects_wrong_answers(capsys):
    def right(w, X, y):
        return ((1 / (1 + np.exp(-X @ w)) - y) @ X) / len(y)

    assert check_ce_grad(right) is True
    assert "All 4 checks passed" in capsys.readouterr().out
    assert check_ce_grad(lambda w, X, y: (1 / (1 + np.exp(-X @ w)) - y) @ X) is False  # forgot the mean
    out = capsys.readouterr().out
    assert "batch of 5" in out and "wrong value" in out
    assert check_ce_grad(lambda w, X, y: (y - 1 / (1 + np.exp(-X @ w))) @ X / len(y)) is False  # sign
    capsys.readouterr()
    assert check_ce_grad(lambda w, X, y: None) is False
    assert "None" in capsys.readouterr().out


def test_numeric_vjp_matches_a_known_jacobian():
    x = np.array([0.3, -1.2, 2.0])
    g = np.array([1.0, 2.0, -0.5])
    assert np.allclose(numeric_vjp(np.sin, x, g), g * np.cos(x), atol=1e-9)
    A = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])
    assert np.allclose(numeric_vjp(lambda v: A @ v, x, g[:2]), A.T @ g[:2], atol=1e-8)


def test_check_softsign_backward(capsys):
    assert check_softsign_backward(lambda x, g: g / (1 + np.abs(x)) ** 2) is True
    assert "All 4 checks passed for softsign_backward" in capsys.readouterr().out
    assert check_softsign_backward(lambda x, g: 1 / (1 + np.abs(x)) ** 2) is False  # forgot the upstream g
    capsys.readouterr()
    assert check_softsign_backward(lambda x, g: g / (1 + x) ** 2) is False  # |x| dropped: wrong for x < 0
    out = capsys.readouterr().out
    assert "both signs" in out and "'a single number'" not in out.split("failing cases:")[1].split(")")[0]
    assert check_softsign_backward(lambda x, g: (g / (1 + np.abs(x)) ** 2).reshape(-1)) is False  # 0-d -> (1,)
    assert "shape" in capsys.readouterr().out
    assert check_softsign_backward(lambda x, g: 1 / 0) is False  # an exception is reported, not raised
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_check_backward_for_another_operation(capsys):
    inputs = {"vector": np.array([0.2, 1.5, -0.7])}
    assert check_backward(lambda x, g: g * np.exp(x), np.exp, inputs, name="exp_backward") is True
    assert check_backward(lambda x, g: g * x, np.exp, inputs, name="exp_backward") is False
    assert "exp_backward" in capsys.readouterr().out


def test_make_op_records_a_node_that_backward_and_gradcheck_use():
    softsign = make_op(softsign_forward, lambda x, g: g / (1 + np.abs(x)) ** 2, "softsign")
    x = nl.Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = softsign(x * 2.0).sum()
    assert y._parents[0]._op == "softsign"
    y.backward()
    assert np.allclose(x.grad, 2.0 / (1 + np.abs(2 * x.data)) ** 2)
    assert nl.gradcheck(lambda t: softsign(t) * t, [nl.Tensor([[0.3, -1.1], [2.0, -0.4]], requires_grad=True)])
    wrong = make_op(softsign_forward, lambda x, g: g, "softsign")
    with pytest.raises(nl.GradcheckError):
        nl.gradcheck(wrong, [nl.Tensor([0.5, -1.0], requires_grad=True)])
    assert softsign(nl.Tensor(1.0)).requires_grad is False  # no graph without requires_grad
