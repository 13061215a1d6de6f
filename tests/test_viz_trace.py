"""minigrad.analysis.trace and stats: the gradients, flows, local derivatives and states a picture shows."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor, nn
from minigrad.analysis import stats
from minigrad.analysis.trace import trace, walk
from minigrad.viz import draw_graph
from minigrad.viz.examples import neuron


def by_name(traced):
    return {v.tensor.name: v for v in traced.values if v.tensor.name}


def edge_into(traced, op_name, source_name):
    for op in traced.ops:
        for edge in op.edges:
            if op.name == op_name and edge.source.tensor.name == source_name:
                return edge
    raise KeyError((op_name, source_name))


# --- gradients and the chain rule ----------------------------------------------------------------


def test_scalar_edges_carry_the_local_derivative_and_values_the_gradient():
    traced = trace(neuron().root)
    values = by_name(traced)
    o = values["o"].tensor.item()
    assert edge_into(traced, "Tanh", "n").local.item() == pytest.approx(1 - o**2)
    assert edge_into(traced, "Mul", "x1").local.item() == -3.0  # d(x1 w1)/dx1 = w1
    assert edge_into(traced, "Mul", "w1").local.item() == 2.0  # = x1
    assert values["n"].grad.item() == pytest.approx(1 - o**2)
    assert values["x1"].grad.item() == pytest.approx(-3.0 * (1 - o**2))


def test_gradients_equal_those_of_a_plain_backward():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True, name="x")
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="w")
    loss = (x @ w).tanh().sum()
    traced = trace(loss)
    loss.backward()
    np.testing.assert_allclose(by_name(traced)["x"].grad, x.grad.numpy())
    np.testing.assert_allclose(by_name(traced)["w"].grad, w.grad.numpy())


def test_flows_into_a_value_used_twice_add_up_to_its_gradient():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True, name="x")
    loss = (x * x.exp()).sum()
    traced = trace(loss)
    flows = [e.flow for op in traced.ops for e in op.edges if e.source.tensor is x]
    assert len(flows) == 2
    np.testing.assert_allclose(sum(flows), by_name(traced)["x"].grad)


def test_an_op_is_elementwise_in_an_input_exactly_when_the_probe_says_so():
    x = Tensor(np.ones((3, 3)), requires_grad=True, name="x")
    w = Tensor(np.ones((3, 3)), requires_grad=True, name="w")
    traced = trace(((x @ w) * x).sum())
    assert edge_into(traced, "Mul", "x").local is not None
    matmul = edge_into(traced, "MatMul", "x")  # grad @ w^T mixes the entries: no local derivative
    assert matmul.local is None and matmul.gain == pytest.approx(3.0)
    scaling = trace(((x @ (2 * np.eye(3))) * x).sum())  # but x @ 2I is elementwise after all
    assert edge_into(scaling, "MatMul", "x").local is not None


def test_drawing_leaves_every_grad_as_it_was_and_the_graph_usable():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    x.grad = Tensor([10.0, 10.0])
    loss = (x * 3).sum()
    draw_graph(loss)
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 10.0])
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [13.0, 13.0])


def test_a_graph_freed_by_backward_is_refused_with_the_fix():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 3).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"freed by a backward\(\).*retain_graph=True"):
        draw_graph(loss)


def test_a_graph_kept_by_retain_graph_can_be_drawn():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 3).sum()
    loss.backward(retain_graph=True)
    assert "v0" in draw_graph(loss).source


def test_a_non_scalar_root_needs_its_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    with pytest.raises(RuntimeError, match="shape"):
        trace(x * 2)
    np.testing.assert_array_equal(by_name(trace(x * 2, gradient=[1.0, 0.5]))["x"].grad, [2.0, 1.0])


# --- the four states ---------------------------------------------------------------------------


def test_a_relu_that_is_off_gives_zero_by_its_rule():
    x = Tensor(-2.0, requires_grad=True, name="x")
    traced = trace((x * 3).relu())
    assert by_name(traced)["x"].state == "zero"


@pytest.mark.parametrize("dtype, far", [(np.float32, 120.0), (np.float64, 800.0)])
def test_a_sigmoid_past_the_float_range_underflows_rather_than_being_zero(dtype, far):
    x = Tensor(np.array([far, far + 10], dtype=dtype), requires_grad=True, name="x")
    traced = trace((x * 1.0).sigmoid().sum())
    assert edge_into(traced, "Sigmoid", None).local.max() == 0  # computed derivative is 0
    assert by_name(traced)["x"].state == "underflow"


def test_a_product_that_rounds_to_zero_underflows():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True, name="x")
    traced = trace(((x * 1e-30) * 1e-30).sum())  # true gradient 1e-60: below float32's range
    assert by_name(traced)["x"].state == "underflow"


def test_a_denormal_gradient_is_underflow():
    assert stats.state_of(np.array([1e-310, 0.0]), np.zeros(2, bool), 1.0, 1e-6) == "underflow"


def test_a_nan_gradient_is_nonfinite():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True, name="x")
    with np.errstate(divide="ignore"):
        traced = trace(x.sqrt().sum())
    assert by_name(traced)["x"].state == "nonfinite"


def test_a_deep_sigmoid_stack_vanishes_exactly_below_the_threshold():
    h = Tensor(0.3, requires_grad=True, name="x")
    for _ in range(16):
        h = h.sigmoid() * 0.5
    traced = trace(h, threshold=1e-6)
    for value in traced.values:
        if value.grad is not None:
            assert (value.state == "vanishing") == (abs(value.grad.item()) < 1e-6)
    assert by_name(traced)["x"].state == "vanishing"


# --- units -------------------------------------------------------------------------------------


def test_a_relu_unit_forced_dead_is_dead_and_only_it():
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(0.5, 1.0, (8, 4)), name="x")
    bias = Tensor([0.0, -50.0, 0.0, 0.0], requires_grad=True, name="b")
    h = (x + bias).relu()
    traced = trace(h.sum())
    assert list(traced.values[1].units) == [0, 2, 0, 0]
    assert stats.UNIT_STATES[2] == "dead"


def test_a_tanh_unit_held_in_its_tail_is_saturated():
    x = Tensor(np.array([[0.1, 9.0, -0.3], [0.2, 8.0, 0.4]]), requires_grad=True, name="x")
    traced = trace(x.tanh().sum())
    assert [stats.UNIT_STATES[i] for i in traced.values[1].units] == ["alive", "saturated", "alive"]


# --- walking ---------------------------------------------------------------------------------


def test_names_follow_the_walk_from_the_root():
    traced = trace(neuron().root)
    assert [v.key for v in traced.values] == [f"v{i}" for i in range(len(traced.values))]
    assert traced.values[0].tensor.name == "o" and traced.values[1].tensor.name == "n"


def test_a_chain_of_thousands_of_ops_walks_without_recursion():
    h = Tensor(1.0, requires_grad=True)
    for _ in range(5000):
        h = h * 1.0
    values, ops = walk(h)
    assert len(ops) == 5000


def test_parameters_inputs_and_constants_are_told_apart():
    w = nn.Parameter(np.ones(2))
    x = Tensor(np.ones(2), name="x")
    traced = trace((w * x * Tensor(2.0)).sum())  # a Python number would be a parameter of the op
    roles = {v.tensor: v.role for v in traced.values}
    assert roles[w] == "param" and roles[x] == "input"
    assert sorted(roles.values()) == ["const", "input", "param", "root", "value", "value"]
    assert mg.is_grad_enabled()
