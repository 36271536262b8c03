"""Tests for nnlessons.checks.ch03: hand-written derivatives checked against autograd."""

import numpy as np
import pytest

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
    assert check_derivative(RIGHT[name], name) is True
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
        return np.where(x > 0, 1.0, np.exp(x))  # alpha left out: right only for alpha = 1

    assert check_derivative(elu_derivative, "elu") is False
    out = capsys.readouterr().out
    assert "4 of 10 checks failed for elu_derivative" in out
    assert "Case 'a negative number, alpha=0.5' (inputs -0.75, 0.5): wrong value" in out
    assert f"expected {0.5 * np.exp(-0.75):.6g}, got {np.exp(-0.75):.6g}" in out


def test_the_function_instead_of_its_derivative_fails(capsys):
    assert check_derivative(lambda x: np.tanh(x), "tanh") is False
    out = capsys.readouterr().out
    assert "your tanh derivative" in out and "wrong value" in out


def test_scalar_only_code_is_reported_as_an_exception_on_arrays(capsys):
    def relu_derivative(x):
        return 1.0 if x > 0 else 0.0

    assert check_derivative(relu_derivative, "relu") is False
    out = capsys.readouterr().out
    assert "relu_derivative raised ValueError" in out and "Case 'a vector'" in out


def test_sigmoid_derivative_written_as_sigma_times_one_minus_sigma_is_exact_enough_at_large_x(capsys):
    # e^30 is finite; sigma(30) (1 - sigma(30)) is 9.4e-14 and agrees to the tolerances
    assert check_derivative(lambda x: sigmoid(x) * (1 - sigmoid(x)), "sigmoid") is True


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        check_derivative(lambda x: x, "swish")
    with pytest.raises(ValueError, match="has no parameter"):
        reference_derivative("relu", 1.0, 0.1)
