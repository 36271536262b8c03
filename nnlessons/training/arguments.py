"""Argument checks shared by the training tools, the chapter helpers and the exercise checks.

Each check raises a ValueError that names the function (``where``), the argument and the value it
got, so that a student sees at once which argument is wrong: ``fit: epochs must be an integer >= 1,
got epochs=0``.
"""

from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

__all__ = ["check_integer", "check_nonnegative", "check_seed"]


def _prefix(where: Optional[str]) -> str:
    return f"{where}: " if where else ""


def check_integer(name: str, value, minimum: int = 1, *, where: Optional[str] = None,
                  allow_none: bool = False) -> None:
    """Refuse ``value`` unless it is an integer >= ``minimum`` (a bool is not an integer here)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{_prefix(where)}{name} must be an integer >= {minimum}, got {name}={value!r}")


def check_nonnegative(name: str, value, *, where: Optional[str] = None) -> None:
    """Refuse ``value`` unless it is a finite real number >= 0."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value)
            or value < 0):
        raise ValueError(f"{_prefix(where)}{name} must be a finite number >= 0, got {name}={value!r}")


def check_seed(seed, *, where: Optional[str] = None) -> None:
    """Refuse a seed that ``np.random.default_rng`` would not take: it must be an integer >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{_prefix(where)}seed must be an integer >= 0, got seed={seed!r}")
