"""The training loop: :func:`fit` runs gradient descent and returns a :class:`History`.

One epoch is one pass over the training data, in mini-batches or as one full batch. Per batch::

    loss = loss_fn(model(X_batch), y_batch)   # forward
    optimizer.zero_grad()
    loss.backward()                           # backward
    optimizer.step()                          # update

This is the loop you would write by hand in PyTorch; ``fit`` adds what every chapter needs
around it: validation after each epoch, early stopping that restores the best weights, a stop with
a clear error when the loss becomes NaN or infinite, and a progress bar in a live notebook.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import numpy as np

from .. import functional as F
from ..optim import SGD
from ..tensor import Tensor, no_grad

__all__ = ["History", "accuracy", "fit"]

ArrayOrTensor = Union[np.ndarray, Tensor]
_MONITORS = ("val_loss", "val_acc")


@dataclass(repr=False)
class History:
    """What happened during :func:`fit`, one entry per epoch (epochs are numbered from 0).

    Attributes:
        train_loss: Mean training loss of each epoch (averaged over its mini-batches, weighted by size).
        val_loss: Validation loss after each epoch (empty without validation data).
        val_acc: Validation accuracy after each epoch (empty unless the targets are integer classes).
        best_epoch: Epoch with the best monitored validation value, so that
            ``history.val_loss[history.best_epoch]`` is the best loss; None without validation data.
        stopped_epoch: Last epoch run when early stopping ended training, else None.
        monitor: The quantity early stopping watched ("val_loss" or "val_acc").
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: Optional[int] = None
    stopped_epoch: Optional[int] = None
    monitor: str = "val_loss"

    @property
    def epochs(self) -> int:
        """Number of epochs that ran."""
        return len(self.train_loss)

    def __repr__(self) -> str:
        parts = [f"epochs={self.epochs}"]
        for name in ("train_loss", "val_loss", "val_acc"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}={values[-1]:.4g}")
        if self.best_epoch is not None:
            parts.append(f"best_epoch={self.best_epoch}")
        if self.stopped_epoch is not None:
            parts.append(f"stopped_epoch={self.stopped_epoch}")
        return f"History({', '.join(parts)})"


# ---------------------------------------------------------------------------------------------
# Accuracy
# ---------------------------------------------------------------------------------------------


def _as_array(a: ArrayOrTensor) -> np.ndarray:
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _is_class_labels(y: np.ndarray) -> bool:
    return y.dtype.kind in "iub"


def _predict_classes(output: np.ndarray, threshold: float) -> np.ndarray:
    """Argmax over the columns, or ``output > threshold`` for a single column."""
    if output.ndim == 2 and output.shape[1] > 1:
        return output.argmax(axis=1)
    return (output.reshape(len(output), -1)[:, 0] > threshold).astype(np.int64)


def _accuracy_of(output: np.ndarray, y: np.ndarray, threshold: float) -> float:
    labels = y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y
    return float(np.mean(_predict_classes(output, threshold) == labels))


def accuracy(model: Callable, X: ArrayOrTensor, y: ArrayOrTensor, *, threshold: float = 0.0) -> float:
    """Share of the examples whose predicted class equals the label.

    The prediction is the argmax over the model's output columns; for a single output column it is
    ``output > threshold`` (a logit, so 0 by default; use 0.5 for a model that outputs probabilities).

    Args:
        model: A module (or function) mapping a Tensor of shape (n, d) to outputs of shape (n, c).
        X: Inputs, shape (n, d).
        y: Integer class labels, shape (n,) or (n, 1).
        threshold: Decision threshold for a single output column.

    Returns:
        The accuracy, a float in [0, 1].
    """
    Xt = X if isinstance(X, Tensor) else Tensor(X)
    y = _as_array(y)
    if len(y) != len(Xt):
        raise ValueError(f"accuracy: X has shape {Xt.shape} but y has shape {y.shape}; need one label per row")
    with no_grad():
        output = _as_array(model(Xt))
    return _accuracy_of(output, y, threshold)


# ---------------------------------------------------------------------------------------------
# Progress bar
# ---------------------------------------------------------------------------------------------


