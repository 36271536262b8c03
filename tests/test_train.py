"""Tests for nnlessons.training.loop: fit, History, accuracy, early stopping, divergence and progress output."""

import math
import warnings

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn, optim
from nnlessons.training import data
from nnlessons.training import loop as train
from nnlessons import functional as F


def line_model(w: float = 0.0) -> nn.Linear:
    """y = w x, one weight and no bias, so every step can be computed by hand."""
    model = nn.Linear(1, 1, bias=False)
    model.weight.data[...] = w
    return model


X_LINE = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
M2 = float(np.mean(X_LINE**2))  # d/dw mean((w x - c x)^2) = 2 (w - c) M2


def test_full_batch_epoch_is_one_gradient_step():
    model = line_model(0.0)
    history = train.fit(model, F.mse_loss, X_LINE, 2 * X_LINE, epochs=3, lr=0.1, progress=False)
    w = 0.0
    losses = []
    for _ in range(3):
        losses.append((w - 2.0) ** 2 * M2)  # the loss is measured before the update
        w -= 0.1 * 2 * (w - 2.0) * M2
    np.testing.assert_allclose(model.weight.data, [[w]], rtol=1e-12)
    np.testing.assert_allclose(history.train_loss, losses, rtol=1e-12)
    assert history.val_loss == [] and history.val_acc == [] and history.best_epoch is None


