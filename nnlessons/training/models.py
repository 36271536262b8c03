"""Building a network from its layer sizes, and running a model on an array without a graph.

>>> from nnlessons import nn
>>> from nnlessons.training.models import mlp, predict
>>> # Linear, ReLU, Linear, ReLU, Linear:
>>> net = mlp([2, 16, 16, 1], activation=nn.ReLU, seed=0)
>>> predict(net, [[0.0, 1.0]]).shape
(1, 1)
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, Union

import numpy as np

from .. import nn
from ..tensor import Tensor, default_rng, manual_seed, no_grad
from .arguments import check_integer, check_nonnegative, check_seed

__all__ = ["mlp", "predict"]

_INITS = ("pytorch", "normal")


def _draw_normal(layers: list, rng: np.random.Generator, gain: float, bias_std: float) -> None:
    """Weights from N(0, gain / fan_in), biases from N(0, bias_std^2) (exact zeros for 0), layer by layer."""
    for layer in layers:
        fan_out, fan_in = layer.weight.shape
        layer.weight.data[...] = rng.normal(0.0, math.sqrt(gain / fan_in), size=(fan_out, fan_in))
        if layer.bias is not None:
            layer.bias.data[...] = rng.normal(0.0, bias_std, size=fan_out) if bias_std > 0 else 0.0


def mlp(sizes: Sequence[int], activation: Optional[Callable[[], nn.Module]] = None, *,
        bias: Union[bool, Sequence[bool]] = True, init: str = "pytorch", seed: Optional[int] = None,
        gain: float = 1.0, bias_std: float = 0.0) -> nn.Sequential:
    """A multilayer perceptron: ``Linear(sizes[0], sizes[1]), activation(), ..., Linear(sizes[-2], sizes[-1])``.

    The activation goes between consecutive layers, not after the last one (the output is a logit
    or a value; the loss applies softmax or sigmoid).

    Args:
        sizes: the width of every layer, input first and output last, e.g. ``[2, 16, 16, 1]``.
        activation: makes one activation module, e.g. ``nn.ReLU`` or ``lambda: nn.LeakyReLU(0.1)``;
            None for a stack of Linear layers with nothing between them.
        bias: one flag for every Linear layer, or one flag per layer.
        init: ``"pytorch"``: PyTorch's default (uniform on +-1/sqrt(fan_in)) from the package's
            generator, after ``manual_seed(seed)`` when a seed is given. ``"normal"``: weights from
            N(0, gain / fan_in) and biases from N(0, bias_std^2), drawn from
            ``np.random.default_rng(seed)``; the package's generator is left exactly as it was.
        seed: see ``init``.
        gain: weight variance times fan_in for ``init="normal"`` (2 is He et al.'s choice for ReLU).
        bias_std: standard deviation of the biases for ``init="normal"`` (0: biases are zero).

    Returns:
        The ``nn.Sequential``.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp: give at least two sizes (input and output), got {sizes}")
    for i, size in enumerate(sizes):
        check_integer(f"sizes[{i}]", size, where="mlp")
    flags = [bias] * (len(sizes) - 1) if isinstance(bias, bool) else list(bias)
    if len(flags) != len(sizes) - 1:
        raise ValueError(f"mlp: {len(sizes) - 1} layers need {len(sizes) - 1} bias flags, got {len(flags)}")
    if init not in _INITS:
        raise ValueError(f"mlp: init must be one of {_INITS}, got init={init!r}")
    if seed is not None:
        check_seed(seed, where="mlp")
    check_nonnegative("bias_std", bias_std, where="mlp")
    state = default_rng().bit_generator.state
    if init == "pytorch" and seed is not None:
        manual_seed(seed)
    linears = [nn.Linear(a, b, bias=flag) for a, b, flag in zip(sizes[:-1], sizes[1:], flags)]
    if init == "normal":
        default_rng().bit_generator.state = state  # Linear drew from it; the weights come from `seed`
        _draw_normal(linears, np.random.default_rng(seed), gain, bias_std)
    modules: list = []
    for k, linear in enumerate(linears):
        modules.append(linear)
        if activation is not None and k < len(linears) - 1:
            modules.append(activation())
    return nn.Sequential(*modules)


def predict(model: Callable, X) -> np.ndarray:
    """The model's output on ``X`` as a float64 NumPy array, computed under ``no_grad`` (no graph).

    Args:
        model: a module or a function of a Tensor; a plain NumPy function (one that refuses a Tensor
            with a TypeError) is called on the array instead.
        X: inputs, an array, a nested list or a Tensor, e.g. of shape (n, d).

    Returns:
        The output, e.g. of shape (n, c).
    """
    X = X.data if isinstance(X, Tensor) else np.asarray(X, dtype=np.float64)
    with no_grad():
        try:
            out = model(Tensor(X))
        except TypeError:  # a NumPy function, such as a target in nnlessons.training.data.TARGETS
            out = model(X)
    return np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)
