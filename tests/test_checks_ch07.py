"""Tests for nnlessons.checks.ch07: the early-stopping check names the field, the case and the mistake."""

import numpy as np
import pytest

from nnlessons.checks import Verdict
from nnlessons.checks.ch07 import EARLY_STOPPING_CASES, check_early_stopping


def by_hand(values, patience, strict=True):
    """Early stopping written out: strict improvement, stop when `patience` epochs brought none.

    With ``strict=False`` a tie counts as an improvement: the mistake a check must catch.
    """
    best, best_epoch, waited = -np.inf, 0, 0
    for epoch, value in enumerate(values):
        if value > best or (not strict and value == best):
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
        if waited == patience:
            return best_epoch, epoch
    return best_epoch, None


def test_the_cases_have_the_answers_worked_out_by_hand():
    # (best_epoch, stopped_epoch) counted on paper for each case, independently of the package.
    expected = {"keeps improving": (3, None), "plateau": (1, 3), "late improvement": (3, 5),
                "patience 1": (0, 1), "best at the start": (0, 3), "a NumPy array": (1, 3)}
    assert {name: by_hand(v, p) for name, (v, p) in EARLY_STOPPING_CASES.items()} == expected


def test_a_right_answer_passes(capsys):
    verdict = check_early_stopping(by_hand)
    assert isinstance(verdict, Verdict) and verdict
    assert capsys.readouterr().out == "\u2713 All 6 checks passed for early_stopping.\n"


def shifted(best=0, stop=0, none_stop=None):
    def fn(values, patience):
        b, s = by_hand(values, patience)
        return b + best, (none_stop if s is None else s + stop)
    return fn


def non_strict(values, patience):
    return by_hand(values, patience, strict=False)


@pytest.mark.parametrize("fn, first_case, message, hint", [
    (lambda v, p: None, "keeps improving", "returned None; return the pair (best_epoch, stopped_epoch)", None),
    (non_strict, "plateau", "best_epoch should be 1, got 3", "not an improvement (only a strict one counts)"),
    (shifted(stop=1), "plateau", "stopped_epoch should be 3, got 4", "You stop one epoch late"),
    (shifted(stop=-1), "plateau", "stopped_epoch should be 3, got 2", "You stop one epoch early"),
    (shifted(best=1, stop=1), "keeps improving", "best_epoch should be 3, got 4", "Epochs count from 0"),
    (shifted(none_stop=3), "keeps improving", "stopped_epoch should be None (training never stops), got 3",
     "return None as the stopping epoch"),
    (lambda v, p: (float(by_hand(v, p)[0]), by_hand(v, p)[1]), "keeps improving",
     "best_epoch should be the whole number 3, got 3.0", None),
    (lambda v, p: by_hand(list(v), p) if isinstance(v, list) else v.tolist()[99], "a NumPy array",
     "raised IndexError", None),
])
def test_wrong_answers_name_the_case_the_field_and_the_mistake(fn, first_case, message, hint, capsys):
    verdict = check_early_stopping(fn)
    out = capsys.readouterr().out
    assert not verdict and out.startswith("\u2717")
    assert f"  Case {first_case!r}: val_acc=" in out and message in " ".join(out.split())
    assert all(len(line) <= 79 for line in out.splitlines())
    if hint is None:
        assert "Hint" not in out
    else:
        assert "Hint: " in out and hint in " ".join(out.split())
    assert not out.rstrip().endswith(("True", "False"))


def test_a_non_function_is_named(capsys):
    assert not check_early_stopping(3)
    assert "expected a function, got int" in capsys.readouterr().out


def transposed_confusion_matrix(y_true, y_pred, n_classes):
    """Rows and columns swapped: C[predicted, true]."""
    C = np.zeros((n_classes, n_classes), dtype=int)
    for i, j in zip(y_true, y_pred):
        C[j, i] += 1
    return C


def test_a_transposed_confusion_matrix_gets_the_row_column_hint(capsys):
    from nnlessons.checks.ch07 import check_confusion_matrix
    # Case 'one mistake': true [0, 1, 1, 2], predicted [0, 1, 2, 2]; the true 1 read as 2 belongs at C[1, 2].
    verdict = check_confusion_matrix(transposed_confusion_matrix)
    out = capsys.readouterr().out
    assert not verdict
    assert "Case 'one mistake'" in out and "index (1, 2): expected 1, got 0" in out
    assert "Hint: rows are the true classes" in out


def test_a_right_confusion_matrix_gets_no_hint(capsys):
    from nnlessons.checks.ch07 import check_confusion_matrix

    def by_hand(y_true, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=int)
        for i, j in zip(y_true, y_pred):
            C[i, j] += 1
        return C
    assert check_confusion_matrix(by_hand)
    assert capsys.readouterr().out == "\u2713 All 4 checks passed for confusion_matrix.\n"
