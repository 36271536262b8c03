"""The 8x8 handwritten digits of chapter 7: seeded splits, standardised inputs, the confusion matrix,
early stopping (and a run that tests it on images nobody used), what hidden units respond to, pictures.

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

from .. import functional as F
from .. import nn, optim
from ..display.plot import PALETTE
from ..training.early_stopping import EarlyStopping
from ..training.loop import History, accuracy, fit
from ..training.models import mlp

__all__ = [
    "DigitsSplit",
    "load_digits_split",
    "Standardiser",
    "confusion_matrix",
    "early_stopping_epochs",
    "OverfittingRun",
    "overfitting_run",
    "unit_extremes",
    "show_digits",
    "show_weights",
    "show_unit_extremes",
    "plot_confusion_matrix",
    "plot_early_stopping",
    "plot_overfitting",
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

    def transform(self, fn: Callable[[np.ndarray], np.ndarray]) -> "DigitsSplit":
        """A new split with ``fn`` applied to the images of all three sets (labels and seed unchanged).

        Example: ``data.transform(Standardiser(data.X_train))``, inputs standardised with statistics
        of the training images only.
        """
        return DigitsSplit(fn(self.X_train), self.y_train, fn(self.X_val), self.y_val, fn(self.X_test),
                           self.y_test, seed=self.seed)

    def resplit(self, seed: int) -> "DigitsSplit":
        """Another training/validation split of the same non-test images; the test set is kept as it is.

        The training and validation images are pooled and split again, class by class, with as many
        images of every digit in the new validation set as in the old one (so the set sizes stay the
        same), drawn with ``np.random.default_rng(seed)``. Experiments on the new split can check a
        conclusion drawn on the first one without ever touching the test images.
        """
        X = np.concatenate([self.X_train, self.X_val])
        y = np.concatenate([self.y_train, self.y_val])
        rng = np.random.default_rng(seed)
        val_counts = np.bincount(self.y_val, minlength=int(y.max()) + 1)
        val, train = [], []
        for c in np.unique(y):
            index = rng.permutation(np.flatnonzero(y == c))
            val.append(index[:val_counts[c]])
            train.append(index[val_counts[c]:])
        train, val = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(val))
        return DigitsSplit(X[train], y[train], X[val], y[val], self.X_test, self.y_test, seed=self.seed)

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


class Standardiser:
    """Standardise every input column with the mean and standard deviation of the *training* images.

    .. math:: x'_j = \\frac{x_j - \\mu_j}{\\sigma_j}, \\qquad
        \\mu_j = \\frac{1}{N} \\sum_{n=1}^N x_j^{(n)}, \\quad
        \\sigma_j = \\sqrt{\\frac{1}{N} \\sum_{n=1}^N \\big(x_j^{(n)} - \\mu_j\\big)^2}

    with the sums over the :math:`N` training images only, so that the validation and test images
    stay unseen and every image, old or new, is transformed the same way. A column that never varies
    in the training images (a pixel blank in all of them) has :math:`\\sigma_j = 0`; it is divided by 1
    instead, as scikit-learn's ``StandardScaler`` does.

    Args:
        X_train: The training inputs, shape (N, d), N >= 1.

    Attributes:
        mean: :math:`\\mu`, shape (d,).
        std: :math:`\\sigma` with 1 where it was 0, shape (d,).
        constant: Boolean mask, shape (d,), of the columns whose :math:`\\sigma_j` was 0.

    >>> s = Standardiser(np.array([[0.0, 1.0], [2.0, 1.0]]))
    >>> s(np.array([[1.0, 1.0], [3.0, 2.0]]))
    array([[0., 0.],
           [2., 1.]])
    """

    def __init__(self, X_train) -> None:
        X = np.asarray(getattr(X_train, "data", X_train), dtype=np.float64)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"Standardiser: X_train must have shape (N, d) with N >= 1, got {X.shape}")
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.constant = std == 0
        self.std = np.where(self.constant, 1.0, std)

    def __call__(self, X) -> np.ndarray:
        """``(X - mean) / std``, row by row, for inputs of shape (n, d)."""
        X = np.asarray(getattr(X, "data", X), dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.mean):
            raise ValueError(f"Standardiser: expected inputs of shape (n, {len(self.mean)}), got {X.shape}")
        return (X - self.mean) / self.std

    def __repr__(self) -> str:
        return f"Standardiser(d={len(self.mean)}, constant columns={int(self.constant.sum())})"


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
# Does early stopping help? A run judged on images that neither training nor stopping used
# ---------------------------------------------------------------------------------------------


@dataclass(repr=False)
class OverfittingRun:
    """One long run of :func:`overfitting_run`, and what early stopping would have kept from it.

    Attributes:
        seed: Seed of the initial weights and of the mini-batch order.
        n_train: Number of training images (the first ``n_train`` of ``X_train``).
        n_unused: Number of the other training images, used only to judge the run.
        history: The :class:`~nnlessons.training.loop.History` of all ``epochs`` epochs (no stopping).
        patience: The patience replayed on ``history.val_acc``.
        best_epoch: The epoch early stopping keeps (the best validation accuracy before it stops).
        stopped_epoch: The epoch after which it stops, None if it would run to the end.
        unused_kept: Accuracy on the unused images of the weights of ``best_epoch``.
        unused_end: Accuracy on the unused images after the last epoch.
        unused_curve: Accuracy on the unused images after every epoch, if asked for (else None).
    """

    seed: int
    n_train: int
    n_unused: int
    history: History
    patience: int
    best_epoch: int
    stopped_epoch: Optional[int]
    unused_kept: float
    unused_end: float
    unused_curve: Optional[list[float]] = None

    @property
    def epochs_saved(self) -> int:
        """Epochs that early stopping would not have run."""
        return 0 if self.stopped_epoch is None else self.history.epochs - 1 - self.stopped_epoch

    def __repr__(self) -> str:
        return (f"OverfittingRun(seed={self.seed}, kept epoch {self.best_epoch}, stopped {self.stopped_epoch}, "
                f"unused images {self.unused_kept:.4f} kept vs {self.unused_end:.4f} at the end)")


def overfitting_run(data: DigitsSplit, seed: int = 0, *, n_train: int = 100, hidden: int = 128,
                    epochs: int = 300, patience: int = 20, batch_size: int = 20, lr: float = 0.05,
                    momentum: float = 0.9, curve: bool = False) -> OverfittingRun:
    """Train a wide tanh network on few images for many epochs, and ask whether stopping early helped.

    The network ``mlp([64, hidden, 10], nn.Tanh, seed=seed)`` trains on the first ``n_train`` training
    images, standardised with *their* mean and standard deviation (:class:`Standardiser`), by SGD with
    momentum on mini-batches, for all ``epochs`` epochs, with the validation accuracy recorded after
    each. The early-stopping rule (:class:`~nnlessons.training.early_stopping.EarlyStopping`, the one
    ``fit`` uses) is replayed on that curve with ``patience``. The other training images were used for
    nothing, neither for gradient steps nor for the stopping rule, so the accuracy on them of the kept
    weights and of the last weights says honestly whether stopping helped. The test set is not touched.

    Args:
        data: The split (pixels in [0, 1], not standardised).
        seed: Seed of the weights and of the mini-batch order.
        n_train: How many training images to train on (the rest are the unused images).
        hidden: Width of the hidden layer.
        epochs: Length of the run.
        patience: Patience of the replayed early stopping.
        batch_size, lr, momentum: The SGD recipe.
        curve: Also record the accuracy on the unused images after every epoch (slower).

    Returns:
        An :class:`OverfittingRun`.
    """
    if not 0 < n_train < len(data.y_train):
        raise ValueError(f"overfitting_run: n_train must lie between 1 and {len(data.y_train) - 1}, got {n_train}")
    scale = Standardiser(data.X_train[:n_train])
    X, y = scale(data.X_train[:n_train]), data.y_train[:n_train]
    X_unused, y_unused = scale(data.X_train[n_train:]), data.y_train[n_train:]
    rule = EarlyStopping(patience, mode="max")
    seen: dict[str, object] = {"kept": None, "curve": [] if curve else None}

    def watch(epoch: int, model, history: History) -> None:
        if curve:
            seen["curve"].append(accuracy(model, X_unused, y_unused))
        if not rule.should_stop and rule.update(history.val_acc[-1]):
            seen["kept"] = seen["curve"][-1] if curve else accuracy(model, X_unused, y_unused)

    model = mlp([64, hidden, 10], nn.Tanh, seed=seed)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    history = fit(model, F.cross_entropy, X, y, epochs=epochs, optimizer=optimizer, batch_size=batch_size,
                  val=(scale(data.X_val), data.y_val), monitor="val_acc", seed=seed, progress=False,
                  callback=watch)
    end = seen["curve"][-1] if curve else accuracy(model, X_unused, y_unused)
    return OverfittingRun(seed, n_train, len(y_unused), history, patience, rule.best_epoch, rule.stopped_epoch,
                          float(seen["kept"]), float(end), seen["curve"])


# ---------------------------------------------------------------------------------------------
# What a hidden unit responds to
# ---------------------------------------------------------------------------------------------


def unit_extremes(activations, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """For every hidden unit, the rows (images) that drive it highest and lowest.

    Args:
        activations: The hidden layer's outputs, shape (n_images, n_units).
        k: How many images per unit and side.

    Returns:
        ``(highest, lowest)``, two int arrays of shape (n_units, k): ``highest[u]`` lists the images
        with the largest output of unit ``u``, largest first (ties keep the image order);
        ``lowest[u]`` those with the smallest, smallest first.
    """
    a = np.asarray(getattr(activations, "data", activations), dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"unit_extremes: activations must have shape (n_images, n_units), got {a.shape}")
    if not 1 <= k <= len(a):
        raise ValueError(f"unit_extremes: k must lie between 1 and the number of images {len(a)}, got {k}")
    highest = np.argsort(-a, axis=0, kind="stable")[:k].T
    lowest = np.argsort(a, axis=0, kind="stable")[:k].T
    return highest, lowest


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


def show_unit_extremes(images, activations, labels, units: Sequence[int], *, k: int = 5,
                       cell: float = 0.5) -> Figure:
    """For each chosen hidden unit, a row of the images that drive it highest, then those that drive it lowest.

    Each unit gets one strip: its ``k`` highest-output images (largest first), a gap, and its ``k``
    lowest-output images (lowest first), dark ink on white, with each image's label written under it.

    Args:
        images: The images, shape (n, 64) or (n, 8, 8), e.g. the training images (pixels in [0, 1]).
        activations: The hidden layer's outputs on those images, shape (n, n_units).
        labels: Their labels, shape (n,).
        units: Which units to show, one strip each.
        k: Images per side.
        cell: Width of one image in inches.

    Returns:
        The Figure.
    """
    imgs = _images(images)
    imgs = imgs / max(1.0, float(imgs.max()))
    highest, lowest = unit_extremes(activations, k)
    units = list(units)
    slots = 2 * k + 1  # k images, an empty slot, k images
    fig, axes = plt.subplots(len(units), 1, figsize=(cell * slots + 0.9, (cell + 0.3) * len(units) + 0.45),
                             squeeze=False, layout="constrained")
    for row, (ax, u) in enumerate(zip(axes[:, 0], units)):
        strip = np.zeros((SIDE, SIDE * slots))
        order = list(highest[u]) + [None] + list(lowest[u])
        ticks, names = [], []
        for slot, index in enumerate(order):
            if index is None:
                continue
            strip[:, slot * SIDE:(slot + 1) * SIDE] = imgs[index]
            ticks.append(slot * SIDE + (SIDE - 1) / 2)
            names.append(str(int(labels[index])))
        ax.imshow(strip, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        for slot in range(1, slots):  # thin white lines between neighbouring images
            ax.axvline(slot * SIDE - 0.5, color="white", linewidth=1.0)
        ax.set_xticks(ticks, names)
        ax.tick_params(length=0, pad=1)
        ax.set_yticks([])
        ax.set_ylabel(f"unit {u}", rotation=0, ha="right", va="center")
        for spine in ax.spines.values():
            spine.set_visible(False)
        if row == 0:
            ax.set_title("highest output" + " " * 14 + "lowest output", fontsize=11)
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
        _, ax = plt.subplots(figsize=(5.2, 4.8), layout="constrained")
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(int(m.max()), 1))
    threshold = m.max() / 2
    for i in range(k):
        for j in range(k):
            if m[i, j]:
                ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=10,
                        color="white" if m[i, j] > threshold else "black")
    names = [str(c) for c in range(k)] if class_names is None else list(class_names)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title)
    return ax


def plot_early_stopping(val_acc: Sequence[float], patience: int, ax: Optional[Axes] = None, *,
                        title: Optional[str] = None) -> Axes:
    """Show where early stopping with a given patience would stop on a recorded accuracy curve.

    Draws the validation accuracy per epoch, shades the epochs that would not be run, and marks the
    restored best epoch. (Only the validation set: the test set is for the very end.)

    Args:
        val_acc: Validation accuracy after each epoch of a long run.
        patience: The patience to replay (see :func:`early_stopping_epochs`).
        ax: Axes to draw into; a new figure if None.
        title: Axes title; by default it states the patience, the stop and the kept epoch.

    Returns:
        The Axes.
    """
    best, stopped = early_stopping_epochs(val_acc, patience, mode="max")
    if ax is None:  # fixed margins rather than a layout engine: an explorer draws this many times
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.15, top=0.9)
    epochs = np.arange(len(val_acc))
    ax.plot(epochs, val_acc, color=PALETTE[1], linestyle="--", label="validation accuracy")
    end = len(val_acc) - 1 if stopped is None else stopped
    if stopped is not None:
        ax.axvspan(stopped + 0.5, len(val_acc) - 0.5, color="0.85", label="not trained")
        ax.axvline(stopped, color=PALETTE[3], linestyle="-.", linewidth=1.0, label=f"stop ({stopped})")
    ax.plot([best], [val_acc[best]], marker="o", color=PALETTE[3], linestyle="none", zorder=3,
            label=f"weights kept ({best}): {val_acc[best]:.3f}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    lo = min(val_acc[1:]) if len(val_acc) > 1 else val_acc[0]
    ax.set_ylim(max(0.0, lo - 0.01), 1.0)
    if title is None:
        where = f"stops after epoch {stopped}" if stopped is not None else f"runs all {end + 1} epochs"
        title = f"Patience {patience}: {where}, keeps epoch {best}"
    ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_overfitting(run: OverfittingRun) -> Figure:
    """The long run of :func:`overfitting_run`: losses on the left, accuracies on the right.

    Left: training and validation loss per epoch (cut at 1; both start near ln 10). Right: validation accuracy and (if recorded)
    the accuracy on the unused training images. Both mark the epoch early stopping keeps (dotted) and
    the one where it stops (dash-dotted).

    Returns:
        The Figure (two panels side by side).
    """
    h = run.history
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    epochs = np.arange(h.epochs)
    left.plot(epochs, h.train_loss, color=PALETTE[0], label="training loss")
    left.plot(epochs, h.val_loss, color=PALETTE[1], linestyle="--", label="validation loss")
    left.set_ylim(0.0, 1.0)
    left.set_ylabel("loss")
    left.set_title(f"{run.n_train} training images: loss")
    right.plot(epochs, h.val_acc, color=PALETTE[1], linestyle="--", label="validation")
    if run.unused_curve is not None:
        right.plot(epochs, run.unused_curve, color=PALETTE[2], label=f"{run.n_unused} unused images")
    right.set_ylabel("accuracy")
    right.set_title(f"{run.n_train} training images: accuracy")
    for ax in (left, right):
        ax.axvline(run.best_epoch, color="0.3", linestyle=":", linewidth=1.2, label=f"kept ({run.best_epoch})")
        if run.stopped_epoch is not None:
            ax.axvline(run.stopped_epoch, color=PALETTE[3], linestyle="-.", linewidth=1.2,
                       label=f"stop ({run.stopped_epoch})")
        ax.set_xlabel("epoch")
        ax.legend(loc="best")
    low = min(min(h.val_acc[5:] or h.val_acc), min((run.unused_curve or [1.0])[5:] or [1.0]))
    right.set_ylim(max(0.0, low - 0.02), min(1.0, max(h.val_acc) + 0.03))
    return fig
