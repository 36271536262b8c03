"""train_together: K networks trained at once equal K networks trained one by one with optim.SGD."""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import functional as F
from nnlessons import optim
from nnlessons.training.ensemble import stack_linear_layers, train_together
from nnlessons.training.models import mlp


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(np.float64)


def one_by_one(seeds, lrs, steps, momentum):
    X, y = data()
    finals = []
    for lr in lrs:
        for s in seeds:
            net = mlp([2, 5, 1], seed=s)
            opt = optim.SGD(net.parameters(), lr=lr, momentum=momentum)
            for _ in range(steps):
                loss = F.mse_loss(F.tanh(net[0](nl.Tensor(X))) @ net[1].weight.T + net[1].bias, y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            finals.append(float(loss.data))
    return np.array(finals)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_stacked_training_equals_training_one_network_after_the_other(momentum):
    X, y = data()
    seeds, lrs, steps = [0, 1, 2], [0.05, 0.2], 25
    params = [nl.Tensor(a, requires_grad=True)
              for a in stack_linear_layers([mlp([2, 5, 1], seed=s) for s in seeds], copies=len(lrs))]

    def member_losses():
        h = F.tanh(nl.Tensor(X) @ params[0] + params[1]) @ params[2] + params[3]
        return ((h - y) ** 2).mean(axis=(1, 2))

    lr = np.repeat(lrs, len(seeds))[:, None, None]
    losses = train_together(params, member_losses, steps=steps, lr=lr, momentum=momentum)
    assert losses.shape == (steps, 6)
    np.testing.assert_allclose(losses[-1], one_by_one(seeds, lrs, steps, momentum), rtol=1e-12)


def test_on_step_can_stop_and_drop_members():
    w = nl.Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)  # three members, loss w^2

    def losses():
        return (w * w).sum(axis=1)

    def drop_the_last_after_step_0(step, values):
        return np.array([True, True, False]) if step == 0 else (True if step == 2 else None)

    record = train_together([w], losses, steps=10, lr=0.25, on_step=drop_the_last_after_step_0)
    # w <- w - 0.25 * 2 w = w / 2 per update; member 2 leaves after step 0; stop at step 2 (no update).
    np.testing.assert_array_equal(record, [[1, 4, 9], [0.25, 1, np.nan], [0.0625, 0.25, np.nan]])
    np.testing.assert_array_equal(w.data, [[0.25], [0.5]])
