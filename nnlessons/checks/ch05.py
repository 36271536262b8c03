"""Checks for the coding exercises of chapter 5: hand-derived gradients of the cross-entropy.

- :func:`check_ce_grad`: logistic regression, the mean of (yhat - y) x over a batch;
- :func:`check_softmax_ce_grad`: softmax outputs, the gradient with respect to the logits, compared
  with what autograd finds by back-propagating through the loss built from elementary operations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from . import Verdict, check_function, without_overflow

__all__ = ["check_ce_grad", "ce_grad_reference", "check_softmax_ce_grad", "softmax_ce_grad_autograd"]


def ce_grad_reference(w, X, y) -> np.ndarray:
    """d/dw of the mean cross-entropy of logistic regression: (1/N) sum_n (sigma(w . x_n) - y_n) x_n."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    yhat = F.sigmoid(Tensor(X @ np.asarray(w, dtype=np.float64))).data  # the engine's overflow-free sigmoid
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


def check_ce_grad(ce_grad: Callable[..., Any]) -> Verdict:
    """Check ``ce_grad(w, X, y)``: the gradient of the mean logistic cross-entropy with respect to ``w``.

    ``w`` has shape (D,), ``X`` shape (N, D) (one example per row), ``y`` shape (N,) with labels 0 or 1.
    The answer is a NumPy array of shape (D,). Prints the verdict; returns a :class:`Verdict`.
    """
    passed = check_function(ce_grad, ce_grad_reference, _ce_cases(), name="ce_grad", atol=1e-10, rtol=1e-8)
    if not passed:
        _hint_if_summed(ce_grad, ce_grad_reference, _ce_cases(), batch_size=lambda w, X, y: len(y))
    return Verdict(passed)


def _hint_if_summed(user_fn: Callable[..., Any], reference: Callable[..., Any], cases: dict,
                    batch_size: Callable[..., int]) -> None:
    """Print a hint when every batch of more than one example gets N times the right answer (a sum, not a mean)."""
    ratios = []
    for args in cases.values():
        n = batch_size(*args)
        if n < 2:
            continue
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(user_fn(*copy.deepcopy(args)), dtype=np.float64)
        except Exception:  # the verdict already reported it
            return
        expected = reference(*copy.deepcopy(args))
        if got.shape != expected.shape or not np.allclose(got, n * expected, rtol=1e-6, atol=1e-10):
            return
        ratios.append(n)
    if ratios:
        print("  Hint: in every batch your answer is N times the expected one (N = the number of examples): "
              "the loss is the mean over the batch, so divide the sum by N.")




def softmax_ce_grad_autograd(Z, y) -> np.ndarray:
    """d/dZ of the mean softmax cross-entropy, found by autograd (not by the formula P - Y).

    The loss is built from elementary operations: shift each row by its largest logit (a constant),
    exp, sum, log, pick the label's entry, average; ``backward()`` then applies the chain rule.
    """
    Z = np.asarray(Z, dtype=np.float64)
    y = np.asarray(y)
    logits = Tensor(Z, requires_grad=True)
    shifted = logits - Tensor(Z.max(axis=1, keepdims=True))
    log_p = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    loss = -log_p[np.arange(len(y)), y].mean()
    loss.backward()
    return logits.grad


def _softmax_cases() -> dict:
    rng = np.random.default_rng(6)
    return {
        "one example, three classes": (np.array([[1.0, 2.0, 0.5]]), np.array([2])),
        "a batch of 4 examples, 3 classes": (rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])),
        "two classes, logits (0, z): the sigmoid case": (np.array([[0.0, 1.5], [0.0, -0.5]]), np.array([1, 0])),
        "large logits, such as 1000": (
            np.array([[1000.0, 0.0, -1000.0], [800.0, 805.0, 790.0]]), np.array([1, 1])),
    }


def check_softmax_ce_grad(softmax_ce_grad: Callable[..., Any]) -> Verdict:
    """Check ``softmax_ce_grad(Z, y)``: the gradient of the mean softmax cross-entropy with respect to ``Z``.

    ``Z`` has shape (N, C) (the logits, one example per row), ``y`` shape (N,) with class indices
    0 .. C-1. The answer is an array of shape (N, C), compared with the gradient autograd finds. The
    student's function runs with NumPy's overflow warnings turned into errors, so a softmax that
    exponentiates large logits unshifted fails with a hint. Prints the verdict; returns a :class:`Verdict`.
    """
    advice = ("np.exp(z) is inf for z above about 709: subtract each row's largest logit before np.exp "
              "(the softmax does not change)")
    passed = check_function(without_overflow(softmax_ce_grad, advice), softmax_ce_grad_autograd, _softmax_cases(),
                            atol=1e-10, rtol=1e-8)
    if not passed:
        _hint_if_summed(softmax_ce_grad, softmax_ce_grad_autograd, _softmax_cases(),
                        batch_size=lambda Z, y: len(y))
    return Verdict(passed)
