"""Tests for nnlessons.display.graph: the traced graph, the layout, the drawing and the backward stepper."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Ellipse, FancyBboxPatch  # noqa: E402

import nnlessons as nl  # noqa: E402
from nnlessons import functional as F  # noqa: E402
from nnlessons import nn  # noqa: E402
from nnlessons.display.graph import BackwardStepper, _layout, draw_graph, trace  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def lecture_graph():
    """g(w) = w1^3 w2 + 3 w1 at w = (2, 3), the lecture's example."""
    w1, w2 = nl.Tensor(2.0, requires_grad=True), nl.Tensor(3.0, requires_grad=True)
    a = w1 ** 3
    b = a * w2
    c = 3 * w1
    g = b + c
    return dict(w1=w1, w2=w2, a=a, b=b, c=c, g=g)


def names_of(t):
    return {v: k for k, v in t.items()}


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_trace_lists_every_node_after_its_inputs_with_consumers():
    t = lecture_graph()
    graph = trace(t["g"])
    assert graph.nodes[-1] is t["g"]
    assert len(graph.nodes) == 7  # w1, w2, a, b, c, g and the constant 3
    position = {id(n): i for i, n in enumerate(graph.nodes)}
    for node in graph.nodes:
        for parent in node.inputs:
            assert position[id(parent)] < position[id(node)]
    assert {id(c) for c in graph.consumers[id(t["w1"])]} == {id(t["a"]), id(t["c"])}
    constant = next(n for n in graph.nodes if graph.kind(n) == "constant")
    assert float(constant.data) == 3.0
    assert graph.kind(t["w1"]) == "input" and graph.kind(t["a"]) == "inner" and graph.kind(t["g"]) == "output"


def test_trace_is_iterative_for_deep_graphs():
    x = nl.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):  # deeper than Python's recursion limit
        y = y * 1.0
    assert len([n for n in trace(y).nodes if n.requires_grad]) == 5001


def test_layout_puts_every_node_right_of_its_inputs_and_no_two_nodes_on_one_spot():
    t = lecture_graph()
    graph = trace(t["g"])
    pos, bends = _layout(graph)
    long = {edge for edge, chain in bends.items() if chain}
    assert long == {(id(t["c"]), id(t["g"]))}  # only c -> g skips a column (b's)
    for node in graph.nodes:
        for parent in node.inputs:
            assert pos[id(parent)][0] < pos[id(node)][0]
    spots = list(pos.values())
    assert len(set(spots)) == len(spots)
    # a leaf enters where it is used: w2 one column left of b, w1 one left of a and c
    assert pos[id(t["b"])][0] - pos[id(t["w2"])][0] == pytest.approx(pos[id(t["a"])][0] - pos[id(t["w1"])][0])


def test_an_edge_that_skips_columns_bends_around_the_boxes_between():
    w1, w2 = nl.Tensor(2.0, requires_grad=True), nl.Tensor(3.0, requires_grad=True)
    a = w1 ** 3
    b = a * w2
    g = b + a  # the edge a -> g skips b's column
    graph = trace(g)
    pos, bends = _layout(graph)
    chain = bends[(id(a), id(g))]
    assert len(chain) == 1 and chain[0][0] == pos[id(b)][0]
    assert abs(chain[0][1] - pos[id(b)][1]) >= 1.0  # the waypoint takes its own row, not b's box
    draw_graph(g, {w1: "w1", w2: "w2", a: "a", b: "b", g: "g"})


def test_draw_graph_shows_names_operations_values_and_gradients():
    t = lecture_graph()
    fig = draw_graph(t["g"], names=names_of(t))
    assert isinstance(fig, Figure)
    shown = texts(fig)
    for label in ["w1", "w2", "a", "b", "c", "g", "= 2", "= 3", "= 8", "= 24", "= 6", "= 30", "**3", "*", "+"]:
        assert label in shown, label
    assert not any(s.startswith("\u2202") for s in shown)  # no gradient before backward
    ax = fig.axes[0]
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 4  # one per operation
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == 7

    for key in ("a", "b", "c"):
        t[key].retain_grad()
    t["g"].backward(retain_graph=True)  # keep the graph to draw it afterwards, as in PyTorch
    shown = texts(draw_graph(t["g"], names=names_of(t)))
    for label in ["\u2202g/\u2202w1 = 39", "\u2202g/\u2202w2 = 8", "\u2202g/\u2202a = 3", "\u2202g/\u2202b = 1",
                  "\u2202g/\u2202c = 1"]:
        assert label in shown, label
    hidden = texts(draw_graph(t["g"], names=names_of(t), show_grad=False))
    assert not any(s.startswith("\u2202") for s in hidden)


def test_draw_graph_handles_networks_arrays_and_an_input_used_twice():
    nl.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = F.mse_loss(net(nl.Tensor(np.ones((4, 2)))), np.zeros((4, 1)))
    loss.backward(retain_graph=True)
    shown = texts(draw_graph(loss, {net[0].weight: "W1", loss: "L"}))
    assert "linear" in shown and "tanh" in shown and "mse_loss" in shown
    assert "= 3\u00d72 array" in shown and "\u2202L/\u2202W1: 3\u00d72 array" in shown
    u = nl.Tensor(3.0, requires_grad=True)
    y = u * u
    fig = draw_graph(y, {u: "u"})
    assert len([p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]) == 3  # two in, one out


def test_draw_graph_into_given_axes_and_with_edge_labels():
    import matplotlib.pyplot as plt

    t = lecture_graph()
    fig, ax = plt.subplots()
    out = draw_graph(t["g"], names_of(t), ax=ax, edge_labels={(t["w1"], t["a"]): "+36"}, title="Mine")
    assert out is fig and ax.get_title() == "Mine" and "+36" in texts(fig)
    plt.close(fig)


