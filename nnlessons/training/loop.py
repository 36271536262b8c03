"""The training loop: :func:`fit` runs gradient descent and returns a :class:`History`.

One epoch is one pass over the training data, in mini-batches or as one full batch. Per batch::

    loss = loss_fn(model(X_batch), y_batch)   # forward
    optimizer.zero_grad()
    loss.backward()                           # backward
    optimizer.step()                          # update

This is the loop you would write by hand in PyTorch; ``fit`` adds what every chapter needs
around it: validation after each epoch, early stopping that restores the best weights
(:class:`~nnlessons.training.early_stopping.EarlyStopping`), a stop with a clear error when the loss
becomes NaN or infinite, and a progress bar in a live notebook that leaves no output behind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

import numpy as np

from ..optim import SGD
from ..tensor import Tensor
from .arguments import check_integer, check_seed
from .early_stopping import EarlyStopping
from .models import predict
from .progress import ProgressBar

__all__ = ["History", "accuracy", "fit"]

ArrayOrTensor = Union[np.ndarray, Tensor]
_MONITORS = {"val_loss": "min", "val_acc": "max"}
_TASKS = ("classification", "binary", "regression")


@dataclass(repr=False)
class History:
    """What happened during :func:`fit`, one entry per epoch (epochs are numbered from 0).

    Attributes:
        train_loss: Mean training loss of each epoch (averaged over its mini-batches, weighted by size).
        val_loss: Validation loss after each epoch (empty without validation data).
        val_acc: Validation accuracy after each epoch (empty unless the task is a classification).
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

    def summary(self) -> str:
        """The last values, e.g. ``"loss 0.1234  val_loss 0.2345  val_acc 0.950"``."""
        text = f"loss {self.train_loss[-1]:.4g}" if self.train_loss else ""
        if self.val_loss:
            text += f"  val_loss {self.val_loss[-1]:.4g}"
        if self.val_acc:
            text += f"  val_acc {self.val_acc[-1]:.3f}"
        return text

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


def _labels(y: np.ndarray, where: str) -> np.ndarray:
    """Class labels of shape (n,) from y of shape (n,) or (n, 1); one-hot rows (n, c) are refused."""
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError(
            f"{where}: y has shape {y.shape}; give one class label per row, shape ({len(y)},) "
            "(for one-hot rows, y.argmax(axis=1))"
        )
    labels = y.reshape(len(y)) if y.ndim == 2 else y
    if labels.ndim != 1 or not np.all(labels == np.round(labels)):
        raise ValueError(f"{where}: y must hold whole-number class labels, one per row; got shape {y.shape}")
    return labels


def _classes(output: np.ndarray, threshold: float) -> np.ndarray:
    """Argmax over the columns, or ``output > threshold`` for a single column."""
    if output.ndim == 2 and output.shape[1] > 1:
        return output.argmax(axis=1)
    return (output.reshape(len(output), -1)[:, 0] > threshold).astype(np.int64)


def _accuracy_of(output: np.ndarray, y: np.ndarray, threshold: float, where: str = "accuracy") -> float:
    return float(np.mean(_classes(output, threshold) == _labels(y, where)))


def accuracy(model: Callable, X: ArrayOrTensor, y: ArrayOrTensor, *, threshold: float = 0.0) -> float:
    """Share of the examples whose predicted class equals the label.

    The prediction is the argmax over the model's output columns; for a single output column it is
    ``output > threshold`` (a logit, so 0 by default; use 0.5 for a model that outputs probabilities).

    Args:
        model: A module (or function) mapping a Tensor of shape (n, d) to outputs of shape (n, c).
        X: Inputs, shape (n, d), with n >= 1.
        y: Integer class labels, shape (n,) or (n, 1) (not one-hot rows).
        threshold: Decision threshold for a single output column.

    Returns:
        The accuracy, a float in [0, 1].
    """
    X, y = _as_array(X), _as_array(y)
    if X.ndim == 0 or y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"accuracy: X has shape {X.shape} but y has shape {y.shape}; need one label per row")
    if len(X) == 0:
        raise ValueError("accuracy: X and y are empty (0 rows); the accuracy of no examples is undefined")
    labels = _labels(y, "accuracy")
    return float(np.mean(_classes(predict(model, X), threshold) == labels))


