"""Tests of nnlessons.chapters.digits (chapter 7), and of the package reference appendix that documents it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlessons  # noqa: E402
import nnlessons as nl  # noqa: E402
from nnlessons import functional as F  # noqa: E402
from nnlessons import nn, optim  # noqa: E402
from nnlessons.checks.ch07 import check_confusion_matrix, check_early_stopping  # noqa: E402
from nnlessons.chapters.digits import (  # noqa: E402
    DigitsSplit,
    Standardiser,
    confusion_matrix,
    early_stopping_epochs,
    load_digits_split,
    overfitting_run,
    plot_confusion_matrix,
    plot_early_stopping,
    plot_overfitting,
    show_digits,
    show_unit_extremes,
    show_weights,
    unit_extremes,
)
from nnlessons.training import accuracy, fit, mlp  # noqa: E402
from nnlessons.training.early_stopping import EarlyStopping  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def split() -> DigitsSplit:
    return load_digits_split(seed=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# load_digits_split
# ---------------------------------------------------------------------------------------------


def test_split_sizes_types_and_range(split):
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (1079, 359, 359)
    for X, y in (split.train, split.val, split.test):
        assert X.dtype == np.float64 and X.shape == (len(y), 64)
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
        assert X.min() == 0.0 and X.max() == 1.0
    assert repr(split) == "DigitsSplit(train=1079, val=359, test=359, seed=0)"


def test_split_is_a_stratified_partition_of_all_1797_images(split):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    every = np.concatenate([split.X_train, split.X_val, split.X_test]) * 16.0
    labels = np.concatenate([split.y_train, split.y_val, split.y_test])
    # Same multiset of (image, label) rows as the original: sort both the same way and compare.
    ours = np.column_stack([every, labels])
    theirs = np.column_stack([bunch.data, bunch.target])
    order = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    np.testing.assert_array_equal(order(ours), order(theirs))
    # Stratified: every digit contributes round(20 %) of its images to validation and to test.
    counts = np.bincount(bunch.target)
    np.testing.assert_array_equal(np.bincount(split.y_val), np.round(counts * 0.2).astype(int))
    np.testing.assert_array_equal(np.bincount(split.y_test), np.round(counts * 0.2).astype(int))


def test_split_is_seeded(split):
    again = load_digits_split(seed=0)
    other = load_digits_split(seed=1)
    np.testing.assert_array_equal(split.X_train, again.X_train)
    np.testing.assert_array_equal(split.y_test, again.y_test)
    assert not np.array_equal(split.X_train, other.X_train)


def test_split_fractions_and_errors():
    half = load_digits_split(val_fraction=0.1, test_fraction=0.4, seed=3)
    assert abs(len(half.y_val) - 180) <= 5 and abs(len(half.y_test) - 719) <= 5
    for bad in (dict(val_fraction=0.0), dict(test_fraction=1.0), dict(val_fraction=0.6, test_fraction=0.4)):
        with pytest.raises(ValueError, match="load_digits_split"):
            load_digits_split(**bad)


# ---------------------------------------------------------------------------------------------
# Standardiser and DigitsSplit.transform
# ---------------------------------------------------------------------------------------------


def test_standardiser_gives_training_columns_mean_0_and_std_1(split):
    scale = Standardiser(split.X_train)
    Z = scale(split.X_train)
    varying = ~scale.constant
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, varying].std(axis=0), 1.0, rtol=1e-12)
    # Blank in every training image: sigma = 0, divided by 1, so the column stays 0 - 0 = 0.
    assert np.all(split.X_train[:, scale.constant] == 0.0) and np.all(Z[:, scale.constant] == 0.0)
    assert scale.constant.sum() == 4 and repr(scale) == "Standardiser(d=64, constant columns=4)"


def test_standardiser_uses_only_the_training_statistics():
    X_train = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])  # mean (2, 5), std (sqrt(8/3), 0)
    scale = Standardiser(X_train)
    np.testing.assert_allclose(scale(np.array([[2.0 + np.sqrt(8 / 3), 7.0]])), [[1.0, 2.0]])
    np.testing.assert_array_equal(scale.constant, [False, True])
    # Matches scikit-learn's StandardScaler, which also divides constant columns by 1.
    from sklearn.preprocessing import StandardScaler

    X_new = np.array([[1.0, 4.0], [9.0, 6.0]])
    np.testing.assert_allclose(scale(X_new), StandardScaler().fit(X_train).transform(X_new), atol=1e-15)
    for bad, match in ((np.zeros((0, 2)), "N >= 1"), (np.zeros(3), "shape")):
        with pytest.raises(ValueError, match=match):
            Standardiser(bad)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        scale(np.zeros((1, 3)))


def test_transform_maps_the_images_of_all_three_sets_and_keeps_the_labels(split):
    doubled = split.transform(lambda X: 2 * X)
    for (X, y), (X2, y2) in zip((split.train, split.val, split.test), (doubled.train, doubled.val, doubled.test)):
        np.testing.assert_array_equal(X2, 2 * X)
        np.testing.assert_array_equal(y2, y)
    assert doubled.seed == split.seed


def test_resplit_keeps_the_test_set_and_redraws_train_and_validation(split):
    other = split.resplit(1)
    np.testing.assert_array_equal(other.X_test, split.X_test)
    np.testing.assert_array_equal(other.y_test, split.y_test)
    assert (len(other.y_train), len(other.y_val)) == (len(split.y_train), len(split.y_val))
    np.testing.assert_array_equal(np.bincount(other.y_val), np.bincount(split.y_val))
    # The same pool of non-test rows (as a multiset), but not the same validation set.
    pool = lambda d: np.column_stack([np.concatenate([d.X_train, d.X_val]),  # noqa: E731
                                      np.concatenate([d.y_train, d.y_val])])
    order = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    np.testing.assert_array_equal(order(pool(other)), order(pool(split)))
    assert not np.array_equal(order(np.column_stack([other.X_val, other.y_val])),
                              order(np.column_stack([split.X_val, split.y_val])))
    np.testing.assert_array_equal(split.resplit(1).X_val, other.X_val)  # seeded


# ---------------------------------------------------------------------------------------------
# confusion_matrix
# ---------------------------------------------------------------------------------------------


def test_confusion_matrix_matches_a_brute_force_count():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    C = confusion_matrix(y_true, y_pred, n_classes=6)
    expected = np.array([[np.sum((y_true == i) & (y_pred == j)) for j in range(6)] for i in range(6)])
    np.testing.assert_array_equal(C, expected)
    assert C.dtype == np.int64 and C.sum() == 200
    np.testing.assert_array_equal(C.sum(axis=1)[:5], np.bincount(y_true, minlength=5))
    assert np.trace(C) / C.sum() == np.mean(y_true == y_pred)


def test_confusion_matrix_small_example_and_default_size():
    C = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]))
    np.testing.assert_array_equal(C, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    C = confusion_matrix(nl.Tensor([0.0, 1.0]), [1, 1])  # Tensors and lists of whole numbers work
    np.testing.assert_array_equal(C, [[0, 1], [0, 1]])


@pytest.mark.parametrize("args, match", [
    (([0, 1], [0]), "2 labels but y_pred has 1"),
    (([0, 3], [0, 1], 2), "n_classes=2 but a label 3"),
    (([0, -1], [0, 1]), ">= 0"),
    (([[0, 1]], [[0, 1]]), "1-d"),
    (([0.5, 1], [0, 1]), "integer"),
])
def test_confusion_matrix_errors(args, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(*args)


# ---------------------------------------------------------------------------------------------
# early_stopping_epochs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, patience, mode, expected", [
    ([0.5, 0.6, 0.7], 2, "max", (2, None)),
    ([0.5, 0.7, 0.7, 0.7], 2, "max", (1, 3)),       # equal is not an improvement
    ([0.5, 0.8, 0.7, 0.9, 0.6, 0.6], 2, "max", (3, 5)),
    ([0.9, 0.8], 1, "max", (0, 1)),
    ([3.0, 2.0, 2.5, 2.5, 1.0], 2, "min", (1, 3)),
    ([3.0, 2.0, 2.5, 1.0, 1.5], 2, "min", (3, None)),
])
def test_early_stopping_epochs_by_hand(values, patience, mode, expected):
    assert early_stopping_epochs(values, patience, mode=mode) == expected


def test_early_stopping_epochs_errors():
    for patience in (0, 1.5, True):
        with pytest.raises(ValueError, match="patience"):
            early_stopping_epochs([0.5], patience)
    with pytest.raises(ValueError, match="mode"):
        early_stopping_epochs([0.5], 1, mode="best")
    with pytest.raises(ValueError, match="empty"):
        early_stopping_epochs([], 1)


@pytest.mark.parametrize("monitor, mode", [("val_acc", "max"), ("val_loss", "min")])
def test_replaying_a_long_run_reproduces_fit_with_early_stopping(monitor, mode):
    """Same seeds, same trajectory: the replayed rule must stop where fit stops and keep what fit keeps."""
    from nnlessons.training.data import blobs, train_val_split

    X, y = blobs(n=240, k=4, spread=1.0, seed=1)
    (Xt, yt), val = train_val_split(X, y, val_fraction=0.25, seed=1)

    def run(**kw):
        nl.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 4))
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        h = fit(model, F.cross_entropy, Xt, yt, optimizer=opt, batch_size=16, val=val, monitor=monitor,
                seed=0, progress=False, **kw)
        return h, model

    long_history, _ = run(epochs=80)
    for patience in (1, 3, 5):
        history, model = run(epochs=80, patience=patience)
        curve = getattr(long_history, monitor)
        best, stopped = early_stopping_epochs(curve, patience, mode=mode)
        assert (best, stopped) == (history.best_epoch, history.stopped_epoch)
        assert getattr(history, monitor)[: history.epochs] == curve[: history.epochs]


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def test_show_digits_draws_one_image_per_digit_with_titles(split):
    fig = show_digits(split.X_train[:7], split.y_train[:7], ncols=4, title="seven")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 8 and len(visible) == 7
    assert [ax.get_title() for ax in visible] == [str(v) for v in split.y_train[:7]]
    np.testing.assert_array_equal(visible[0].images[0].get_array(), split.X_train[0].reshape(8, 8))
    assert fig._suptitle.get_text() == "seven"
    fig = show_digits(split.X_test[:2].reshape(2, 8, 8), [3, 5], [8, 5])
    assert [ax.get_title() for ax in fig.axes] == ["true 3\nsaid 8", "true 5\nsaid 5"]
    with pytest.raises(ValueError, match="shape"):
        show_digits(np.zeros((2, 63)))


def test_show_weights_uses_a_symmetric_scale_per_image():
    w = np.arange(3 * 64, dtype=float).reshape(3, 64) - 50.0
    fig = show_weights(nl.Tensor(w), ncols=3, labels=["a", "b", "c"])
    for ax, row in zip(fig.axes, w):
        lo, hi = ax.images[0].get_clim()
        assert hi == -lo == np.abs(row).max()
        np.testing.assert_array_equal(ax.images[0].get_array(), row.reshape(8, 8))
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    show_weights(np.zeros((1, 64)))  # an all-zero row must not divide by zero


def test_plot_confusion_matrix_writes_the_nonzero_counts():
    C = np.array([[5, 0], [2, 7]])
    ax = plot_confusion_matrix(C, class_names=["no", "yes"])
    assert sorted(t.get_text() for t in ax.texts) == ["2", "5", "7"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))


def test_plot_early_stopping_marks_the_kept_epoch():
    val = [0.5, 0.7, 0.6, 0.65, 0.66, 0.9]
    ax = plot_early_stopping(val, 3)
    assert ax.get_title() == "Patience 3: stops after epoch 4, keeps epoch 1"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "weights kept (1): 0.700" in labels and "stop (4)" in labels
    assert len([line for line in ax.get_lines() if line.get_label() == "validation accuracy"]) == 1
    ax = plot_early_stopping(val, 10)
    assert ax.get_title() == "Patience 10: runs all 6 epochs, keeps epoch 5"


def test_unit_extremes_by_hand():
    a = np.array([[0.1, -0.9],
                  [0.8, 0.3],
                  [-0.5, 0.3],
                  [0.8, 0.0]])
    highest, lowest = unit_extremes(a, k=2)
    np.testing.assert_array_equal(highest, [[1, 3], [1, 2]])  # ties keep the image order
    np.testing.assert_array_equal(lowest, [[2, 0], [0, 3]])
    with pytest.raises(ValueError, match="k must lie between 1 and"):
        unit_extremes(a, k=5)
    with pytest.raises(ValueError, match="shape"):
        unit_extremes(np.zeros(3))


def test_show_unit_extremes_draws_one_strip_per_unit_with_the_labels(split):
    rng = np.random.default_rng(0)
    acts = rng.normal(size=(50, 4))
    fig = show_unit_extremes(split.X_train[:50], acts, split.y_train[:50], units=[2, 0], k=3)
    assert len(fig.axes) == 2
    highest, lowest = unit_extremes(acts, 3)
    for ax, u in zip(fig.axes, [2, 0]):
        order = list(highest[u]) + list(lowest[u])
        assert [t.get_text() for t in ax.get_xticklabels()] == [str(split.y_train[i]) for i in order]
        assert ax.get_ylabel() == f"unit {u}"
        strip = ax.images[0].get_array()
        assert strip.shape == (8, 8 * 7)
        np.testing.assert_array_equal(strip[:, :8], split.X_train[highest[u][0]].reshape(8, 8))
        np.testing.assert_array_equal(strip[:, 24:32], 0.0)  # the gap between the two sides
        np.testing.assert_array_equal(strip[:, 32:40], split.X_train[lowest[u][0]].reshape(8, 8))


# ---------------------------------------------------------------------------------------------
# overfitting_run
# ---------------------------------------------------------------------------------------------


def test_overfitting_run_replays_early_stopping_and_judges_on_the_unused_images(split):
    run = overfitting_run(split, 0, n_train=60, hidden=16, epochs=40, patience=5, curve=True)
    h = run.history
    assert (run.n_train, run.n_unused, h.epochs, len(run.unused_curve)) == (60, len(split.y_train) - 60, 40, 40)
    # The same rule as fit's: replaying it on the recorded curve gives the same epochs.
    assert (run.best_epoch, run.stopped_epoch) == early_stopping_epochs(h.val_acc, 5)
    assert run.unused_kept == run.unused_curve[run.best_epoch]
    assert run.unused_end == run.unused_curve[-1]
    assert run.epochs_saved == (0 if run.stopped_epoch is None else 39 - run.stopped_epoch)
    # Without the curve, the same seeds give the same run (only the two accuracies are computed).
    again = overfitting_run(split, 0, n_train=60, hidden=16, epochs=40, patience=5)
    assert again.history.val_acc == h.val_acc and again.unused_curve is None
    assert (again.unused_kept, again.unused_end) == (run.unused_kept, run.unused_end)
    with pytest.raises(ValueError, match="n_train"):
        overfitting_run(split, n_train=0)


def test_overfitting_run_trains_on_the_first_images_standardised_with_their_own_statistics(split):
    run = overfitting_run(split, 3, n_train=80, hidden=8, epochs=3, patience=2)
    scale = Standardiser(split.X_train[:80])
    model = mlp([64, 8, 10], nn.Tanh, seed=3)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    h = fit(model, F.cross_entropy, scale(split.X_train[:80]), split.y_train[:80], epochs=3, optimizer=opt,
            batch_size=20, val=(scale(split.X_val), split.y_val), monitor="val_acc", seed=3, progress=False)
    assert h.train_loss == run.history.train_loss and h.val_acc == run.history.val_acc
    assert run.unused_end == accuracy(model, scale(split.X_train[80:]), split.y_train[80:])


def test_plot_overfitting_marks_kept_and_stop(split):
    run = overfitting_run(split, 0, n_train=60, hidden=16, epochs=30, patience=3, curve=True)
    fig = plot_overfitting(run)
    left, right = fig.axes
    labels = [line.get_label() for line in right.get_lines()]
    assert f"kept ({run.best_epoch})" in labels and f"{run.n_unused} unused images" in labels
    assert run.stopped_epoch is None or f"stop ({run.stopped_epoch})" in labels


# ---------------------------------------------------------------------------------------------
# Check functions of the exercises
# ---------------------------------------------------------------------------------------------


def test_check_confusion_matrix_accepts_right_and_names_wrong(capsys):
    assert check_confusion_matrix(lambda t, p, k: confusion_matrix(t, p, k))
    assert "passed" in capsys.readouterr().out
    assert repr(check_confusion_matrix(lambda t, p, k: None)) == "Verdict(passed=False)"
    assert "got None (did you forget to return?)" in capsys.readouterr().out
    assert repr(check_confusion_matrix(lambda t, p, k: np.zeros((k, k), dtype=int))) == "Verdict(passed=False)"
    assert "expected 1, got 0" in capsys.readouterr().out  # counts printed as whole numbers

    def transposed(t, p, k):
        return confusion_matrix(t, p, k).T

    assert not check_confusion_matrix(transposed)
    out = capsys.readouterr().out
    assert "failed" in out and "one mistake" in out


def test_check_early_stopping_accepts_right_and_names_wrong(capsys):
    assert check_early_stopping(lambda v, p: early_stopping_epochs(v, p))
    capsys.readouterr()

    def non_strict(values, patience):  # counts a tie as an improvement
        best, best_epoch, waited = -np.inf, 0, 0
        for epoch, v in enumerate(values):
            if v >= best:
                best, best_epoch, waited = v, epoch, 0
            else:
                waited += 1
            if waited >= patience:
                return best_epoch, epoch
        return best_epoch, None

    assert not check_early_stopping(non_strict)
    assert "plateau" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# The reference appendix documents every public name
# ---------------------------------------------------------------------------------------------


def _public_modules() -> list[str]:
    return ["nnlessons"] + sorted(m.name for m in pkgutil.walk_packages(nnlessons.__path__, "nnlessons."))


def test_reference_appendix_lists_every_module_and_public_name():
    """book/appendix-reference.md must name every module and every name in each module's __all__."""
    page = (ROOT / "book" / "appendix-reference.md").read_text(encoding="utf-8")
    missing = []
    for name in _public_modules():
        module = importlib.import_module(name)
        if f".. automodule:: {name}\n" not in page:
            missing.append(f"{name} (no automodule directive)")
        if name == "nnlessons":
            continue
        for public in getattr(module, "__all__", []):
            if not re.search(rf"(~{re.escape(name)}\.{re.escape(public)}\b|`{re.escape(public)}`)", page):
                missing.append(f"{name}.{public}")
    assert not missing, "missing from book/appendix-reference.md: " + ", ".join(missing)


def test_every_documented_module_has_a_docstring_and_every_public_callable_too():
    undocumented = []
    for name in _public_modules():
        module = importlib.import_module(name)
        if not inspect.getdoc(module):
            undocumented.append(name)
        for public in getattr(module, "__all__", []):
            obj = getattr(module, public)
            if (inspect.isclass(obj) or inspect.isroutine(obj)) and not inspect.getdoc(obj):
                undocumented.append(f"{name}.{public}")
    assert not undocumented, f"no docstring: {undocumented}"