EXPRESSIONS = {
    "lecture": lambda x, y: x ** 3 * y + 3 * x,
    "shared intermediate": lambda x, y: (x * y).sin() * (x * y) + (x * y).exp(),
    "division and log": lambda x, y: (x / (1 + y * y)).log() - x.sqrt() * y,
    "tanh sigmoid relu": lambda x, y: (x.tanh() * y.sigmoid() + (x - y).relu()) ** 2,
}


def test_draw_graph_after_backward_without_retain_graph_says_what_to_do():
    t = lecture_graph()
    t["g"].backward()  # frees the graph, as in PyTorch
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        draw_graph(t["g"], names_of(t))
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        BackwardStepper(t["g"])


def chain_rule(x: float, y: float) -> dict:
    """d out / d(x, y) of each expression, worked out by hand with the chain rule."""
    u, s_y = x * y, 1 / (1 + np.exp(-y))
    t = np.tanh(x) * s_y + max(x - y, 0.0)
    return {
        "lecture": (3 * x ** 2 * y + 3, x ** 3),
        # f = sin(u) u + e^u with u = x y: df/du = cos(u) u + sin(u) + e^u, du/dx = y, du/dy = x
        "shared intermediate": ((np.cos(u) * u + np.sin(u) + np.exp(u)) * y, (np.cos(u) * u + np.sin(u) + np.exp(u)) * x),
        # f = log(x / (1 + y^2)) - sqrt(x) y
        "division and log": (1 / x - y / (2 * np.sqrt(x)), -2 * y / (1 + y * y) - np.sqrt(x)),
        # f = t^2, t = tanh(x) sigmoid(y) + relu(x - y)
        "tanh sigmoid relu": (2 * t * ((1 - np.tanh(x) ** 2) * s_y + (x > y)),
                              2 * t * (np.tanh(x) * s_y * (1 - s_y) - (x > y))),
    }


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_stepper_gradients_are_the_chain_rule_values(name):
    x, y = nl.Tensor(1.3, requires_grad=True), nl.Tensor(0.7, requires_grad=True)
    stepper = BackwardStepper(EXPRESSIONS[name](x, y))
    dx, dy = chain_rule(1.3, 0.7)[name]
    assert float(stepper.grad(x)) == pytest.approx(dx, rel=1e-12)
    assert float(stepper.grad(y)) == pytest.approx(dy, rel=1e-12)
    assert x.grad is None and y.grad is None  # the stepper writes no .grad
    final = stepper.steps[-1]
    assert id(x) in final.complete and id(y) in final.complete


def test_stepper_on_arrays_with_a_gradient_argument():
    nl.manual_seed(1)
    W = nl.Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True)
    x = nl.Tensor([1.0, -2.0, 0.5])
    out = (W @ x).tanh()
    seed = np.array([1.0, -1.0])
    stepper = BackwardStepper(out, gradient=seed)
    # d/dW of seed . tanh(W x) = (seed * (1 - tanh(W x)^2)) outer x, by hand
    z = np.tanh(W.data @ x.data)
    assert np.allclose(stepper.grad(W), np.outer(seed * (1 - z ** 2), x.data), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="gradient="):
        BackwardStepper(out)


def test_stepper_follows_the_lecture_step_by_step():
    t = lecture_graph()
    names = names_of(t)
    stepper = BackwardStepper(t["g"])
    assert len(stepper) == 6  # forward, seed, then g, c, b, a
    assert stepper.steps[0].grads == {}
    assert [s.node for s in stepper.steps[2:]] == [t["g"], t["c"], t["b"], t["a"]]
    after = [{k: float(v) for k, v in s.grads.items()} for s in stepper.steps]
    i = {k: id(v) for k, v in t.items()}
    assert after[2][i["b"]] == 1 and after[2][i["c"]] == 1
    assert after[3][i["w1"]] == 3
    assert i["w1"] not in stepper.steps[3].complete  # 3 through c, but a has not been processed yet
    assert after[4][i["a"]] == 3 and after[4][i["w2"]] == 8
    assert after[5][i["w1"]] == 39 and i["w1"] in stepper.steps[5].complete
    assert "w1 += 36" in stepper.describe(5, names)
    assert stepper.describe(0, names).startswith("Forward pass")
    assert "dg/dg = 1" in stepper.describe(1, names)
    fig = stepper.draw(3, names)
    shown = texts(fig)
    assert "\u2202g/\u2202w1 = 3 so far" in shown and "+3" in shown
    assert t["w1"].grad is None  # the stepper does not touch .grad


def test_stepper_in_a_wrong_order_misses_a_contribution():
    w1, w2 = nl.Tensor(2.0, requires_grad=True), nl.Tensor(3.0, requires_grad=True)
    a = w1 ** 3
    b = a * w2
    g = b + a  # a is used twice: dg/da = w2 + 1 = 4, dg/dw1 = 4 * 3 w1^2 = 48
    assert float(BackwardStepper(g).grad(w1)) == 48
    early = BackwardStepper(g, order=[g, a, b])  # a passes its gradient on before b has added to it
    assert float(early.grad(w1)) == 12
    with pytest.raises(ValueError, match="not in the graph"):
        BackwardStepper(g, order=[nl.Tensor(1.0, requires_grad=True)])


def test_stepper_refuses_a_tensor_without_graph():
    with pytest.raises(ValueError, match="requires grad"):
        BackwardStepper(nl.Tensor(1.0))
    with pytest.raises(IndexError, match="out of range"):
        BackwardStepper(lecture_graph()["g"]).draw(99)
