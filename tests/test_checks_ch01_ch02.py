"""Tests for nnlessons.checks.ch01 and ch02: the reference answers are right, and the checks pass right
answers and name what is wrong in wrong ones.

The references are compared with what the networks themselves compute (nn.Sequential forward passes)
and with finite differences, never with their own code.
"""

import numpy as np
import pytest

import nnlessons as nl
from nnlessons import nn
from nnlessons import functional as F
from nnlessons.checks.ch01 import check_mlp_forward, check_xor_features, random_network, reference_mlp_forward
from nnlessons.checks.ch02 import check_collapse, check_relu_piece, reference_collapse, reference_relu_piece


def forward(net, X):
    with nl.no_grad():
        return net(nl.Tensor(np.asarray(X, dtype=float))).data


# ---------------------------------------------------------------------------------------------
# random_network
# ---------------------------------------------------------------------------------------------


def test_random_network_layout_and_reproducibility():
    net = random_network([2, 4, 4, 3], nn.ReLU, bias=[True, False, True], seed=5)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert net[2].bias is None and net[0].bias is not None
    again = random_network([2, 4, 4, 3], nn.ReLU, bias=[True, False, True], seed=5)
    for (_, a), (_, b) in zip(net.named_parameters(), again.named_parameters()):
        assert np.array_equal(a.data, b.data)


def test_checks_leave_the_global_generator_alone():
    nl.manual_seed(123)
    expected = nl.default_rng().uniform(size=3)
    nl.manual_seed(123)
    random_network([3, 5, 2], seed=0)
    check_collapse(reference_collapse)
    check_relu_piece(reference_relu_piece)
    check_mlp_forward(reference_mlp_forward)
    assert np.array_equal(nl.default_rng().uniform(size=3), expected)


def test_random_network_rejects_bad_sizes():
    with pytest.raises(ValueError, match="at least two sizes"):
        random_network([3])
    with pytest.raises(ValueError, match="bias flags"):
        random_network([2, 3, 4], bias=[True])


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[2, 3], [2, 4, 3], [3, 5, 4, 2]])
def test_reference_mlp_forward_equals_the_network_with_softmax(sizes):
    net = random_network(sizes, nn.Tanh, seed=3)
    X = np.random.default_rng(0).normal(size=(7, sizes[0]))
    weights = [m.weight.data for m in net if isinstance(m, nn.Linear)]
    biases = [m.bias.data for m in net if isinstance(m, nn.Linear)]
    probs = reference_mlp_forward(weights, biases, X)
    with nl.no_grad():
        expected = F.softmax(net(nl.Tensor(X))).data
    np.testing.assert_allclose(probs, expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-14)


def test_reference_mlp_forward_does_not_overflow():
    probs = reference_mlp_forward([np.array([[1000.0], [-1000.0]])], [np.zeros(2)], np.array([[1.0]]))
    np.testing.assert_array_equal(probs, [[1.0, 0.0]])


@pytest.mark.parametrize("sizes,bias", [([2, 3], True), ([2, 8, 8, 8, 8, 2], True), ([3, 5, 1, 4], True),
                                        ([2, 4, 4, 3], [False, True, False])])
def test_reference_collapse_gives_the_same_outputs_as_the_stack(sizes, bias):
    net = random_network(sizes, bias=bias, seed=7)
    W, b = reference_collapse(net)
    assert W.shape == (sizes[-1], sizes[0]) and b.shape == (sizes[-1],)
    X = np.random.default_rng(1).normal(size=(50, sizes[0]))
    np.testing.assert_allclose(X @ W.T + b, forward(net, X), rtol=0, atol=1e-12)


def test_reference_collapse_of_two_known_layers():
    # z1 = 2x + 1, z2 = -3 z1 + 4  =>  z2 = -6x + 1
    net = random_network([1, 1, 1], seed=0)
    net[0].weight.data[...] = 2.0
    net[0].bias.data[...] = 1.0
    net[1].weight.data[...] = -3.0
    net[1].bias.data[...] = 4.0
    W, b = reference_collapse(net)
    assert W.tolist() == [[-6.0]] and b.tolist() == [1.0]


def test_reference_collapse_refuses_activations():
    with pytest.raises(TypeError, match="only Linear"):
        reference_collapse(random_network([2, 3, 2], nn.Tanh))


