"""The 8x8 handwritten digits of chapter 7: seeded splits, the confusion matrix, early stopping, pictures.

The data are the 1,797 scanned digits that scikit-learn installs with itself
(:func:`sklearn.datasets.load_digits`, the test part of the UCI "Optical Recognition of Handwritten
Digits" set): each image is 8 x 8 pixels with grey levels 0 to 16, flattened to 64 numbers. Nothing is
downloaded.

>>> from nnlessons.chapters.digits import load_digits_split
>>> data = load_digits_split(seed=0)
>>> data.X_train.shape, data.X_val.shape, data.X_test.shape
((1079, 64), (359, 64), (359, 64))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..display.plot import PALETTE
from ..training.early_stopping import EarlyStopping

__all__ = [
    "DigitsSplit",
    "load_digits_split",
    "confusion_matrix",
    "early_stopping_epochs",
    "show_digits",
    "show_weights",
    "plot_confusion_matrix",
    "plot_early_stopping",
]

#: Side of a digit image in pixels.
SIDE = 8


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class DigitsSplit:
    """The digits split into training, validation and test sets (see :func:`load_digits_split`).

    Attributes:
        X_train: Training images, shape (n_train, 64), pixel values in [0, 1].
        y_train: Training labels 0 to 9, shape (n_train,), int64.
        X_val: Validation images, shape (n_val, 64).
        y_val: Validation labels, shape (n_val,).
        X_test: Test images, shape (n_test, 64).
        y_test: Test labels, shape (n_test,).
        seed: The seed that drew the split.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    seed: int

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X_train, y_train)``."""
        return self.X_train, self.y_train

    @property
    def val(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X_val, y_val)``, ready for ``fit(..., val=data.val)``."""
        return self.X_val, self.y_val

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X_test, y_test)``."""
        return self.X_test, self.y_test

    def __repr__(self) -> str:
        return (f"DigitsSplit(train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)}, "
                f"seed={self.seed})")


def _load_sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is pinned in requirements.txt
        raise ImportError("nnlessons.chapters.digits needs scikit-learn: pip install scikit-learn") from None
    bunch = load_digits()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def load_digits_split(val_fraction: float = 0.2, test_fraction: float = 0.2, seed: int = 0) -> DigitsSplit:
    """The 1,797 digits, scaled to [0, 1] and split into seeded, stratified train/val/test sets.

    The pixel values 0..16 are divided by 16. Every class is split separately, so each set has
    (up to rounding) the same share of every digit: for class :math:`c` with :math:`n_c` images,
    :math:`\\operatorname{round}(n_c \\cdot \\text{val\\_fraction})` go to validation,
    :math:`\\operatorname{round}(n_c \\cdot \\text{test\\_fraction})` to test, the rest to training.
    Within each set the rows are shuffled.

    Args:
        val_fraction: Share of every class that goes to the validation set.
        test_fraction: Share of every class that goes to the test set.
        seed: Seed for ``np.random.default_rng``; the same seed gives the same split everywhere.

    Returns:
        A :class:`DigitsSplit`.

    Raises:
        ValueError: if a fraction is not strictly between 0 and 1, or they leave no training data.
    """
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"load_digits_split: {name} must lie strictly between 0 and 1, got {value!r}")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"load_digits_split: val_fraction + test_fraction = {val_fraction + test_fraction} "
                         "leaves no training data")
    X, y = _load_sklearn_digits()
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for c in np.unique(y):
        index = rng.permutation(np.flatnonzero(y == c))
        n_val, n_test = round(len(index) * val_fraction), round(len(index) * test_fraction)
        parts["val"].append(index[:n_val])
        parts["test"].append(index[n_val:n_val + n_test])
        parts["train"].append(index[n_val + n_test:])
    rows = {name: rng.permutation(np.concatenate(chunks)) for name, chunks in parts.items()}
    X = X / 16.0
    return DigitsSplit(X[rows["train"]], y[rows["train"]], X[rows["val"]], y[rows["val"]],
                       X[rows["test"]], y[rows["test"]], seed=seed)


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


def _labels(a, what: str) -> np.ndarray:
    a = np.asarray(getattr(a, "data", a))
    if a.ndim != 1:
        raise ValueError(f"confusion_matrix: {what} must be a 1-d array of class labels, got shape {a.shape}")
    if a.size and (a.dtype.kind not in "iu" and not np.all(a == np.round(a))):
        raise ValueError(f"confusion_matrix: {what} must hold integer class labels")
    return a.astype(np.int64)


def confusion_matrix(y_true, y_pred, n_classes: Optional[int] = None) -> np.ndarray:
    """Count how often each true class is predicted as each class.

    .. math:: C_{ij} = \\#\\{\\, n : y_n = i \\text{ and } \\hat y_n = j \\,\\}

    so the diagonal holds the correct predictions, row :math:`i` sums to the number of examples of
    class :math:`i`, and the accuracy is :math:`\\operatorname{tr}(C) / \\sum_{ij} C_{ij}`.

    Args:
        y_true: True labels 0 .. K-1, shape (n,).
        y_pred: Predicted labels, shape (n,).
        n_classes: K; by default one more than the largest label seen.

    Returns:
        An int64 array of shape (K, K).
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    if len(y_true) and min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("confusion_matrix: labels must be >= 0")
    seen = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    k = seen if n_classes is None else int(n_classes)
    if k < seen:
        raise ValueError(f"confusion_matrix: n_classes={n_classes} but a label {seen - 1} occurs")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def early_stopping_epochs(values: Sequence[float], patience: int, mode: str = "max") -> tuple[int, Optional[int]]:
    """Replay the early-stopping rule of :func:`nnlessons.training.loop.fit` on a recorded validation curve
    (the same :class:`~nnlessons.training.early_stopping.EarlyStopping` object fit uses).

    After every epoch the monitored value is compared with the best so far; only a strict improvement
    counts. Training stops at the first epoch after which ``patience`` epochs in a row brought no
    improvement, and the weights of the best epoch are restored.

    Args:
        values: The monitored value after each epoch (e.g. ``history.val_acc``), epochs numbered from 0.
        patience: Number of epochs without improvement that ends training (a positive integer).
        mode: "max" when higher is better (accuracy), "min" when lower is better (loss).

    Returns:
        ``(best_epoch, stopped_epoch)``: the epoch whose weights are kept (the first epoch reaching the
        best value seen before stopping), and the epoch at which training stops, or None if the curve
        ends first.
    """
    try:
        rule = EarlyStopping(patience, mode=mode)
    except ValueError as error:
        raise ValueError(f"early_stopping_epochs: {error}") from None
    if patience is None:
        raise ValueError("early_stopping_epochs: patience must be an integer >= 1, got patience=None")
    values = [float(v) for v in values]
    if not values:
        raise ValueError("early_stopping_epochs: values is empty")
    for value in values:
        rule.update(value)
        if rule.should_stop:
            break
    return rule.best_epoch, rule.stopped_epoch


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def _images(images) -> np.ndarray:
    a = np.asarray(getattr(images, "data", images), dtype=np.float64)
    if a.ndim == 1:
        a = a[None]
    if a.ndim == 2 and a.shape[1] == SIDE * SIDE:
        a = a.reshape(-1, SIDE, SIDE)
    if a.ndim != 3:
        raise ValueError(f"expected images of shape (n, 64) or (n, 8, 8), got {np.shape(images)}")
    return a