def test_fit_reduces_loss_on_a_small_regression():
    nl.manual_seed(0)
    x, y = data.regression_1d("sin", n=64, low=-2.0, high=2.0, seed=0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    history = train.fit(model, F.mse_loss, x, y, epochs=300, lr=0.1, batch_size=16)
    assert history.epochs == 300
    assert history.train_loss[-1] < 0.1 * history.train_loss[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_2_4_1_tanh_network_learns_xor_to_full_training_accuracy(seed):
    nl.manual_seed(seed)
    X, y = data.xor(n=200, seed=seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    target = y.reshape(-1, 1).astype(np.float64)
    history = train.fit(model, F.binary_cross_entropy_with_logits, X, target, epochs=500, lr=0.5)
    assert train.accuracy(model, X, y) == 1.0
    assert history.train_loss[-1] < 0.1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_2_8_2_tanh_network_learns_xor_with_minibatches(seed):
    nl.manual_seed(seed)
    X, y = data.xor(n=200, seed=seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    train.fit(model, F.cross_entropy, X, y, epochs=50, lr=0.3, batch_size=20, seed=seed)
    assert train.accuracy(model, X, y) == 1.0


def test_a_linear_model_cannot_learn_xor():
    # The same training on a model without a hidden non-linearity stays near chance.
    nl.manual_seed(0)
    X, y = data.xor(n=200, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 2))
    train.fit(model, F.cross_entropy, X, y, epochs=300, lr=0.3)
    assert train.accuracy(model, X, y) <= 0.75


def early_stopping_run(patience, epochs=200):
    """Train y = 2x while validating against y = x: the validation loss falls, then rises."""
    model = line_model(0.0)
    history = train.fit(
        model, F.mse_loss, X_LINE, 2 * X_LINE, epochs=epochs, lr=0.1, val=(X_LINE, X_LINE), patience=patience
    )
    return model, history


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    model, history = early_stopping_run(patience=5)
    # Closed form: after epoch e (e + 1 updates) w = 2 - 2 (1 - 0.2 M2)^(e + 1); val loss = (w - 1)^2 M2.
    e = np.arange(200)
    w = 2.0 - 2.0 * (1.0 - 0.2 * M2) ** (e + 1)
    expected_best = int(np.argmin((w - 1.0) ** 2))
    assert history.best_epoch == expected_best
    assert history.stopped_epoch == expected_best + 5
    assert history.epochs == expected_best + 6
    assert history.val_loss[-1] > history.val_loss[history.best_epoch]
    # The model now holds the best epoch's weights: its validation loss is the best one.
    recomputed = F.mse_loss(model(nl.Tensor(X_LINE)), X_LINE).item()
    assert recomputed == pytest.approx(history.val_loss[history.best_epoch], rel=1e-12)
    np.testing.assert_allclose(model.weight.data, [[w[expected_best]]], rtol=1e-12)


def test_without_patience_training_runs_every_epoch_and_keeps_the_last_weights():
    model, history = early_stopping_run(patience=None, epochs=40)
    assert history.epochs == 40 and history.stopped_epoch is None
    assert history.best_epoch == int(np.argmin(history.val_loss))
    recomputed = F.mse_loss(model(nl.Tensor(X_LINE)), X_LINE).item()
    assert recomputed == pytest.approx(history.val_loss[-1], rel=1e-12)


def test_patience_equal_to_epochs_runs_all_epochs_and_restores_best():
    model, history = early_stopping_run(patience=40, epochs=40)
    assert history.epochs == 40 and history.stopped_epoch is None
    recomputed = F.mse_loss(model(nl.Tensor(X_LINE)), X_LINE).item()
    assert recomputed == pytest.approx(min(history.val_loss), rel=1e-12)


def test_early_stopping_on_validation_accuracy():
    nl.manual_seed(1)
    X, y = data.spirals(n=300, seed=0)
    (X_tr, y_tr), (X_val, y_val) = data.train_val_split(X, y, seed=0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    history = train.fit(
        model, F.cross_entropy, X_tr, y_tr, epochs=400, lr=0.5, val=(X_val, y_val), patience=15, monitor="val_acc"
    )
    best = history.best_epoch
    assert history.val_acc[best] == max(history.val_acc)
    assert history.val_acc.index(max(history.val_acc)) == best  # the first epoch to reach it
    assert history.stopped_epoch == best + 15
    assert train.accuracy(model, X_val, y_val) == history.val_acc[best]
    recomputed = F.cross_entropy(model(nl.Tensor(X_val)), y_val).item()
    assert recomputed == pytest.approx(history.val_loss[best], rel=1e-12)


def test_val_acc_is_tracked_for_class_labels_and_matches_accuracy():
    nl.manual_seed(0)
    X, y = data.blobs(n=150, seed=0)
    (X_tr, y_tr), (X_val, y_val) = data.train_val_split(X, y)
    model = nn.Linear(2, 3)
    history = train.fit(model, F.cross_entropy, X_tr, y_tr, epochs=20, lr=0.1, val=(X_val, y_val))
    assert len(history.val_loss) == len(history.val_acc) == 20
    assert history.val_acc[-1] == train.accuracy(model, X_val, y_val)
    assert history.val_acc[-1] == 1.0  # blobs are linearly separable


def test_val_acc_for_probability_outputs_uses_threshold_one_half():
    nl.manual_seed(0)
    X, y = data.xor(n=100, seed=0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    target = y.reshape(-1, 1).astype(np.float64)
    history = train.fit(
        model, F.binary_cross_entropy, X, target, epochs=300, lr=1.0, val=(X, y.reshape(-1, 1)), threshold=0.5
    )
    assert history.val_acc[-1] == train.accuracy(model, X, y, threshold=0.5) == 1.0


def run_with_loss(loss_fn, **kwargs):
    nl.manual_seed(0)
    X, y = data.xor(n=100, seed=0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
    target = y.reshape(-1, 1).astype(np.float64)
    return model, train.fit(model, loss_fn, X, target, epochs=5, lr=1.0, val=(X, target), **kwargs)


def test_wrapping_the_loss_in_a_lambda_does_not_change_the_accuracy():
    # The classes come from task/threshold, never from which loss object fit was given.
    _, plain = run_with_loss(F.binary_cross_entropy, task="binary", threshold=0.5)
    model, wrapped = run_with_loss(lambda out, t: F.binary_cross_entropy(out, t), task="binary", threshold=0.5)
    assert plain.val_acc == wrapped.val_acc and plain.val_loss == wrapped.val_loss
    X, y = data.xor(n=100, seed=0)
    probabilities = model(nl.Tensor(X)).data[:, 0]  # the model after the last epoch (no early stopping)
    assert wrapped.val_acc[-1] == np.mean((probabilities > 0.5) == y)  # counted by hand


def test_task_regression_tracks_no_accuracy_and_task_is_checked():
    _, history = run_with_loss(F.binary_cross_entropy, task="regression")
    assert history.val_acc == [] and len(history.val_loss) == 5
    with pytest.raises(ValueError, match="task must be one of"):
        run_with_loss(F.binary_cross_entropy, task="probabilities")


def test_empty_data_are_refused():
    with pytest.raises(ValueError, match="training data are empty"):
        train.fit(line_model(), F.mse_loss, np.zeros((0, 1)), np.zeros((0, 1)), epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="validation data are empty"):
        train.fit(line_model(), F.mse_loss, X_LINE, X_LINE, epochs=1, lr=0.1, val=(np.zeros((0, 1)), np.zeros((0, 1))))
    with pytest.raises(ValueError, match="accuracy of no examples is undefined"):
        train.accuracy(line_model(), np.zeros((0, 1)), np.zeros(0, dtype=int))


def test_accuracy_refuses_one_hot_labels_instead_of_reading_column_0():
    # Two classes, one-hot rows: column 0 is 1 exactly where the label is 0, so reading it as the
    # label (as before) inverted the accuracy: 0 instead of 1 for a perfect model.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    identity = nn.Linear(2, 2, bias=False)
    identity.weight.data[...] = np.eye(2)
    one_hot = np.array([[1, 0], [0, 1], [1, 0]])
    assert train.accuracy(identity, X, one_hot.argmax(axis=1)) == 1.0
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*y.argmax\(axis=1\)"):
        train.accuracy(identity, X, one_hot)


def test_seed_is_checked():
    with pytest.raises(ValueError, match="fit: seed must be an integer >= 0, got seed=-1"):
        train.fit(line_model(), F.mse_loss, X_LINE, X_LINE, epochs=1, lr=0.1, seed=-1)


def test_no_val_acc_for_real_valued_targets():
    model = line_model()
    history = train.fit(model, F.mse_loss, X_LINE, X_LINE, epochs=3, lr=0.1, val=(X_LINE, X_LINE))
    assert len(history.val_loss) == 3 and history.val_acc == []


def test_minibatch_epoch_loss_is_the_mean_over_all_examples():
    # With lr = 0 the weights never move, so every epoch's mean loss equals the full-data loss,
    # even though the last of the five batches holds only 2 of the 30 points.
    x, y = data.regression_1d("sin", n=30, seed=0)
    model = line_model(0.7)
    history = train.fit(model, F.mse_loss, x, y, epochs=3, lr=0.0, batch_size=7)
    full = float(np.mean((0.7 * x - y) ** 2))
    np.testing.assert_allclose(history.train_loss, [full] * 3, rtol=1e-12)


def test_minibatches_cover_every_example_once_per_epoch():
    seen = []

    def recording_loss(output, target):
        seen.append(np.asarray(target).ravel().copy())
        return F.mse_loss(output, target)

    x = np.arange(10.0).reshape(-1, 1)
    train.fit(line_model(), recording_loss, x, x, epochs=2, lr=0.0, batch_size=4)
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    assert sorted(np.concatenate(seen[:3])) == list(range(10))
    assert sorted(np.concatenate(seen[3:])) == list(range(10))
    assert not np.array_equal(np.concatenate(seen[:3]), np.concatenate(seen[3:]))  # reshuffled


def minibatch_run(seed):
    nl.manual_seed(0)
    X, y = data.moons(n=100, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    history = train.fit(model, F.cross_entropy, X, y, epochs=5, lr=0.1, batch_size=16, seed=seed)
    return history, model.state_dict()


def test_minibatch_training_is_deterministic_per_seed():
    h1, s1 = minibatch_run(seed=3)
    h2, s2 = minibatch_run(seed=3)
    h3, s3 = minibatch_run(seed=4)
    assert h1.train_loss == h2.train_loss
    for name in s1:
        np.testing.assert_array_equal(s1[name], s2[name])
    assert h1.train_loss != h3.train_loss


def test_batch_size_at_least_n_is_full_batch():
    a, b = line_model(), line_model()
    h1 = train.fit(a, F.mse_loss, X_LINE, 2 * X_LINE, epochs=4, lr=0.1)
    h2 = train.fit(b, F.mse_loss, X_LINE, 2 * X_LINE, epochs=4, lr=0.1, batch_size=1000)
    assert h1.train_loss == h2.train_loss


def test_tensors_are_accepted_and_targets_keep_their_type():
    types = []

    def loss_fn(output, target):
        types.append(type(target))
        return F.mse_loss(output, target)

    X, Y = nl.Tensor(X_LINE), nl.Tensor(2 * X_LINE)
    train.fit(line_model(), loss_fn, X, Y, epochs=2, lr=0.1, batch_size=8, val=(X, Y))
    assert set(types) == {nl.Tensor}
    types.clear()
    train.fit(line_model(), loss_fn, X_LINE, 2 * X_LINE, epochs=1, lr=0.1, batch_size=8)
    assert set(types) == {np.ndarray}


def test_an_optimizer_can_be_given_instead_of_lr():
    model = line_model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train.fit(model, F.mse_loss, X_LINE, 2 * X_LINE, epochs=2, optimizer=opt)
    # Momentum, by hand: v1 = g0, v2 = 0.9 v1 + g1.
    w, v = 0.0, 0.0
    for _ in range(2):
        g = 2 * (w - 2.0) * M2
        v = 0.9 * v + g
        w -= 0.1 * v
    np.testing.assert_allclose(model.weight.data, [[w]], rtol=1e-12)


def test_callback_is_called_after_every_epoch():
    calls = []
    train.fit(
        line_model(), F.mse_loss, X_LINE, X_LINE, epochs=4, lr=0.1,
        callback=lambda epoch, model, history: calls.append((epoch, len(history.train_loss))),
    )
    assert calls == [(0, 1), (1, 2), (2, 3), (3, 4)]


def nan_at_call(k):
    """A loss that becomes NaN on its k-th call (counting from 0)."""
    calls = {"n": 0}

    def loss_fn(output, target):
        loss = F.mse_loss(output, target)
        calls["n"] += 1
        return loss * math.nan if calls["n"] - 1 == k else loss

    return loss_fn


def test_nan_loss_raises_naming_the_epoch_and_leaves_weights_finite():
    model = line_model()
    with pytest.raises(FloatingPointError, match=r"training loss became nan at epoch 3\b"):
        train.fit(model, nan_at_call(3), X_LINE, X_LINE, epochs=10, lr=0.1)
    assert np.all(np.isfinite(model.weight.data))


def test_nan_loss_in_a_minibatch_names_epoch_and_batch():
    # 20 points in batches of 6: 4 batches per epoch, so call 6 is epoch 1, batch 2.
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch 2 of 4"):
        train.fit(line_model(), nan_at_call(6), X_LINE, X_LINE, epochs=10, lr=0.1, batch_size=6)


def test_divergence_raises_floating_point_error_without_numpy_warnings():
    model = line_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"became (inf|nan) at epoch \d+"):
            train.fit(model, F.mse_loss, 100 * X_LINE, X_LINE, epochs=1000, lr=1.0)


def test_accuracy_with_hand_set_models():
    X = np.array([[-2.0, 0.0], [-1.0, 5.0], [3.0, 1.0], [4.0, -1.0]])
    single = nn.Linear(2, 1)
    single.weight.data[...] = [[1.0, 0.0]]
    single.bias.data[...] = 0.0
    # Predicts class 1 exactly when x1 > 0.
    assert train.accuracy(single, X, [0, 0, 1, 1]) == 1.0
    assert train.accuracy(single, X, np.array([[0], [1], [1], [1]])) == 0.75
    assert train.accuracy(single, X, [0, 0, 0, 1], threshold=3.5) == 1.0
    multi = nn.Linear(2, 2, bias=False)
    multi.weight.data[...] = [[1.0, 0.0], [0.0, 1.0]]  # argmax: class 0 if x1 > x2
    assert train.accuracy(multi, nl.Tensor(X), nl.Tensor([1.0, 1.0, 0.0, 0.0])) == 1.0
    assert train.accuracy(multi, X, [1, 1, 1, 1]) == 0.5
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(3,\)"):
        train.accuracy(multi, X, [0, 1, 0])


def test_history_repr_is_short_and_deterministic():
    h = train.History(train_loss=[1.0, 0.123456789], val_loss=[2.0, 0.5], val_acc=[0.5, 0.875], best_epoch=1)
    assert repr(h) == "History(epochs=2, train_loss=0.1235, val_loss=0.5, val_acc=0.875, best_epoch=1)"
    h.stopped_epoch = 1
    assert repr(h).endswith("best_epoch=1, stopped_epoch=1)")
    assert repr(train.History()) == "History(epochs=0)"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"epochs": 0, "lr": 0.1}, "epochs=0"),
        ({"epochs": 2.5, "lr": 0.1}, "epochs=2.5"),
        ({"epochs": 2}, "exactly one of optimizer"),
        ({"epochs": 2, "lr": 0.1, "optimizer": "sgd"}, "exactly one of optimizer"),
        ({"epochs": 2, "lr": 0.1, "batch_size": 0}, "batch_size=0"),
        ({"epochs": 2, "lr": 0.1, "patience": 3}, "needs validation data"),
        ({"epochs": 2, "lr": 0.1, "patience": 0, "val": (X_LINE, X_LINE)}, "patience=0"),
        ({"epochs": 2, "lr": 0.1, "monitor": "loss"}, "monitor='loss'"),
        ({"epochs": 2, "lr": 0.1, "monitor": "val_acc", "val": (X_LINE, X_LINE)}, "integer class labels"),
        ({"epochs": 2, "lr": 0.1, "val": (X_LINE, X_LINE[:5])}, r"\(20, 1\).*\(5, 1\)"),
        ({"epochs": 2, "lr": 0.1, "val": X_LINE}, "pair"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        train.fit(line_model(), F.mse_loss, X_LINE, X_LINE, **kwargs)


def test_mismatched_training_shapes_name_both():
    with pytest.raises(ValueError, match=r"\(20, 1\).*\(19, 1\)"):
        train.fit(line_model(), F.mse_loss, X_LINE, X_LINE[:19], epochs=1, lr=0.1)


def test_a_non_scalar_loss_is_refused():
    loss = lambda output, target: F.mse_loss(output, target, reduction="none")  # noqa: E731
    with pytest.raises(ValueError, match="scalar"):
        train.fit(line_model(), loss, X_LINE, X_LINE, epochs=1, lr=0.1)


# ---------------------------------------------------------------------------------------------
# Progress output
# ---------------------------------------------------------------------------------------------


def test_no_output_outside_a_notebook(capsys):
    train.fit(line_model(), F.mse_loss, X_LINE, X_LINE, epochs=3, lr=0.1, val=(X_LINE, X_LINE), progress=True)
    assert capsys.readouterr() == ("", "")


def execute(cells: list, env: dict) -> list:
    """Run code cells in a real kernel with nbclient (as nbval and the book's build do); return the cells."""
    import os

    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        nbclient.NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb.cells


SETUP = ("import numpy as np\nfrom nnlessons import nn, functional as F\nfrom nnlessons.training import fit\n"
         "X = np.linspace(-1, 1, 20).reshape(-1, 1)")
FIT = "h = fit(nn.Linear(1, 1), F.mse_loss, X, 2 * X, epochs=200, lr=0.1, val=(X, 2 * X))"


@pytest.mark.parametrize("ipywidgets_missing", [False, True])
def test_progress_bar_leaves_no_output_in_an_executed_notebook(ipywidgets_missing):
    hide = "import sys\nsys.modules['ipywidgets'] = None\n" if ipywidgets_missing else ""
    cells = execute([hide + SETUP, FIT, "print('before')\n" + FIT + "\nprint('after')", FIT + "\nh.epochs"],
                    {"NNLESSONS_PROGRESS": "1"})
    assert cells[1].outputs == []  # a cell that only trains keeps no output at all
    texts = [out.get("text") for out in cells[2].outputs if out.output_type == "stream"]
    assert texts == ["before\n", "after\n"]
    assert all(out.get("data", {}) == {} for out in cells[2].outputs if out.output_type == "display_data")
    assert [out.data["text/plain"] for out in cells[3].outputs] == ["200"]
    for cell in cells:
        for out in cell.outputs:
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})


def test_outputs_with_and_without_progress_compare_equal_under_nbval_rules():
    # nbval merges a cell's streams by name and compares the mime data of each output, not the output
    # type: an empty display compares as nothing.
    from nbval.plugin import coalesce_streams

    def compared(cells):
        return [[(key, value) for out in coalesce_streams(cell.outputs) for key, value in
                 ({out.name: out.text} if out.output_type == "stream" else out.get("data", {})).items()]
                for cell in cells]

    code = [SETUP, FIT, "print('before')\n" + FIT + "\nprint('after')"]
    assert compared(execute(code, {"NNLESSONS_PROGRESS": "1"})) == compared(execute(code, {"NNLESSONS_PROGRESS": "0"}))


@pytest.mark.parametrize("env, progress", [("0", None), ("1", False)])
def test_progress_bar_can_be_switched_off(monkeypatch, env, progress):
    from nnlessons.training import progress as progress_module

    shown = []
    monkeypatch.setattr(progress_module, "in_kernel", lambda: True)
    monkeypatch.setattr(progress_module, "_counter", lambda: shown.append("counter") or (None, None))
    monkeypatch.setenv("NNLESSONS_PROGRESS", env)
    train.fit(line_model(), F.mse_loss, X_LINE, X_LINE, epochs=3, lr=0.1, progress=progress)
    assert shown == []