def numeric_jacobian(net, x, eps=1e-6):
    columns = []
    for j in range(len(x)):
        step = np.zeros_like(x)
        step[j] = eps
        columns.append((forward(net, x + step) - forward(net, x - step)) / (2 * eps))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("sizes", [[2, 4, 3], [2, 6, 6, 2], [1, 5, 1], [3, 8, 8, 8, 2]])
def test_reference_relu_piece_is_the_local_affine_map(sizes):
    net = random_network(sizes, nn.ReLU, seed=len(sizes))
    rng = np.random.default_rng(2)
    for _ in range(5):
        x = rng.normal(size=sizes[0])
        W, b = reference_relu_piece(net, x)
        np.testing.assert_allclose(W @ x + b, forward(net, x), rtol=0, atol=1e-12)
        np.testing.assert_allclose(W, numeric_jacobian(net, x), rtol=0, atol=1e-6)


def test_reference_relu_piece_without_relu_is_the_collapse():
    net = random_network([2, 5, 3], seed=4)
    W, b = reference_relu_piece(net, np.array([0.1, 0.2]))
    W2, b2 = reference_collapse(net)
    np.testing.assert_allclose(W, W2, rtol=0, atol=1e-14)
    np.testing.assert_allclose(b, b2, rtol=0, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def run(capsys, check, fn):
    result = check(fn)
    return result, capsys.readouterr().out.strip()


def test_check_mlp_forward_passes_another_formula_and_fails_a_missing_softmax(capsys):
    def mlp_forward(weights, biases, X):
        Z = X
        for k, (W, b) in enumerate(zip(weights, biases)):
            Z = np.einsum("ij,nj->ni", W, Z) + b
            if k < len(weights) - 1:
                Z = 2 / (1 + np.exp(-2 * Z)) - 1  # tanh written with exp
        Z = Z - Z.max(axis=1, keepdims=True)
        return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)

    ok, out = run(capsys, check_mlp_forward, mlp_forward)
    assert ok and out == "\u2713 All 4 checks passed for mlp_forward."

    def logits_only(weights, biases, X):
        Z = X
        for k, (W, b) in enumerate(zip(weights, biases)):
            Z = Z @ W.T + b
            if k < len(weights) - 1:
                Z = np.tanh(Z)
        return Z

    ok, out = run(capsys, check_mlp_forward, logits_only)
    assert not ok
    assert out.startswith("\u2717 4 of 4 checks failed for mlp_forward")
    assert "wrong value" in out


def test_check_mlp_forward_fails_a_softmax_without_the_max_shift(capsys):
    def unshifted(weights, biases, X):  # right for small scores; e^1000 overflows to inf, inf / inf = nan
        Z = X
        for k, (W, b) in enumerate(zip(weights, biases)):
            Z = Z @ W.T + b
            if k < len(weights) - 1:
                Z = np.tanh(Z)
        return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)

    ok, out = run(capsys, check_mlp_forward, unshifted)
    assert not ok
    assert out.startswith("\u2717 1 of 4 checks failed for mlp_forward.")
    assert "Case 'large scores (up to about 1000)'" in out
    assert "raised FloatingPointError: overflow encountered in exp" in out
    assert "subtract each row's largest score" in out

    def quiet_nan(weights, biases, X):  # the same mistake with the warnings switched off: nan, not an error
        with np.errstate(over="ignore", invalid="ignore"):
            return unshifted(weights, biases, X)

    ok, out = run(capsys, check_mlp_forward, quiet_nan)
    assert not ok and "large scores" in out and "got nan" in out


def test_reference_softmax_case_has_scores_near_1000():
    from nnlessons.checks.ch01 import _mlp_cases

    weights, biases, X = _mlp_cases()["large scores (up to about 1000)"]
    scores = np.tanh(X @ weights[0].T + biases[0]) @ weights[1].T + biases[1]
    assert 709 < np.abs(scores).max() < 2000  # e^709 is about the largest float64
    assert np.all(np.isfinite(reference_mlp_forward(weights, biases, X)))


def test_verdicts_display_nothing_after_the_message():
    from nnlessons.checks import Verdict

    result = check_collapse(reference_collapse)
    assert isinstance(result, Verdict) and bool(result)
    assert isinstance(check_relu_piece(reference_relu_piece), Verdict)
    assert isinstance(check_mlp_forward(reference_mlp_forward), Verdict)
    assert isinstance(check_xor_features(lambda X: np.column_stack([X, X[:, 0] * X[:, 1]])), Verdict)
    assert result._ipython_display_() is None


