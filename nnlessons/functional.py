"""Activation functions and losses, with PyTorch's names and semantics.

Each function states its formula and its local derivative; the code under it
computes the two. The losses that are usually paired with an activation
(softmax + cross-entropy, sigmoid + binary cross-entropy) are single fused
nodes: faster, and numerically stable for logits of any size.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, _as_tensor, _stable_sigmoid, _unbroadcast, is_grad_enabled

__all__ = [
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "prelu", "softplus",
    "softmax", "log_softmax", "linear",
    "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------- activations
def sigmoid(x: Tensor) -> Tensor:
    """sigma(x) = 1 / (1 + e^-x); sigma'(x) = sigma(x) (1 - sigma(x))."""
    return _as_tensor(x).sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = 2 sigma(2x) - 1; tanh'(x) = 1 - tanh(x)^2."""
    return _as_tensor(x).tanh()


def relu(x: Tensor) -> Tensor:
    """max(0, x); derivative 1 for x > 0 and 0 for x <= 0."""
    return _as_tensor(x).relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope * x otherwise; derivative 1 or negative_slope (the slope at 0)."""
    x = _as_tensor(x)
    if 0.0 <= negative_slope <= 1.0:
        out = np.maximum(x.data, negative_slope * x.data)  # one pass, no mask needed
    else:
        out = np.where(x.data > 0, x.data, negative_slope * x.data)

    def backward(g):
        return (np.where(x.data > 0, g, negative_slope * g),)

    return Tensor._make(out, (x,), backward, "leaky_relu")


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise; derivative 1 or alpha e^x (alpha at 0)."""
    x = _as_tensor(x)
    neg_exp = np.exp(np.minimum(x.data, 0.0))  # e^min(x, 0): never overflows, and is 1 for x > 0
    out = np.maximum(x.data, 0.0) + alpha * (neg_exp - 1.0)  # x for x > 0, alpha (e^x - 1) otherwise

    def backward(g):
        return (np.where(x.data > 0, g, (alpha * neg_exp) * g),)

    return Tensor._make(out, (x,), backward, "elu")


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, a * x otherwise, with a learnable slope a (one, or one per channel on axis 1).

    d/dx = 1 or a (a at 0); d/da = x where x <= 0, summed over the entries that share a.
    """
    x, a = _as_tensor(x), _as_tensor(weight)
    if a.size != 1:
        channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 1)
        if a.ndim != 1 or a.size != channels:
            raise ValueError(
                f"prelu: weight has shape {a.shape}; expected one slope or one per channel "
                f"({channels} for input of shape {x.shape})"
            )
    if a.size == 1:
        slope = a.data.reshape(())
    elif x.ndim >= 2:
        slope = a.data.reshape((1, -1) + (1,) * (x.ndim - 2))  # one slope per channel (axis 1)
    else:
        slope = a.data
    pos = x.data > 0
    out = np.where(pos, x.data, slope * x.data)

    def backward(g):
        gx = g * np.where(pos, 1.0, slope) if x.requires_grad else None
        ga = None
        if a.requires_grad:
            ga = _unbroadcast(g * np.where(pos, 0.0, x.data), np.shape(slope)).reshape(a.shape)
        return gx, ga

    return Tensor._make(out, (x, a), backward, "prelu")


def softplus(x: Tensor, beta: float = 1.0) -> Tensor:
    """(1/beta) ln(1 + e^(beta x)), computed as max(x, 0) + ln(1 + e^-abs(beta x))/beta; derivative sigma(beta x)."""
    x = _as_tensor(x)
    bx = beta * x.data
    out = (np.maximum(bx, 0.0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return Tensor._make(out, (x,), lambda g: (g * _stable_sigmoid(bx),), "softplus")


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """s_i = e^(x_i) / sum_j e^(x_j) along ``dim``; ds/dx applied to g: s (g - sum(g s))."""
    x = _as_tensor(x)
    shifted = x.data - x.data.max(axis=dim, keepdims=True)  # e^(x - max) never overflows
    e = np.exp(shifted)
    s = e / e.sum(axis=dim, keepdims=True)
    return Tensor._make(s, (x,), lambda g: (s * (g - (g * s).sum(axis=dim, keepdims=True)),), "softmax")


def _log_softmax_array(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """ln softmax(x) = x - max - ln sum e^(x - max); applied to g: g - softmax(x) sum(g)."""
    x = _as_tensor(x)
    out = _log_softmax_array(x.data, dim)
    return Tensor._make(out, (x,), lambda g: (g - np.exp(out) * g.sum(axis=dim, keepdims=True),), "log_softmax")


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The affine map x W^T + b as one node (``weight`` has shape (out, in), as in PyTorch).

    Gradients: dx = g W, dW = g^T x, db = sum of g over the batch (and over the outputs, for a
    0-d bias shared by all of them, which PyTorch also accepts).
    """
    x, w = _as_tensor(x), _as_tensor(weight)
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {w.shape}: "
            f"expected the input's last dimension to be in_features = {w.shape[1] if w.ndim == 2 else '?'}"
        )
    b = None if bias is None else _as_tensor(bias)
    if b is not None and b.shape not in ((), (1,), (w.shape[0],)):
        raise ValueError(f"linear: bias of shape {b.shape} does not fit weight of shape {w.shape}: expected "
                         f"a bias of shape ({w.shape[0]},) (one per output feature) or a 0-d bias")
    parents = (x, w) if b is None else (x, w, b)
    out = x.data @ w.data.T
    if b is not None:
        out += b.data

    def backward(g):
        g2 = g.reshape(-1, g.shape[-1])
        x2 = x.data.reshape(-1, x.shape[-1])
        grads = [(g @ w.data) if x.requires_grad else None, (g2.T @ x2) if w.requires_grad else None]
        if b is not None:
            grads.append(_unbroadcast(g2.sum(axis=0), b.shape) if b.requires_grad else None)
        return grads

    return Tensor._make(out, parents, backward, "linear")


