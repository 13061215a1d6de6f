"""The engine's reverse walk against the textbook walk (tests/reference_walk.py) on random graphs.

Hypothesis draws graphs with fan-in, shared subgraphs, inputs that need no gradient, unused
leaves, hooks and several roots; the engine must give the reference's gradients through
``grad``, ``Tensor.backward``, a retained second backward and ``create_graph``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_walk import reference_gradients

import minigrad as mg
from minigrad import Tensor

UNARY = {"tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(), "square": lambda a: a * a, "neg": lambda a: -a}
BINARY = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b}


@st.composite
def graphs(draw):
    """(leaves, tensors, roots, root gradients): a random graph of float64 ops on shape (3,),
    with a (1,) leaf broadcast into it, hooks on some tensors, and 1 to 3 roots."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    leaves = [Tensor(rng.normal(size=3), requires_grad=draw(st.booleans()) or i == 0) for i in range(3)]
    leaves.append(Tensor(rng.normal(size=1), requires_grad=True))  # broadcast: (1,) into (3,)
    tensors = list(leaves)
    for _ in range(draw(st.integers(1, 8))):
        pick = st.integers(0, len(tensors) - 1)
        if draw(st.booleans()):
            out = UNARY[draw(st.sampled_from(sorted(UNARY)))](tensors[draw(pick)])
        else:
            out = BINARY[draw(st.sampled_from(sorted(BINARY)))](tensors[draw(pick)], tensors[draw(pick)])
        if out.requires_grad and draw(st.integers(0, 4)) == 0:
            scale = draw(st.sampled_from([None, 2.0, -0.5]))
            out.register_hook(lambda g, s=scale: None if s is None else g * s)
        tensors.append(out)
    grad_tensors = [t for t in tensors if t.requires_grad and t.shape == (3,)]
    roots = draw(st.lists(st.sampled_from(grad_tensors), min_size=1, max_size=3))
    root_grads = [Tensor(rng.normal(size=3)) for _ in roots]
    return leaves, tensors, roots, root_grads


def _close(actual, expected):
    if expected is None:
        assert actual is None or not np.any(actual.numpy())
    else:
        np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_grad_gives_the_reference_gradients_of_every_tensor(graph):
    _, tensors, roots, root_grads = graph
    wanted = [t for t in tensors if t.requires_grad]
    expected = reference_gradients(roots, root_grads)
    got = mg.grad(roots, wanted, grad_outputs=root_grads, retain_graph=True, allow_unused=True)
    for tensor, gradient in zip(wanted, got):
        _close(gradient, expected.get(tensor))


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_backward_accumulates_the_reference_gradients_into_leaves_and_twice_when_retained(graph):
    leaves, _, roots, root_grads = graph
    expected = reference_gradients(roots, root_grads)
    total = roots[0] * root_grads[0]
    for root, root_grad in zip(roots[1:], root_grads[1:]):
        total = total + root * root_grad
    total.sum().backward(retain_graph=True)
    for leaf in leaves:
        _close(leaf.grad, expected.get(leaf))
    total.sum().backward()
    for leaf in leaves:
        _close(leaf.grad, None if leaf not in expected else expected[leaf] * 2)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_create_graph_gives_the_reference_second_derivatives(graph):
    leaves, _, roots, root_grads = graph
    wanted = [leaf for leaf in leaves if leaf.requires_grad]
    first = mg.grad(roots, wanted, grad_outputs=root_grads, create_graph=True, allow_unused=True)
    expected_first = reference_gradients(roots, root_grads, create_graph=True)
    used = [(leaf, g) for leaf, g in zip(wanted, first) if g is not None and g.requires_grad]
    if not used:
        return
    # d/d leaves of sum_i <first_i, v_i>: a Hessian-vector product, through both walks
    vectors = [Tensor(np.linspace(-1.0, 1.0, leaf.numel()).reshape(leaf.shape)) for leaf, _ in used]
    scalar = sum(((g * v).sum() for (_, g), v in zip(used, vectors)), start=Tensor(0.0))
    reference_scalar = sum(((expected_first[leaf] * v).sum() for (leaf, _), v in zip(used, vectors)), start=Tensor(0.0))
    second = mg.grad(scalar, wanted, retain_graph=True, allow_unused=True)
    expected_second = reference_gradients([reference_scalar], [Tensor(1.0)])
    for leaf, gradient in zip(wanted, second):
        _close(gradient, expected_second.get(leaf))


def test_the_reference_walk_agrees_on_a_hand_checked_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x + x  # dy/dx = 2x + 1
    (grad_x,) = mg.grad(y, x, grad_outputs=Tensor([1.0, 1.0]), retain_graph=True)
    np.testing.assert_array_equal(grad_x.numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(reference_gradients([y], [Tensor([1.0, 1.0])])[x].numpy(), [3.0, 5.0])


if __name__ == "__main__":
    pytest.main([__file__])
