"""Tests for nnlessons.chapters.depth: networks trained side by side follow exactly the steps that
nnlessons.training.fit with optim.SGD takes for each of them on its own (an independent code path)."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn, optim
from nnlessons import functional as F
from nnlessons.chapters.depth import n_parameters, train_side_by_side, widths_for_budget
from nnlessons.training import fit
from nnlessons.training.data import spirals


def seeded_net(sizes, seed):
    nl.manual_seed(seed)
    modules = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        modules.append(nn.Linear(a, b))
        if k < len(sizes) - 2:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def test_n_parameters_counts_weights_and_biases():
    for sizes in ([1, 46, 1], [1, 10, 10, 1], [2, 6, 6, 6, 3]):
        assert n_parameters(sizes) == sum(p.size for p in seeded_net(sizes, 0).parameters())
    assert n_parameters([1, 10, 10, 1]) == 141
    with pytest.raises(ValueError, match="at least two sizes"):
        n_parameters([3])


def test_widths_for_budget_is_the_closest_count():
    assert widths_for_budget(1, 1, 1, 140) == [1, 46, 1]          # 139 (47 units would be 142)
    assert widths_for_budget(1, 1, 2, 140) == [1, 10, 10, 1]      # 141
    assert widths_for_budget(2, 3, 3, 130) == [2, 6, 6, 6, 3]     # 123 (7 units would be 157)
    with pytest.raises(ValueError, match="hidden_layers must be at least 1"):
        widths_for_budget(1, 1, 0, 100)


def test_regression_members_match_fit_one_by_one():
    x = np.linspace(-1, 1, 40)[:, None]
    y = np.sin(3 * x)
    archs = {"deep": [1, 5, 5, 1], "wide": [1, 9, 1]}
    result = train_side_by_side(archs, x, y, seeds=(0, 3), lrs=(0.05, 0.1), epochs=60, keep_nets=True)
    assert len(result.members) == 8 and result.loss.shape == (60, 8)
    for i, (name, seed, lr) in enumerate(result.members):
        net = seeded_net(archs[name], seed)
        history = fit(net, F.mse_loss, x, y, epochs=60, progress=False,
                      optimizer=optim.SGD(net.parameters(), lr=lr, momentum=0.9))
        np.testing.assert_allclose(result.loss[:, i], history.train_loss, rtol=1e-10, atol=1e-13)
        with nl.no_grad():
            final = F.mse_loss(net(nl.Tensor(x)), y).item()
            np.testing.assert_allclose(result.nets[i](nl.Tensor(x)).data, net(nl.Tensor(x)).data,
                                       rtol=0, atol=1e-10)
        assert result.final_loss[i] == pytest.approx(final, rel=1e-10)
    best = result.best_over_lr()
    assert set(best) == {(n, s) for n in archs for s in (0, 3)}
    for (name, seed), (value, lr) in best.items():
        assert value == min(result.final_loss[i] for i, m in enumerate(result.members) if m[:2] == (name, seed))


def test_classification_members_match_fit():
    X, y = spirals(90, seed=1)
    result = train_side_by_side({"net": [2, 6, 6, 3]}, X, y, task="classification", seeds=(2,), lrs=(0.2,),
                                epochs=30)
    net = seeded_net([2, 6, 6, 3], 2)
    history = fit(net, F.cross_entropy, X, y, epochs=30, progress=False,
                  optimizer=optim.SGD(net.parameters(), lr=0.2, momentum=0.9))
    np.testing.assert_allclose(result.loss[:, 0], history.train_loss, rtol=1e-10, atol=1e-13)


def test_a_diverging_member_is_inf_and_the_others_are_unaffected():
    x = np.linspace(-1, 1, 20)[:, None]
    y = 5 * x
    result = train_side_by_side({"a": [1, 4, 1]}, x, y, seeds=(0,), lrs=(0.01, 1e8), epochs=40)
    alone = train_side_by_side({"a": [1, 4, 1]}, x, y, seeds=(0,), lrs=(0.01,), epochs=40)
    assert result.final_loss[1] == np.inf and np.isfinite(result.final_loss[0])
    assert result.final_loss[0] == alone.final_loss[0]


def test_arguments_are_checked():
    x = np.zeros((4, 1))
    with pytest.raises(ValueError, match="task must be"):
        train_side_by_side({"a": [1, 2, 1]}, x, x, task="ranking")
    with pytest.raises(ValueError, match="takes 2 inputs, X has 1 columns"):
        train_side_by_side({"a": [2, 2, 1]}, x, x)
