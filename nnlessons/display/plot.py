"""Plotting helpers, so that a notebook cell shows the idea rather than the matplotlib.

Every function draws into ``ax`` (or a new figure when ``ax`` is None), labels its axes, sets a
title and returns the Axes. Classes are told apart by colour *and* marker, using the Okabe-Ito
palette, which stays distinguishable for the common forms of colour blindness.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence, Union

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from ..tensor import Tensor
from ..training.data import target_function
from ..training.models import predict

__all__ = ["PALETTE", "MARKERS", "decision_boundary", "fit_1d", "learning_curves", "scatter_classes",
           "use_course_style"]

#: Okabe-Ito colours (blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
#: One marker per class, so that classes differ in shape as well as colour.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


#: Font sizes (points) that stay readable when a figure is shown at the width of the book's text column.
COURSE_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 13,
}


def use_course_style() -> None:
    """Make a notebook's figures sharp and readable on the course site: call once, after the imports.

    Inline figures are stored as PNGs at twice the pixel density ("retina": same size on the page,
    sharp on high-resolution screens), and the font sizes are set to :data:`COURSE_STYLE`. Outside
    IPython only the font sizes change.
    """
    plt.rcParams.update(COURSE_STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")


def _axes(ax: Optional[Axes], figsize: tuple[float, float] = (4.5, 4.0)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _as_array(a) -> np.ndarray:
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _labels(y) -> np.ndarray:
    y = _as_array(y)
    return y.reshape(len(y), -1)[:, 0].astype(np.int64) if y.ndim > 1 else y.astype(np.int64)


def scatter_classes(
    X,
    y,
    ax: Optional[Axes] = None,
    *,
    title: Optional[str] = "Data",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    class_names: Optional[Sequence[str]] = None,
    legend: bool = True,
    size: float = 24.0,
) -> Axes:
    """Scatter 2-D points, one colour and marker per class.

    Args:
        X: Points, shape (n, 2) (array or Tensor); for example a hidden layer's two activations.
        y: Integer class labels, shape (n,).
        ax: Axes to draw into; a new figure if None.
        title: Axes title.
        xlabel: Label of the horizontal axis.
        ylabel: Label of the vertical axis.
        class_names: Legend entries; "class 0", "class 1", ... by default.
        legend: Whether to draw the legend.
        size: Marker area in points^2.

    Returns:
        The Axes.
    """
    X, y = _as_array(X), _labels(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"scatter_classes: need X of shape (n, 2) and y of shape (n,), got {X.shape} and {y.shape}")
    ax = _axes(ax)
    for c in np.unique(y):
        name = class_names[c] if class_names is not None else f"class {c}"
        mask = y == c
        ax.scatter(
            X[mask, 0], X[mask, 1], s=size, c=PALETTE[c % len(PALETTE)], marker=MARKERS[c % len(MARKERS)],
            edgecolors="white", linewidths=0.5, label=name, zorder=3,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best", fontsize="small", framealpha=0.8)
    return ax


def decision_boundary(
    model: Callable,
    X,
    y,
    ax: Optional[Axes] = None,
    *,
    title: Optional[str] = "Decision boundary",
    resolution: int = 200,
    margin: float = 0.1,
    threshold: float = 0.0,
    alpha: float = 0.25,
    class_names: Optional[Sequence[str]] = None,
    legend: bool = True,
) -> Axes:
    """Shade the class a 2-D classifier predicts everywhere, and scatter the data on top.

    The model is evaluated (under ``no_grad``) on a ``resolution`` x ``resolution`` grid covering
    the data plus a margin. With several output columns the predicted class is the argmax; with one
    column it is ``output > threshold`` (0 for a logit, 0.5 for a probability).

    Args:
        model: A module or function mapping a Tensor of shape (m, 2) to outputs (m, c) or (m, 1).
        X: Points, shape (n, 2).
        y: Integer class labels, shape (n,).
        ax: Axes to draw into; a new figure if None.
        title: Axes title.
        resolution: Grid points per axis.
        margin: Extra space around the data, as a share of its range.
        threshold: Decision threshold for a single output column.
        alpha: Opacity of the shading.
        class_names: Legend entries; "class 0", ... by default.
        legend: Whether to draw the legend.

    Returns:
        The Axes.
    """
    X, labels = _as_array(X), _labels(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: needs 2-D inputs X of shape (n, 2), got {X.shape}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(g1, g2)
    out = predict(model, np.column_stack([xx.ravel(), yy.ravel()]))
    out = out.reshape(len(out), -1)
    if out.shape[1] > 1:
        predicted = out.argmax(axis=1)
    else:
        predicted = (out[:, 0] > threshold).astype(np.int64)
    k = max(int(labels.max()) + 1 if len(labels) else 0, out.shape[1] if out.shape[1] > 1 else 2)
    zz = predicted.reshape(xx.shape)
    cmap = ListedColormap([PALETTE[c % len(PALETTE)] for c in range(k)])
    ax = _axes(ax)
    ax.contourf(xx, yy, zz, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=alpha, zorder=1)
    edges = [level for level in np.arange(k - 1) + 0.5 if zz.min() < level < zz.max()]
    if edges:  # a model that predicts one class everywhere has no boundary to draw
        ax.contour(xx, yy, zz, levels=edges, colors="0.25", linewidths=0.8, zorder=2)
    scatter_classes(X, labels, ax, title=title, class_names=class_names, legend=legend)
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    return ax


def learning_curves(
    history,
    ax: Optional[Axes] = None,
    *,
    metric: str = "loss",
    title: Optional[str] = "Learning curves",
    log: bool = False,
) -> Axes:
    """Training and validation loss (or validation accuracy) per epoch, with the best epoch marked.

    Args:
        history: The :class:`nnlessons.training.loop.History` returned by ``fit``.
        ax: Axes to draw into; a new figure if None.
        metric: "loss" (training and validation loss) or "acc" (validation accuracy).
        title: Axes title.
        log: Use a logarithmic vertical axis.

    Returns:
        The Axes.
    """
    if metric not in ("loss", "acc"):
        raise ValueError(f"learning_curves: metric must be 'loss' or 'acc', got {metric!r}")
    ax = _axes(ax, figsize=(5.5, 3.5))
    if metric == "loss":
        ax.plot(np.arange(len(history.train_loss)), history.train_loss, color=PALETTE[0], label="training loss")
        val, val_label, ylabel = history.val_loss, "validation loss", "loss"
    else:
        if not history.val_acc:
            raise ValueError(
                "learning_curves: this history has no validation accuracy (fit with val=... and class labels)"
            )
        val, val_label, ylabel = history.val_acc, "validation accuracy", "accuracy"
    if val:
        ax.plot(np.arange(len(val)), val, color=PALETTE[1], linestyle="--", label=val_label)
    if history.best_epoch is not None and val:
        best = history.best_epoch
        ax.axvline(best, color="0.4", linestyle=":", linewidth=1.0)
        ax.plot([best], [val[best]], marker="o", color=PALETTE[3], linestyle="none",
                label=f"best epoch ({best})", zorder=3)
    if history.stopped_epoch is not None:
        ax.axvline(history.stopped_epoch, color=PALETTE[3], linestyle="-.", linewidth=1.0,
                   label=f"stopped early ({history.stopped_epoch})")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax


def fit_1d(
    model_or_fn: Callable,
    x,
    y,
    ax: Optional[Axes] = None,
    *,
    target: Union[str, Callable, None] = None,
    title: Optional[str] = "Fit",
    label: str = "model",
    color: Optional[str] = None,
    show_data: bool = True,
    n_grid: int = 400,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
) -> Axes:
    """A 1-D model's curve over the data it was fitted to (and, optionally, the true function).

    Call it several times on the same ``ax`` (with ``show_data=False`` after the first) to compare
    models.

    Args:
        model_or_fn: A module or function mapping a Tensor (or array) of shape (m, 1) to (m, 1).
        x: Inputs, shape (n, 1) or (n,).
        y: Targets, shape (n, 1) or (n,).
        ax: Axes to draw into; a new figure if None.
        target: The true function, drawn dashed: a name from ``nnlessons.training.data.TARGETS`` or a
            NumPy function.
        title: Axes title.
        label: Legend entry of the model's curve.
        color: Colour of the model's curve (the palette's next colour by default).
        show_data: Scatter the data points.
        n_grid: Number of points on which the curve is drawn.
        xlabel: Label of the horizontal axis.
        ylabel: Label of the vertical axis.

    Returns:
        The Axes.
    """
    x, y = _as_array(x).reshape(-1), _as_array(y).reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"fit_1d: x and y need the same number of points, got {len(x)} and {len(y)}")
    ax = _axes(ax, figsize=(5.0, 3.5))
    grid = np.linspace(x.min(), x.max(), n_grid).reshape(-1, 1)
    if show_data:
        ax.scatter(x, y, s=14, color="0.35", alpha=0.7, label="data", zorder=2)
    if target is not None:
        try:
            target = target_function(target)
        except ValueError as error:
            raise ValueError(f"fit_1d: {error}") from None
        ax.plot(grid[:, 0], np.asarray(target(grid), dtype=np.float64).reshape(-1), color="black",
                linestyle="--", linewidth=1.2, label="target", zorder=3)
    if color is None:
        color = PALETTE[sum(1 for line in ax.get_lines() if line.get_label() not in ("target", "data")) % len(PALETTE)]
    ax.plot(grid[:, 0], predict(model_or_fn, grid).reshape(-1), color=color, linewidth=2.0, label=label, zorder=4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax
