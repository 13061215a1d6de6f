"""The walk sums gradients in place only into arrays nobody else holds, seen through the public API.

An op may hand the gradient it received on unchanged (x + y gives both inputs the very array it
got), so two tensors can hold one array. The walk adds in place only into sums it made itself,
and forgets a sum once it hands it on; otherwise a later in-place sum into one tensor's gradient
changes another's. These tests drive the walk only through Tensor.backward, minigrad.grad, hooks,
retain_graph and create_graph, so they hold for any walk with these semantics.

The graphs drawn here are linear in the leaves with small integer coefficients, so the exact
gradient of their sum is known without the engine: d(sum of node k)/d leaf l = coefficient[k][l].
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import Tensor

# --- the graph the issue reported: t = x + z; (x * 3) + (t + t) ------------------------------


def shared_sum_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    z = Tensor([3.0, 4.0], requires_grad=True)
    t = x + z
    return x, z, (x * 3) + (t + t)


def test_a_sum_handed_to_two_inputs_is_not_added_into_later():
    x, z, out = shared_sum_graph()
    out.sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_grad_returns_unshared_sums_for_the_same_graph():
    x, z, out = shared_sum_graph()
    grad_x, grad_z = minigrad.grad(out.sum(), (x, z))
    np.testing.assert_array_equal(grad_z.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(grad_x.numpy(), [5.0, 5.0])
    assert x.grad is None and z.grad is None


def test_a_hook_sees_the_gradient_before_a_later_sum_could_change_it():
    x, z, out = shared_sum_graph()
    seen = []
    z.register_hook(lambda g: seen.append(g.numpy().copy()))
    out.sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 2.0])
    np.testing.assert_array_equal(z.grad.numpy(), [2.0, 2.0])


def test_retained_intermediate_gradients_stay_their_own():
    x = Tensor([1.0, 2.0], requires_grad=True)
    z = Tensor([3.0, 4.0], requires_grad=True)
    t = x + z
    u = t + t
    t.retain_grad(), u.retain_grad()
    ((x * 3) + u).sum().backward()
    np.testing.assert_array_equal(u.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(t.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(z.grad.numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_two_leaves_handed_one_gradient_array_get_grads_of_their_own():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    ((a + b) * Tensor([2.0, 5.0])).sum().backward()  # the sum hands both leaves one fresh array
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 5.0])
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())


def test_grad_never_requires_grad_without_create_graph_even_from_a_hook():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: Tensor(g.numpy() * 10, requires_grad=True))
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [30.0, 30.0])
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_a_second_backward_with_retain_graph_adds_exactly_the_same_again():
    x, z, out = shared_sum_graph()
    loss = out.sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(z.grad.numpy(), [4.0, 4.0])
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 10.0])


def test_create_graph_gives_the_same_first_derivatives_and_differentiable_ones():
    x, z, out = shared_sum_graph()
    grad_x, grad_z = minigrad.grad((out * x).sum(), (x, z), create_graph=True)
    # d/dx of sum(x * (5x + 2z)) = 10x + 2z;  d/dz = 2x
    np.testing.assert_array_equal(grad_x.numpy(), 10 * x.numpy() + 2 * z.numpy())
    np.testing.assert_array_equal(grad_z.numpy(), 2 * x.numpy())
    (second,) = minigrad.grad(grad_z.sum(), (x,))
    np.testing.assert_array_equal(second.numpy(), [2.0, 2.0])


# --- drawn graphs: sums, differences, doublings and scalings of earlier nodes ----------------

OPS = ("add", "sub", "double", "scale")


@st.composite
def linear_graphs(draw):
    """(number of leaves, steps, outputs): each step makes a node from one or two earlier nodes; the
    loss sums every node made and the outputs, so that most nodes have several consumers and many
    gradients are sums handed on to two inputs."""
    leaves = draw(st.integers(1, 3))
    index = st.integers(0, 10**6)
    step = st.tuples(st.sampled_from(OPS), index, index, st.sampled_from([-2, 2, 3]))
    steps = draw(st.lists(step, min_size=1, max_size=12))
    outputs = draw(st.lists(index, max_size=4))
    return leaves, steps, outputs


def build(graph, hooked=False):
    """The leaves, the loss (sum of every node made and of the outputs), and the exact gradient of the loss for each leaf
    (None for a leaf the loss does not reach). With ``hooked``, every node gets an observing hook."""
    n, steps, outputs = graph
    leaves = [Tensor(np.arange(2.0) + 10 * k, requires_grad=True) for k in range(n)]
    nodes, coefficients, reaches = list(leaves), list(np.eye(n, dtype=np.int64)), [{k} for k in range(n)]
    for op, a, b, c in steps:
        i, j = a % len(nodes), b % len(nodes)
        if op == "add":
            node, coefficient, reached = nodes[i] + nodes[j], coefficients[i] + coefficients[j], reaches[i] | reaches[j]
        elif op == "sub":
            node, coefficient, reached = nodes[i] - nodes[j], coefficients[i] - coefficients[j], reaches[i] | reaches[j]
        elif op == "double":
            node, coefficient, reached = nodes[i] + nodes[i], 2 * coefficients[i], reaches[i]
        else:
            node, coefficient, reached = nodes[i] * c, c * coefficients[i], reaches[i]
        if hooked:
            node.register_hook(lambda g: None)
        nodes.append(node), coefficients.append(coefficient), reaches.append(reached)
    chosen = list(range(n, len(nodes))) + [k % len(nodes) for k in outputs]
    loss = sum((nodes[k] for k in chosen[1:]), start=nodes[chosen[0]]).sum()
    total = sum(coefficients[k] for k in chosen)
    reached = set().union(*(reaches[k] for k in chosen))
    expected = [np.full(2, float(total[k])) if k in reached else None for k in range(n)]
    return leaves, loss, expected


def assert_gradients(got, expected):
    for k, (g, e) in enumerate(zip(got, expected)):
        if e is None:
            assert g is None, f"leaf {k} is not used, yet got a gradient"
        else:
            np.testing.assert_array_equal(g.numpy(), e, err_msg=f"leaf {k}")


# NOTE: about one drawn graph in twelve hands a sum to two inputs and then adds into it: 200 draws
# miss that with odds of about 1e-7 (the default 40 would miss it one time in 30).
DRAWS = settings(max_examples=200)

# The issue's graph: leaves x, z; t = x + z; u = t + t; v = 3x; out = v + u
ISSUE_GRAPH = (2, [("add", 0, 1, 2), ("double", 2, 0, 2), ("scale", 0, 0, 3), ("add", 4, 3, 2)], [5])


@DRAWS
@given(linear_graphs())
@example(ISSUE_GRAPH)
def test_backward_gives_each_leaf_its_exact_gradient_in_drawn_graphs(graph):
    leaves, loss, expected = build(graph)
    loss.backward()
    assert_gradients([x.grad for x in leaves], expected)


@DRAWS
@given(linear_graphs())
@example(ISSUE_GRAPH)
def test_grad_gives_each_leaf_its_exact_gradient_in_drawn_graphs(graph):
    leaves, loss, expected = build(graph)
    got = minigrad.grad(loss, leaves, allow_unused=True)
    assert_gradients(got, expected)


@DRAWS
@given(linear_graphs())
@example(ISSUE_GRAPH)
def test_observing_hooks_on_every_node_change_no_gradient_in_drawn_graphs(graph):
    leaves, loss, expected = build(graph, hooked=True)
    loss.backward()
    assert_gradients([x.grad for x in leaves], expected)


@DRAWS
@given(linear_graphs())
@example(ISSUE_GRAPH)
def test_backward_twice_with_retain_graph_doubles_the_exact_gradient_in_drawn_graphs(graph):
    leaves, loss, expected = build(graph)
    loss.backward(retain_graph=True)
    loss.backward()
    assert_gradients([x.grad for x in leaves], [None if e is None else 2 * e for e in expected])


@pytest.mark.parametrize("create_graph", [False, True])
def test_the_drawn_kind_of_graph_finds_the_issues_bug_without_the_example(create_graph):
    """A fixed graph of the drawn kind: a doubled sum handed through two Adds to a leaf that a later
    op also uses."""
    graph = (3, [("add", 0, 1, 2), ("add", 3, 2, 2), ("double", 4, 0, 2), ("scale", 0, 0, 2), ("add", 6, 5, 2)], [7])
    leaves, loss, expected = build(graph)
    got = minigrad.grad(loss, leaves, allow_unused=True, create_graph=create_graph)
    assert_gradients(got, expected)


def test_a_leaf_backward_from_a_gradient_tensor_gets_a_grad_of_its_own():
    x = Tensor([1.0, 2.0], requires_grad=True)
    gradient = Tensor([1.0, 1.0])
    x.backward(gradient)
    gradient.numpy()[0] = 5.0  # the caller keeps and changes its gradient (PyTorch's .grad is a copy)
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_a_grad_is_never_a_read_only_array_a_hook_handed_back():
    x = Tensor([1.0, 2.0], requires_grad=True)
    frozen = np.ones(2)
    frozen.flags.writeable = False
    x.register_hook(lambda grad: minigrad.from_numpy(frozen))
    (x * 1).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), frozen) and x.grad.numpy().flags.writeable
    x.grad.zero_()  # as an optimiser's zero_grad(set_to_none=False) does
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_a_root_gradient_given_as_a_list_takes_the_roots_dtype():
    x = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda grad: seen.append(grad.dtype))
    y.backward([1.0, 3.0])
    assert seen == [np.float32] and x.grad.dtype == np.float32
