"""Checks for the coding exercises of chapter 5: the hand-derived gradient of the cross-entropy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import check_function

__all__ = ["check_ce_grad", "ce_grad_reference"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def ce_grad_reference(w, X, y) -> np.ndarray:
    """d/dw of the mean cross-entropy of logistic regression: (1/N) sum_n (sigma(w . x_n) - y_n) x_n."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    yhat = _sigmoid(X @ np.asarray(w, dtype=np.float64))
    return (yhat - y) @ X / len(y)


def _ce_cases() -> dict:
    rng = np.random.default_rng(5)
    X5 = rng.normal(size=(5, 3))
    return {
        "the lecture's single example (w = 0.5, x = 2, y = 1)": (np.array([0.5]), np.array([[2.0]]), np.array([1.0])),
        "one example with y = 0": (np.array([-1.0, 2.0]), np.array([[0.5, 1.5]]), np.array([0.0])),
        "a batch of 5 examples in 3-D": (np.array([0.3, -0.7, 1.1]), X5, np.array([1.0, 0.0, 0.0, 1.0, 1.0])),
        "confident predictions (large |w . x|)": (np.array([4.0, -3.0]), 3.0 * np.array([[1.0, -1.0], [-1.0, 1.0]]),
                                                 np.array([1.0, 1.0])),
    }


def check_ce_grad(ce_grad: Callable[..., Any]) -> bool:
    """Check ``ce_grad(w, X, y)``: the gradient of the mean logistic cross-entropy with respect to ``w``.

    ``w`` has shape (D,), ``X`` shape (N, D) (one example per row), ``y`` shape (N,) with labels 0 or 1.
    The answer is a NumPy array of shape (D,).
    """
    return check_function(ce_grad, ce_grad_reference, _ce_cases(), name="ce_grad", atol=1e-10, rtol=1e-8)