# ---------------------------------------------------------------------------------------------
# fit, in named steps
# ---------------------------------------------------------------------------------------------


def _rows(X: ArrayOrTensor, y: ArrayOrTensor, what: str) -> tuple[Tensor, ArrayOrTensor]:
    """X as a Tensor and y as it came (Tensor or array), checked to have the same n >= 1 rows."""
    Xt = X if isinstance(X, Tensor) else Tensor(X)
    y = y if isinstance(y, Tensor) else np.asarray(y)
    x_name, y_name = ("X", "y") if what == "training" else ("X_val", "y_val")
    if Xt.ndim == 0 or _as_array(y).ndim == 0 or len(y) != len(Xt):
        raise ValueError(f"fit: {x_name} has shape {Xt.shape} but {y_name} has shape {_as_array(y).shape}; "
                         "need one target per row")
    if len(Xt) == 0:
        raise ValueError(f"fit: the {what} data are empty ({x_name} has 0 rows)")
    return Xt, y


def _task_of(task: Optional[str], y_val: Optional[np.ndarray]) -> str:
    """The task, given or inferred from the validation targets: integer labels -> classification."""
    if task is not None:
        if task not in _TASKS:
            raise ValueError(f"fit: task must be one of {_TASKS} or None, got task={task!r}")
        return task
    if y_val is not None and y_val.dtype.kind in "iub":
        return "classification"
    return "regression"


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


def _train_epoch(model, loss_fn, optimizer, X: Tensor, y, batch_size: Optional[int], rng, epoch: int) -> float:
    """One pass over the data (full batch, or shuffled mini-batches); the mean loss weighted by batch size."""
    n = len(X)
    if batch_size is None or batch_size >= n:
        return _step(model, loss_fn, optimizer, X, y, epoch, None, 1)
    order, n_batches, total = rng.permutation(n), math.ceil(n / batch_size), 0.0
    for b in range(n_batches):
        index = order[b * batch_size : (b + 1) * batch_size]
        yb = Tensor(y.data[index]) if isinstance(y, Tensor) else y[index]
        total += _step(model, loss_fn, optimizer, Tensor(X.data[index]), yb, epoch, b, n_batches) * len(index)
    return total / n


