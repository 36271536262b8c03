"""Checks for the coding exercises of chapter 7: the confusion matrix and early stopping."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..chapters.digits import confusion_matrix, early_stopping_epochs
from . import check_function

__all__ = ["check_confusion_matrix", "check_early_stopping"]


# ---------------------------------------------------------------------------------------------
# Check functions for the chapter's coding exercises
# ---------------------------------------------------------------------------------------------


def check_confusion_matrix(fn: Callable) -> bool:
    """Check a student's ``fn(y_true, y_pred, n_classes)`` against :func:`confusion_matrix`; print a verdict."""
    cases = {
        "perfect": (np.array([0, 1, 2]), np.array([0, 1, 2]), 3),
        "one mistake": (np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3),
        "a class never predicted": (np.array([0, 0, 1, 1]), np.array([1, 1, 1, 0]), 2),
        "unused class": (np.array([0, 2, 2]), np.array([2, 2, 0]), 4),
    }
    return check_function(fn, confusion_matrix, cases, name="confusion_matrix")


def check_early_stopping(fn: Callable) -> bool:
    """Check a student's ``fn(val_acc, patience)`` -> ``(best_epoch, stopped_epoch)``; print a verdict."""
    cases = {
        "keeps improving": ([0.5, 0.6, 0.7, 0.8], 2),
        "plateau": ([0.5, 0.7, 0.7, 0.7, 0.6], 2),
        "late improvement": ([0.5, 0.8, 0.7, 0.9, 0.6, 0.6], 2),
        "patience 1": ([0.9, 0.8, 0.95], 1),
        "best at the start": ([0.9, 0.5, 0.5, 0.5], 3),
    }
    return check_function(fn, lambda v, p: early_stopping_epochs(v, p, mode="max"), cases, name="early_stopping")
