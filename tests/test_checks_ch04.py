"""Tests for nnlessons.checks.ch04: the verdicts of check_bump for right and wrong answers."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn
from nnlessons.chapters import approximation as approx
from nnlessons.checks import Verdict
from nnlessons.checks.ch04 import BUMP_CASES, check_bump, reference_bump


def two_units(w, b, v, c):
    model = nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1))
    model[0].weight.data[:] = np.asarray(w, dtype=float).reshape(2, 1)
    model[0].bias.data[:] = b
    model[2].weight.data[:] = np.asarray(v, dtype=float).reshape(1, 2)
    model[2].bias.data[:] = c
    return model


def right(left, r, h, s):
    return two_units([s, s], [-s * left, -s * r], [h, -h], 0.0)


def run(capsys, fn):
    ok = check_bump(fn)
    return ok, capsys.readouterr().out.strip()


def test_reference_bump_is_the_closed_form():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    s = 3.0
    expected = 2.0 * (1 / (1 + np.exp(-s * x)) - 1 / (1 + np.exp(-s * (x - 1.0))))
    np.testing.assert_allclose(reference_bump(x, 0.0, 1.0, 2.0, s), expected, rtol=1e-14, atol=1e-15)
    assert reference_bump(np.array([1e6]), 0.0, 1.0, 1.0, 50.0)[0] == 0.0  # no overflow far away


def test_right_answer_passes(capsys):
    ok, out = run(capsys, right)
    assert isinstance(ok, Verdict) and bool(ok) is True
    assert out == "\u2713 All 3 checks passed for make_bump: two sigmoid units make the bump."


def test_the_library_construction_passes(capsys):
    ok, _ = run(capsys, lambda left, r, h, s: approx.bump_network([left, r], [h], s))
    assert isinstance(ok, Verdict) and bool(ok) is True


def test_an_equivalent_network_with_negative_weights_passes(capsys):
    # sigmoid(-z) = 1 - sigmoid(z): -h sigma(-s(x - l)) + h sigma(-s(x - r)) is the same bump
    ok, out = run(capsys, lambda left, r, h, s: two_units([-s, -s], [s * left, s * r], [-h, h], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is True, out


def test_swapped_units_pass(capsys):
    ok, _ = run(capsys, lambda left, r, h, s: two_units([s, s], [-s * r, -s * left], [-h, h], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is True


def test_bias_without_minus_sign_is_named(capsys):
    ok, out = run(capsys, lambda left, r, h, s: two_units([s, s], [s * left, s * r], [h, -h], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert out.startswith("\u2717 3 of 3 checks failed for make_bump.")
    assert "Case 'unit bump on [0, 1]'" in out
    assert "Your steps sit at -left and -right" in out


def test_bias_without_steepness_is_named(capsys):
    ok, out = run(capsys, lambda left, r, h, s: two_units([s, s], [-left, -r], [h, -h], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert "left / steepness" in out


def test_upside_down_bump_is_named(capsys):
    ok, out = run(capsys, lambda left, r, h, s: two_units([s, s], [-s * left, -s * r], [-h, h], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert "points the wrong way" in out


def test_output_bias_is_named(capsys):
    ok, out = run(capsys, lambda left, r, h, s: two_units([s, s], [-s * left, -s * r], [h, -h], 0.25))
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert "plus the constant 0.25: set the output bias to 0" in out


def test_wrong_value_names_the_input_and_both_values(capsys):
    ok, out = run(capsys, lambda left, r, h, s: two_units([s, s], [-s * left, -s * r], [h, -h * 0.5], 0.0))
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert "at x = " in out and "the network gives" in out and "the bump is" in out
    assert "grid points differ" in out


def test_only_some_cases_failing_are_listed(capsys):
    def sometimes(left, r, h, s):
        return right(left, r, h if h > 0 else -h, s)  # wrong only for the negative bump

    ok, out = run(capsys, sometimes)
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert out.startswith("\u2717 1 of 3 checks failed for make_bump.")
    assert "Case 'negative bump on [-2, -0.5]'" in out


def test_exceptions_are_reported_not_raised(capsys):
    def broken(left, r, h, s):
        raise NotImplementedError("write me")

    ok, out = run(capsys, broken)
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert "make_bump(0, 1, 1, 20) raised NotImplementedError: write me" in out


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda *a: None, "returned None (did you forget to return the network?)"),
        (lambda *a: np.zeros(3), "but it returned a ndarray"),
        (lambda *a: nn.Sequential(nn.Linear(1, 3), nn.Sigmoid(), nn.Linear(3, 1)), "first layer must be nn.Linear(1, 2)"),
        (lambda *a: nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)), "middle layer must be nn.Sigmoid()"),
        (lambda *a: nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 2)), "last layer must be nn.Linear(2, 1)"),
        (lambda *a: nn.Sequential(nn.Linear(1, 2), nn.Sigmoid()), "must be nn.Sequential("),
        (lambda *a: nn.Linear(1, 1), "must be nn.Sequential("),
    ],
)
def test_wrong_architecture_is_named(capsys, make, message):
    ok, out = run(capsys, make)
    assert isinstance(ok, Verdict) and bool(ok) is False
    assert message in out


def test_not_a_function(capsys):
    ok, out = run(capsys, 3)
    assert isinstance(ok, Verdict) and bool(ok) is False and "expected a function" in out


def test_random_weights_fail(capsys):
    nl.manual_seed(0)
    ok, _ = run(capsys, lambda *a: nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1)))
    assert isinstance(ok, Verdict) and bool(ok) is False


def test_cases_are_bumps_of_both_signs():
    heights = [case[2] for case in BUMP_CASES.values()]
    assert min(heights) < 0 < max(heights)
    assert all(left < r and s > 0 for left, r, _, s in BUMP_CASES.values())


def test_random_starter_names_the_first_case_and_prints_tiny_values_as_zero(capsys):
    def make_bump(left, r, h, s):
        nl.manual_seed(0)
        return nn.Sequential(nn.Linear(1, 2), nn.Sigmoid(), nn.Linear(2, 1))  # weights not set

    ok, out = run(capsys, make_bump)
    assert not ok and ok._ipython_display_() is None
    assert out.startswith("\u2717 3 of 3 checks failed for make_bump.\n"
                          "  Case 'unit bump on [0, 1]': make_bump(0, 1, 1, 20)")
    assert "e-0" not in out  # the bump's value 2e-09 far from it is printed as 0


# ---- check_edge_network: one unit per edge


def edge_net(edges, heights, s, weights=None):
    edges, heights = np.asarray(edges, dtype=float), np.asarray(heights, dtype=float)
    n = len(edges)
    model = nn.Sequential(nn.Linear(1, n), nn.Sigmoid(), nn.Linear(n, 1))
    model[0].weight.data[:] = s
    model[0].bias.data[:] = -s * edges
    jumps = np.diff(np.concatenate([[0.0], heights, [0.0]])) if weights is None else weights
    model[2].weight.data[:] = jumps
    model[2].bias.data[:] = 0.0
    return model


def test_edge_reference_is_the_library_bump_network():
    edges, heights = [-1.0, 0.0, 2.0, 2.5], [0.5, -1.0, 2.0]
    x = np.linspace(-2, 3.5, 57)
    net = approx.bump_network(edges, heights, steepness=7.0)
    with nl.no_grad():
        library = net(nl.Tensor(x.reshape(-1, 1))).data.ravel()
    from nnlessons.checks.ch04 import reference_edges
    np.testing.assert_allclose(reference_edges(x, edges, heights, 7.0), library, atol=1e-14)


def test_edge_network_right_answer_passes(capsys):
    from nnlessons.checks.ch04 import check_edge_network
    ok = check_edge_network(edge_net)
    out = capsys.readouterr().out
    assert isinstance(ok, Verdict) and bool(ok) is True and out.startswith("\u2713 All 3 checks passed")


def test_edge_network_with_heights_as_output_weights_fails_with_the_jump_hint(capsys):
    from nnlessons.checks.ch04 import check_edge_network
    ok = check_edge_network(lambda e, h, s: edge_net(e, h, s, weights=np.concatenate([h, [0.0]])))
    out = capsys.readouterr().out
    assert not ok and "3 of 3 checks failed" in out and "heights[j] - heights[j - 1]" in out


def test_edge_network_with_two_units_per_bump_is_told_to_share(capsys):
    from nnlessons.checks.ch04 import check_edge_network
    ok = check_edge_network(lambda e, h, s: approx.bump_network(e, h, s))
    out = capsys.readouterr().out
    assert not ok and "two per bump" in out and "Case 'three bumps on [0, 3]'" in out


def test_edge_network_returning_nothing(capsys):
    from nnlessons.checks.ch04 import check_edge_network
    ok = check_edge_network(lambda e, h, s: None)
    assert not ok and "did you forget to return the network?" in capsys.readouterr().out