def _grid(n: int, ncols: int, cell: float, title_space: float) -> tuple[Figure, np.ndarray]:
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell * ncols, (cell + title_space) * nrows + 0.4),
                             squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def show_digits(images, labels=None, predictions=None, *, ncols: int = 10, title: Optional[str] = None,
                cell: float = 0.9) -> Figure:
    """Draw digit images in a grid, dark ink on white, with their labels (and predictions) above.

    Args:
        images: Shape (n, 64) or (n, 8, 8), pixel values in [0, 1] (or 0..16).
        labels: True labels, shape (n,), written above each image.
        predictions: Predicted labels, shape (n,); then each title reads "true 3, said 8".
        ncols: Images per row.
        title: Title of the whole figure.
        cell: Width of one image in inches.

    Returns:
        The Figure.
    """
    imgs = _images(images)
    n = len(imgs)
    fig, axes = _grid(n, ncols, cell, 0.3 if predictions is None else 0.45)
    top = max(1.0, float(imgs.max())) if n else 1.0
    for i, ax in enumerate(axes.flat[:n]):
        ax.imshow(imgs[i], cmap="gray_r", vmin=0.0, vmax=top, interpolation="nearest")
        if labels is not None and predictions is not None:
            ax.set_title(f"true {int(labels[i])}\nsaid {int(predictions[i])}", fontsize=9)
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


