"""Gradients that are None for some inputs: sent by a rule, or beside one that needs a dtype cast."""

import numpy as np

from minigrad import Function, Tensor


class Blocked(Function):
    """f(x) = x, whose backward sends nothing back (as a rule may for an input it treats as constant)."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return None


def test_an_input_sent_none_passes_nothing_back_to_what_made_it():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 3.0
    (Blocked.apply(h) + w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])  # only the direct path


def test_a_rule_returning_no_gradient_stops_that_path_while_the_others_still_count():
    x = Tensor([1.0, 2.0], requires_grad=True)
    q = x * 2.0
    (Blocked.apply(q * 1.0) + (q + q + q)).sum().backward()  # q * 1.0 gets no gradient, q three parts
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_nothing_but_none_leaves_the_leaf_without_a_gradient():
    w = Tensor([1.0, 2.0], requires_grad=True)
    Blocked.apply(w * 3.0).sum().backward()
    assert w.grad is None


def test_a_float32_input_of_a_float64_op_gets_float32_beside_an_input_that_needs_none():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]))  # float64, no gradient
    (x * y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad is None
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
