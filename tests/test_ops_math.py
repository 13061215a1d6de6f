"""Elementwise math and arithmetic: a table of ops crossed with Hypothesis draws of shapes and
values; forward against NumPy formulas, first and second derivatives against central
differences, dtypes, the conventions at kinks and ties, and error messages."""

import operator

import numpy as np
import pytest
from helpers import check_grad, check_gradgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, mutually_broadcastable_shapes

import minigrad as mg
import minigrad.functional as F
from minigrad import Tensor


def floats(low, high):
    return st.floats(low, high)


def away_from_zero(low=0.1, high=2.0):
    return st.floats(low, high) | st.floats(-high, -low)


# Grids that never meet: k/10 and k/10 + 0.05 keep maxima, clip bounds and ties 0.05 apart.
ON_GRID = st.integers(-20, 20).map(lambda k: k / 10)
OFF_GRID = st.integers(-20, 19).map(lambda k: k / 10 + 0.05)

# name: (minigrad function, independent NumPy formula, values that avoid kinks and poles)
UNARY = {
    "exp": (Tensor.exp, lambda a: np.e**a, floats(-3, 3)),
    "log": (Tensor.log, np.log, floats(0.1, 5)),
    "sqrt": (Tensor.sqrt, lambda a: a**0.5, floats(0.1, 5)),
    "abs": (abs, lambda a: np.where(a < 0, -a, a), away_from_zero()),
    "clip": (lambda x: x.clip(-0.5, 0.5), lambda a: np.minimum(np.maximum(a, -0.5), 0.5), OFF_GRID),
    "clip_min": (lambda x: x.clip(min=0.5), lambda a: np.where(a < 0.5, 0.5, a), OFF_GRID),
    "clip_max": (lambda x: x.clip(max=0.5), lambda a: np.where(a > 0.5, 0.5, a), OFF_GRID),
    "neg": (operator.neg, lambda a: 0 - a, floats(-2, 2)),
    # a Tensor and a Python (or NumPy) number: the ops of ops/scalar.py
    "add_scalar": (lambda x: x + 1.5, lambda a: a - -1.5, floats(-2, 2)),
    "radd_scalar": (lambda x: 2 + x, lambda a: a - -2.0, floats(-2, 2)),
    "sub_scalar": (lambda x: x - 0.75, lambda a: a + -0.75, floats(-2, 2)),
    "rsub_scalar": (lambda x: 1 - x, lambda a: 1.0 + -a, floats(-2, 2)),
    "mul_scalar": (lambda x: x * -2.5, lambda a: a / -0.4, floats(-2, 2)),
    "rmul_numpy_scalar": (lambda x: np.float64(3.0) * x, lambda a: a + a + a, floats(-2, 2)),
    "div_scalar": (lambda x: x / 3, lambda a: a * 3.0**-1.0, floats(-2, 2)),
    "rdiv_scalar": (lambda x: 2 / x, lambda a: 2.0 * a**-1.0, away_from_zero(0.5)),
    "pow_scalar": (lambda x: x**3, lambda a: a * a * a, floats(-2, 2)),
    "pow_scalar_fraction": (lambda x: x**1.5, lambda a: np.exp(1.5 * np.log(a)), floats(0.1, 5)),
    "pow_scalar_negative": (lambda x: x**-2, lambda a: 1.0 / (a * a), away_from_zero(0.5)),
    "pow_scalar_one": (lambda x: x**1, lambda a: a + 0.0, floats(-2, 2)),
    "pow_scalar_zero": (lambda x: x**0, np.ones_like, floats(-2, 2)),
}

BINARY = {
    "add": (operator.add, lambda a, b: a - -b, floats(-2, 2), floats(-2, 2)),
    "sub": (operator.sub, lambda a, b: a + -b, floats(-2, 2), floats(-2, 2)),
    "mul": (operator.mul, np.multiply, floats(-2, 2), floats(-2, 2)),
    "div": (operator.truediv, lambda a, b: a * b**-1.0, floats(-2, 2), away_from_zero(0.5)),
    "pow": (operator.pow, lambda a, b: np.exp(b * np.log(a)), floats(0.5, 2), floats(-2, 2)),
    "maximum": (mg.maximum, lambda a, b: np.where(a > b, a, b), ON_GRID, OFF_GRID),
    "minimum": (mg.minimum, lambda a, b: np.where(a < b, a, b), ON_GRID, OFF_GRID),
}

SMALL = dict(min_dims=0, max_dims=3, min_side=1, max_side=3)


