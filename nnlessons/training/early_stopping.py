"""The course's one early-stopping rule, used by :func:`nnlessons.training.fit` during training and by
:func:`nnlessons.chapters.digits.early_stopping_epochs` to replay it on a recorded curve.

>>> rule = EarlyStopping(patience=2, mode="max")
>>> [rule.update(v) for v in (0.5, 0.7, 0.6, 0.7)]      # improved?
[True, True, False, False]
>>> rule.best_epoch, rule.stopped_epoch
(1, 3)
"""

from __future__ import annotations

import math
from typing import Optional

from .arguments import check_integer, check_nonnegative

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Watch a validation value epoch by epoch; say when ``patience`` epochs brought no improvement.

    An epoch improves on the best value so far when it is better by more than ``min_delta``
    (strictly: with the default 0, an equal value is no improvement). The epoch of the best value
    is the one whose weights early stopping keeps.

    Args:
        patience: number of epochs in a row without improvement that ends training; None never
            stops (the best epoch is still tracked).
        mode: "min" when lower is better (a loss), "max" when higher is better (an accuracy).
        min_delta: the smallest change that counts as an improvement.

    Attributes:
        best: the best value so far (None before the first update).
        best_epoch: the epoch of ``best`` (epochs count from 0), None before the first update.
        stopped_epoch: the epoch after which training stops, None while it goes on.
        epoch: the number of updates so far.
    """

    def __init__(self, patience: Optional[int] = None, mode: str = "min", min_delta: float = 0.0):
        check_integer("patience", patience, where="EarlyStopping", allow_none=True)
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got mode={mode!r}")
        check_nonnegative("min_delta", min_delta, where="EarlyStopping")
        self.patience, self.mode, self.min_delta = patience, mode, float(min_delta)
        self.best: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.stopped_epoch: Optional[int] = None
        self.epoch = 0
        self._waited = 0

    def update(self, value: float) -> bool:
        """Record the value of the next epoch; return True if it is a new best."""
        value = float(value)
        sign = 1.0 if self.mode == "min" else -1.0  # compare sign * value: lower is better
        improved = self.best is None or sign * value < sign * self.best - self.min_delta
        if improved and not math.isnan(value):
            self.best, self.best_epoch, self._waited = value, self.epoch, 0
        else:
            improved = False
            self._waited += 1
        if self.patience is not None and self._waited >= self.patience and self.stopped_epoch is None:
            self.stopped_epoch = self.epoch
        self.epoch += 1
        return improved

    @property
    def should_stop(self) -> bool:
        """True once ``patience`` epochs in a row brought no improvement."""
        return self.stopped_epoch is not None

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, mode={self.mode!r}, min_delta={self.min_delta}, "
                f"best_epoch={self.best_epoch}, stopped_epoch={self.stopped_epoch})")
