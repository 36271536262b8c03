"""Draw computational graphs and step through backpropagation, one node at a time.

Any small expression built from :class:`~nnlessons.Tensor` objects is a graph: every tensor made by
an operation remembers its inputs (:attr:`Tensor.inputs`) and the operation's name (:attr:`Tensor.op`).
This module takes the engine's :func:`~nnlessons.tensor.topological_order` of that graph and draws it
with matplotlib only (no Graphviz): tensors are boxes showing their name, value and gradient;
operations are ellipses between a tensor and its inputs. :class:`BackwardStepper` follows the engine's
own backward walk (:func:`~nnlessons.tensor.backward_steps`) one node at a time.

``backward()`` frees the graph, as in PyTorch: to draw a graph after back-propagating through it,
call ``backward(retain_graph=True)``.

>>> import nnlessons as nl
>>> from nnlessons.display.graph import draw_graph, BackwardStepper
>>> w1 = nl.Tensor(2.0, requires_grad=True)
>>> w2 = nl.Tensor(3.0, requires_grad=True)
>>> a = w1 ** 3; b = a * w2; c = 3 * w1; g = b + c
>>> names = {w1: "w1", w2: "w2", a: "a", b: "b", c: "c", g: "g"}
>>> fig = draw_graph(g, names=names)  # forward values  # doctest: +SKIP
>>> stepper = BackwardStepper(g)  # the engine's walk, a node per step
>>> float(stepper.steps[-1].grads[id(w1)])  # 36 via a, plus 3 via c
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

from ..tensor import Tensor, backward_steps, topological_order
from .plot import PALETTE

__all__ = ["Graph", "trace", "draw_graph", "BackwardStep", "BackwardStepper"]

# The course palette (nnlessons.display.plot.PALETTE), plus a grey and light fills for the node kinds.
_BLUE, _ORANGE, _GREEN, _VERMILLION = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
_GREY = "#606060"
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
        if node.inputs:
            return "inner"
        return "input" if node.requires_grad else "constant"


def trace(root: Tensor) -> Graph:
    """The :class:`Graph` of ``root``: the engine's topological order, with the constants it skips.

    Raises:
        RuntimeError: if ``backward()`` has freed (part of) the graph; use ``backward(retain_graph=True)``.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"trace: expected a Tensor, got {type(root).__name__}")
    order: list = []
    seen: set = set()
    for node in topological_order(root) if root.requires_grad else [root]:
        if not node.is_leaf and not node.inputs:
            raise RuntimeError("draw_graph: backward() has freed this graph (as in PyTorch); call "
                               "backward(retain_graph=True) to draw or step through the graph afterwards")
        for constant in node.inputs:  # constants (no grad) are not in the engine's order: each before its use
            if not constant.requires_grad and id(constant) not in seen:
                seen.add(id(constant))
                order.append(constant)
        seen.add(id(node))
        order.append(node)
    consumers: dict = {id(n): [] for n in order}
    for node in order:
        for parent in node.inputs:
            consumers[id(parent)].append(node)
    return Graph(root, order, consumers)


# ------------------------------------------------------------------------------------ layout
def _levels(graph: Graph) -> dict:
    """Column of every node: a node sits one right of its rightmost input, and a leaf (an input,
    parameter or constant) just left of its leftmost consumer, so that it enters where it is used."""
    level: dict = {}
    for node in graph.nodes:  # inputs come first
        if node.inputs:
            level[id(node)] = 1 + max(level[id(p)] for p in node.inputs)
        else:
            level[id(node)] = 0
    for node in graph.nodes:
        if not node.inputs and graph.consumers[id(node)]:
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
    columns, up, down, chains = _columns_with_bends(graph, level)
    y = _order_rows(columns, up, down)

    def xy(key):
        lev = level[key] if not isinstance(key, tuple) else key[3]
        return (lev * _DX, y[key] * _DY)

    pos = {id(n): xy(id(n)) for n in graph.nodes}
    bends = {edge: [xy(k) for k in chain] for edge, chain in chains.items()}
    return pos, bends


