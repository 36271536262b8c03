"""Check functions for the coding exercise of chapter 3: write an activation's derivative by hand.

The student writes the derivative as a NumPy function, e.g. ``elu_derivative(x, alpha)``, and the check
compares it, case by case, with the derivative that autograd computes for the course's own activation
(``nnlessons.functional``)::

    from nnlessons.checks.ch03 import check_derivative
    check_derivative(elu_derivative, "elu")

It prints a verdict that names the first wrong case (expected, got) and returns a
:class:`~nnlessons.checks.Verdict` (true if every case passed; it displays nothing, so a notebook cell that
ends with the check shows only the verdict). Rectifiers have a kink at x = 0 where the derivative is a
convention (PyTorch's, used by the course, takes the left-hand slope), so their cases avoid x = 0 exactly;
sigmoid and tanh are checked at 0 too.

The student's function runs with NumPy's overflow and invalid-value warnings turned into errors, and ELU is
also checked at x = +-1000: ``alpha * np.exp(x)`` evaluated at every x overflows there (e^1000 is inf), even
where ``np.where`` then throws the value away, and such code fails with a hint.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import functional as F
from ..tensor import Tensor
from . import Verdict, check_function, without_overflow

__all__ = ["ACTIVATIONS", "reference_derivative", "derivative_cases", "check_derivative"]

ACTIVATIONS: dict[str, tuple[Callable[..., Tensor], str | None, tuple[float, ...]]] = {
    # name: (the course's activation, the name of its parameter or None, parameter values checked)
    "sigmoid": (F.sigmoid, None, ()),
    "tanh": (F.tanh, None, ()),
    "relu": (F.relu, None, ()),
    "leaky_relu": (F.leaky_relu, "negative_slope", (0.01, 0.1)),
    "elu": (F.elu, "alpha", (1.0, 0.5)),
}
"""The activations a derivative can be checked for, their parameter's name and the values tried."""


def _spec(activation: str):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation]


def reference_derivative(activation: str, x, *param: float) -> np.ndarray:
    """The derivative of the course's activation at every entry of ``x``, by autograd.

    ``param`` is the activation's parameter when it has one (``negative_slope`` or ``alpha``).
    The result has the shape of ``x`` (a 0-d array for a number).
    """
    fn, name, _ = _spec(activation)
    if name is None and param:
        raise ValueError(f"{activation} has no parameter, got {param!r}")
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    fn(t, *param).sum().backward()
    return t.grad.copy()


def derivative_cases(activation: str) -> dict[str, tuple]:
    """The named cases of :func:`check_derivative`: ``{label: (x,)}`` or ``{label: (x, parameter)}``."""
    _, name, values = _spec(activation)
    kinked = activation not in ("sigmoid", "tanh")
    points = {
        "a positive number": 1.5,
        "a negative number": -0.75,
        "a vector": np.array([-3.0, -1.0, -0.1, 0.2, 1.0, 3.0]),
        "large inputs": np.array([-30.0, -10.0, 10.0, 30.0]),
        "a matrix": np.array([[-2.0, 0.5, 4.0], [0.25, -0.5, -4.0]]),
    }
    if not kinked:
        points["zero"] = 0.0
    if activation == "elu":  # where an exponential of the positive inputs overflows
        points["very large inputs"] = np.array([-1000.0, 1000.0])
    if name is None:
        return {label: (x,) for label, x in points.items()}
    cases = {}
    for value in values:
        for label, x in points.items():
            cases[f"{label}, {name}={value:g}"] = (x, value)
    return cases


OVERFLOW_ADVICE = ("np.exp(x) is inf for x above about 709, even where np.where then discards it: "
                   "take the exponential of the negative part only, e.g. np.exp(np.minimum(x, 0))")
"""What the verdict says when the student's derivative overflows."""


def check_derivative(user_fn: Callable, activation: str) -> Verdict:
    """Check a hand-written derivative of ``activation`` against autograd; print a verdict; return True/False.

    Args:
        user_fn: ``f(x)`` for sigmoid, tanh and relu, or ``f(x, parameter)`` for leaky_relu
            (``negative_slope``) and elu (``alpha``); ``x`` is a number or a NumPy array, and the result
            must be a number or an array of the same shape. It must not overflow: it runs with
            ``np.errstate(over="raise", invalid="raise", divide="raise")``.
        activation: one of "sigmoid", "tanh", "relu", "leaky_relu", "elu".
    """
    cases = derivative_cases(activation)
    name = getattr(user_fn, "__name__", "")
    name = name if name.isidentifier() and name != "<lambda>" else f"your {activation} derivative"

    def reference(x, *param):
        return reference_derivative(activation, x, *param)

    if not callable(user_fn):
        return Verdict(check_function(user_fn, reference, cases, name=name))
    checked = without_overflow(user_fn, OVERFLOW_ADVICE)
    return Verdict(check_function(checked, reference, cases, name=name, atol=1e-10, rtol=1e-7))