def matmul_reference(a, b):
    """x @ y as broadcast products summed over k, with 1-D operands made a row or a column."""
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    out = (a2[..., :, :, None] * b2[..., None, :, :]).sum(axis=-2)
    out = out[..., 0, :] if a.ndim == 1 else out
    return out[..., 0] if b.ndim == 1 else out


@st.composite
def unary_case(draw, name):
    fn, reference, values = UNARY[name]
    return fn, reference, draw(arrays(np.float64, array_shapes(**SMALL), elements=values))


@st.composite
def binary_case(draw, name):
    fn, reference, x_values, y_values = BINARY[name]
    (x_shape, y_shape), _ = draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = draw(arrays(np.float64, x_shape, elements=x_values))
    return fn, reference, x, draw(arrays(np.float64, y_shape, elements=y_values))


@st.composite
def matmul_case(draw):
    (x_shape, y_shape), _ = draw(mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3))
    return tuple(draw(arrays(np.float64, shape, elements=floats(-2, 2))) for shape in (x_shape, y_shape))


@st.composite
def where_case(draw):
    shapes, _ = draw(mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    condition = draw(arrays(bool, shapes[0]))
    return (condition,) + tuple(draw(arrays(np.float64, shape, elements=floats(-2, 2))) for shape in shapes[1:])


def where_of(condition):
    return lambda x, y: mg.where(condition, x, y)


# --- forward ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_forward_matches_numpy_formula(name, data):
    fn, reference, x = data.draw(unary_case(name))
    np.testing.assert_allclose(fn(Tensor(x)).numpy(), reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_forward_broadcasts_like_numpy(name, data):
    fn, reference, x, y = data.draw(binary_case(name))
    out = fn(Tensor(x), Tensor(y))
    assert out.shape == np.broadcast_shapes(x.shape, y.shape)
    np.testing.assert_allclose(out.numpy(), reference(x, y), rtol=1e-12, atol=1e-15)


@given(matmul_case())
def test_matmul_forward_matches_sum_of_products_for_1d_2d_and_batches(case):
    x, y = case
    np.testing.assert_allclose((Tensor(x) @ Tensor(y)).numpy(), matmul_reference(x, y), rtol=1e-12, atol=1e-12)


@given(where_case())
def test_where_forward_picks_by_condition_with_broadcasting(case):
    condition, x, y = case
    np.testing.assert_array_equal(mg.where(condition, x, y).numpy(), condition * x + (1 - condition) * y)


# --- first and second derivatives ---------------------------------------------------------------


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_gradient_matches_finite_differences(name, data):
    fn, _, x = data.draw(unary_case(name))
    check_grad(fn, x)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_gradients_match_finite_differences_on_both_broadcast_sides(name, data):
    fn, _, x, y = data.draw(binary_case(name))
    check_grad(fn, x, y)


@given(matmul_case())
def test_matmul_gradients_match_finite_differences(case):
    check_grad(operator.matmul, *case)


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 1, 2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize("x_shape, y_shape", MATMUL_SHAPES)
def test_matmul_of_vectors_matrices_and_batches_matches_finite_differences_to_second_order(x_shape, y_shape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    check_grad(operator.matmul, x, y)
    check_gradgrad(operator.matmul, x, y)


LINEAR_SHAPES = [((3,), (2, 3)), ((4, 3), (2, 3)), ((2, 4, 3), (2, 3))]


@pytest.mark.parametrize("x_shape, w_shape", LINEAR_SHAPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_of_vectors_matrices_and_batches_matches_finite_differences_to_second_order(x_shape, w_shape, bias):
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)] + (
        [rng.standard_normal(w_shape[0])] if bias else []
    )
    np.testing.assert_allclose(
        F.linear(*map(Tensor, inputs)).numpy(), inputs[0] @ inputs[1].T + (inputs[2] if bias else 0)
    )
    check_grad(F.linear, *inputs)
    check_gradgrad(F.linear, *inputs)


@given(where_case())
def test_where_gradients_match_finite_differences(case):
    condition, x, y = case
    check_grad(where_of(condition), x, y)


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=15)
@given(data=st.data())
def test_unary_second_derivative_matches_finite_differences(name, data):
    fn, _, x = data.draw(unary_case(name))
    check_gradgrad(fn, x)


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15)
@given(data=st.data())
def test_binary_second_derivatives_match_finite_differences(name, data):
    fn, _, x, y = data.draw(binary_case(name))
    check_gradgrad(fn, x, y)


@settings(max_examples=15)
@given(matmul_case())
def test_matmul_second_derivatives_match_finite_differences(case):
    check_gradgrad(operator.matmul, *case)


@settings(max_examples=15)
@given(where_case())
def test_where_second_derivatives_match_finite_differences(case):
    condition, x, y = case
    check_gradgrad(where_of(condition), x, y)