def _in_kernel() -> bool:
    """True inside a running IPython kernel (Jupyter, Colab), where a widget can be shown."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Progress:
    """An ipywidgets bar with a label, updated at most ten times a second; silent when disabled."""

    def __init__(self, epochs: int, enabled: Optional[bool]):
        if enabled is None:
            enabled = os.environ.get("NNLESSONS_PROGRESS", "1") != "0"
        self.bar = None
        if not (enabled and _in_kernel()):
            return
        try:
            import ipywidgets as widgets
            from IPython.display import display
        except ImportError:
            return
        self.bar = widgets.IntProgress(min=0, max=epochs, value=0, description="Training")
        self.label = widgets.Label(value="")
        self.epochs = epochs
        self.last = 0.0
        display(widgets.HBox([self.bar, self.label]))

    def update(self, epoch: int, history: History, force: bool = False) -> None:
        if self.bar is None:
            return
        now = time.perf_counter()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        self.bar.value = epoch + 1
        text = f"{epoch + 1}/{self.epochs} epochs  loss {history.train_loss[-1]:.4g}"
        if history.val_loss:
            text += f"  val_loss {history.val_loss[-1]:.4g}"
        if history.val_acc:
            text += f"  val_acc {history.val_acc[-1]:.3f}"
        self.label.value = text

    def close(self, epoch: int, history: History) -> None:
        if self.bar is None:
            return
        self.update(epoch, history, force=True)
        self.bar.bar_style = "success" if history.stopped_epoch is None else "info"
        if history.stopped_epoch is not None:
            self.label.value += f"  (stopped early; best epoch {history.best_epoch})"


# ---------------------------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------------------------


def _check_positive_int(name: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"fit: {name} must be a positive integer, got {name}={value!r}")


def _batch_of(y: ArrayOrTensor, index: np.ndarray) -> ArrayOrTensor:
    """Rows ``index`` of y, keeping its type (Tensor stays Tensor, array stays array)."""
    return Tensor(y.data[index]) if isinstance(y, Tensor) else y[index]


def _check_finite(value: float, what: str, epoch: int, batch: Optional[int] = None, n_batches: int = 1) -> None:
    if not math.isfinite(value):
        where = f"epoch {epoch}" if batch is None else f"epoch {epoch}, batch {batch} of {n_batches}"
        raise FloatingPointError(
            f"fit: the {what} became {value} at {where} (epochs and batches count from 0). "
            "Training diverged: try a smaller learning rate, or check the data for NaN or inf."
        )


def _step(model, loss_fn: Callable, optimizer, X: Tensor, y: ArrayOrTensor, epoch: int, batch, n_batches: int) -> float:
    """One forward pass, backward pass and update; returns the loss (checked before the update)."""
    loss = loss_fn(model(X), y)
    if not isinstance(loss, Tensor) or loss.ndim != 0:
        raise ValueError(
            f"fit: loss_fn must return a scalar Tensor, got {type(loss).__name__} of shape {np.shape(_as_array(loss))} "
            "(use reduction='mean')"
        )
    value = float(loss.data)
    _check_finite(value, "training loss", epoch, batch, n_batches)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return value


def fit(
    model,
    loss_fn: Callable,
    X: ArrayOrTensor,
    y: ArrayOrTensor,
    *,
    epochs: int,
    optimizer=None,
    lr: Optional[float] = None,
    batch_size: Optional[int] = None,
    val: Optional[tuple[ArrayOrTensor, ArrayOrTensor]] = None,
    patience: Optional[int] = None,
    monitor: str = "val_loss",
    seed: int = 0,
    progress: Optional[bool] = None,
    callback: Optional[Callable[[int, object, History], None]] = None,
) -> History:
    """Train ``model`` by gradient descent on ``loss_fn(model(X), y)``.

    Args:
        model: A :class:`nnlessons.nn.Module` (it needs ``parameters()``, and ``state_dict()`` /
            ``load_state_dict()`` for early stopping).
        loss_fn: A loss such as ``F.cross_entropy`` or ``F.mse_loss``: ``loss_fn(output, target)``
            must return a scalar Tensor.
        X: Training inputs, shape (n, d), array or Tensor.
        y: Training targets with n rows (integer classes for classification), array or Tensor.
        epochs: Maximum number of passes over the training data.
        optimizer: An optimiser such as ``optim.SGD(model.parameters(), lr=0.1)``.
        lr: Instead of ``optimizer``: the learning rate of a plain SGD optimiser built for you.
        batch_size: Mini-batch size, shuffled anew every epoch (seeded by ``seed``);
            None trains on the full batch.
        val: ``(X_val, y_val)``, evaluated after every epoch (under ``no_grad``).
        patience: Early stopping: stop after this many epochs without a strict improvement of
            ``monitor``, then restore the weights of the best epoch. Needs ``val``.
            (``patience=epochs`` trains every epoch and still restores the best weights.)
        monitor: "val_loss" (lower is better) or "val_acc" (higher is better).
        seed: Seed for the mini-batch shuffling.
        progress: None shows a progress bar in a live notebook unless the environment variable
            ``NNLESSONS_PROGRESS=0``; False never shows one. Outside a notebook nothing is printed.
        callback: Optional ``callback(epoch, model, history)`` called after every epoch, e.g. to save
            snapshots of the model for a figure.

    Returns:
        The :class:`History` of the run. Accuracy uses the argmax over the output columns, or a
        threshold on a single column: 0 for logits, 0.5 when ``loss_fn`` is
        ``F.binary_cross_entropy`` (probabilities).

    Raises:
        ValueError: for inconsistent arguments (both or neither of ``optimizer`` and ``lr``, shapes
            that do not match, ``patience`` or ``monitor="val_acc"`` without suitable ``val``).
        FloatingPointError: if the loss becomes NaN or infinite; the message names the epoch and batch.
    """
    # ---- check the arguments before any work is done
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size, allow_none=True)
    _check_positive_int("patience", patience, allow_none=True)
    if (optimizer is None) == (lr is None):
        raise ValueError("fit: give exactly one of optimizer=... or lr=... (lr builds optim.SGD for you)")
    if monitor not in _MONITORS:
        raise ValueError(f"fit: monitor must be one of {_MONITORS}, got monitor={monitor!r}")
    Xt = X if isinstance(X, Tensor) else Tensor(X)
    y = y if isinstance(y, Tensor) else np.asarray(y)
    n = len(Xt)
    if Xt.ndim == 0 or _as_array(y).ndim == 0 or len(y) != n:
        raise ValueError(f"fit: X has shape {Xt.shape} but y has shape {_as_array(y).shape}; need one target per row")
    classes = False  # whether y_val holds integer class labels (then accuracy is tracked)
    if val is not None:
        if not isinstance(val, (tuple, list)) or len(val) != 2:
            raise ValueError("fit: val must be a pair (X_val, y_val)")
        X_val = val[0] if isinstance(val[0], Tensor) else Tensor(val[0])
        y_val = val[1] if isinstance(val[1], Tensor) else np.asarray(val[1])
        if X_val.ndim == 0 or _as_array(y_val).ndim == 0 or len(y_val) != len(X_val):
            raise ValueError(
                f"fit: X_val has shape {X_val.shape} but y_val has shape {_as_array(y_val).shape}; "
                "need one target per row"
            )
        classes = _is_class_labels(_as_array(y_val))
    if patience is not None and val is None:
        raise ValueError("fit: early stopping (patience=...) needs validation data, val=(X_val, y_val)")
    if monitor == "val_acc" and (val is None or not classes):
        raise ValueError("fit: monitor='val_acc' needs val=(X_val, y_val) with integer class labels in y_val")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=lr)
    threshold = 0.5 if loss_fn is F.binary_cross_entropy else 0.0

    # ---- train
    history = History(monitor=monitor)
    full_batch = batch_size is None or batch_size >= n
    rng = np.random.default_rng(seed)
    n_batches = 1 if full_batch else math.ceil(n / batch_size)
    sign = 1.0 if monitor == "val_loss" else -1.0  # compare sign * value: lower is better
    best_score, best_state, waited = math.inf, None, 0
    bar = _Progress(epochs, progress)
    epoch = 0
    # A diverging run overflows to inf/NaN; we stop it below with a clear error instead of NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(epochs):
            if full_batch:
                epoch_loss = _step(model, loss_fn, optimizer, Xt, y, epoch, None, 1)
            else:
                order = rng.permutation(n)
                total = 0.0
                for b in range(n_batches):
                    index = order[b * batch_size : (b + 1) * batch_size]
                    Xb, yb = Tensor(Xt.data[index]), _batch_of(y, index)
                    total += _step(model, loss_fn, optimizer, Xb, yb, epoch, b, n_batches) * len(index)
                epoch_loss = total / n
            history.train_loss.append(epoch_loss)

            if val is not None:
                with no_grad():
                    output = model(X_val)
                    val_loss = float(loss_fn(output, y_val).data)
                _check_finite(val_loss, "validation loss", epoch)
                history.val_loss.append(val_loss)
                if classes:
                    history.val_acc.append(_accuracy_of(_as_array(output), _as_array(y_val), threshold))
                score = sign * (val_loss if monitor == "val_loss" else history.val_acc[-1])
                if score < best_score:
                    best_score, waited = score, 0
                    history.best_epoch = epoch
                    if patience is not None:
                        best_state = model.state_dict()
                else:
                    waited += 1

            if callback is not None:
                callback(epoch, model, history)
            bar.update(epoch, history)
            if patience is not None and waited >= patience:
                history.stopped_epoch = epoch
                break

    if best_state is not None and history.best_epoch != epoch:
        model.load_state_dict(best_state)
    bar.close(epoch, history)
    return history
