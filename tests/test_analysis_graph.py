"""minigrad.analysis.graph: the one walk over a recorded graph, and the walks built on it."""

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.analysis import record
from minigrad.analysis.graph import op_inputs, walk_graph
from minigrad.analysis.trace import trace


def names(tensors):
    return [t.name or t.grad_fn.name for t in tensors]


def diamond():
    """y = exp(a * b) + a * b, with the product used twice."""
    a, b = Tensor(2.0, requires_grad=True, name="a"), Tensor(3.0, requires_grad=True, name="b")
    ab = a * b
    return ab.exp() + ab


def test_each_node_is_reached_once_before_its_inputs_in_their_order():
    assert names(walk_graph([diamond()], op_inputs)) == ["Add", "Exp", "Mul", "a", "b"]


def test_with_inputs_first_each_node_comes_after_all_of_its_inputs():
    order = list(walk_graph([diamond()], op_inputs, inputs_first=True))
    assert names(order) == ["a", "b", "Mul", "Exp", "Add"]
    position = {t: i for i, t in enumerate(order)}
    assert all(position[x] < position[t] for t in order for x in op_inputs(t))


def test_the_same_computation_is_walked_in_the_same_order():
    assert names(walk_graph([diamond()], op_inputs)) == names(walk_graph([diamond()], op_inputs))


@pytest.mark.parametrize("inputs_first", [False, True])
def test_a_chain_of_100_000_ops_walks_without_recursion(inputs_first):
    h = x = Tensor(1.0, requires_grad=True)
    one = Tensor(1.0)
    for _ in range(100_000):
        h = h * one
    order = list(walk_graph([h], op_inputs, inputs_first=inputs_first))
    assert len(order) == 100_000 + 2  # every product, the constant 1.0 (shared), and x
    if inputs_first:
        assert order[0] is x and order[-1] is h
    else:  # down the chain of products first, then the constant on the way back
        assert order[0] is h and order[100_000] is x and order[-1] is one


def test_several_roots_share_the_nodes_they_have_in_common():
    a = Tensor(1.0, requires_grad=True, name="a")
    y, z = a.exp(), a.tanh()
    assert names(walk_graph([y, z], op_inputs)) == ["Exp", "a", "Tanh"]


def test_inputs_of_decides_how_far_the_walk_goes():
    a = Tensor(1.0, requires_grad=True, name="a")
    h = a.exp()
    y = h.tanh()
    assert names(walk_graph([y], lambda t: [x for x in op_inputs(t) if x is not h])) == ["Tanh"]


def test_the_walk_yields_a_node_before_asking_for_its_inputs():
    asked = []
    for t in walk_graph([diamond()], lambda t: asked.append(t) or op_inputs(t)):
        assert t not in asked
        break
    assert asked == []


def test_a_trace_walks_its_values_as_the_graph_walks_its_tensors():
    root = diamond()
    traced = trace(root)
    assert [v.tensor for v in walk_graph([traced.root], lambda v: v.inputs())] == list(walk_graph([root], op_inputs))


def test_a_module_that_returns_its_input_claims_none_of_the_ops_before_it():
    first, dropout = nn.Linear(2, 2, rng=0), nn.Dropout(0.5)
    model = nn.Sequential(first, dropout).eval()  # an evaluating Dropout returns its input itself
    with record(model) as recording:
        out = model(Tensor(np.ones((1, 2))))
    assert recording.module_of(out.grad_fn).label == "0"
