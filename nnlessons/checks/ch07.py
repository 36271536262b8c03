"""Checks for the coding exercises of chapter 7: the confusion matrix and early stopping.

Each check prints a verdict that names the first wrong case and returns a
:class:`~nnlessons.checks.Verdict` (true if every case passed; it displays nothing, so a notebook cell
that ends with the check shows only the verdict)::

    from nnlessons.checks.ch07 import check_confusion_matrix, check_early_stopping
    check_early_stopping(my_early_stopping)
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import numpy as np

from ..chapters.digits import confusion_matrix, early_stopping_epochs
from . import FAIL, PASS, Verdict, check_function

__all__ = ["check_confusion_matrix", "check_early_stopping", "EARLY_STOPPING_CASES"]


def check_confusion_matrix(fn: Callable) -> Verdict:
    """Check a student's ``fn(y_true, y_pred, n_classes)`` against :func:`confusion_matrix`; print a verdict."""
    cases = {
        "perfect": (np.array([0, 1, 2]), np.array([0, 1, 2]), 3),
        "one mistake": (np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3),
        "a class never predicted": (np.array([0, 0, 1, 1]), np.array([1, 1, 1, 0]), 2),
        "unused class": (np.array([0, 2, 2]), np.array([2, 2, 0]), 4),
    }
    passed = check_function(fn, confusion_matrix, cases, name="confusion_matrix")
    if not passed and _transposed(fn, *cases["one mistake"]):
        print("  Hint: rows are the true classes and columns the predictions: add 1 to C[true, predicted], "
              "not C[predicted, true].")
    return Verdict(passed)


def _transposed(fn: Callable, y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> bool:
    """True if ``fn`` returns the transpose of the confusion matrix (rows and columns swapped)."""
    try:
        got = np.asarray(fn(y_true.copy(), y_pred.copy(), n_classes))
    except Exception:  # the verdict has already reported the error
        return False
    expected = confusion_matrix(y_true, y_pred, n_classes)
    return got.shape == expected.shape and np.array_equal(got, expected.T) and not np.array_equal(got, expected)


#: The cases of :func:`check_early_stopping`: name -> (val_acc, patience).
EARLY_STOPPING_CASES: dict[str, tuple[list[float], int]] = {
    "keeps improving": ([0.5, 0.6, 0.7, 0.8], 2),
    "plateau": ([0.5, 0.7, 0.7, 0.7, 0.6], 2),
    "late improvement": ([0.5, 0.8, 0.7, 0.9, 0.6, 0.6], 2),
    "patience 1": ([0.9, 0.8, 0.95], 1),
    "best at the start": ([0.9, 0.5, 0.5, 0.5], 3),
    "a NumPy array": (np.array([0.2, 0.4, 0.4, 0.3, 0.1]), 2),
}


def _hint(values, got: tuple, expected: tuple) -> str:
    """The likely mistake behind a wrong (best_epoch, stopped_epoch), or "" if none is recognised."""
    (g_best, g_stop), (e_best, e_stop) = got, expected
    if _epoch(g_best) and g_best != e_best and 0 <= g_best < len(values) and values[g_best] == values[e_best]:
        return ("A value equal to the best so far is not an improvement (only a strict one counts): "
                "keep the first epoch that reached the best.")
    if e_stop is None and g_stop is not None:
        return "The list ends before `patience` epochs in a row without improvement: return None as the stopping epoch."
    if e_stop is not None and g_stop is None:
        return "Stop (return) as soon as `patience` epochs in a row brought no improvement."
    if not (_epoch(g_best) and (g_stop is None or _epoch(g_stop))):
        return ""
    if g_best == e_best + 1 and (e_stop is None or g_stop == e_stop + 1):
        return "Epochs count from 0: the first value in the list is epoch 0."
    if e_stop is not None and g_stop == e_stop + 1:
        return "You stop one epoch late: stop at the epoch whose count of epochs without improvement reaches `patience`."
    if e_stop is not None and g_stop == e_stop - 1:
        return "You stop one epoch early: an improvement resets the count to 0, and it must reach `patience`."
    return ""


def _epoch(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_early_stopping(fn: Callable) -> Verdict:
    """Check a student's ``fn(val_acc, patience)`` -> ``(best_epoch, stopped_epoch)``; print a verdict.

    The reference is :func:`~nnlessons.chapters.digits.early_stopping_epochs` (the rule ``fit`` uses).
    A wrong answer is reported by field ("best_epoch should be 1, got 3") with the case's inputs, and
    with a hint when the mistake is a common one (a tie counted as an improvement, stopping one epoch
    late or early, epochs counted from 1, a stop where the list ends first).
    """
    if not callable(fn):
        print(f"{FAIL} expected a function, got {type(fn).__name__}.")
        return Verdict(False)
    failures = []
    for label, (values, patience) in EARLY_STOPPING_CASES.items():
        expected = early_stopping_epochs(values, patience, mode="max")
        shown = f"val_acc={list(np.asarray(values).tolist())}, patience={patience}"
        try:
            got = fn(values.copy() if isinstance(values, np.ndarray) else list(values), patience)
        except Exception as error:  # the student's bug, reported rather than raised
            failures.append((label, shown, f"raised {type(error).__name__}: {error}", ""))
            continue
        if got is None:
            failures.append((label, shown, "returned None; return the pair (best_epoch, stopped_epoch)", ""))
            continue
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            failures.append((label, shown, f"expected a pair (best_epoch, stopped_epoch), got {got!r}", ""))
            continue
        problems = []
        for name, g, e in zip(("best_epoch", "stopped_epoch"), got, expected):
            if e is None and g is not None:
                problems.append(f"{name} should be None (training never stops), got {g!r}")
            elif e is not None and g is not None and not _epoch(g):
                problems.append(f"{name} should be the whole number {e}, got {g!r}")
            elif e is not None and g != e:
                problems.append(f"{name} should be {e}, got {g}")
        if problems:
            failures.append((label, shown, "; ".join(problems), _hint(values, tuple(got), expected)))
    total = len(EARLY_STOPPING_CASES)
    if not failures:
        print(f"{PASS} All {total} checks passed for early_stopping.")
        return Verdict(True)
    label, shown, message, hint = failures[0]
    lines = [f"{FAIL} {len(failures)} of {total} checks failed for early_stopping.",
             f"  Case {label!r}: {shown}",
             textwrap.fill(message + ".", 79, initial_indent="  ", subsequent_indent="  ")]
    if hint:
        lines.append(textwrap.fill("Hint: " + hint, 79, initial_indent="  ", subsequent_indent="  "))
    print("\n".join(lines))
    return Verdict(False)