def _validate(model, loss_fn, val: tuple, task: str, threshold: float, history: History, epoch: int) -> float:
    """Validation loss (and accuracy for a classification) after an epoch; returns the monitored value."""
    X_val, y_val = val
    output = predict(model, X_val)
    val_loss = float(loss_fn(Tensor(output), y_val).data)
    _check_finite(val_loss, "validation loss", epoch)
    history.val_loss.append(val_loss)
    if task != "regression":
        history.val_acc.append(_accuracy_of(output, _as_array(y_val), threshold, "fit"))
    return history.val_loss[-1] if history.monitor == "val_loss" else history.val_acc[-1]


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
    task: Optional[str] = None,
    threshold: float = 0.0,
    seed: int = 0,
    progress: Optional[bool] = None,
    callback: Optional[Callable[[int, object, History], None]] = None,
) -> History:
    """Train ``model`` by gradient descent on ``loss_fn(model(X), y)``.

    Args:
        model: A :class:`nnlessons.nn.Module` (it needs ``parameters()``, and ``state_dict()`` /
            ``load_state_dict()`` for early stopping).
        loss_fn: A loss such as ``F.cross_entropy`` or ``F.mse_loss``: ``loss_fn(output, target)``
            must return a scalar Tensor. Any function works: fit never looks at which one it is.
        X: Training inputs, shape (n, d) with n >= 1, array or Tensor.
        y: Training targets with n rows (integer classes for classification), array or Tensor.
        epochs: Maximum number of passes over the training data.
        optimizer: An optimiser such as ``optim.SGD(model.parameters(), lr=0.1)``.
        lr: Instead of ``optimizer``: the learning rate of a plain SGD optimiser built for you.
        batch_size: Mini-batch size, shuffled anew every epoch (seeded by ``seed``);
            None trains on the full batch.
        val: ``(X_val, y_val)``, evaluated after every epoch (without a graph).
        patience: Early stopping: stop after this many epochs without a strict improvement of
            ``monitor``, then restore the weights of the best epoch. Needs ``val``.
            (``patience=epochs`` trains every epoch and still restores the best weights.)
        monitor: "val_loss" (lower is better) or "val_acc" (higher is better).
        task: How validation outputs become classes, for ``history.val_acc``: "classification"
            (argmax over the output columns), "binary" (one column: class 1 where the output is
            > ``threshold``), "regression" (no accuracy). None: "classification" when ``y_val``
            holds integer labels, else "regression"; a single output column is then thresholded.
        threshold: For a single output column: 0 for a logit (default), 0.5 for a probability
            (a model ending in ``nn.Sigmoid``).
        seed: Seed for the mini-batch shuffling.
        progress: None shows a progress bar in a live notebook unless the environment variable
            ``NNLESSONS_PROGRESS=0``; False never shows one. The bar disappears when training ends
            and leaves no output in the notebook.
        callback: Optional ``callback(epoch, model, history)`` called after every epoch, e.g. to save
            snapshots of the model for a figure.

    Returns:
        The :class:`History` of the run.

    Raises:
        ValueError: for inconsistent arguments (both or neither of ``optimizer`` and ``lr``, empty data,
            shapes that do not match, ``patience`` or ``monitor="val_acc"`` without suitable ``val``).
        FloatingPointError: if the loss becomes NaN or infinite; the message names the epoch and batch.
    """
    X, y = _rows(X, y, "training")
    val = _check_fit_arguments(epochs, batch_size, patience, optimizer, lr, monitor, val, seed)
    task = _task_of(task, None if val is None else _as_array(val[1]))
    if monitor == "val_acc" and task == "regression":
        raise ValueError("fit: monitor='val_acc' needs val=(X_val, y_val) with integer class labels in y_val "
                         "(or task='classification' / 'binary')")
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=lr)
    history = History(monitor=monitor)
    rule = EarlyStopping(patience, mode=_MONITORS[monitor])
    bar = ProgressBar(epochs, progress)
    best_state, rng = None, np.random.default_rng(seed)
    try:
        # A diverging run overflows to inf/NaN; it is stopped with a clear error instead of NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(epochs):
                history.train_loss.append(_train_epoch(model, loss_fn, optimizer, X, y, batch_size, rng, epoch))
                if val is not None:
                    if rule.update(_validate(model, loss_fn, val, task, threshold, history, epoch)):
                        best_state = model.state_dict() if patience is not None else None
                    history.best_epoch = rule.best_epoch
                if callback is not None:
                    callback(epoch, model, history)
                bar.update(epoch + 1, history.summary())
                if rule.should_stop:
                    history.stopped_epoch = epoch
                    break
    finally:
        bar.close()
    if best_state is not None and history.best_epoch != history.epochs - 1:
        model.load_state_dict(best_state)
    return history


def _check_fit_arguments(epochs, batch_size, patience, optimizer, lr, monitor, val, seed) -> Optional[tuple]:
    """Check fit's arguments before any work is done; returns val as (X_val Tensor, y_val) or None."""
    check_integer("epochs", epochs, where="fit")
    check_integer("batch_size", batch_size, where="fit", allow_none=True)
    check_integer("patience", patience, where="fit", allow_none=True)
    check_seed(seed, where="fit")
    if (optimizer is None) == (lr is None):
        raise ValueError("fit: give exactly one of optimizer=... or lr=... (lr builds optim.SGD for you)")
    if monitor not in _MONITORS:
        raise ValueError(f"fit: monitor must be one of {tuple(_MONITORS)}, got monitor={monitor!r}")
    if patience is not None and val is None:
        raise ValueError("fit: early stopping (patience=...) needs validation data, val=(X_val, y_val)")
    if val is None:
        return None
    if not isinstance(val, (tuple, list)) or len(val) != 2:
        raise ValueError("fit: val must be a pair (X_val, y_val)")
    return _rows(val[0], val[1], "validation")
