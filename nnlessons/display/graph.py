"""Draw computational graphs and step through backpropagation, one node at a time.

Any small expression built from :class:`~nnlessons.Tensor` objects is a graph: every tensor made by
an operation remembers its inputs (``_parents``) and the operation's name (``_op``). This module
walks that graph from the output and draws it with matplotlib only (no Graphviz): tensors are boxes
showing their name, value and gradient; operations are ellipses between a tensor and its inputs.

>>> import nnlessons as nl
>>> from nnlessons.display.graph import draw_graph, BackwardStepper
>>> w1, w2 = nl.Tensor(2.0, requires_grad=True), nl.Tensor(3.0, requires_grad=True)
>>> a = w1 ** 3; b = a * w2; c = 3 * w1; g = b + c
>>> names = {w1: "w1", w2: "w2", a: "a", b: "b", c: "c", g: "g"}
>>> fig = draw_graph(g, names=names)              # forward values  # doctest: +SKIP
>>> stepper = BackwardStepper(g)                   # the engine's order, one node per step
>>> float(stepper.steps[-1].grads[id(w1)])         # 36 through a, plus 3 through c
39.0

Gradients shown are, in order of preference: ``grads`` passed in (e.g. from a stepper), else a
tensor's own ``.grad`` (leaves after ``backward``, or intermediates marked with ``retain_grad()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from ..tensor import Tensor, _topological_order

__all__ = ["Graph", "trace", "draw_graph", "BackwardStep", "BackwardStepper"]

# Okabe-Ito colours (as in nnlessons.display.plot), plus light fills for the node kinds.
_BLUE, _ORANGE, _GREEN, _VERMILLION, _GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#606060"
_FILL = {"input": "#DCEBF7", "constant": "#FFFFFF", "inner": "#F2F2F2", "output": "#FCEBC7"}

_DX = 3.2          # distance between two levels (data units)
_DY = 1.35         # distance between two nodes of a level
_BOX_W, _BOX_H = 2.0, 0.9
_CONST_W, _CONST_H = 0.7, 0.45
_OP_OFFSET = 1.5  # the operation's ellipse sits this far left of its output's centre
_INCH_PER_UNIT = 0.6


# ----------------------------------------------------------------------------------- the graph
@dataclass
class Graph:
    """The nodes reachable from ``root``, every node after its inputs, with its consumers.

    Attributes:
        root: the output tensor.
        nodes: every tensor of the graph, inputs first and ``root`` last (constants included).
        consumers: ``id(node)`` -> the nodes that take it as an input (a node used twice by the same
            operation, as in ``x * x``, appears twice).
    """

    root: Tensor
    nodes: list
    consumers: dict = field(default_factory=dict)

    def kind(self, node: Tensor) -> str:
        """'output', 'input' (a leaf that requires grad), 'constant' (a leaf that does not) or 'inner'."""
        if node is self.root:
            return "output"
        if node._parents:
            return "inner"
        return "input" if node.requires_grad else "constant"


def trace(root: Tensor) -> Graph:
    """Walk ``root._parents`` recursively (iteratively, in fact) and return the :class:`Graph`."""
    if not isinstance(root, Tensor):
        raise TypeError(f"trace: expected a Tensor, got {type(root).__name__}")
    order: list = []
    seen = {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    consumers: dict = {id(n): [] for n in order}
    for node in order:
        for parent in node._parents:
            consumers[id(parent)].append(node)
    return Graph(root, order, consumers)


# ------------------------------------------------------------------------------------ layout
def _levels(graph: Graph) -> dict:
    """Column of every node: a node sits one right of its rightmost input, and a leaf (an input,
    parameter or constant) just left of its leftmost consumer, so that it enters where it is used."""
    level: dict = {}
    for node in graph.nodes:  # inputs come first
        if node._parents:
            level[id(node)] = 1 + max(level[id(p)] for p in node._parents)
        else:
            level[id(node)] = 0
    for node in graph.nodes:
        if not node._parents and graph.consumers[id(node)]:
            level[id(node)] = max(0, min(level[id(c)] for c in graph.consumers[id(node)]) - 1)
    return level


def _layout(graph: Graph) -> tuple:
    """Positions of the nodes, and the bend points of edges that skip columns.

    Columns are levels. An edge that spans several columns gets a waypoint in every column it crosses
    (as in Sugiyama's layered drawing), so that it runs between boxes instead of through them. Rows
    are ordered by the barycentre of each item's neighbours, sweeping left and right a few times.

    Returns:
        ``(pos, bends)``: ``pos[id(node)] = (x, y)``; ``bends[(id(parent), id(child))]`` = list of
        (x, y) waypoints from left to right (empty for an edge between adjacent columns).
    """
    level = _levels(graph)
    n_levels = max(level.values()) + 1
    columns: list = [[] for _ in range(n_levels)]
    up: dict = {}    # key -> keys of its inputs (one column to the left)
    down: dict = {}  # key -> keys of its consumers (one column to the right)
    chains: dict = {}
    for node in graph.nodes:
        key = id(node)
        columns[level[key]].append(key)
        up.setdefault(key, [])
        down.setdefault(key, [])
    for node in graph.nodes:
        for parent in dict.fromkeys(node._parents):  # each distinct input once
            lo, hi = level[id(parent)], level[id(node)]
            previous, chain = id(parent), []
            for lev in range(lo + 1, hi):
                dummy = ("bend", id(parent), id(node), lev)
                columns[lev].append(dummy)
                up[dummy], down[dummy] = [previous], []
                down[previous].append(dummy)
                chain.append(dummy)
                previous = dummy
            down[previous].append(id(node))
            up[id(node)].append(previous)
            chains[(id(parent), id(node))] = chain

    def place(col: list) -> dict:
        return {k: (len(col) - 1) / 2 - i for i, k in enumerate(col)}

    y: dict = {}
    for col in columns:
        y.update(place(col))

    def barycentre(key, neighbours):
        ys = [y[m] for m in neighbours]
        return sum(ys) / len(ys) if ys else y[key]

    for _ in range(4):
        for col in columns[1:]:  # left to right: by inputs
            col.sort(key=lambda k: -barycentre(k, up[k]))
            y.update(place(col))
        for col in reversed(columns[:-1]):  # right to left: by consumers
            col.sort(key=lambda k: -barycentre(k, down[k]))
            y.update(place(col))

    def xy(key):
        lev = level[key] if not isinstance(key, tuple) else key[3]
        return (lev * _DX, y[key] * _DY)

    pos = {id(n): xy(id(n)) for n in graph.nodes}
    bends = {edge: [xy(k) for k in chain] for edge, chain in chains.items()}
    return pos, bends


# ----------------------------------------------------------------------------------- drawing
def _fmt_number(x: float, precision: int) -> str:
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text


def _fmt_array(a, precision: int, limit: int = 2) -> str:
    a = np.asarray(a, dtype=np.float64)
    if a.size == 1:
        return _fmt_number(float(a.reshape(())), precision)
    if a.ndim == 1 and a.size <= limit:
        return "[" + ", ".join(_fmt_number(v, 3) for v in a) + "]"
    return "\u00d7".join(str(s) for s in a.shape) + " array"


def _clip_box(center, direction, half_w, half_h):
    dx, dy = direction
    ts = []
    if abs(dx) > 1e-12:
        ts.append(half_w / abs(dx))
    if abs(dy) > 1e-12:
        ts.append(half_h / abs(dy))
    t = min(ts) if ts else 0.0
    return center[0] + t * dx, center[1] + t * dy


def _clip_ellipse(center, direction, a, b):
    dx, dy = direction
    norm = np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    t = 1.0 / norm if norm > 0 else 0.0
    return center[0] + t * dx, center[1] + t * dy


def _op_width(op: str) -> float:
    return max(0.62, 0.13 * len(op) + 0.22)


def draw_graph(root: Tensor, names: Optional[Mapping] = None, *, grads: Optional[Mapping] = None,
               show_grad: bool = True, complete: Optional[set] = None, highlight: Optional[Tensor] = None,
               edge_labels: Optional[Mapping] = None, title: Optional[str] = None, ax: Optional[Axes] = None,
               precision: int = 4, legend: bool = True) -> Figure:
    """Draw the computational graph that produced ``root``, with values and (when known) gradients.

    Args:
        root: the output tensor; the graph is everything reachable through ``_parents``.
        names: ``{tensor: "name"}`` labels (matplotlib mathtext such as ``"$w_1$"`` works). An unnamed
            constant shows its value; other unnamed tensors show only their value.
        grads: ``{tensor or id(tensor): gradient}`` to show instead of the tensors' own ``.grad``.
        show_grad: show gradients at all (False: forward values only).
        complete: ids of nodes whose gradient is final; the others are marked "(partial)". Default:
            every shown gradient is final.
        highlight: a node to outline (the one a backward step is processing).
        edge_labels: ``{(input, output): "text"}`` written on the edge from ``input`` into ``output``'s
            operation and drawn in the highlight colour (e.g. the gradient that flows back along it).
        title: the axes title (default: "Computational graph of <root name>").
        ax: draw into these axes; by default a new pyplot figure sized to the graph is made (show it
            with ``plt.show()``).
        precision: significant digits of the numbers shown.
        legend: explain the colours under the graph.

    Returns:
        The matplotlib Figure.
    """
    graph = trace(root)
    names = dict(names or {})
    name_of = {id(k): v for k, v in names.items() if isinstance(k, Tensor)}
    grad_of: dict = {}
    if grads is not None:
        for k, v in grads.items():
            grad_of[id(k) if isinstance(k, Tensor) else k] = v
    elif show_grad:
        for node in graph.nodes:
            if node.grad is not None:
                grad_of[id(node)] = node.grad
    if not show_grad:
        grad_of = {}
    labels = {}
    for (parent, child), text in (edge_labels or {}).items():
        labels[(id(parent), id(child))] = text

    pos, bends = _layout(graph)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()] + [q[1] for chain in bends.values() for q in chain]
    has_op = any(n._parents for n in graph.nodes)
    x_lo = min(xs) - _BOX_W / 2 - 0.25
    x_hi = max(xs) + _BOX_W / 2 + 0.25
    y_lo = min(ys) - _BOX_H / 2 - (0.75 if legend else 0.3)
    y_hi = max(ys) + _BOX_H / 2 + 0.3
    need_w, need_h = (x_hi - x_lo) * _INCH_PER_UNIT, (y_hi - y_lo) * _INCH_PER_UNIT
    if ax is None:
        width, height = min(10.0, max(4.5, need_w)), min(8.0, max(2.6, need_h + 0.5))
        fig = plt.figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
        avail_w, avail_h = width, height - 0.5
    else:
        box = ax.get_position()
        avail_w, avail_h = box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()
    fig = ax.figure
    # shrink the lettering with the drawing when a wide graph is squeezed into the figure
    scale = min(1.0, avail_w / need_w, avail_h / need_h)

    def fs(size: float) -> float:
        return size * scale

    root_name = name_of.get(id(root))
    plain_root = root_name if root_name and "$" not in root_name else None

    for node in graph.nodes:
        kind = graph.kind(node)
        cx, cy = pos[id(node)]
        name = name_of.get(id(node))
        if kind == "constant":
            w, h = _CONST_W, _CONST_H
            ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                        facecolor=_FILL[kind], edgecolor=_GREY, linestyle="--", linewidth=1.0))
            text = name if name else _fmt_array(node.data, precision)
            ax.text(cx, cy, text, ha="center", va="center", fontsize=fs(9), color="black")
            continue
        w, h = _BOX_W, _BOX_H
        edge, lw = ("black", 1.2)
        if highlight is not None and node is highlight:
            edge, lw = (_VERMILLION, 2.6)
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                    facecolor=_FILL[kind], edgecolor=edge, linewidth=lw, zorder=2))
        value = _fmt_array(node.data, precision)
        lines = [(name, dict(fontweight="bold", fontsize=fs(10), color="black"))] if name else []
        lines.append((f"= {value}" if name else value, dict(fontsize=fs(9), color="black")))
        g = grad_of.get(id(node))
        if g is not None:
            partial = complete is not None and id(node) not in complete
            gtext = _fmt_array(g, precision)
            sep = " = " if np.size(g) == 1 else ": "
            if plain_root and name and "$" not in name:
                gtext = f"\u2202{plain_root}/\u2202{name}{sep}{gtext}"
            else:
                gtext = f"grad{sep}{gtext}"
            if partial:
                gtext += " so far"
            lines.append((gtext, dict(fontsize=fs(7.5), color=_ORANGE if partial else _GREEN, fontweight="bold")))
        step = 0.27
        top = cy + step * (len(lines) - 1) / 2
        for k, (text, style) in enumerate(lines):
            ax.text(cx, top - k * step, text, ha="center", va="center", zorder=3, **style)

        if not node._parents:
            continue
        # the operation: an ellipse left of the node, fed by the node's inputs
        op = node._op or "op"
        ox, oy = cx - _OP_OFFSET, cy
        a, b = _op_width(op) / 2, 0.25
        ax.add_patch(Ellipse((ox, oy), 2 * a, 2 * b, facecolor="white", edgecolor=_BLUE, linewidth=1.2, zorder=2))
        ax.text(ox, oy, op, ha="center", va="center", fontsize=fs(8 if len(op) <= 6 else 7), color=_BLUE, zorder=3,
                family="monospace")
        start = _clip_ellipse((ox, oy), (1.0, 0.0), a, b)
        ax.add_patch(FancyArrowPatch(start, (cx - w / 2, cy), arrowstyle="-|>", mutation_scale=10,
                                     color="black", linewidth=1.0, shrinkA=0, shrinkB=0, zorder=1))
        counts: dict = {}
        for parent in node._parents:
            counts[id(parent)] = counts.get(id(parent), 0) + 1
        seen: dict = {}
        for parent in node._parents:
            px, py = pos[id(parent)]
            pw, ph = (_CONST_W, _CONST_H) if graph.kind(parent) == "constant" else (_BOX_W, _BOX_H)
            waypoints = bends.get((id(parent), id(node)), [])
            first = waypoints[0] if waypoints else (ox, oy)
            last = waypoints[-1] if waypoints else (px, py)
            p0 = _clip_box((px, py), (first[0] - px, first[1] - py), pw / 2, ph / 2)
            p1 = _clip_ellipse((ox, oy), (last[0] - ox, last[1] - oy), a, b)
            k = seen.get(id(parent), 0)
            seen[id(parent)] = k + 1
            rad = 0.0 if counts[id(parent)] == 1 or waypoints else (k - (counts[id(parent)] - 1) / 2) * 0.5
            label = labels.get((id(parent), id(node)))
            color, width = (_VERMILLION, 2.0) if label is not None else (_GREY, 1.0)
            if waypoints:  # a long edge: a polyline through the columns it crosses, then the arrow
                line = [p0, *waypoints]
                ax.plot([q[0] for q in line], [q[1] for q in line], color=color, linewidth=width, zorder=1,
                        solid_capstyle="round")
            ax.add_patch(FancyArrowPatch(waypoints[-1] if waypoints else p0, p1, arrowstyle="-|>",
                                         mutation_scale=10, color=color, linewidth=width, shrinkA=0, shrinkB=0,
                                         zorder=1, connectionstyle=f"arc3,rad={rad}"))
            if label is not None and k == 0:
                q1 = first if waypoints else p1
                mx, my = 0.6 * p0[0] + 0.4 * q1[0], 0.6 * p0[1] + 0.4 * q1[1]
                ax.text(mx, my + 0.16, label, ha="center", va="bottom", fontsize=fs(8), color=_VERMILLION,
                        fontweight="bold", zorder=4,
                        bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))

    if legend:
        parts = ["blue: inputs", "yellow: output", "ellipses: operations"]
        if grad_of:
            parts.append("green: final gradient")
            if complete is not None:
                parts.append("orange: partial sum")
        ax.text((x_lo + x_hi) / 2, y_lo + 0.2, " \u00b7 ".join(parts), ha="center", va="center",
                fontsize=fs(7.5), color=_GREY)
    ax.set_xlim(x_lo - (0.6 if has_op and min(xs) > 0 else 0), x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        title = f"Computational graph of {root_name}" if root_name else "Computational graph"
    ax.set_title(title, fontsize=10)
    return fig


# -------------------------------------------------------------------------- backward stepper
@dataclass
class BackwardStep:
    """The state of backpropagation after one step.

    Attributes:
        index: 0 (forward values only), 1 (the seed d out/d out = 1), then one per processed node.
        node: the node processed at this step (None for steps 0 and 1; the root for the seed).
        grads: ``id(tensor)`` -> the gradient accumulated so far (a partial sum until ``complete``).
        complete: ids of the nodes whose gradient can no longer change (all their consumers are done).
        flows: ``[(input, gradient it received at this step)]`` for the processed node's inputs.
    """

    index: int
    node: Optional[Tensor]
    grads: dict
    complete: set
    flows: list


class BackwardStepper:
    """Backpropagation replayed one node at a time, with the engine's own order and local derivatives.

    The stepper calls each node's ``_backward`` exactly as :meth:`Tensor.backward` does, but keeps a
    snapshot after every node, so that a figure can fill in the gradients step by step. It never writes
    ``.grad``.

    Args:
        root: the output tensor (one element, unless ``gradient`` is given).
        gradient: d(loss)/d(root) for a non-scalar root.
        order: the nodes to process, first to last (default: the engine's reverse topological order).
            Give another order to see what goes wrong when a node passes its gradient on too early.
    """

    def __init__(self, root: Tensor, gradient=None, order: Optional[Sequence[Tensor]] = None):
        if not isinstance(root, Tensor) or not root.requires_grad:
            raise ValueError("BackwardStepper: root must be a Tensor that requires grad (build it from "
                             "tensors made with requires_grad=True)")
        if gradient is None:
            if root.size != 1:
                raise ValueError(f"BackwardStepper: root has shape {root.shape}; pass gradient= for a "
                                 "non-scalar output")
            seed = np.ones_like(root.data)
        else:
            seed = np.array(gradient, dtype=np.float64)
            if seed.shape != root.shape:
                raise ValueError(f"BackwardStepper: gradient has shape {seed.shape}, root has {root.shape}")
        self.root = root
        self.graph = trace(root)
        engine_order = list(reversed(_topological_order(root)))
        self.order = list(order) if order is not None else engine_order
        in_graph = {id(n) for n in engine_order}
        for node in self.order:
            if id(node) not in in_graph:
                raise ValueError("BackwardStepper: order contains a tensor that is not in the graph")

        # consumers that gradients flow through (only nodes that require grad)
        pending = {id(n): sum(1 for c in self.graph.consumers[id(n)] if c.requires_grad) for n in engine_order}
        grads = {id(root): seed}
        complete = {id(root)} if pending[id(root)] == 0 else set()
        self.steps = [BackwardStep(0, None, {}, set(), []),
                      BackwardStep(1, root, {k: v.copy() for k, v in grads.items()}, set(complete), [])]
        processed: set = set()
        for node in self.order:
            if node._backward is None or id(node) in processed:
                continue
            processed.add(id(node))
            g = grads.get(id(node))
            flows = []
            if g is not None:
                for parent, pg in zip(node._parents, node._backward(g)):
                    if pg is None or not parent.requires_grad:
                        continue
                    pg = np.array(pg, dtype=np.float64)
                    grads[id(parent)] = pg if id(parent) not in grads else grads[id(parent)] + pg
                    flows.append((parent, pg))
            for parent in node._parents:
                if parent.requires_grad:
                    pending[id(parent)] -= 1
                    if pending[id(parent)] == 0:
                        complete.add(id(parent))
            self.steps.append(BackwardStep(len(self.steps), node, {k: v.copy() for k, v in grads.items()},
                                           set(complete), flows))

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def grads(self) -> dict:
        """``id(tensor)`` -> gradient after the last step."""
        return self.steps[-1].grads

    def grad(self, tensor: Tensor) -> Optional[np.ndarray]:
        """The gradient of ``tensor`` after the last step (None if none reached it)."""
        return self.steps[-1].grads.get(id(tensor))

    def describe(self, k: int, names: Optional[Mapping] = None, precision: int = 4) -> str:
        """One sentence saying what step ``k`` did."""
        name_of = {id(t): v for t, v in (names or {}).items() if isinstance(t, Tensor)}

        def nm(t):
            return name_of.get(id(t), f"<{t._op or 'leaf'}>")

        step = self.steps[k]
        root = nm(self.root)
        if k == 0:
            return "Forward pass done: every node holds its value; no gradient yet."
        if k == 1:
            return f"Seed: d{root}/d{root} = {_fmt_array(step.grads[id(self.root)], precision)}."
        node = step.node
        g = self.steps[k - 1].grads.get(id(node))
        if g is None:
            return f"{nm(node)} has no gradient yet, so it passes nothing back."
        parts = [f"{nm(p)} += {_fmt_array(pg, precision)}" for p, pg in step.flows]
        return (f"{nm(node)} ({node._op}) has d{root}/d{nm(node)} = {_fmt_array(g, precision)}; "
                f"it sends back " + ", ".join(parts) + ".")

    def draw(self, k: int, names: Optional[Mapping] = None, *, ax: Optional[Axes] = None,
             title: Optional[str] = None, precision: int = 4) -> Figure:
        """Draw the graph after step ``k``: gradients so far, partial ones marked, the processed node
        outlined and the gradients it just sent written on its input edges."""
        if not 0 <= k < len(self.steps):
            raise IndexError(f"BackwardStepper.draw: step {k} out of range 0..{len(self.steps) - 1}")
        step = self.steps[k]
        sums: dict = {}
        for p, pg in step.flows:  # an input used twice by the node (x * x) receives two contributions
            sums[p] = sums[p] + pg if p in sums else pg
        labels = {(p, step.node): "+" + _fmt_array(pg, precision) for p, pg in sums.items()}
        if title is None:
            title = f"Backward step {k} of {len(self.steps) - 1}"
        return draw_graph(self.root, names, grads=step.grads, complete=step.complete,
                          highlight=step.node if k >= 1 else None, edge_labels=labels, title=title,
                          ax=ax, precision=precision, show_grad=k >= 1)
