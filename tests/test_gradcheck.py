"""gradcheck passes correct gradients and names the place of a wrong one."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import Tensor
from nnlessons.tensor import Tensor as _T


def test_passes_on_a_correct_function():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    w = Tensor(np.random.default_rng(1).standard_normal((2, 4)), requires_grad=True)
    assert nl.gradcheck(lambda a, b: (a @ b).tanh(), (x, w)) is True
    assert x.grad is None  # gradcheck leaves the inputs' gradients as they were


def test_names_input_index_and_values_when_wrong():
    def wrong_square(t):
        # a deliberately wrong backward: d(x^2)/dx reported as x instead of 2x
        return _T._make(t.data**2, (t,), lambda g: (g * t.data,), "bad_square")

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(nl.GradcheckError, match=r"input 0 .*index \(0,\).*autograd gives .* central differences give"):
        nl.gradcheck(wrong_square, (x,))


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        nl.gradcheck(lambda a: a * 2, (Tensor(1.0),))
