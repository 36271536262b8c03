"""Activations and losses: values and derivatives at chosen points, gradients against central
differences, PyTorch's semantics at the edges, stability for huge inputs, and the error messages."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import nnlessons as nl
from nnlessons import Tensor, functional as F

from helpers import numeric_grad


def grad_at(fn, x, **kw):
    t = Tensor(x, requires_grad=True)
    fn(t, **kw).sum().backward()
    return t.grad


def sig(x):
    return 1 / (1 + math.exp(-x))


# ---------------------------------------------------------------- activations
@pytest.mark.parametrize("x", [-10.0, -5.0, -1.0, 0.0, 0.5, 5.0, 10.0])
def test_sigmoid_and_tanh_values_and_derivatives(x):
    assert F.sigmoid(Tensor(x)).item() == pytest.approx(sig(x), rel=1e-12)
    assert grad_at(F.sigmoid, x) == pytest.approx(sig(x) * (1 - sig(x)), rel=1e-9)
    assert F.tanh(Tensor(x)).item() == pytest.approx(2 * sig(2 * x) - 1, abs=1e-12)
    assert grad_at(F.tanh, x) == pytest.approx(1 - math.tanh(x) ** 2, rel=1e-9, abs=1e-15)


def test_sigmoid_derivative_peaks_at_a_quarter():
    xs = np.linspace(-10, 10, 2001)
    g = grad_at(F.sigmoid, xs)
    assert g.max() == pytest.approx(0.25) and xs[g.argmax()] == pytest.approx(0.0)


def test_gradients_at_exactly_zero_follow_pytorch():
    assert grad_at(F.relu, 0.0) == 0.0
    assert grad_at(F.leaky_relu, 0.0) == 0.01
    assert grad_at(F.leaky_relu, 0.0, negative_slope=0.1) == 0.1
    assert grad_at(F.elu, 0.0) == 1.0
    assert grad_at(F.elu, 0.0, alpha=0.7) == 0.7
    x, a = Tensor(0.0, requires_grad=True), Tensor([0.25], requires_grad=True)
    F.prelu(x, a).backward()
    assert x.grad == 0.25


@pytest.mark.parametrize("x,relu,leaky,elu", [(-2.0, 0.0, -0.02, math.exp(-2) - 1), (3.0, 3.0, 3.0, 3.0)])
def test_piecewise_activation_values(x, relu, leaky, elu):
    assert F.relu(Tensor(x)).item() == relu
    assert F.leaky_relu(Tensor(x)).item() == pytest.approx(leaky)
    assert F.elu(Tensor(x)).item() == pytest.approx(elu)
    assert grad_at(F.relu, x) == (1.0 if x > 0 else 0.0)
    assert grad_at(F.elu, x) == pytest.approx(1.0 if x > 0 else math.exp(x))


def test_prelu_learns_its_slope_gradient():
    x = Tensor([[-2.0, 1.0], [-1.0, -3.0]], requires_grad=True)
    a = Tensor([0.25], requires_grad=True)
    F.prelu(x, a).sum().backward()
    assert a.grad == pytest.approx([-6.0])  # sum of the negative inputs
    np.testing.assert_allclose(x.grad, [[0.25, 1.0], [0.25, 0.25]])
    per_channel = Tensor([0.1, 0.2], requires_grad=True)
    out = F.prelu(x, per_channel)
    np.testing.assert_allclose(out.data, [[-0.2, 1.0], [-0.1, -0.6]])
    out.sum().backward()
    np.testing.assert_allclose(per_channel.grad, [-3.0, -3.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        F.prelu(x, Tensor([0.1, 0.2, 0.3]))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), elements=st.floats(-4, 4)))
def test_activation_gradients_against_central_differences(a):
    a = np.where(np.abs(a) < 1e-3, 0.3, a)
    np_forms = {
        F.leaky_relu: lambda x: np.where(x > 0, x, 0.01 * x),
        F.elu: lambda x: np.where(x > 0, x, np.exp(x) - 1),
        F.softplus: lambda x: np.log1p(np.exp(x)),
        F.softmax: lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
        F.log_softmax: lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    }
    v = np.random.default_rng(0).standard_normal(a.shape)
    for fn, np_fn in np_forms.items():
        np.testing.assert_allclose(fn(Tensor(a)).data, np_fn(a), rtol=1e-10, atol=1e-12)
        t = Tensor(a, requires_grad=True)
        (fn(t) * v).sum().backward()
        np.testing.assert_allclose(t.grad, numeric_grad(lambda z: np.sum(v * np_fn(z)), a), rtol=1e-5, atol=1e-7)


def test_softmax_along_other_dim():
    x = np.arange(6.0).reshape(2, 3)
    s = F.softmax(Tensor(x), dim=0).data
    np.testing.assert_allclose(s.sum(axis=0), 1.0)
    np.testing.assert_allclose(s[:, 0], [1 / (1 + math.e**3), math.e**3 / (1 + math.e**3)])
    assert nl.gradcheck(lambda t: F.softmax(t, dim=0), Tensor(x, requires_grad=True))
    assert nl.gradcheck(lambda t: F.log_softmax(t, dim=0), Tensor(x, requires_grad=True))


def test_linear_is_x_wT_plus_b():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    np.testing.assert_allclose(F.linear(Tensor(x), Tensor(w), Tensor(b)).data, x @ w.T + b)
    ts = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    assert nl.gradcheck(F.linear, ts)
    one = [Tensor(rng.standard_normal(3), requires_grad=True), ts[1], ts[2]]
    assert nl.gradcheck(F.linear, one)
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(2, 3\)"):
        F.linear(Tensor(np.ones((4, 5))), Tensor(w))


# --------------------------------------------------------------------- losses
def test_cross_entropy_matches_its_definition_and_gradient():
    rng = np.random.default_rng(3)
    z, t = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    expected = -np.log(p[np.arange(5), t])
    assert F.cross_entropy(Tensor(z), t).item() == pytest.approx(expected.mean())
    assert F.cross_entropy(Tensor(z), t, reduction="sum").item() == pytest.approx(expected.sum())
    np.testing.assert_allclose(F.cross_entropy(Tensor(z), t, reduction="none").data, expected)
    zt = Tensor(z, requires_grad=True)
    F.cross_entropy(zt, t).backward()
    onehot = np.eye(4)[t]
    np.testing.assert_allclose(zt.grad, (p - onehot) / 5)
    for red in ("mean", "sum", "none"):
        assert nl.gradcheck(lambda x: F.cross_entropy(x, t, reduction=red), Tensor(z, requires_grad=True))
    assert F.cross_entropy(Tensor(z[0]), 0).item() == pytest.approx(expected[0])  # one unbatched example


def test_logistic_regression_gradient_is_yhat_minus_y_times_x():
    """The lecture's derivation: for CE with yhat = sigma(w x), dCE/dw = (yhat - y) x."""
    for x, y, w in [(1.5, 1.0, 0.3), (-2.0, 0.0, 0.7), (0.4, 1.0, -1.2)]:
        wt = Tensor(w, requires_grad=True)
        F.binary_cross_entropy_with_logits(wt * x, np.array(y)).backward()
        assert wt.grad == pytest.approx((sig(w * x) - y) * x, rel=1e-12)
        wt.grad = None
        F.binary_cross_entropy(F.sigmoid(wt * x), np.array(y)).backward()
        assert wt.grad == pytest.approx((sig(w * x) - y) * x, rel=1e-9)


