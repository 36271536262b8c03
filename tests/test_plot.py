"""Tests for nnlessons.display.plot: every helper returns labelled Axes and draws what the model computes."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import nnlessons as nl  # noqa: E402
from nnlessons import nn  # noqa: E402
from nnlessons.display import plot  # noqa: E402
from nnlessons.training import data  # noqa: E402
from nnlessons.training import loop as train  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def sign_classifier(columns: int) -> nn.Linear:
    """Predicts class 1 exactly when x1 > 0 (one logit column, or two columns compared by argmax)."""
    model = nn.Linear(2, columns)
    if columns == 1:
        model.weight.data[...] = [[1.0, 0.0]]
    else:
        model.weight.data[...] = [[-1.0, 0.0], [1.0, 0.0]]
    model.bias.data[...] = 0.0
    return model


def assert_labelled(ax):
    assert isinstance(ax, Axes)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_scatter_classes_one_colour_and_marker_per_class():
    X, y = data.spirals(n=90, k=3, seed=0)
    ax = plot.scatter_classes(X, y)
    assert_labelled(ax)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2"]
    colours = [to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert colours == [p.lower() for p in plot.PALETTE[:3]]
    for c, collection in zip(range(3), ax.collections):
        np.testing.assert_array_equal(np.sort(collection.get_offsets(), axis=0), np.sort(X[y == c], axis=0))


def test_scatter_classes_custom_names_labels_and_existing_axes():
    _, ax0 = plt.subplots()
    X, y = data.xor(n=20)
    ax = plot.scatter_classes(nl.Tensor(X), y, ax0, class_names=["same", "different"], xlabel="$h_1$", ylabel="$h_2$")
    assert ax is ax0
    assert ax.get_xlabel() == "$h_1$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["same", "different"]


def boundary_x_coordinates(ax):
    """x coordinates of the drawn boundary lines (the unfilled contour set)."""
    lines = [c for c in ax.collections if isinstance(c, matplotlib.contour.ContourSet) and not c.filled]
    assert len(lines) == 1
    return np.concatenate([p.vertices[:, 0] for p in lines[0].get_paths() if len(p.vertices)])


@pytest.mark.parametrize("columns", [1, 2])
def test_decision_boundary_is_drawn_where_the_model_changes_its_mind(columns):
    X, y = data.xor(n=100, seed=0)
    ax = plot.decision_boundary(sign_classifier(columns), X, y, resolution=101)
    assert_labelled(ax)
    xs = boundary_x_coordinates(ax)
    step = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 100
    assert np.all(np.abs(xs) <= step)
    # The axes cover the data plus a margin.
    assert ax.get_xlim()[0] < X[:, 0].min() and ax.get_xlim()[1] > X[:, 0].max()
    assert ax.get_ylim()[0] < X[:, 1].min() and ax.get_ylim()[1] > X[:, 1].max()


def test_decision_boundary_threshold_moves_the_boundary():
    X, y = data.xor(n=100, seed=0)
    ax = plot.decision_boundary(sign_classifier(1), X, y, threshold=0.5, resolution=101)
    step = (ax.get_xlim()[1] - ax.get_xlim()[0]) / 100
    assert np.all(np.abs(boundary_x_coordinates(ax) - 0.5) <= step)


def test_decision_boundary_of_a_trained_network_without_warnings():
    nl.manual_seed(0)
    X, y = data.spirals(n=150, seed=0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    train.fit(model, nl.F.cross_entropy, X, y, epochs=30, lr=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.decision_boundary(model, X, y, title="Spirals")
    assert ax.get_title() == "Spirals"
    assert len(ax.get_legend().get_texts()) == 3


def test_decision_boundary_of_a_constant_model_warns_nothing():
    X, y = data.circles(n=40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.decision_boundary(lambda t: t[:, :1] * 0.0 + 1.0, X, y)
    assert not [c for c in ax.collections if isinstance(c, matplotlib.contour.ContourSet) and not c.filled]


def test_decision_boundary_needs_two_dimensional_inputs():
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        plot.decision_boundary(lambda t: t, np.zeros((5, 3)), np.zeros(5, dtype=int))


def test_learning_curves_mark_the_best_and_stopping_epochs():
    history = train.History(
        train_loss=[1.0, 0.6, 0.4, 0.3, 0.25], val_loss=[1.1, 0.7, 0.65, 0.7, 0.8], best_epoch=2, stopped_epoch=4
    )
    ax = plot.learning_curves(history)
    assert_labelled(ax)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["training loss"].get_ydata(), history.train_loss)
    np.testing.assert_array_equal(lines["validation loss"].get_ydata(), history.val_loss)
    best = lines["best epoch (2)"]
    assert list(best.get_xdata()) == [2] and list(best.get_ydata()) == [0.65]
    assert "stopped early (4)" in lines
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "best epoch (2)" in legend and "stopped early (4)" in legend


def test_learning_curves_of_validation_accuracy():
    history = train.History(train_loss=[1.0, 0.5, 0.4], val_loss=[1.0, 0.6, 0.7], val_acc=[0.5, 0.9, 0.8], best_epoch=1)
    ax = plot.learning_curves(history, metric="acc")
    assert ax.get_ylabel() == "accuracy"
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["validation accuracy"].get_ydata(), history.val_acc)
    assert list(lines["best epoch (1)"].get_ydata()) == [0.9]
    assert "training loss" not in lines
    with pytest.raises(ValueError, match="no validation accuracy"):
        plot.learning_curves(train.History(train_loss=[1.0]), metric="acc")
    with pytest.raises(ValueError, match="'accuracy'"):
        plot.learning_curves(history, metric="accuracy")


def test_learning_curves_without_validation_and_log_scale():
    ax = plot.learning_curves(train.History(train_loss=[1.0, 0.5, 0.25]), log=True)
    assert [line.get_label() for line in ax.get_lines()] == ["training loss"]
    assert ax.get_yscale() == "log"


def test_fit_1d_draws_the_model_the_target_and_the_data():
    x, y = data.regression_1d("sin", n=30, noise=0.1, seed=0)
    model = nn.Linear(1, 1)
    model.weight.data[...] = 2.0
    model.bias.data[...] = -1.0
    ax = plot.fit_1d(model, x, y, target="sin")
    assert_labelled(ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    gx = lines["model"].get_xdata()
    assert gx[0] == pytest.approx(x.min()) and gx[-1] == pytest.approx(x.max())
    np.testing.assert_allclose(lines["model"].get_ydata(), 2.0 * gx - 1.0)
    np.testing.assert_allclose(lines["target"].get_ydata(), np.sin(lines["target"].get_xdata()))
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.column_stack([x[:, 0], y[:, 0]]))


def test_fit_1d_accepts_numpy_functions_and_compares_models_on_one_axes():
    x, y = data.regression_1d("abs", n=20, seed=0)
    ax = plot.fit_1d(np.abs, x, y, label="exact")
    plot.fit_1d(lambda t: t * t, x, y, ax, show_data=False, label="square")
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_allclose(lines["exact"].get_ydata(), np.abs(lines["exact"].get_xdata()))
    np.testing.assert_allclose(lines["square"].get_ydata(), lines["square"].get_xdata() ** 2)
    assert lines["exact"].get_color() != lines["square"].get_color()
    assert len(ax.collections) == 1  # the data were drawn once


def test_fit_1d_bad_input():
    with pytest.raises(ValueError, match="same number"):
        plot.fit_1d(np.abs, np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match="unknown target 'cos'"):
        plot.fit_1d(np.abs, np.zeros(5), np.zeros(5), target="cos")


def test_use_course_style_sets_readable_fonts_and_retina_pngs_in_ipython(monkeypatch):
    import IPython
    import matplotlib_inline.backend_inline as inline

    from nnlessons.display import plot as plot_module

    formats = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(inline, "set_matplotlib_formats", lambda *f: formats.extend(f))
    with plt.rc_context():
        plot_module.use_course_style()
        assert plt.rcParams["font.size"] == 11 and plt.rcParams["axes.titlesize"] == 12
    assert formats == ["retina"]