def _columns_with_bends(graph: Graph, level: dict) -> tuple:
    """The items of every column (node ids, and a waypoint for each column a long edge crosses), each
    item's neighbours one column to the left (``up``) and right (``down``), and each edge's waypoints."""
    columns: list = [[] for _ in range(max(level.values()) + 1)]
    up: dict = {}    # key -> keys of its inputs (one column to the left)
    down: dict = {}  # key -> keys of its consumers (one column to the right)
    chains: dict = {}
    for node in graph.nodes:
        columns[level[id(node)]].append(id(node))
        up.setdefault(id(node), [])
        down.setdefault(id(node), [])
    for node in graph.nodes:
        for parent in dict.fromkeys(node.inputs):  # each distinct input once
            previous, chain = id(parent), []
            for lev in range(level[id(parent)] + 1, level[id(node)]):
                dummy = ("bend", id(parent), id(node), lev)
                columns[lev].append(dummy)
                up[dummy], down[dummy] = [previous], []
                down[previous].append(dummy)
                chain.append(dummy)
                previous = dummy
            down[previous].append(id(node))
            up[id(node)].append(previous)
            chains[(id(parent), id(node))] = chain
    return columns, up, down, chains


def _order_rows(columns: list, up: dict, down: dict) -> dict:
    """Row of every item: sort each column by the mean row of its neighbours, sweeping right then left."""

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
    return y


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


@dataclass
class _Canvas:
    """What every drawing step needs: the axes, the positions, and what to write where."""

    ax: Axes
    graph: Graph
    pos: dict
    bends: dict
    scale: float
    precision: int
    name_of: dict
    grad_of: dict
    complete: Optional[set]
    highlight: Optional[Tensor]
    edge_labels: dict

    def fs(self, size: float) -> float:
        """A font size, shrunk with the drawing when a wide graph is squeezed into the figure."""
        return size * self.scale


def draw_graph(root: Tensor, names: Optional[Mapping] = None, *, grads: Optional[Mapping] = None,
               show_grad: bool = True, complete: Optional[set] = None, highlight: Optional[Tensor] = None,
               edge_labels: Optional[Mapping] = None, title: Optional[str] = None, ax: Optional[Axes] = None,
               precision: int = 4, legend: bool = True) -> Figure:
    """Draw the computational graph that produced ``root``, with values and (when known) gradients.

    Args:
        root: the output tensor; the graph is everything reachable through :attr:`Tensor.inputs`
            (after ``backward()``, only if it was called with ``retain_graph=True``).
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
    pos, bends = _layout(graph)
    bounds = _bounds(pos, bends, legend)
    ax, scale = _axes_for(ax, bounds)
    canvas = _Canvas(ax, graph, pos, bends, scale, precision,
                     name_of={id(k): v for k, v in (names or {}).items() if isinstance(k, Tensor)},
                     grad_of=_gradients_to_show(graph, grads, show_grad), complete=complete, highlight=highlight,
                     edge_labels={(id(p), id(c)): text for (p, c), text in (edge_labels or {}).items()})
    for node in graph.nodes:
        _draw_node(canvas, node)
        if node.inputs:
            _draw_operation(canvas, node)
    if legend:
        _draw_legend(canvas, bounds, complete)
    _finish_axes(canvas, bounds, title)
    return ax.figure


def _gradients_to_show(graph: Graph, grads: Optional[Mapping], show_grad: bool) -> dict:
    """``id(node)`` -> gradient: the ``grads`` given, else the nodes' own ``.grad``; nothing if not shown."""
    if not show_grad:
        return {}
    if grads is not None:
        return {id(k) if isinstance(k, Tensor) else k: v for k, v in grads.items()}
    return {id(node): node.grad for node in graph.nodes if node.grad is not None}


