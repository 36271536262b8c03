"""The output layer of chapter 1's circles network as a vote of its hidden units.

The network ``Linear(2, 3), Tanh(), Linear(3, 2)`` predicts the inner class where the difference of its two
scores is positive,

    s(x) = a_1 h_1 + a_2 h_2 + a_3 h_3 + c,    h_i = tanh(z_i),    z_i = W_i1 x_1 + W_i2 x_2 + b_i,

with a_i = W^(1,2)_{2i} - W^(1,2)_{1i} and c = b^(2)_2 - b^(2)_1. Each hidden unit is a soft step across the
line z_i = 0; orient every unit so that it is positive at the centre of the data (flip the signs of h_i and
a_i together, which changes nothing). If the oriented weights are about equal, s(x) > 0 says: the sum of the
units' votes h_1 + h_2 + h_3 passes a threshold t = -c / mean(a_i). This module measures that and draws
the region for any threshold, for the chapter's explorer.

- :func:`vote`: the oriented output weights, the threshold and the lines of a trained network;
- :func:`vote_score`: the oriented votes h_i and the weighted vote sum_i a_i h_i at points;
- :func:`inner_region`: where the weighted vote passes a threshold t (in units of the mean weight);
- :func:`triangle_report`: how much of the inner region lies outside the triangle z_i > 0 of the three lines;
- :func:`draw_vote`: the region for a threshold, the three lines and the data;
- :func:`train_snapshots`, :func:`draw_training`: networks with 1, 2, 3 hidden units trained on the circles,
  with their weights after chosen epochs, for the explorer "how the boundary forms".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import nn
from ..display.plot import MARKERS, PALETTE
from ..tensor import Tensor, no_grad

__all__ = ["Vote", "vote", "vote_score", "inner_region", "triangle_report", "draw_vote", "network_says_inner",
           "Snapshots", "train_snapshots", "draw_training"]


@dataclass
class Vote:
    """The output layer of a 2 -> H -> 2 tanh network read as a vote.

    Attributes:
        signs: (H,) +1 or -1: unit i is oriented so that signs[i] * z_i is positive at ``centre``.
        weights: (H,) the oriented output weights a_i * signs[i] (the weight of each unit's vote).
        bias: c, the difference of the output biases (class 1 minus class 0).
        threshold: t = -c / mean(weights): the network says class 1 where the weighted vote
            sum_i weights[i] * h_i' exceeds mean(weights) * t (h_i' = signs[i] h_i).
        W, b: the hidden layer's weight (H, 2) and bias (H,), for the lines z_i = 0.
    """

    signs: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    W: np.ndarray
    b: np.ndarray


def _layers(net: nn.Sequential) -> tuple[nn.Linear, nn.Linear]:
    linears = [m for m in net if isinstance(m, nn.Linear)]
    if len(linears) != 2 or linears[0].in_features != 2 or linears[1].out_features != 2 \
            or not any(isinstance(m, nn.Tanh) for m in net):
        raise ValueError("vote: expected a network Linear(2, H), Tanh(), Linear(H, 2)")
    return linears[0], linears[1]


def vote(net: nn.Sequential, centre=(0.0, 0.0)) -> Vote:
    """Read the output layer of ``Linear(2, H), Tanh(), Linear(H, 2)`` as a vote of the hidden units."""
    hidden, out = _layers(net)
    W, b = hidden.weight.data.copy(), hidden.bias.data.copy()
    signs = np.where(W @ np.asarray(centre, dtype=np.float64) + b >= 0, 1.0, -1.0)
    a = out.weight.data[1] - out.weight.data[0]
    c = float(out.bias.data[1] - out.bias.data[0])
    weights = a * signs
    return Vote(signs=signs, weights=weights, bias=c, threshold=-c / float(np.mean(weights)), W=W, b=b)


def vote_score(v: Vote, X) -> tuple[np.ndarray, np.ndarray]:
    """The oriented votes h_i' (n, H) at the points X (n, 2), and the weighted vote sum_i weights_i h_i' (n,)."""
    H = np.tanh(np.asarray(X, dtype=np.float64) @ v.W.T + v.b) * v.signs
    return H, H @ v.weights


def inner_region(v: Vote, X, threshold: float | None = None) -> np.ndarray:
    """True where the weighted vote exceeds mean(weights) * threshold (default: the network's own t)."""
    t = v.threshold if threshold is None else threshold
    return vote_score(v, X)[1] > np.mean(v.weights) * t


def _grid(low: float, high: float, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g1, g2 = np.meshgrid(np.linspace(low, high, n), np.linspace(low, high, n))
    return g1, g2, np.column_stack([g1.ravel(), g2.ravel()])


def triangle_report(v: Vote, X=None, y=None, *, low: float = -1.6, high: float = 1.6, n: int = 321) -> dict:
    """How the network's inner region sits against the triangle of its three lines.

    Returns a dict with ``area_outside`` (fraction of the inner region, on an n x n grid over
    [low, high]^2, where some oriented z_i < 0: outside the triangle), ``area_cut`` (fraction of the
    triangle's area that the network calls outer), and, if data are given, ``inner_points_outside``
    (points of class 1 outside the triangle) and ``inner_points`` (points of class 1).
    """
    _, _, P = _grid(low, high, n)
    inside = np.all((P @ v.W.T + v.b) * v.signs > 0, axis=1)
    inner = inner_region(v, P)
    report = {"area_outside": float(np.mean(~inside[inner])) if inner.any() else 0.0,
              "area_cut": float(np.mean(~inner[inside])) if inside.any() else 0.0}
    if X is not None:
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
        inside_points = np.all((X[y == 1] @ v.W.T + v.b) * v.signs > 0, axis=1)
        report["inner_points"] = int(np.sum(y == 1))
        report["inner_points_outside"] = int(np.sum(~inside_points))
    return report


def draw_vote(v: Vote, X, y, threshold: float | None = None, ax=None, *, low: float = -1.6, high: float = 1.6,
              n: int = 161, title: str | None = None):
    """The region where the vote passes ``threshold`` (shaded), the lines z_i = 0 (dashed) and the data.

    Returns the Axes. The title gives the threshold and the training accuracy of the rule "inner where
    the vote passes it".
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(4.6, 4.4))
        fig.subplots_adjust(left=0.14, right=0.97, bottom=0.11, top=0.93)  # fixed layout: fast to draw
    t = v.threshold if threshold is None else threshold
    g1, g2, P = _grid(low, high, n)
    region = inner_region(v, P, t).reshape(g1.shape)
    ax.contourf(g1, g2, region.astype(float), levels=[-0.5, 0.5, 1.5], colors=[PALETTE[0], PALETTE[1]], alpha=0.18)
    if region.any() and not region.all():
        ax.contour(g1, g2, region.astype(float), levels=[0.5], colors="black", linewidths=1.2)
    for c in (0, 1):
        ax.scatter(*np.asarray(X)[np.asarray(y) == c].T, s=12, color=PALETTE[c], marker=MARKERS[c],
                   edgecolors="white", linewidths=0.3, label=f"class {c}")
    for i in range(len(v.b)):
        w, b = v.W[i], v.b[i]
        if abs(w[1]) > abs(w[0]):
            xs = np.array([low, high])
            ax.plot(xs, -(w[0] * xs + b) / w[1], "--", color=PALETTE[3 + i], lw=1.3, label=f"$h_{i + 1} = 0$")
        else:
            ys = np.array([low, high])
            ax.plot(-(w[1] * ys + b) / w[0], ys, "--", color=PALETTE[3 + i], lw=1.3, label=f"$h_{i + 1} = 0$")
    acc = float(np.mean(inner_region(v, X, t) == (np.asarray(y) == 1)))
    ax.set(xlim=(low, high), ylim=(low, high), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_title(title or f"vote threshold t = {t:.2f}: accuracy {acc:.2f}", fontsize=10)
    return ax


def network_says_inner(net: nn.Sequential, X) -> np.ndarray:
    """Where the network's class-1 score beats its class-0 score (its own prediction of the inner class)."""
    with no_grad():
        scores = net(Tensor(np.asarray(X, dtype=np.float64))).data
    return scores[:, 1] > scores[:, 0]


# ---------------------------------------------------------------------------------------------
# The chapter's explorer of training: networks 2 -> H -> 2 (tanh) on the circles, snapshots by epoch
# ---------------------------------------------------------------------------------------------


@dataclass
class Snapshots:
    """Networks 2 -> H -> 2 (tanh) trained on one data set, with their weights after chosen epochs.

    Attributes:
        nets: ``{H: network}`` (trained to the last epoch).
        states: ``{(H, epoch): state_dict}`` for every chosen epoch (epoch 0 is the initial network).
        losses: ``{H: list of the training loss of every epoch}``.
        accuracy: ``{H: training accuracy after the last epoch}``.
    """

    nets: dict
    states: dict
    losses: dict
    accuracy: dict


def train_snapshots(X, y, hidden=(1, 2, 3), epochs=(0, 10, 30, 100, 300, 1000), lr: float = 0.5,
                    seed: int = 0) -> Snapshots:
    """Train ``Linear(2, H), Tanh(), Linear(H, 2)`` for every H (weights from ``manual_seed(seed)``) by
    full-batch gradient descent with learning rate ``lr`` on the cross-entropy, keeping the weights after
    each epoch in ``epochs`` (the last one is the length of the run)."""
    from .. import functional as F
    from ..tensor import manual_seed
    from ..training import accuracy, fit

    nets, states, losses, final = {}, {}, {}, {}
    for h in hidden:
        manual_seed(seed)
        net = nn.Sequential(nn.Linear(2, h), nn.Tanh(), nn.Linear(h, 2))
        states[h, 0] = net.state_dict()

        def keep(epoch, model, history, h=h):
            if epoch + 1 in epochs:
                states[h, epoch + 1] = model.state_dict()

        losses[h] = fit(net, F.cross_entropy, X, y, epochs=max(epochs), lr=lr, callback=keep).train_loss
        nets[h], final[h] = net, accuracy(net, X, y)
    return Snapshots(nets=nets, states=states, losses=losses, accuracy=final)


def draw_training(s: Snapshots, X, y, hidden: int, epoch: int):
    """Two panels, stacked: the boundary of the H = ``hidden`` network after ``epoch`` epochs, and the
    training loss of every network (the chosen one highlighted, the epoch marked). Returns the Figure."""
    import matplotlib.pyplot as plt

    from ..display.plot import decision_boundary
    from ..training import accuracy

    net = s.nets[hidden]
    net.load_state_dict(s.states[hidden, epoch])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(4.8, 7.0), height_ratios=[1.25, 1])
    fig.subplots_adjust(left=0.15, right=0.96, bottom=0.07, top=0.95, hspace=0.3)  # fixed: fast to draw
    decision_boundary(net, X, y, ax=top, resolution=80, legend=False,
                      title=f"H = {hidden}, epoch {epoch}: accuracy {accuracy(net, X, y):.2f}")
    for h, curve in s.losses.items():
        chosen = h == hidden
        bottom.plot(np.arange(1, len(curve) + 1), curve, color=PALETTE[h - 1], lw=2.5 if chosen else 1,
                    alpha=1 if chosen else 0.35, label=f"H = {h}")
    if epoch > 0:
        bottom.plot([epoch], [s.losses[hidden][epoch - 1]], "o", color="black")
    bottom.set(xscale="log", xlabel="epoch", ylabel="cross-entropy", title="Training loss", ylim=(0, 0.8))
    bottom.xaxis.set_minor_locator(plt.NullLocator())
    bottom.legend(fontsize="small", loc="lower left")
    net.load_state_dict(s.states[hidden, max(e for (h, e) in s.states if h == hidden)])
    return fig
