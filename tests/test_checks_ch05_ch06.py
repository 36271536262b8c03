"""Tests for nnlessons.checks.ch05 and ch06: right answers pass, wrong ones fail with a useful verdict."""

import warnings

import numpy as np
import pytest

import nnlessons as nl
from nnlessons.checks import Verdict
from nnlessons.checks.ch05 import ce_grad_reference, check_ce_grad, check_softmax_ce_grad, softmax_ce_grad_autograd
from nnlessons.checks.ch06 import check_backward, check_softsign_backward, make_op, numeric_vjp, softsign_forward
from helpers import numeric_grad


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

    assert isinstance(check_ce_grad(right), Verdict) and check_ce_grad(right)
    assert "All 4 checks passed" in capsys.readouterr().out
    assert not check_ce_grad(lambda w, X, y: (1 / (1 + np.exp(-X @ w)) - y) @ X)  # forgot the mean
    out = capsys.readouterr().out
    assert "batch of 5" in out and "wrong value" in out
    assert "Hint: in every batch your answer is N times the expected one" in out
    assert not check_ce_grad(lambda w, X, y: (y - 1 / (1 + np.exp(-X @ w))) @ X / len(y))  # sign
    capsys.readouterr()
    assert not check_ce_grad(lambda w, X, y: None)
    assert "None" in capsys.readouterr().out


def test_numeric_vjp_matches_a_known_jacobian():
    x = np.array([0.3, -1.2, 2.0])
    g = np.array([1.0, 2.0, -0.5])
    assert np.allclose(numeric_vjp(np.sin, x, g), g * np.cos(x), atol=1e-9)
    A = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])
    assert np.allclose(numeric_vjp(lambda v: A @ v, x, g[:2]), A.T @ g[:2], atol=1e-8)


def test_check_softsign_backward(capsys):
    assert check_softsign_backward(lambda x, g: g / (1 + np.abs(x)) ** 2)
    assert "All 4 checks passed for softsign_backward" in capsys.readouterr().out
    assert not check_softsign_backward(lambda x, g: 1 / (1 + np.abs(x)) ** 2)  # forgot the upstream g
    capsys.readouterr()
    assert not check_softsign_backward(lambda x, g: g / (1 + x) ** 2)  # |x| dropped: wrong for x < 0
    out = capsys.readouterr().out
    assert "both signs" in out and "'a single number'" not in out.split("failing cases:")[1].split(")")[0]
    assert not check_softsign_backward(lambda x, g: (g / (1 + np.abs(x)) ** 2).reshape(-1))  # 0-d -> (1,)
    assert "shape" in capsys.readouterr().out
    assert not check_softsign_backward(lambda x, g: 1 / 0)  # an exception is reported, not raised
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_check_backward_for_another_operation(capsys):
    inputs = {"vector": np.array([0.2, 1.5, -0.7])}
    assert check_backward(lambda x, g: g * np.exp(x), np.exp, inputs, name="exp_backward")
    assert not check_backward(lambda x, g: g * x, np.exp, inputs, name="exp_backward")
    assert "exp_backward" in capsys.readouterr().out


def test_make_op_records_a_node_that_backward_and_gradcheck_use():
    softsign = make_op(softsign_forward, lambda x, g: g / (1 + np.abs(x)) ** 2, "softsign")
    x = nl.Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = softsign(x * 2.0).sum()
    assert y.inputs[0].op == "softsign"
    y.backward()
    assert np.allclose(x.grad, 2.0 / (1 + np.abs(2 * x.data)) ** 2)
    assert nl.gradcheck(lambda t: softsign(t) * t, [nl.Tensor([[0.3, -1.1], [2.0, -0.4]], requires_grad=True)])
    wrong = make_op(softsign_forward, lambda x, g: g, "softsign")
    with pytest.raises(nl.GradcheckError):
        nl.gradcheck(wrong, [nl.Tensor([0.5, -1.0], requires_grad=True)])
    assert softsign(nl.Tensor(1.0)).requires_grad is False  # no graph without requires_grad


def _softmax_rows(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax_ce_grad_autograd_matches_central_differences():
    rng = np.random.default_rng(3)
    Z, y = rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])

    def mean_ce(Z):
        shifted = Z - Z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-np.mean(log_p[np.arange(len(y)), y]))

    assert np.allclose(softmax_ce_grad_autograd(Z, y), numeric_grad(mean_ce, Z), atol=1e-9)
    # two classes with logits (0, z): the class-1 entry is (sigmoid(z) - y) / N, chapter 5's binary gradient
    z = np.array([1.5, -0.5])
    grad = softmax_ce_grad_autograd(np.stack([np.zeros(2), z], axis=1), np.array([1, 0]))
    assert np.allclose(grad[:, 1], (1 / (1 + np.exp(-z)) - np.array([1, 0])) / 2, atol=1e-15)


def test_check_softmax_ce_grad_accepts_right_and_rejects_wrong_answers(capsys):
    def right(Z, y):
        P = _softmax_rows(Z)
        P[np.arange(len(y)), y] -= 1
        return P / len(y)

    def no_max_shift(Z, y):  # the softmax the hint warns against: exp overflows for logits near 1000
        P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        P[np.arange(len(y)), y] -= 1
        return P / len(y)

    verdict = check_softmax_ce_grad(right)
    assert isinstance(verdict, Verdict) and verdict
    assert "All 4 checks passed for right" in capsys.readouterr().out
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the verdict, not a RuntimeWarning, tells the student
        assert not check_softmax_ce_grad(no_max_shift)
    out = capsys.readouterr().out
    assert "1 of 4 checks failed for no_max_shift" in out and "'large logits, such as 1000'" in out
    assert "FloatingPointError: overflow" in out and "subtract each row's largest logit" in out
    assert not check_softmax_ce_grad(lambda Z, y: right(Z, y) * len(y))  # forgot the mean over the batch
    out = capsys.readouterr().out
    assert "for your function" in out and "batch of 4" in out and "divide the sum by N" in out
    assert "one example" not in out.split("failing cases:")[1].split(")")[0]
    assert not check_softmax_ce_grad(lambda Z, y: _softmax_rows(Z) - 1)  # subtracted 1 everywhere
    out = capsys.readouterr().out
    assert "wrong value" in out and "Hint" not in out  # not a forgotten mean: no hint
    assert not check_softmax_ce_grad(lambda Z, y: None)
    assert "None (did you forget to return?)" in capsys.readouterr().out
