"""The Tensor: construction, every operation's gradient against central differences, backward semantics."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import nnlessons as nl
from nnlessons import Tensor

from helpers import numeric_grad


# ----------------------------------------------------------------- construction
def test_wraps_numbers_lists_and_arrays_as_float64():
    assert Tensor(3).data.dtype == np.float64 and Tensor(3).shape == ()
    assert Tensor([[1, 2], [3, 4]]).shape == (2, 2)
    assert Tensor(np.arange(3, dtype=np.int32)).data.dtype == np.float64
    assert Tensor(True).item() == 1.0


def test_copies_its_input_like_torch_tensor():
    a = np.zeros(3)
    t = Tensor(a, requires_grad=True)
    t.data += 1
    assert a.sum() == 0


@pytest.mark.parametrize("bad", ["abc", [1, "x"], {"a": 1}, None, [[1, 2], [3]], 1 + 2j])
def test_refuses_non_numeric_data(bad):
    with pytest.raises(TypeError, match="numeric|number"):
        Tensor(bad)


def test_accessors():
    t = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert t.shape == (1, 3) and t.ndim == 2 and t.size == 3 and t.requires_grad and t.grad is None
    assert Tensor(2.5).item() == 2.5
    with pytest.raises(ValueError, match="one element"):
        t.item()
    assert t.numpy() is t.data
    d = t.detach()
    assert not d.requires_grad and d.is_leaf and np.array_equal(d.data, t.data)


# ---------------------------------------------------- gradients of every operation
def check(f_tensor, f_numpy, *arrays, atol=1e-6):
    """Autograd of sum(v * f(inputs)) against central differences of the NumPy formula."""
    rng = np.random.default_rng(1)
    out_shape = np.shape(f_numpy(*arrays))
    v = rng.standard_normal(out_shape)
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    (f_tensor(*ts) * v).sum().backward()
    for k, a in enumerate(arrays):
        def scalar(x, k=k):
            args = list(arrays)
            args[k] = x
            return float(np.sum(v * f_numpy(*args)))
        np.testing.assert_allclose(ts[k].grad, numeric_grad(scalar, a), rtol=1e-5, atol=atol)
        assert ts[k].grad.shape == np.shape(a)


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
floats = st.floats(-3, 3)


@st.composite
def broadcastable_pair(draw):
    shape_a, shape_b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)).input_shapes
    a = draw(hnp.arrays(np.float64, shape_a, elements=floats))
    b = draw(hnp.arrays(np.float64, shape_b, elements=floats))
    return a, b


@settings(max_examples=40, deadline=None)
@given(broadcastable_pair())
def test_add_sub_mul_broadcast(pair):
    a, b = pair
    check(lambda x, y: x + y, np.add, a, b)
    check(lambda x, y: x - y, np.subtract, a, b)
    check(lambda x, y: x * y, np.multiply, a, b)


@settings(max_examples=40, deadline=None)
@given(broadcastable_pair())
def test_div_broadcast(pair):
    a, b = pair
    b = np.where(np.abs(b) < 0.5, 0.5 + np.abs(b), b)  # keep away from division by zero
    check(lambda x, y: x / y, np.divide, a, b, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, shapes, elements=st.floats(0.3, 3)), st.sampled_from([2, 3, 0.5, -1, -2.5]))
def test_pow_number_exponent(a, n):
    check(lambda x: x**n, lambda x: x**n, a, atol=1e-5)


def test_pow_tensor_exponent_and_reflected_pow():
    rng = np.random.default_rng(0)
    u, v = rng.uniform(0.5, 2, (3, 2)), rng.uniform(-1, 1, (3, 2))
    check(lambda x, y: x**y, np.power, u, v)
    check(lambda x: 2.0**x, lambda x: 2.0**x, v)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.sampled_from(["mm", "mv", "vm", "vv", "batched"]))
def test_matmul(n, k, m, kind):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    shapes_ = {"mm": ((n, k), (k, m)), "mv": ((n, k), (k,)), "vm": ((k,), (k, m)),
               "vv": ((k,), (k,)), "batched": ((2, n, k), (k, m))}[kind]
    a, b = (rng.standard_normal(s) for s in shapes_)
    check(lambda x, y: x @ y, np.matmul, a, b)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, shapes, elements=floats))
def test_unary_functions(a):
    check(lambda x: -x, np.negative, a)
    check(lambda x: x.exp(), np.exp, a)
    check(lambda x: x.tanh(), np.tanh, a)
    check(lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), a)
    check(lambda x: x.sin(), np.sin, a)
    check(lambda x: x.cos(), np.cos, a)
    pos = np.abs(a) + 0.5
    check(lambda x: x.log(), np.log, pos)
    check(lambda x: x.sqrt(), np.sqrt, pos)
    away = np.where(np.abs(a) < 1e-3, 0.5, a)  # relu and abs have a kink at 0
    check(lambda x: x.relu(), lambda x: np.maximum(x, 0), away)
    check(lambda x: x.abs(), np.abs, away)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=floats), st.data())
def test_reductions_and_reshapes(a, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    keep = data.draw(st.booleans())
    check(lambda x: x.sum(axis=axis, keepdims=keep), lambda x: np.sum(x, axis=axis, keepdims=keep), a)
    check(lambda x: x.mean(axis=axis, keepdims=keep), lambda x: np.mean(x, axis=axis, keepdims=keep), a)
    check(lambda x: x.reshape(-1), lambda x: x.reshape(-1), a)
    check(lambda x: x.T, lambda x: x.T, a)


def test_indexing_gradient_adds_repeats():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])


def test_reflected_operators_with_numbers():
    x = Tensor(4.0, requires_grad=True)
    for expr, value, grad in [(lambda t: 2 * t, 8, 2), (lambda t: 1 / t, 0.25, -1 / 16), (lambda t: 2 - t, -2, -1),
                              (lambda t: 3 + t, 7, 1), (lambda t: t - 1, 3, 1), (lambda t: t / 2, 2, 0.5)]:
        x.grad = None
        y = expr(x)
        y.backward()
        assert y.item() == pytest.approx(value) and x.grad == pytest.approx(grad)


def test_ndarray_on_the_left_gives_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# ------------------------------------------------------------ backward semantics
def test_lecture_worked_example():
    """g(w) = w1^3 w2 + 3 w1 at w = (2, 3): g = 30, dg/dw1 = 3 w1^2 w2 + 3 = 39, dg/dw2 = w1^3 = 8."""
    w1, w2 = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    a = w1**3
    b = a * w2
    c = 3 * w1
    g = b + c
    for t in (a, b, c):
        t.retain_grad()
    g.backward()
    assert g.item() == 30.0
    assert w1.grad == 39.0 and w2.grad == 8.0
    assert b.grad == 1.0 and c.grad == 1.0 and a.grad == 3.0


def test_backward_on_non_scalar_needs_a_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient.*non-scalar"):
        (x * 2).backward()
    (x * 2).backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 20.0])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(gradient=np.ones(3))


def test_backward_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()


def test_gradients_accumulate_across_calls_like_pytorch():
    x = Tensor(3.0, requires_grad=True)
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 12.0  # 2 * (2 x)
    x.grad = None
    (x * 5).backward()
    assert x.grad == 5.0


def test_node_used_several_times_gets_the_sum():
    x = Tensor(2.0, requires_grad=True)
    y = x * 3
    z = y * y + y  # dz/dy = 2y + 1 = 13, dy/dx = 3
    z.backward()
    assert x.grad == 39.0


def test_diamond_graph_order():
    x = Tensor(1.5, requires_grad=True)
    a = x.exp()
    b = a * x
    c = a + b  # c = e^x + x e^x, dc/dx = 2 e^x + x e^x
    c.backward()
    assert x.grad == pytest.approx(2 * np.exp(1.5) + 1.5 * np.exp(1.5))


def test_inplace_add_on_a_non_leaf_changes_the_same_tensor_and_keeps_the_graph_right():
    x = Tensor(2.0, requires_grad=True)
    y = x * x
    z = y
    y += x  # in place, as in PyTorch: z is the same tensor, now holding x^2 + x
    y.backward()
    assert x.grad == 5.0  # d(x^2 + x)/dx
    assert z is y and z.item() == 6.0


def test_deep_chain_has_no_recursion_error():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-5
    y.backward()
    assert x.grad == 1.0


def test_no_grad_records_nothing():
    x = Tensor(2.0, requires_grad=True)
    with nl.no_grad():
        y = x * 3
        assert not nl.is_grad_enabled()
        with nl.enable_grad():
            z = x * 3
    assert nl.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad


def test_constants_get_no_gradient_work():
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


# ---------------------------------------------------------------- bad input
def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_broadcast_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))


def test_extreme_inputs_are_finite_without_warnings():
    x = Tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = x.sigmoid()
        (s.sum() + x.tanh().sum()).backward()
    np.testing.assert_allclose(s.data, [0, 1.9287498479639178e-22, 0.5, 1, 1], rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(x.grad))


# ------------------------------------------------------- the public extension surface
def cube(x):
    """x^3 as a new operation, written with the public API: d/dx = 3 x^2."""
    return Tensor.from_op(x.data**3, (x,), lambda g: (g * 3 * x.data**2,), "cube")


def test_from_op_records_a_new_operation():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = cube(x)
    assert y.op == "cube" and y.inputs == (x,) and not y.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])  # 3 x^2
    with nl.no_grad():
        assert cube(x).is_leaf and cube(x).inputs == ()


def test_from_op_checks_its_arguments_and_the_backward_it_is_given():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="input 0 is a ndarray, not a Tensor"):
        Tensor.from_op(x.data, (x.data,), lambda g: (g,), "bad")
    two = Tensor.from_op(x.data, (x,), lambda g: (g, g), "two_grads")
    with pytest.raises(ValueError, match="'two_grads' returned 2 gradients for 1 inputs"):
        two.sum().backward()
    wrong_shape = Tensor.from_op(x.data, (x,), lambda g: (np.ones(3),), "wrong_shape")
    with pytest.raises(RuntimeError, match=r"'wrong_shape' returned a gradient of shape \(3,\) for an input of shape \(2,\)"):
        wrong_shape.sum().backward()


def test_topological_order_lists_each_node_after_its_inputs():
    x = Tensor(1.5, requires_grad=True)
    a = x.exp()
    b = a * x
    c = a + b
    order = nl.topological_order(c)
    assert order[-1] is c and len(order) == 4 and {id(t) for t in order} == {id(x), id(a), id(b), id(c)}
    position = {id(t): i for i, t in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.inputs)


def test_backward_steps_is_the_walk_of_backward_and_can_leave_grads_and_graph_alone():
    x = Tensor(1.5, requires_grad=True)
    a = x.exp()
    b = a * x
    c = a + b  # dc/da = 1 + x, dc/db = 1, dc/dx = 2 e^x + x e^x
    steps = list(nl.backward_steps(c, retain_graph=True, accumulate_grad=False))
    assert x.grad is None and c.inputs == (a, b)  # nothing written, graph kept
    by_node = {id(s.node): s for s in steps}
    assert [s.node for s in steps][0] is c and steps[-1].node is x
    assert by_node[id(a)].grad == pytest.approx(1 + 1.5)
    assert by_node[id(x)].grad == pytest.approx(2 * np.exp(1.5) + 1.5 * np.exp(1.5))
    flows = {id(p): g for p, g in by_node[id(b)].flows}  # b = a * x sends x's share: 1 * a = e^x
    assert flows[id(x)] == pytest.approx(np.exp(1.5)) and flows[id(a)] == pytest.approx(1.5)
    c.backward()  # the graph was retained, so backward still works, and gives the same number
    assert x.grad == pytest.approx(by_node[id(x)].grad)


def test_input_grads_is_one_step_of_the_chain_rule():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 5.0], requires_grad=True)
    y = x * w
    gx, gw = y.input_grads(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(gx, [3.0, 50.0])  # g * w
    np.testing.assert_array_equal(gw, [1.0, 20.0])  # g * x
    assert x.grad is None
    with pytest.raises(RuntimeError, match="leaf"):
        x.input_grads(np.ones(2))


def test_the_graph_walk_and_grad_mode_are_importable_from_where_they_were():
    import nnlessons.autograd
    import nnlessons.tensor

    for name in ["BackwardStep", "backward_steps", "topological_order", "no_grad", "enable_grad", "is_grad_enabled"]:
        assert getattr(nnlessons.tensor, name) is getattr(nnlessons.autograd, name) is getattr(nl, name)
    with nnlessons.tensor.no_grad():  # the switch that tensor.py's operations read
        assert not (nl.Tensor(1.0, requires_grad=True) * 2).requires_grad
