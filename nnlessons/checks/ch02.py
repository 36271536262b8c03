"""Checks for the coding exercises of chapter 2: a stack of linear layers is one linear layer; ReLU pieces."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import nn
from ..tensor import Tensor, no_grad
from . import Verdict, check_function
from .ch01 import random_network

__all__ = ["reference_collapse", "check_collapse", "reference_relu_piece", "check_relu_piece"]


# ---------------------------------------------------------------------------------------------
# Chapter 2: a stack of linear layers is one linear layer
# ---------------------------------------------------------------------------------------------


def reference_collapse(net: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """The single layer (W, b) equal to a stack of ``Linear`` layers with no activation between them.

    Layer by layer, z -> W_k z + b_k composes to W = W_L ... W_1 and b = W_L(... (W_2 b_1 + b_2) ...) + b_L.
    A layer made with ``bias=False`` adds nothing to b.
    """
    W, b = None, None
    for layer in net:
        if not isinstance(layer, nn.Linear):
            raise TypeError(f"reference_collapse: expected only Linear layers, got {type(layer).__name__}")
        Wk = layer.weight.data
        bk = layer.bias.data if layer.bias is not None else np.zeros(layer.out_features)
        W, b = (Wk.copy(), bk.copy()) if W is None else (Wk @ W, Wk @ b + bk)
    return W, b


def _collapse_cases() -> dict[str, tuple]:
    return {
        "one layer 2 -> 3": (random_network([2, 3], seed=10),),
        "five layers 2 -> 8 -> 8 -> 8 -> 8 -> 2": (random_network([2, 8, 8, 8, 8, 2], seed=11),),
        "widths 3 -> 5 -> 1 -> 4": (random_network([3, 5, 1, 4], seed=12),),
        "some layers without bias": (random_network([2, 4, 4, 3], bias=[False, True, False], seed=13),),
    }


def check_collapse(collapse: Callable[[nn.Sequential], tuple]) -> Verdict:
    """Check ``collapse(net)`` -> ``(W, b)``, NumPy arrays of shapes (out, in) and (out,), for stacks of Linear layers.

    Returns a :class:`~nnlessons.checks.Verdict`: true if every case passed; it displays nothing.
    """
    return Verdict(check_function(collapse, reference_collapse, _collapse_cases(), name="collapse", atol=1e-10))


# ---------------------------------------------------------------------------------------------
# Chapter 2: the linear piece of a ReLU network at a point
# ---------------------------------------------------------------------------------------------


def reference_relu_piece(net: nn.Sequential, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The affine map (W, b) that a network of ``Linear`` and ``ReLU`` modules computes near the point x.

    A ReLU keeps the units whose input is positive and zeroes the others, so near x it acts like the
    diagonal 0/1 matrix D of that pattern; the network is then W = W_L D_{L-1} W_{L-1} ... D_1 W_1, and
    net(x) = W x + b. (At a point where some unit's input is exactly 0 the network has a kink, and this
    returns the piece on which that unit is off.)
    """
    x = np.asarray(x, dtype=np.float64)
    W, b = np.eye(len(x)), np.zeros(len(x))
    for module in net:
        if isinstance(module, nn.Linear):
            bk = module.bias.data if module.bias is not None else np.zeros(module.out_features)
            W, b = module.weight.data @ W, module.weight.data @ b + bk
        elif isinstance(module, nn.ReLU):
            on = (W @ x + b > 0).astype(np.float64)
            W, b = on[:, None] * W, on * b
        else:
            raise TypeError(f"reference_relu_piece: expected Linear and ReLU modules, got {type(module).__name__}")
    return W, b


def _relu_piece_cases() -> list[tuple[str, tuple]]:
    small = random_network([2, 4, 3], nn.ReLU, seed=20)
    deep = random_network([2, 6, 6, 2], nn.ReLU, seed=21)
    one_d = random_network([1, 5, 1], nn.ReLU, seed=22)
    return [
        ("2 -> 4 -> 3 at x = (0.5, -1)", (small, np.array([0.5, -1.0]))),
        ("2 -> 4 -> 3 at x = (-2, 1.5)", (small, np.array([-2.0, 1.5]))),
        ("2 -> 6 -> 6 -> 2 at x = (0.3, 0.7)", (deep, np.array([0.3, 0.7]))),
        ("2 -> 6 -> 6 -> 2 at x = (-1.2, -0.4)", (deep, np.array([-1.2, -0.4]))),
        ("1 -> 5 -> 1 at x = (1.5,)", (one_d, np.array([1.5]))),
    ]


def check_relu_piece(relu_piece: Callable[[nn.Sequential, np.ndarray], tuple]) -> Verdict:
    """Check ``relu_piece(net, x)`` -> ``(W, b)``, the linear piece of a Linear/ReLU network at the point x.

    Returns a :class:`~nnlessons.checks.Verdict`: true if every case passed; it displays nothing.
    """
    return Verdict(check_function(relu_piece, reference_relu_piece, _relu_piece_cases(), name="relu_piece",
                                  atol=1e-10))