# --- dtypes ---------------------------------------------------------------------------------------


def of_x(fn):
    return lambda x, y: fn(x)


OPS_32 = {name: of_x(fn) for name, (fn, _, _) in UNARY.items()}
OPS_32.update({name: fn for name, (fn, _, _, _) in BINARY.items()})
OPS_32.update(matmul=operator.matmul, where=lambda x, y: mg.where(x.numpy() > 0, x, y))
OPS_32.update(times_number=lambda x, y: 2.0 * x, maximum_number=lambda x, y: mg.maximum(x, 0.25))
OPS_32.update(where_number=lambda x, y: mg.where(x.numpy() > 0, 1.0, y), number_minus=lambda x, y: 1.0 - y)


@pytest.mark.parametrize("name", OPS_32)
def test_float32_inputs_give_float32_outputs_and_gradients(name):
    x = Tensor([[0.55, 1.25], [0.85, 1.65]], dtype=np.float32, requires_grad=True)
    y = Tensor([[1.5, 0.5], [0.75, 1.5]], dtype=np.float32, requires_grad=True)
    out = OPS_32[name](x, y)
    out.sum().backward()
    assert out.dtype == np.float32
    for leaf in (x, y):
        assert leaf.grad is None or leaf.grad.dtype == np.float32


# --- kinks and ties: the conventions, exactly --------------------------------------------------


def gradients(fn, *values):
    leaves = [Tensor(v, requires_grad=True) for v in values]
    fn(*leaves).sum().backward()
    return [leaf.grad.numpy().tolist() for leaf in leaves]


def test_abs_has_gradient_zero_at_zero():
    assert gradients(abs, [-2.0, 0.0, 3.0]) == [[-1.0, 0.0, 1.0]]


def test_clip_passes_the_gradient_at_its_bounds_and_stops_it_outside():
    assert gradients(lambda x: x.clip(-0.5, 0.5), [-1.0, -0.5, 0.0, 0.5, 1.0]) == [[0.0, 1.0, 1.0, 1.0, 0.0]]
    assert gradients(lambda x: x.clip(min=0.0), [-1.0, 0.0, 1.0]) == [[0.0, 1.0, 1.0]]
    assert gradients(lambda x: x.clip(max=0.0), [-1.0, 0.0, 1.0]) == [[1.0, 1.0, 0.0]]


def test_maximum_and_minimum_split_the_gradient_in_half_at_a_tie():
    x, y = [1.0, 2.0, 3.0], [1.0, 0.0, 4.0]
    assert gradients(mg.maximum, x, y) == [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]
    assert gradients(mg.minimum, x, y) == [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]]


def test_maximum_with_a_broadcast_number_sums_the_halves_it_gets():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    floor = Tensor(0.0, requires_grad=True)
    mg.maximum(x, floor).sum().backward()
    assert x.grad.numpy().tolist() == [0.0, 0.5, 1.0]
    assert floor.grad.item() == 1.5


def test_where_sends_nothing_to_the_unchosen_side_even_an_infinite_gradient():
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    grad_x, grad_y = mg.grad(mg.where(np.array([True, False]), x, y), [x, y], grad_outputs=np.array([np.inf, 1.0]))
    assert grad_x.numpy().tolist() == [np.inf, 0.0]
    assert grad_y.numpy().tolist() == [0.0, 1.0]


def test_exp_second_derivative_flows_through_its_saved_output():
    x = Tensor(0.5, requires_grad=True)
    (dy,) = mg.grad(x.exp(), x, create_graph=True)
    (d2y,) = mg.grad(dy, x)
    assert d2y.item() == pytest.approx(np.exp(0.5))


def test_functional_versions_accept_array_likes():
    np.testing.assert_allclose(mg.functional.sqrt([4.0, 9.0]).numpy(), [2.0, 3.0])
    assert mg.functional.abs(-2).item() == 2.0
    assert mg.maximum([1.0, 5.0], 3).numpy().tolist() == [3.0, 5.0]


# --- error messages ------------------------------------------------------------------------------


def test_adding_mismatched_shapes_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"Add: .*\(2, 3\) and \(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))


def test_matmul_of_mismatched_shapes_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"MatMul: .*\(2, 3\) and \(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_where_rejects_a_condition_that_is_not_boolean():
    with pytest.raises(TypeError, match="Where: condition must be a boolean array.*not float64"):
        mg.where(np.ones(2), Tensor([1.0, 2.0]), 0.0)


def test_clip_without_bounds_says_it_needs_one():
    with pytest.raises(ValueError, match="Clip: .*at least one of min and max"):
        Tensor([1.0]).clip()