# --------------------------------------------------------------------- losses
def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(loss: np.ndarray, grads: tuple, reduction: str, parents: tuple, op: str) -> Tensor:
    """Turn per-element losses and their local gradients (one array, or None, per parent) into one
    node with the chosen reduction: d(sum)/d(loss_i) = 1, d(mean)/d(loss_i) = 1/n."""
    if reduction == "none":
        def backward(g):
            g = g.reshape(g.shape + (1,) * (loss_grad_ndim - g.ndim))  # cross_entropy: one g per row
            return tuple(None if d is None else g * d for d in grads)
        loss_grad_ndim = next(d.ndim for d in grads if d is not None)
        return Tensor._make(loss, parents, backward, op)
    scale = 1.0 if reduction == "sum" else 1.0 / loss.size
    total = np.asarray(loss.sum() * scale)
    return Tensor._make(total, parents, lambda g: tuple(None if d is None else (g * scale) * d for d in grads), op)


def _same_shape(name: str, x: Tensor, target: np.ndarray) -> None:
    if x.shape != target.shape:
        raise ValueError(
            f"{name}: input has shape {x.shape} but target has shape {target.shape}; they must match "
            "(reshape one of them: no silent broadcasting in losses)"
        )
    if x.size == 0:
        raise ValueError(f"{name}: the input is empty (shape {x.shape}); a loss needs at least one example")


