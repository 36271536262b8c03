"""Tests for nnlessons.checks.ch03: hand-written derivatives checked against autograd."""

import numpy as np
import pytest

from nnlessons.checks import Verdict
from nnlessons.checks.ch03 import ACTIVATIONS, check_derivative, derivative_cases, reference_derivative


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


RIGHT = {
    "sigmoid": lambda x: sigmoid(x) * (1.0 - sigmoid(x)),
    "tanh": lambda x: 1.0 - np.tanh(x) ** 2,
    "relu": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0),
    "leaky_relu": lambda x, slope: np.where(np.asarray(x) > 0, 1.0, slope),
    "elu": lambda x, alpha: np.where(np.asarray(x) > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))),
}


def test_reference_matches_the_closed_forms():
    x = np.linspace(-6.0, 6.0, 121)
    x = x[x != 0.0]  # the kink of the rectifiers
    for name, fn in RIGHT.items():
        params = ACTIVATIONS[name][2][:1]
        np.testing.assert_allclose(reference_derivative(name, x, *params), fn(x, *params), atol=1e-14)


def test_reference_at_the_kink_is_the_left_slope_as_in_pytorch():
    assert reference_derivative("relu", 0.0) == 0.0
    assert reference_derivative("leaky_relu", 0.0, 0.1) == 0.1
    assert reference_derivative("elu", 0.0, 0.5) == 0.5
    assert reference_derivative("sigmoid", 0.0) == 0.25


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_derivatives_pass(name, capsys):
    verdict = check_derivative(RIGHT[name], name)
    assert isinstance(verdict, Verdict) and bool(verdict) is True
    assert capsys.readouterr().out.startswith("\u2713 All ")


def test_cases_avoid_the_kink_of_rectifiers_and_include_zero_for_smooth_functions():
    for name in ("relu", "leaky_relu", "elu"):
        for args in derivative_cases(name).values():
            assert np.all(np.asarray(args[0]) != 0.0)
    assert any(np.all(np.asarray(a[0]) == 0.0) for a in derivative_cases("tanh").values())
    # a parametrised activation is checked at two parameter values
    assert {args[1] for args in derivative_cases("elu").values()} == {1.0, 0.5}


def test_forgetting_alpha_fails_on_the_other_alpha_and_says_where(capsys):
    def elu_derivative(x, alpha):
        return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))  # alpha left out: right only for alpha = 1

    assert not check_derivative(elu_derivative, "elu")
    out = capsys.readouterr().out
    assert "4 of 12 checks failed for elu_derivative" in out
    assert "Case 'a negative number, alpha=0.5' (inputs -0.75, 0.5): wrong value" in out
    assert f"expected {0.5 * np.exp(-0.75):.6g}, got {np.exp(-0.75):.6g}" in out


def test_the_function_instead_of_its_derivative_fails(capsys):
    assert not check_derivative(lambda x: np.tanh(x), "tanh")
    out = capsys.readouterr().out
    assert "your tanh derivative" in out and "wrong value" in out


def test_scalar_only_code_is_reported_as_an_exception_on_arrays(capsys):
    def relu_derivative(x):
        return 1.0 if x > 0 else 0.0

    assert not check_derivative(relu_derivative, "relu")
    out = capsys.readouterr().out
    assert "relu_derivative raised ValueError" in out and "Case 'a vector'" in out


def test_sigmoid_derivative_written_as_sigma_times_one_minus_sigma_is_exact_enough_at_large_x(capsys):
    # e^30 is finite; sigma(30) (1 - sigma(30)) is 9.4e-14 and agrees to the tolerances
    assert check_derivative(lambda x: sigmoid(x) * (1 - sigmoid(x)), "sigmoid")


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        check_derivative(lambda x: x, "swish")
    with pytest.raises(ValueError, match="has no parameter"):
        reference_derivative("relu", 1.0, 0.1)


def test_an_elu_derivative_that_overflows_for_large_x_fails_with_a_hint(capsys):
    def elu_derivative(x, alpha):
        return np.where(x > 0, 1.0, alpha * np.exp(x))  # right values, but e^1000 overflows on the way

    with np.errstate(over="ignore"):  # the values at +-1000 are right once the overflow is ignored ...
        assert np.array_equal(elu_derivative(np.array([-1000.0, 1000.0]), 1.0), [0.0, 1.0])
    verdict = check_derivative(elu_derivative, "elu")
    assert not verdict  # ... and still the check fails
    out = capsys.readouterr().out
    assert "2 of 12 checks failed for elu_derivative" in out
    assert "Case 'very large inputs, alpha=1'" in out and "overflow encountered in exp" in out
    assert "np.exp(np.minimum(x, 0))" in out


def test_an_elu_derivative_that_multiplies_inf_by_zero_fails(capsys):
    def elu_derivative(x, alpha):
        return (x > 0) * 1.0 + (x <= 0) * alpha * np.exp(x)  # 0 * inf = nan at x = 1000

    assert not check_derivative(elu_derivative, "elu")
    assert "very large inputs" in capsys.readouterr().out


def test_the_starter_returning_ones_fails_and_the_verdict_displays_nothing(capsys):
    verdict = check_derivative(lambda x, alpha: np.ones_like(np.asarray(x, dtype=float)), "elu")
    out = capsys.readouterr().out
    assert not verdict and verdict._ipython_display_() is None
    assert ("(failing cases: 'a negative number, alpha=1', 'a vector, alpha=1', 'large inputs, alpha=1', "
            "and 7 more)") in out
    assert "wrong value: expected 0.472367, got 1.0" in out
