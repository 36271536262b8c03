"""Tests for nnlessons.checks: the verdicts a student sees for right and wrong answers."""

import math

import numpy as np
import pytest

import nnlessons as nl
from nnlessons.checks import check_function, check_value, compare


def reference_sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


CASES = {
    "zero": (0.0,),
    "vector": (np.array([-2.0, 0.0, 2.0]),),
    "matrix": (np.array([[-1.0, 0.5], [3.0, -4.0]]),),
}
SIGMOID_2 = 1 / (1 + math.exp(-2))  # 0.8807970779778823


def run(capsys, *args, **kwargs):
    result = check_function(*args, **kwargs)
    return result, capsys.readouterr().out.strip()


def test_right_answer_passes_every_case(capsys):
    def sigmoid(x):
        return (1 + np.tanh(np.asarray(x) / 2)) / 2  # a different formula, the same function

    ok, out = run(capsys, sigmoid, reference_sigmoid, CASES)
    assert ok is True
    assert out == "\u2713 All 3 checks passed for sigmoid."


def test_wrong_value_names_the_case_the_index_and_both_values(capsys):
    ok, out = run(capsys, lambda x: 1 / (1 + np.exp(x)), reference_sigmoid, CASES, name="sigmoid")
    assert ok is False
    first, second = out.splitlines()
    assert first == "\u2717 2 of 3 checks failed for sigmoid (failing cases: 'vector', 'matrix')."
    # sigmoid(-x) instead of sigmoid(x): x = -2 and x = 2 are off by sigmoid(2) - sigmoid(-2) = 2 sigmoid(2) - 1,
    # and the first of the two is named
    assert second.strip() == (
        f"Case 'vector' (input [-2., 0., 2.]): wrong value at index 0: expected {1 - SIGMOID_2:.6g}, "
        f"got {SIGMOID_2:.6g}; largest difference {2 * SIGMOID_2 - 1:.6g} (2 of 3 entries differ)."
    )


def test_wrong_shape_names_both_shapes(capsys):
    ok, out = run(capsys, lambda x: reference_sigmoid(x).reshape(-1, 1), reference_sigmoid,
                  {"vector": CASES["vector"]}, name="sigmoid")
    assert ok is False
    assert "The check failed for sigmoid." in out
    assert "wrong shape: expected shape (3,), got shape (3, 1)" in out


def test_exception_is_reported_with_type_and_message(capsys):
    def sigmoid(x):
        return 1 / (1 + math.exp(-x))  # works on numbers, not on arrays

    ok, out = run(capsys, sigmoid, reference_sigmoid, CASES)
    assert ok is False
    assert "2 of 3 checks failed for sigmoid (failing cases: 'vector', 'matrix')" in out
    assert "Case 'vector' (input [-2., 0., 2.]): sigmoid raised TypeError: only" in out


def test_forgotten_return_and_wrong_types(capsys):
    def sigmoid(x):
        1 / (1 + np.exp(-x))

    ok, out = run(capsys, sigmoid, reference_sigmoid, {"zero": 0.0})
    assert not ok and "wrong type: expected a number, got None (did you forget to return?)" in out

    ok, out = run(capsys, lambda x: list(reference_sigmoid(x)), reference_sigmoid, {"v": CASES["vector"]})
    assert not ok and "wrong type: expected a NumPy array of shape (3,), got a list" in out


def test_tensors_are_compared_by_data_and_must_stay_tensors(capsys):
    def reference(t):
        return nl.Tensor(reference_sigmoid(t.data))

    x = nl.Tensor([-1.0, 0.0, 1.0])
    ok, out = run(capsys, lambda t: 1 / (1 + (-t).exp()), reference, {"t": (x,)}, name="sigmoid")
    assert ok and out == "\u2713 The check passed for sigmoid."
    ok, out = run(capsys, lambda t: reference_sigmoid(t.data), reference, {"t": (x,)}, name="sigmoid")
    assert not ok and "wrong type: expected a Tensor, got a NumPy array" in out
    ok, out = run(capsys, lambda t: nl.Tensor(t.data), reference, {"t": (x,)}, name="sigmoid")
    assert not ok and "wrong value at index 0: expected 0.268941, got -1.0" in out


def test_cases_as_a_list_and_the_arguments_are_copied(capsys):
    seen = []

    def scale_in_place(v, k):
        v *= k  # mutates its argument: the reference must not see that
        return v

    def reference(v, k):
        seen.append(v.copy())
        return v * k

    v = np.array([1.0, 2.0])
    ok, out = run(capsys, scale_in_place, reference, [("double", (v, 2.0)), ("triple", (v, 3.0))], name="scale")
    assert ok and out == "\u2713 All 2 checks passed for scale."
    assert np.array_equal(v, [1.0, 2.0]) and all(np.array_equal(s, [1.0, 2.0]) for s in seen)