def test_bce_values_and_pytorch_clamping():
    p, t = np.array([0.2, 0.9, 0.5]), np.array([0.0, 1.0, 1.0])
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert F.binary_cross_entropy(Tensor(p), t).item() == pytest.approx(expected.mean())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.binary_cross_entropy(Tensor([0.0, 1.0]), np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(out.data, [100.0, 100.0])  # log clamped at -100, as in PyTorch
    assert nl.gradcheck(lambda x: F.binary_cross_entropy(x, t), Tensor(p, requires_grad=True))
    with pytest.raises(ValueError, match=r"\[0, 1\].*1.5"):
        F.binary_cross_entropy(Tensor([0.5, 1.5]), np.array([0.0, 1.0]))


def test_bce_with_logits_and_mse():
    rng = np.random.default_rng(2)
    z, t = rng.standard_normal(6), rng.integers(0, 2, 6).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert F.binary_cross_entropy_with_logits(Tensor(z), t).item() == pytest.approx(
        np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))
    assert nl.gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, t, reduction="sum"), Tensor(z, requires_grad=True))
    y = rng.standard_normal(6)
    assert F.mse_loss(Tensor(z), y).item() == pytest.approx(np.mean((z - y) ** 2))
    assert F.mse_loss(Tensor(z), y, reduction="sum").item() == pytest.approx(np.sum((z - y) ** 2))
    assert nl.gradcheck(lambda x: F.mse_loss(x, y, reduction="none"), Tensor(z, requires_grad=True))


