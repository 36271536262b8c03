"""Checks for the coding exercises of chapter 1: counting parameters, a network's forward pass, hand-made XOR features.

Each ``check_*`` function runs the student's function on a few cases, prints a verdict that says what is
wrong and returns a :class:`~nnlessons.checks.Verdict` (true or false, and displayed as nothing, so a
notebook cell that ends with a check shows only the printed verdict). The checks build their own small networks from a private random
generator, so calling one does not change what the rest of a notebook prints.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .. import functional as F
from .. import nn
from ..tensor import Tensor
from ..training.loop import accuracy, fit
from ..training.models import mlp
from . import Verdict, check_function, without_overflow

PASS, FAIL = "\u2713", "\u2717"  # check mark, ballot x: the marks check_function prints

__all__ = ["random_network", "reference_mlp_forward", "check_mlp_forward", "check_xor_features",
           "reference_count_parameters", "check_count_parameters"]


# ---------------------------------------------------------------------------------------------
# Small networks for the cases
# ---------------------------------------------------------------------------------------------


def random_network(sizes: Sequence[int], activation: Callable[[], nn.Module] | None = None, *,
                   bias: bool | Sequence[bool] = True, seed: int = 0) -> nn.Sequential:
    """A ``Sequential`` of ``Linear`` layers with widths ``sizes``, weights drawn from ``seed``.

    ``activation`` (a module class such as ``nn.ReLU``, or None) goes between consecutive layers, not after
    the last one. ``bias`` is one flag for every layer or one per layer. Weights come from
    N(0, 1 / fan_in) and biases from N(0, 0.25): :func:`nnlessons.training.models.mlp` with
    ``init="normal"``, which leaves the package's global generator exactly as it was.

    >>> # Linear(2, 4), Tanh(), Linear(4, 3):
    >>> net = random_network([2, 4, 3], nn.Tanh)  # doctest: +SKIP
    """
    if len(sizes) < 2:
        raise ValueError(f"random_network: give at least two sizes (input and output), got {list(sizes)}")
    flags = [bias] * (len(sizes) - 1) if isinstance(bias, bool) else list(bias)
    if len(flags) != len(sizes) - 1:
        raise ValueError(f"random_network: {len(sizes) - 1} layers need {len(sizes) - 1} bias flags, got {len(flags)}")
    return mlp(sizes, activation, bias=flags, init="normal", seed=seed, gain=1.0, bias_std=0.5)


def _weights_and_biases(net: nn.Sequential) -> tuple[list[np.ndarray], list[np.ndarray]]:
    layers = [m for m in net if isinstance(m, nn.Linear)]
    weights = [layer.weight.data.copy() for layer in layers]
    biases = [layer.bias.data.copy() if layer.bias is not None else np.zeros(layer.out_features)
              for layer in layers]
    return weights, biases


# ---------------------------------------------------------------------------------------------
# Chapter 1: the forward pass of a network, from its weight matrices
# ---------------------------------------------------------------------------------------------


def reference_mlp_forward(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], X: np.ndarray) -> np.ndarray:
    """Class probabilities of a network given as NumPy arrays: tanh after every layer but the last, softmax last.

    Row by row this is z^(k) = g(W^(k-1,k) z^(k-1) + b^(k)), with g = tanh for hidden layers; for a batch
    X of shape (n, d) it is ``Z @ W.T + b``. ``weights[k]`` has the shape (out, in) of ``Linear.weight``.
    """
    Z = np.asarray(X, dtype=np.float64)
    for k, (W, b) in enumerate(zip(weights, biases)):
        Z = Z @ np.asarray(W).T + np.asarray(b)
        if k < len(weights) - 1:
            Z = np.tanh(Z)
    Z = Z - Z.max(axis=1, keepdims=True)  # softmax, shifted so that exp cannot overflow
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def _mlp_cases() -> dict[str, tuple]:
    rng = np.random.default_rng(1)
    cases = {}
    for label, sizes in (("softmax regression 2 -> 3", [2, 3]), ("one hidden layer 2 -> 4 -> 3", [2, 4, 3]),
                         ("two hidden layers 3 -> 5 -> 4 -> 2", [3, 5, 4, 2])):
        weights, biases = _weights_and_biases(random_network(sizes, nn.Tanh, seed=len(sizes)))
        cases[label] = (weights, biases, rng.normal(size=(6, sizes[0])))
    # the same hidden layer with an output layer 500 times larger: scores of several hundred, up to about
    # 1000, where e^z overflows (inf, then inf / inf = nan) unless each row's largest score is subtracted
    weights, biases = _weights_and_biases(random_network([2, 4, 3], nn.Tanh, seed=3))
    weights[-1], biases[-1] = 500.0 * weights[-1], 500.0 * biases[-1]
    cases["large scores (up to about 1000)"] = (weights, biases, rng.normal(size=(6, 2)))
    return cases


def check_mlp_forward(mlp_forward: Callable) -> Verdict:
    """Check ``mlp_forward(weights, biases, X)`` -> class probabilities of shape (n, c), as in chapter 1.

    One case has scores up to about 1000: a softmax computed as ``np.exp(z) / np.exp(z).sum(...)`` without
    first subtracting each row's largest score overflows there, and fails with a hint (the student's function
    runs with ``np.errstate(over="raise", invalid="raise", divide="raise")``).
    Returns a :class:`~nnlessons.checks.Verdict`: true if every case passed; it displays nothing.
    """
    fn = mlp_forward
    if callable(mlp_forward):
        fn = without_overflow(mlp_forward, "np.exp(z) is inf for z above about 709: subtract each row's "
                                           "largest score before np.exp, which does not change the softmax")
    return Verdict(check_function(fn, reference_mlp_forward, _mlp_cases(), name="mlp_forward"))


# ---------------------------------------------------------------------------------------------
# Chapter 1: a hand-made feature that makes XOR linearly separable
# ---------------------------------------------------------------------------------------------


def _train_softmax_regression(Z: np.ndarray, y: np.ndarray, epochs: int = 500, lr: float = 0.5) -> float:
    """Train Linear(d, 2) + softmax by full-batch gradient descent on (Z, y); return the training accuracy."""
    layer = random_network([Z.shape[1], 2], seed=0)
    fit(layer, F.cross_entropy, Z, y, epochs=epochs, lr=lr, progress=False)
    return accuracy(layer, Z, y)


def check_xor_features(features: Callable[[np.ndarray], np.ndarray], *, target: float = 0.99) -> Verdict:
    """Check that softmax regression on ``features(X)`` separates XOR data.

    ``features`` maps the inputs X, shape (n, 2), to new inputs of shape (n, d). For three fresh XOR
    data sets (seeds 1, 2, 3), the check trains a ``Linear(d, 2)`` with softmax and cross-entropy by
    gradient descent and passes when every training accuracy is at least ``target``.
    """
    from ..training.data import xor

    if not callable(features):
        print(f"{FAIL} expected a function of X, got {type(features).__name__}.")
        return Verdict(False)
    for seed in (1, 2, 3):
        X, y = xor(200, seed=seed)
        try:
            Z = features(X.copy())
        except Exception as error:  # the student's bug, reported rather than raised
            print(f"{FAIL} features(X) raised {type(error).__name__}: {error}.")
            return Verdict(False)
        if isinstance(Z, Tensor):
            Z = Z.data
        Z = np.asarray(Z, dtype=np.float64) if isinstance(Z, (np.ndarray, list, tuple)) else None
        if Z is None or Z.ndim != 2 or Z.shape[0] != len(X):
            got = "no array" if Z is None else f"shape {Z.shape}"
            print(f"{FAIL} features(X) must return an array of shape (n, d) with one row per point; "
                  f"for X of shape {X.shape} it returned {got}.")
            return Verdict(False)
        if not np.all(np.isfinite(Z)):
            print(f"{FAIL} features(X) returned NaN or infinite values.")
            return Verdict(False)
        try:
            acc = _train_softmax_regression(Z, y)
        except FloatingPointError:
            print(f"{FAIL} gradient descent diverged on your features: keep their values of order 1 "
                  f"(for example, do not multiply by large constants).")
            return Verdict(False)
        if acc < target:
            print(f"{FAIL} softmax regression on your {Z.shape[1]} features reaches accuracy {acc:.3f} on XOR "
                  f"data set seed={seed}; a feature that separates the classes gives 1.000. "
                  f"Hint: in which quadrants is y = 1?")
            return Verdict(False)
    print(f"{PASS} Softmax regression on your {Z.shape[1]} features separates XOR "
          f"(accuracy >= {target:.2f} on 3 data sets).")
    return Verdict(True)




# ---------------------------------------------------------------------------------------------
# Chapter 1: counting a network's trainable numbers
# ---------------------------------------------------------------------------------------------


def reference_count_parameters(net: nn.Sequential) -> int:
    """Weights and biases of every ``Linear`` layer: n_in * n_out, plus n_out if it has a bias.

    Activation modules have no parameters.
    """
    return int(sum(m.in_features * m.out_features + (m.out_features if m.bias is not None else 0)
                   for m in net if isinstance(m, nn.Linear)))


def _count_cases() -> dict[str, tuple]:
    return {
        "softmax regression 2 -> 3": (random_network([2, 3], seed=30),),
        "the moons network 2 -> 4 -> 4 -> 2 (tanh)": (random_network([2, 4, 4, 2], nn.Tanh, seed=31),),
        "a wider network 3 -> 16 -> 8 -> 5 (ReLU)": (random_network([3, 16, 8, 5], nn.ReLU, seed=32),),
        "layers without bias 2 -> 6 -> 6 -> 1": (random_network([2, 6, 6, 1], nn.ReLU, bias=[False, True, False],
                                                                seed=33),),
    }


def check_count_parameters(count_parameters: Callable[[nn.Sequential], int]) -> Verdict:
    """Check ``count_parameters(net)`` -> the number of trainable numbers (weights and biases) of a network.

    Returns a :class:`~nnlessons.checks.Verdict`: true if every case passed; it displays nothing.
    """
    return Verdict(check_function(count_parameters, reference_count_parameters, _count_cases(),
                                  name="count_parameters"))