def _bounds(pos: dict, bends: dict, legend: bool) -> tuple:
    """``(x_lo, x_hi, y_lo, y_hi)``: the region the drawing needs, in data units."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()] + [q[1] for chain in bends.values() for q in chain]
    return (min(xs) - _BOX_W / 2 - 0.25, max(xs) + _BOX_W / 2 + 0.25,
            min(ys) - _BOX_H / 2 - (0.75 if legend else 0.3), max(ys) + _BOX_H / 2 + 0.3)


def _axes_for(ax: Optional[Axes], bounds: tuple) -> tuple:
    """The axes to draw into (a new figure sized to the graph if None) and the font scale that fits."""
    x_lo, x_hi, y_lo, y_hi = bounds
    need_w, need_h = (x_hi - x_lo) * _INCH_PER_UNIT, (y_hi - y_lo) * _INCH_PER_UNIT
    if ax is None:
        width, height = min(10.0, max(4.5, need_w)), min(8.0, max(2.6, need_h + 0.5))
        ax = plt.figure(figsize=(width, height), layout="constrained").add_subplot()
        avail_w, avail_h = width, height - 0.5
    else:
        box = ax.get_position()
        avail_w, avail_h = box.width * ax.figure.get_figwidth(), box.height * ax.figure.get_figheight()
    return ax, min(1.0, avail_w / need_w, avail_h / need_h)


def _grad_text(canvas: _Canvas, node: Tensor, name: Optional[str], g) -> tuple:
    """The gradient line of a node's box, and its style (orange while partial, green when final)."""
    partial = canvas.complete is not None and id(node) not in canvas.complete
    root_name = canvas.name_of.get(id(canvas.graph.root))
    plain_root = root_name if root_name and "$" not in root_name else None
    sep = " = " if np.size(g) == 1 else ": "
    value = _fmt_array(g, canvas.precision)
    if plain_root and name and "$" not in name:
        text = f"\u2202{plain_root}/\u2202{name}{sep}{value}"
    else:
        text = f"grad{sep}{value}"
    if partial:
        text += " so far"
    return text, dict(fontsize=canvas.fs(7.5), color=_ORANGE if partial else _GREEN, fontweight="bold")