def _target(target) -> tuple[Tensor, bool]:
    """The target as a tensor, and whether a gradient must flow to it."""
    t = _as_tensor(target)
    return t, t.requires_grad and is_grad_enabled()


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Softmax + negative log-likelihood in one node.

    loss_n = -ln softmax(x_n)[t_n] = -x_n[t_n] + ln sum_c e^(x_n[c]); d loss_n / d x_n = softmax(x_n) - onehot(t_n).

    Args:
        logits: shape (N, C), or (C,) for one example.
        target: integer class indices in [0, C), shape (N,) (or () for one example).
        reduction: "mean", "sum" or "none".
    """
    _check_reduction(reduction)
    x = _as_tensor(logits)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if x.ndim not in (1, 2):
        raise ValueError(f"cross_entropy: logits must have shape (N, C) or (C,), got {x.shape}")
    if t.dtype.kind not in "iub":
        if t.dtype.kind != "f" or not np.all(t == np.round(t)):
            raise ValueError(f"cross_entropy: target must hold integer class indices, got dtype {t.dtype}")
    t = t.astype(np.intp)
    expected = x.shape[:-1]
    if t.shape != expected:
        raise ValueError(
            f"cross_entropy: logits of shape {x.shape} need a target of shape {expected}, "
            f"got target of shape {t.shape} (batch sizes differ)"
        )
    if x.size == 0:
        raise ValueError(f"cross_entropy: the input is empty (shape {x.shape}); a loss needs at least one example")
    n_classes = x.shape[-1]
    bad = (t < 0) | (t >= n_classes)
    if np.any(bad):
        raise ValueError(
            f"cross_entropy: target {t[bad].ravel()[0]} is out of range for {n_classes} classes "
            f"(expected integers 0 .. {n_classes - 1})"
        )
    x2 = x.data.reshape(-1, n_classes)
    t2 = t.reshape(-1)
    logp = _log_softmax_array(x2, 1)
    rows = np.arange(len(t2))
    loss = -logp[rows, t2].reshape(t.shape)  # negated after the reshape: an array of its own, not a view
    grad = np.exp(logp)
    grad[rows, t2] -= 1.0
    return _reduce(loss, (grad.reshape(x.shape),), reduction, (x,), "cross_entropy")


def binary_cross_entropy(probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """-[t ln p + (1 - t) ln(1 - p)] on probabilities p in [0, 1] and targets t in [0, 1].

    d/dp = (p - t) / (p (1 - p)); d/dt = ln(1 - p) - ln p (PyTorch 2.13 also differentiates the
    target). As in PyTorch, each log is clamped at -100 so that p = 0 or 1 gives a finite loss,
    and the denominator p (1 - p) is at least 1e-12.
    """
    _check_reduction(reduction)
    p = _as_tensor(probs)
    t, t_grad = _target(target)
    _same_shape("binary_cross_entropy", p, t.data)
    for name, a in (("input", p.data), ("target", t.data)):
        if not np.all((a >= 0) & (a <= 1)):  # also catches nan
            bad = a[~((a >= 0) & (a <= 1))].ravel()[0]
            raise ValueError(f"binary_cross_entropy: {name} must be probabilities in [0, 1], got {bad}")
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p.data), -100.0)
        log_1mp = np.maximum(np.log1p(-p.data), -100.0)
    loss = -(t.data * log_p + (1.0 - t.data) * log_1mp)
    grad_p = (p.data - t.data) / np.maximum(p.data * (1.0 - p.data), 1e-12)
    grad_t = log_1mp - log_p if t_grad else None
    return _reduce(loss, (grad_p, grad_t), reduction, (p, t), "binary_cross_entropy")


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """Sigmoid + binary cross-entropy in one node, stable for any logit x.

    loss = max(x, 0) - x t + ln(1 + e^-abs(x)); d loss / dx = sigma(x) - t; d loss / dt = -x.
    """
    _check_reduction(reduction)
    x = _as_tensor(logits)
    t, t_grad = _target(target)
    _same_shape("binary_cross_entropy_with_logits", x, t.data)
    loss = np.maximum(x.data, 0.0) - x.data * t.data + np.log1p(np.exp(-np.abs(x.data)))
    grad_x = _stable_sigmoid(x.data) - t.data
    grad_t = -x.data if t_grad else None
    return _reduce(loss, (grad_x, grad_t), reduction, (x, t), "bce_with_logits")


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:
    """(x - t)^2 per element; d/dx = 2 (x - t), d/dt = -2 (x - t)."""
    _check_reduction(reduction)
    x = _as_tensor(input)
    t, t_grad = _target(target)
    _same_shape("mse_loss", x, t.data)
    diff = x.data - t.data
    grad_x = 2.0 * diff
    return _reduce(diff * diff, (grad_x, -grad_x if t_grad else None), reduction, (x, t), "mse_loss")