# ---------------------------------------------------------- extreme inputs
def test_huge_inputs_give_finite_values_and_gradients_without_warnings():
    x = np.array([-1e4, -30.0, 0.0, 30.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (F.sigmoid, F.tanh, F.softplus, F.elu, F.log_softmax, F.softmax):
            t = Tensor(x, requires_grad=True)
            out = fn(t)
            (out * np.arange(5.0)).sum().backward()
            assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(t.grad)), fn.__name__
        np.testing.assert_allclose(F.softplus(Tensor(x)).data, [0, math.log1p(math.exp(-30)), math.log(2), 30 + math.log1p(math.exp(-30)), 1e4])
        np.testing.assert_allclose(F.log_softmax(Tensor([1e4, 0.0])).data, [0.0, -1e4])
        logits = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]]), requires_grad=True)
        ce = F.cross_entropy(logits, np.array([1, 1]))
        ce.backward()
        assert ce.item() == pytest.approx(1e4) and np.all(np.isfinite(logits.grad))
        z = Tensor(x, requires_grad=True)
        bce = F.binary_cross_entropy_with_logits(z, np.array([1.0, 1, 1, 0, 0]), reduction="none")
        bce.sum().backward()
        np.testing.assert_allclose(bce.data, [1e4, 30 + math.log1p(math.exp(-30)), math.log(2), 30 + math.log1p(math.exp(-30)), 1e4])
        assert np.all(np.isfinite(z.grad))


# ---------------------------------------------------------------- bad input
def test_cross_entropy_errors():
    z = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"target 4 is out of range for 4 classes"):
        F.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"target -1 is out of range"):
        F.cross_entropy(z, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(3,\).*\(2,\)"):
        F.cross_entropy(z, np.array([0, 1]))
    with pytest.raises(ValueError, match="integer class indices"):
        F.cross_entropy(z, np.array([0.5, 1.0, 2.0]))


@pytest.mark.parametrize("loss", [F.mse_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_losses_refuse_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        loss(Tensor(np.full((4, 1), 0.5)), np.zeros(4))


@pytest.mark.parametrize("loss,args", [
    (F.mse_loss, (Tensor([1.0]), np.array([1.0]))),
    (F.cross_entropy, (Tensor([[1.0, 2.0]]), np.array([0]))),
    (F.binary_cross_entropy_with_logits, (Tensor([1.0]), np.array([1.0]))),
    (F.binary_cross_entropy, (Tensor([0.5]), np.array([1.0]))),
])
def test_unknown_reduction(loss, args):
    with pytest.raises(ValueError, match="reduction.*'avg'"):
        loss(*args, reduction="avg")