def _draw_node(canvas: _Canvas, node: Tensor) -> None:
    """A tensor: a dashed small box for a constant; else a box with its name, value and gradient."""
    ax, kind = canvas.ax, canvas.graph.kind(node)
    cx, cy = canvas.pos[id(node)]
    name = canvas.name_of.get(id(node))
    if kind == "constant":
        w, h = _CONST_W, _CONST_H
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=_FILL[kind], edgecolor=_GREY, linestyle="--", linewidth=1.0))
        text = name if name else _fmt_array(node.data, canvas.precision)
        ax.text(cx, cy, text, ha="center", va="center", fontsize=canvas.fs(9), color="black")
        return
    edge, lw = (_VERMILLION, 2.6) if canvas.highlight is not None and node is canvas.highlight else ("black", 1.2)
    ax.add_patch(FancyBboxPatch((cx - _BOX_W / 2, cy - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=_FILL[kind],
                                edgecolor=edge, linewidth=lw, zorder=2))
    value = _fmt_array(node.data, canvas.precision)
    lines = [(name, dict(fontweight="bold", fontsize=canvas.fs(10), color="black"))] if name else []
    lines.append((f"= {value}" if name else value, dict(fontsize=canvas.fs(9), color="black")))
    g = canvas.grad_of.get(id(node))
    if g is not None:
        lines.append(_grad_text(canvas, node, name, g))
    step = 0.27
    top = cy + step * (len(lines) - 1) / 2
    for k, (text, style) in enumerate(lines):
        ax.text(cx, top - k * step, text, ha="center", va="center", zorder=3, **style)


def _draw_operation(canvas: _Canvas, node: Tensor) -> None:
    """The operation that made ``node``: an ellipse left of it, an arrow into it, and its input edges."""
    ax = canvas.ax
    cx, cy = canvas.pos[id(node)]
    op = node.op or "op"
    ox, oy = cx - _OP_OFFSET, cy
    a, b = _op_width(op) / 2, 0.25
    ax.add_patch(Ellipse((ox, oy), 2 * a, 2 * b, facecolor="white", edgecolor=_BLUE, linewidth=1.2, zorder=2))
    ax.text(ox, oy, op, ha="center", va="center", fontsize=canvas.fs(8 if len(op) <= 6 else 7), color=_BLUE,
            zorder=3, family="monospace")
    start = _clip_ellipse((ox, oy), (1.0, 0.0), a, b)
    ax.add_patch(FancyArrowPatch(start, (cx - _BOX_W / 2, cy), arrowstyle="-|>", mutation_scale=10,
                                 color="black", linewidth=1.0, shrinkA=0, shrinkB=0, zorder=1))
    counts: dict = {}
    for parent in node.inputs:
        counts[id(parent)] = counts.get(id(parent), 0) + 1
    seen: dict = {}
    for parent in node.inputs:
        k = seen.get(id(parent), 0)
        seen[id(parent)] = k + 1
        # an input used twice by the operation (x * x) gets two arcs, bent apart
        rad = 0.0 if counts[id(parent)] == 1 else (k - (counts[id(parent)] - 1) / 2) * 0.5
        _draw_edge(canvas, parent, node, (ox, oy, a, b), rad, first_of_parent=k == 0)


def _draw_edge(canvas: _Canvas, parent: Tensor, node: Tensor, ellipse: tuple, rad: float,
               first_of_parent: bool) -> None:
    """The edge from ``parent``'s box into ``node``'s operation, bent through the columns it crosses."""
    ax = canvas.ax
    ox, oy, a, b = ellipse
    px, py = canvas.pos[id(parent)]
    pw, ph = (_CONST_W, _CONST_H) if canvas.graph.kind(parent) == "constant" else (_BOX_W, _BOX_H)
    waypoints = canvas.bends.get((id(parent), id(node)), [])
    first = waypoints[0] if waypoints else (ox, oy)
    last = waypoints[-1] if waypoints else (px, py)
    p0 = _clip_box((px, py), (first[0] - px, first[1] - py), pw / 2, ph / 2)
    p1 = _clip_ellipse((ox, oy), (last[0] - ox, last[1] - oy), a, b)
    label = canvas.edge_labels.get((id(parent), id(node)))
    color, width = (_VERMILLION, 2.0) if label is not None else (_GREY, 1.0)
    if waypoints:  # a long edge: a polyline through the columns it crosses, then the arrow
        line = [p0, *waypoints]
        ax.plot([q[0] for q in line], [q[1] for q in line], color=color, linewidth=width, zorder=1,
                solid_capstyle="round")
        rad = 0.0
    ax.add_patch(FancyArrowPatch(waypoints[-1] if waypoints else p0, p1, arrowstyle="-|>", mutation_scale=10,
                                 color=color, linewidth=width, shrinkA=0, shrinkB=0, zorder=1,
                                 connectionstyle=f"arc3,rad={rad}"))
    if label is not None and first_of_parent:
        q1 = first if waypoints else p1
        mx, my = 0.6 * p0[0] + 0.4 * q1[0], 0.6 * p0[1] + 0.4 * q1[1]
        ax.text(mx, my + 0.16, label, ha="center", va="bottom", fontsize=canvas.fs(8), color=_VERMILLION,
                fontweight="bold", zorder=4,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))


def _draw_legend(canvas: _Canvas, bounds: tuple, complete: Optional[set]) -> None:
    """One line under the graph that says what the colours mean."""
    x_lo, x_hi, y_lo, _ = bounds
    parts = ["blue: inputs", "yellow: output", "ellipses: operations"]
    if canvas.grad_of:
        parts.append("green: final gradient")
        if complete is not None:
            parts.append("orange: partial sum")
    canvas.ax.text((x_lo + x_hi) / 2, y_lo + 0.2, " \u00b7 ".join(parts), ha="center", va="center",
                   fontsize=canvas.fs(7.5), color=_GREY)