def test_check_mlp_forward_names_a_transposed_weight(capsys):
    def transposed(weights, biases, X):
        return reference_mlp_forward([W.T for W in weights], biases, X)

    ok, out = run(capsys, check_mlp_forward, transposed)
    assert not ok and "raised ValueError" in out


def test_check_collapse_verdicts(capsys):
    def collapse(net):  # the same map, found from the outputs on the unit vectors
        layers = list(net)
        n_in = layers[0].in_features
        b = forward(net, np.zeros((1, n_in)))[0]
        W = (forward(net, np.eye(n_in)) - b).T
        return W, b

    ok, out = run(capsys, check_collapse, collapse)
    assert ok and out == "\u2713 All 4 checks passed for collapse."

    def no_biases(net):
        W = reference_collapse(net)[0]
        return W, np.zeros(W.shape[0])

    ok, out = run(capsys, check_collapse, no_biases)
    assert not ok and "in item [1] of the result: wrong value" in out

    def wrong_order(net):
        W = np.eye(list(net)[-1].out_features)
        for layer in net:  # W1 W2 ... instead of ... W2 W1: fails on shapes or values
            W = W @ layer.weight.data if W.shape[1] == layer.weight.data.shape[0] else layer.weight.data @ W
        return W, reference_collapse(net)[1]

    ok, out = run(capsys, check_collapse, wrong_order)
    assert not ok

    ok, out = run(capsys, check_collapse, lambda net: tuple(nl.Tensor(a) for a in reference_collapse(net)))
    assert not ok and "expected a NumPy array, got a Tensor" in out


def test_check_relu_piece_verdicts(capsys):
    def relu_piece(net, x):  # the Jacobian and the offset, by central differences
        J = numeric_jacobian(net, x, eps=1e-7)
        return J, forward(net, x) - J @ x

    ok, out = run(capsys, check_relu_piece, relu_piece)
    assert ok and out == "\u2713 All 5 checks passed for relu_piece."

    def ignores_relu(net, x):
        return reference_collapse(nn.Sequential(*[m for m in net if isinstance(m, nn.Linear)]))

    ok, out = run(capsys, check_relu_piece, ignores_relu)
    assert not ok and "wrong value" in out


def test_check_xor_features_verdicts(capsys):
    ok, out = run(capsys, check_xor_features, lambda X: np.column_stack([X, X[:, 0] * X[:, 1]]))
    assert ok and out.startswith("\u2713 Softmax regression on your 3 features separates XOR")

    ok, out = run(capsys, check_xor_features, lambda X: X)
    assert not ok and "accuracy 0.500" in out  # the raw inputs: no line does better than chance here

    ok, out = run(capsys, check_xor_features, lambda X: X[:, 0] * X[:, 1])
    assert not ok and "shape (n, d)" in out and "shape (200,)" in out

    ok, out = run(capsys, check_xor_features, lambda X: np.full_like(X, np.nan))
    assert not ok and "NaN or infinite" in out

    def broken(X):
        raise RuntimeError("oops")

    ok, out = run(capsys, check_xor_features, broken)
    assert not ok and "raised RuntimeError: oops" in out

    ok, out = run(capsys, check_xor_features, 3)
    assert not ok and "expected a function" in out


def test_reference_count_parameters_known_counts():
    from nnlessons.checks.ch01 import reference_count_parameters

    assert reference_count_parameters(random_network([2, 4, 4, 2], nn.Tanh)) == 42   # 12 + 20 + 10
    assert reference_count_parameters(random_network([2, 3])) == 9
    assert reference_count_parameters(random_network([2, 6, 6, 1], bias=[False, True, False])) == 12 + 42 + 6


def test_check_count_parameters_verdicts(capsys):
    from nnlessons.checks.ch01 import check_count_parameters

    ok, out = run(capsys, check_count_parameters, lambda net: sum(p.size for p in net.parameters()))
    assert ok and out == "\u2713 All 4 checks passed for count_parameters."

    def weights_only(net):
        return sum(m.weight.size for m in net if isinstance(m, nn.Linear))

    ok, out = run(capsys, check_count_parameters, weights_only)
    assert not ok and "4 of 4 checks failed" in out
    assert "Case 'softmax regression 2 -> 3': wrong value: expected 9, got 6" in out  # integers, not 9.0

    def forgets_none_bias(net):
        return sum(m.weight.size + m.bias.size for m in net if isinstance(m, nn.Linear))

    ok, out = run(capsys, check_count_parameters, forgets_none_bias)
    assert not ok and "1 of 4 checks failed" in out and "raised AttributeError" in out
