"""SigmoidBackward and TanhBackward, the chain rule through sigmoid and tanh in one op each: first and
second derivatives against central differences under Hypothesis (float64, g broadcast against x),
the same bits as grad times the derivative, the tails kept, and float32 kept."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, broadcastable_shapes

import minigrad as mg
from minigrad import Tensor
from minigrad.ops.numerics import SigmoidBackward, TanhBackward, sech2_array, sigmoid_derivative_array

OPS = [(SigmoidBackward, sigmoid_derivative_array), (TanhBackward, sech2_array)]
ids = ["SigmoidBackward", "TanhBackward"]


@st.composite
def pairs(draw):
    """(g, x): x of a random shape, g of a shape that broadcasts to x's."""
    x_shape = draw(array_shapes(min_dims=0, max_dims=3, max_side=3))
    g_shape = draw(broadcastable_shapes(x_shape, max_dims=len(x_shape)))
    values = st.floats(-4, 4)
    return draw(arrays(np.float64, g_shape, elements=values)), draw(arrays(np.float64, x_shape, elements=values))


@settings(max_examples=40)
@given(st.sampled_from(OPS), pairs())
def test_first_and_second_derivatives_match_central_differences(op, pair):
    function, _ = op
    g, x = (Tensor(a, requires_grad=True) for a in pair)
    assert mg.gradcheck(function.apply, (g, x))
    assert mg.gradgradcheck(function.apply, (g, x))


@given(st.sampled_from(OPS), pairs())
def test_the_value_is_g_times_the_derivative_to_the_bit(op, pair):
    function, derivative = op
    g, x = pair
    np.testing.assert_array_equal(function.apply(Tensor(g), Tensor(x)).numpy(), g * derivative(x))


def test_sigmoid_and_tanh_backward_give_the_same_bits_as_grad_times_the_derivative():
    x = np.random.default_rng(0).normal(size=(5, 4)) * 10
    upstream = np.random.default_rng(1).normal(size=(5, 4))
    for method, derivative in (("sigmoid", sigmoid_derivative_array), ("tanh", sech2_array)):
        leaf = Tensor(x, requires_grad=True)
        getattr(leaf, method)().backward(Tensor(upstream))
        np.testing.assert_array_equal(leaf.grad.numpy(), upstream * derivative(x))


def test_the_tails_keep_their_digits_where_the_textbook_forms_round_to_zero():
    # s'(40) = e^-40 / (1 + e^-40)^2 ~ 4.2484e-18 and sech^2(30) = 4 e^-60 / (1 + e^-60)^2 ~ 3.5030e-26
    one = Tensor(1.0)
    np.testing.assert_allclose(SigmoidBackward.apply(one, Tensor(40.0)).item(), 4.248354255291589e-18, rtol=1e-14)
    np.testing.assert_allclose(TanhBackward.apply(one, Tensor(30.0)).item(), 3.502604305078608e-26, rtol=1e-14)


def test_float32_stays_float32_through_both_orders():
    x = Tensor(np.array([-1.0, 0.5, 3.0], dtype=np.float32), requires_grad=True)
    for method in ("sigmoid", "tanh"):
        (first,) = mg.grad(getattr(x, method)().sum(), x, create_graph=True)
        (second,) = mg.grad(first.sum(), x)
        assert first.dtype == second.dtype == np.float32