def show_weights(weight, *, ncols: int = 8, title: Optional[str] = None, labels: Optional[Sequence[str]] = None,
                 cell: float = 0.9) -> Figure:
    """Draw each row of a first-layer weight matrix as an 8 x 8 image.

    Row :math:`i` of ``Linear(64, m).weight`` holds :math:`W_{ij}`, the weight from pixel :math:`j` to
    unit :math:`i`, so unit :math:`i` computes :math:`z_i = \\sum_j W_{ij} x_j + b_i`: it responds most
    to an image with ink where its weights are positive (red) and none where they are negative (blue).
    Each image has its own symmetric colour scale, :math:`\\pm \\max_j |W_{ij}|`, so white is 0.

    Args:
        weight: Array or Tensor of shape (m, 64) (a ``Linear(64, m).weight``).
        ncols: Images per row.
        title: Title of the whole figure.
        labels: Optional caption above each image (e.g. the class of a softmax output unit).
        cell: Width of one image in inches.

    Returns:
        The Figure.
    """
    w = _images(weight)
    n = len(w)
    fig, axes = _grid(n, ncols, cell, 0.3 if labels is not None else 0.1)
    for i, ax in enumerate(axes.flat[:n]):
        scale = float(np.abs(w[i]).max()) or 1.0
        ax.imshow(w[i], cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


def plot_confusion_matrix(matrix, ax: Optional[Axes] = None, *, title: Optional[str] = "Confusion matrix",
                          class_names: Optional[Sequence[str]] = None) -> Axes:
    """Draw a confusion matrix (true class down, predicted class across) with its counts written in.

    Zero cells are left blank, so the mistakes off the diagonal stand out.

    Args:
        matrix: The (K, K) counts from :func:`confusion_matrix`.
        ax: Axes to draw into; a new figure if None.
        title: Axes title.
        class_names: Tick labels; 0 .. K-1 by default.

    Returns:
        The Axes.
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"plot_confusion_matrix: need a square matrix, got shape {m.shape}")
    k = m.shape[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2), layout="constrained")
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(int(m.max()), 1))
    threshold = m.max() / 2
    for i in range(k):
        for j in range(k):
            if m[i, j]:
                ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if m[i, j] > threshold else "black")
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title)
    return ax


def plot_early_stopping(val_acc: Sequence[float], patience: int, test_acc: Optional[Sequence[float]] = None,
                        ax: Optional[Axes] = None, *, title: Optional[str] = None) -> Axes:
    """Show where early stopping with a given patience would stop on a recorded accuracy curve.

    Draws the validation accuracy per epoch (and the test accuracy, if given, for illustration only:
    the rule never looks at it), shades the epochs that would not be run, and marks the restored
    best epoch.

    Args:
        val_acc: Validation accuracy after each epoch of a long run.
        patience: The patience to replay (see :func:`early_stopping_epochs`).
        test_acc: Optional test accuracy after each epoch.
        ax: Axes to draw into; a new figure if None.
        title: Axes title; by default it states the patience, the stop and the kept epoch.

    Returns:
        The Axes.
    """
    best, stopped = early_stopping_epochs(val_acc, patience, mode="max")
    if ax is None:  # fixed margins rather than a layout engine: an explorer draws this many times
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
        fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
    epochs = np.arange(len(val_acc))
    ax.plot(epochs, val_acc, color=PALETTE[1], linestyle="--", label="validation accuracy")
    if test_acc is not None:
        ax.plot(epochs, test_acc, color=PALETTE[2], linewidth=1.0, label="test accuracy (not used)")
    end = len(val_acc) - 1 if stopped is None else stopped
    if stopped is not None:
        ax.axvspan(stopped + 0.5, len(val_acc) - 0.5, color="0.85", label="not trained")
        ax.axvline(stopped, color=PALETTE[3], linestyle="-.", linewidth=1.0, label=f"stop ({stopped})")
    ax.plot([best], [val_acc[best]], marker="o", color=PALETTE[3], linestyle="none", zorder=3,
            label=f"weights kept ({best})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    lo = min(min(val_acc[1:] if len(val_acc) > 1 else val_acc), min(test_acc[1:]) if test_acc is not None and len(test_acc) > 1 else 1.0)
    ax.set_ylim(max(0.0, lo - 0.01), 1.0)
    if title is None:
        where = f"stops after epoch {stopped}" if stopped is not None else f"runs all {end + 1} epochs"
        title = f"Patience {patience}: {where}, keeps epoch {best}"
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return ax