def _finish_axes(canvas: _Canvas, bounds: tuple, title: Optional[str]) -> None:
    """Limits (room for the leftmost operation), equal aspect, no axes, and the title."""
    x_lo, x_hi, y_lo, y_hi = bounds
    ax = canvas.ax
    xs = [p[0] for p in canvas.pos.values()]
    has_op = any(n.inputs for n in canvas.graph.nodes)
    ax.set_xlim(x_lo - (0.6 if has_op and min(xs) > 0 else 0), x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        root_name = canvas.name_of.get(id(canvas.graph.root))
        title = f"Computational graph of {root_name}" if root_name else "Computational graph"
    ax.set_title(title, fontsize=10)


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
    """Backpropagation replayed one node at a time: the engine's own walk, with a snapshot per node.

    The stepper runs :func:`nnlessons.tensor.backward_steps` (the loop :meth:`Tensor.backward` runs)
    with the graph retained and without writing any ``.grad``, and keeps a snapshot of the gradients
    after every operation node, so that a figure can fill them in step by step.

    Args:
        root: the output tensor (one element, unless ``gradient`` is given).
        gradient: d(loss)/d(root) for a non-scalar root.
        order: instead of the engine's order, the nodes to process, first to last: give another order
            to see what goes wrong when a node passes its gradient on too early. Each node then passes
            on what it has received so far, through its public :meth:`Tensor.input_grads`.
    """

    def __init__(self, root: Tensor, gradient=None, order: Optional[Sequence[Tensor]] = None):
        if not isinstance(root, Tensor) or not root.requires_grad:
            raise ValueError("BackwardStepper: root must be a Tensor that requires grad (build it from "
                             "tensors made with requires_grad=True)")
        if gradient is None and root.size != 1:
            raise ValueError(f"BackwardStepper: root has shape {root.shape}; pass gradient= for a non-scalar output")
        seed = np.ones_like(root.data) if gradient is None else np.array(gradient, dtype=np.float64)
        if seed.shape != root.shape:
            raise ValueError(f"BackwardStepper: gradient has shape {seed.shape}, root has {root.shape}")
        self.root = root
        self.graph = trace(root)
        if order is None:
            walk = ((step.node, step.flows) for step in
                    backward_steps(root, seed, retain_graph=True, accumulate_grad=False) if step.node.inputs)
        else:
            walk = _walk_in_order(root, seed, list(order), self.graph)
        self.steps = self._snapshots(seed, walk)

    def _snapshots(self, seed: np.ndarray, walk) -> list:
        """Step 0 (forward values), step 1 (the seed), then one step per (node, flows) of the walk."""
        graph, root = self.graph, self.root
        # a node's gradient is complete once every consumer that passes gradients has been processed
        pending = {id(n): sum(1 for c in graph.consumers[id(n)] if c.requires_grad) for n in graph.nodes}
        grads = {id(root): seed}
        complete = {id(root)} if pending[id(root)] == 0 else set()
        steps = [BackwardStep(0, None, {}, set(), []),
                 BackwardStep(1, root, {k: v.copy() for k, v in grads.items()}, set(complete), [])]
        for node, flows in walk:
            for parent, pg in flows:
                grads[id(parent)] = pg if id(parent) not in grads else grads[id(parent)] + pg
            for parent in node.inputs:
                if parent.requires_grad:
                    pending[id(parent)] -= 1
                    if pending[id(parent)] == 0:
                        complete.add(id(parent))
            steps.append(BackwardStep(len(steps), node, {k: v.copy() for k, v in grads.items()},
                                      set(complete), list(flows)))
        return steps

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
            return name_of.get(id(t), f"<{t.op or 'leaf'}>")

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
        return (f"{nm(node)} ({node.op}) has d{root}/d{nm(node)} = {_fmt_array(g, precision)}; "
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


def _walk_in_order(root: Tensor, seed: np.ndarray, order: list, graph: Graph):
    """(node, flows) for the nodes of ``order``: each passes on the gradient it holds when its turn comes.

    Only for showing a wrong order; :func:`nnlessons.tensor.backward_steps` is the engine's walk.
    """
    in_graph = {id(n) for n in graph.nodes}
    if any(id(node) not in in_graph for node in order):
        raise ValueError("BackwardStepper: order contains a tensor that is not in the graph")
    grads, processed = {id(root): seed}, set()
    for node in order:
        if node.is_leaf or id(node) in processed:
            continue
        processed.add(id(node))
        g = grads.get(id(node))
        flows = []
        if g is not None:
            for parent, pg in zip(node.inputs, node.input_grads(g)):
                if pg is not None and parent.requires_grad:
                    grads[id(parent)] = pg if id(parent) not in grads else grads[id(parent)] + pg
                    flows.append((parent, np.array(pg, dtype=np.float64)))
        yield node, flows
