"""gradcheck passes correct gradients and names the place of a wrong one."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import Tensor


def test_passes_on_a_correct_function():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    w = Tensor(np.random.default_rng(1).standard_normal((2, 4)), requires_grad=True)
    assert nl.gradcheck(lambda a, b: (a @ b).tanh(), (x, w)) is True
    assert x.grad is None  # gradcheck leaves the inputs' gradients as they were


def test_names_input_index_and_values_when_wrong():
    def wrong_square(t):
        # a deliberately wrong backward: d(x^2)/dx reported as x instead of 2x
        return Tensor.from_op(t.data**2, (t,), lambda g: (g * t.data,), "bad_square")

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(nl.GradcheckError, match=r"input 0 .*index \(0,\).*autograd gives .* central differences give"):
        nl.gradcheck(wrong_square, (x,))


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        nl.gradcheck(lambda a: a * 2, (Tensor(1.0),))


def test_non_leaf_input_gets_a_correct_verdict():
    # the input is itself computed (y = 2x): gradcheck differentiates with respect to y, as PyTorch does
    x = Tensor([0.3, -1.2], requires_grad=True)
    y = x * 2
    assert nl.gradcheck(lambda a: (a * a).sum(), (y,)) is True

    def wrong_square(t):
        return Tensor.from_op(t.data**2, (t,), lambda g: (g * t.data,), "bad_square")

    with pytest.raises(nl.GradcheckError, match="input 0"):
        nl.gradcheck(wrong_square, (y,))


def test_non_contiguous_input_gets_a_correct_verdict():
    base = np.random.default_rng(2).standard_normal((3, 4))
    x = Tensor(np.ones((4, 3)), requires_grad=True)
    x.data = base.T  # a transposed view: flattening it makes a copy, so nudging must go through a copy
    assert not x.data.flags.c_contiguous
    assert nl.gradcheck(lambda a: (a.sin() * a).sum(), (x,)) is True

    def wrong_backward(t):  # returns zeros: a wrong backward that a check that cannot nudge would pass
        return Tensor.from_op(np.sin(t.data), (t,), lambda g: (np.zeros_like(t.data),), "bad_sin")

    with pytest.raises(nl.GradcheckError, match="autograd gives 0 "):
        nl.gradcheck(wrong_backward, (x,))


def test_numeric_grad_matches_closed_forms():
    from nnlessons.gradcheck import numeric_grad

    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    # d/dx sum(x^3) = 3 x^2 and d/dx sum(sin x) = cos x
    assert np.allclose(numeric_grad(lambda a: float(np.sum(a ** 3)), x), 3 * x ** 2, atol=1e-6)
    assert np.allclose(numeric_grad(lambda a: float(np.sum(np.sin(a))), x), np.cos(x), atol=1e-8)
    assert np.array_equal(x, [[0.5, -1.0], [2.0, 0.25]])  # every nudge was undone


def test_numeric_grad_refuses_an_array_it_cannot_nudge():
    from nnlessons.gradcheck import numeric_grad

    with pytest.raises(ValueError, match="C-contiguous float array"):
        numeric_grad(lambda a: float(a.sum()), np.ones((3, 2)).T)
    with pytest.raises(ValueError, match="C-contiguous float array"):
        numeric_grad(lambda a: float(a.sum()), np.arange(3))