def test_tolerances():
    assert compare(1.0 + 1e-9, 1.0) is None
    assert compare(1.0 + 1e-4, 1.0) == "wrong value: expected 1.0, got 1.0001; largest difference 0.0001"
    assert compare(1.0 + 1e-4, 1.0, rtol=1e-3) is None
    assert compare(np.array([0.0, np.nan]), np.array([0.0, np.nan])) is None
    assert "got nan" in compare(np.array([np.nan]), np.array([1.0]))


def test_tuples_and_plain_values():
    assert compare((1.0, np.ones(2)), (1.0, np.ones(2))) is None
    assert compare((1.0, np.ones(2)), (1.0, np.ones(3))) == (
        "in item [1] of the result: wrong shape: expected shape (3,), got shape (2,)")
    assert compare((1.0,), (1.0, 2.0)) == "wrong length: expected 2 values, got 1"
    assert compare("tanh", "relu") == "wrong value: expected 'relu', got 'tanh'"
    assert compare(True, 1.0) == "wrong type: expected a number, got a bool"


def test_check_value_prints_a_verdict(capsys):
    assert check_value(0.25, 0.25, name="the slope") is True
    assert check_value(0.3, 0.25, name="the slope") is False
    assert capsys.readouterr().out.splitlines() == [
        "\u2713 the slope is right.",
        "\u2717 the slope: wrong value: expected 0.25, got 0.3; largest difference 0.05.",
    ]


def test_the_reference_raising_is_the_authors_bug():
    def reference(x):
        raise RuntimeError("bug in the reference")

    with pytest.raises(RuntimeError, match="bug in the reference"):
        check_function(reference_sigmoid, reference, {"zero": 0.0})


def test_no_cases_is_refused():
    with pytest.raises(ValueError, match="at least one case"):
        check_function(reference_sigmoid, reference_sigmoid, {})
    with pytest.raises(ValueError, match=r"\(label, args\)"):
        check_function(reference_sigmoid, reference_sigmoid, [(0.0,)])


def test_a_number_where_none_was_expected_does_not_ask_about_return(capsys):
    ok, out = run(capsys, lambda x: 1.0, lambda x: None, {"in place": 0.0}, name="update")
    assert not ok
    assert "wrong type: expected None, got a number." in out and "forget" not in out


def test_integer_results_are_printed_as_integers(capsys):
    ok, out = run(capsys, lambda x: np.array([2, 4]), lambda x: np.array([2, 3]), {"counts": 0.0}, name="count")
    assert not ok and "expected 3, got 4; largest difference 1 (1 of 2 entries differ)" in out


def test_long_inputs_are_not_echoed_the_case_is_named(capsys):
    long = np.arange(20.0)
    ok, out = run(capsys, lambda x: x + 1, lambda x: x, {"twenty numbers": (long,)}, name="identity")
    assert not ok
    assert "Case 'twenty numbers': wrong value at index 0" in out and "array of shape" not in out


def test_verdict_is_truthy_like_the_result_and_displays_nothing():
    from nnlessons.checks import Verdict

    assert Verdict(True) and not Verdict(False)
    assert Verdict(True)._ipython_display_() is None and repr(Verdict(False)) == "Verdict(passed=False)"


def test_many_failing_cases_are_summarised_and_a_0d_array_is_a_number(capsys):
    cases = {f"case {i}": (float(i),) for i in range(6)}
    ok, out = run(capsys, lambda x: None, lambda x: np.asarray(x), cases, name="f")
    assert not ok
    assert "(failing cases: 'case 0', 'case 1', 'case 2', and 3 more)" in out
    assert "wrong type: expected a number, got None (did you forget to return?)" in out


def test_without_overflow_turns_an_overflow_into_an_error_with_advice():
    from nnlessons.checks import without_overflow

    def exp(x):
        return np.exp(x)

    wrapped = without_overflow(exp, "take the exponential of the negative part only")
    assert wrapped.__name__ == "exp"
    assert wrapped(np.array(1.0)) == pytest.approx(math.e)
    with pytest.raises(FloatingPointError, match="overflow.*; take the exponential of the negative part only"):
        wrapped(np.array(1000.0))
    with np.errstate(over="ignore"):
        assert np.isinf(exp(np.array(1000.0)))  # outside the wrapper, NumPy's default: inf
