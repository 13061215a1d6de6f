"""Activations: values against mpmath, derivatives against central differences, PyTorch's kinks,
dtypes, prelu's per-channel weight, softmax and log_softmax, and error messages.

The table of activations is in activation_cases.py; extreme inputs and tails are in
test_activations_numerics.py.
"""

import mpmath as mp
import numpy as np
import pytest
from activation_cases import (
    CASES,
    CASES_WITH_KINKS,
    SMOOTH_CASES,
    central_difference,
    derivatives,
    numeric_gradient,
    reference,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F

ids = str


def values(low, high, avoid=(), width=64):
    """Floats in [low, high] at least 1e-3 from every point of ``avoid`` (the kinks)."""
    return st.floats(low, high, width=width).filter(lambda v: all(abs(v - k) > 1e-3 for k in avoid))


def float_arrays(low, high, avoid=(), dtype=np.float64, max_dims=3):
    return arrays(
        dtype,
        array_shapes(min_dims=0, max_dims=max_dims, max_side=4),
        elements=values(low, high, avoid, width=np.dtype(dtype).itemsize * 8),
    )


# --- elementwise activations --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=ids)
@given(data=st.data())
def test_forward_matches_the_reference_formula(case, data):
    x = data.draw(float_arrays(-50, 50))
    y = case(Tensor(x))
    assert y.shape == x.shape and y.dtype == np.float64
    np.testing.assert_allclose(y.numpy(), reference(case.value, x), rtol=case.rtol, atol=1e-300)


@pytest.mark.parametrize("case", CASES, ids=ids)
@given(data=st.data())
def test_first_derivative_matches_central_differences(case, data):
    x = data.draw(float_arrays(-8, 8, avoid=case.kinks))
    upstream = data.draw(arrays(np.float64, x.shape, elements=st.floats(-2, 2)))
    x_before = x.copy()
    _, first, _ = derivatives(case, x, upstream)
    numeric = central_difference(lambda a: case(Tensor(a)).numpy(), x)
    np.testing.assert_allclose(first, upstream * numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(x, x_before)  # inputs are never modified


@pytest.mark.parametrize("case", SMOOTH_CASES, ids=ids)
@given(data=st.data())
def test_second_derivative_matches_differences_of_the_first(case, data):
    x = data.draw(float_arrays(-8, 8, avoid=case.kinks))
    _, _, second = derivatives(case, x)
    assert second is not None, "the backward rule lost the second derivative"
    numeric = central_difference(lambda a: derivatives(case, a)[1], x)
    np.testing.assert_allclose(second, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", [c for c in CASES if c.piecewise_linear], ids=ids)
def test_piecewise_linear_activations_have_no_second_derivative(case):
    x = np.array([-7.0, -2.5, -0.5, 0.5, 2.5, 7.0])
    _, first, second = derivatives(case, x)
    np.testing.assert_array_equal(first, reference(case.derivative, x))
    assert second is None or not second.any()


@pytest.mark.parametrize("case", CASES_WITH_KINKS, ids=ids)
def test_derivative_at_a_kink_is_pytorchs(case):
    x = np.array(list(case.kinks))
    _, first, _ = derivatives(case, x)
    np.testing.assert_allclose(first, list(case.kinks.values()), rtol=1e-15, atol=0)
    np.testing.assert_allclose(first, reference(case.derivative, x), rtol=1e-15, atol=0)


@pytest.mark.parametrize("case", CASES, ids=ids)
@given(data=st.data())
def test_float32_in_gives_float32_values_and_gradients(case, data):
    x = data.draw(float_arrays(-20, 20, avoid=case.kinks, dtype=np.float32))
    y32, first32, second32 = derivatives(case, x)
    y64, first64, _ = derivatives(case, x.astype(np.float64))
    assert y32.dtype == first32.dtype == np.float32
    assert second32 is None or second32.dtype == np.float32
    np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(first32, first64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_method_and_function_are_the_same_op(case):
    x = Tensor([-1.5, 0.25, 2.0], requires_grad=True)
    by_function = case(x)
    by_method = getattr(x, case.function)(**case.params)
    np.testing.assert_array_equal(by_function.numpy(), by_method.numpy())
    assert by_function.grad_fn.name == by_method.grad_fn.name


def test_no_graph_is_recorded_without_requires_grad():
    for case in CASES:
        assert case(Tensor([1.0, -1.0])).grad_fn is None


# --- prelu ---------------------------------------------------------------------------------------


def prelu_reference(x, weight):
    w = weight.reshape((1, -1) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else weight.reshape(())
    return np.where(x > 0, x, w * x)


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (2, 3, 2, 2)])
def test_prelu_weight_broadcasts_along_axis_1(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    weight = np.array([0.1, 0.5, -2.0])
    y = F.prelu(Tensor(x), Tensor(weight))
    np.testing.assert_allclose(y.numpy(), prelu_reference(x, weight))


@pytest.mark.parametrize("shape", [(), (4,), (3, 2), (2, 5, 3)])
def test_prelu_single_weight_applies_everywhere(shape):
    x = np.random.default_rng(1).standard_normal(shape)
    y = F.prelu(Tensor(x), Tensor([0.25]))
    np.testing.assert_allclose(y.numpy(), np.where(x > 0, x, 0.25 * x))


@given(data=st.data())
def test_prelu_gradients_of_input_and_weight_match_central_differences(data):
    channels = data.draw(st.integers(1, 3))
    shape = data.draw(st.sampled_from([(2, channels), (2, channels, 3), (1, channels, 2, 2)]))
    x = data.draw(arrays(np.float64, shape, elements=values(-3, 3, avoid=(0.0,))))
    weight = data.draw(arrays(np.float64, (data.draw(st.sampled_from([1, channels])),), elements=st.floats(-1, 1)))
    upstream = np.random.default_rng(2).standard_normal(shape)
    xt, wt = Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True)
    grad_x, grad_w = mg.grad(F.prelu(xt, wt), [xt, wt], grad_outputs=upstream)

    def loss(x, weight):
        return float((prelu_reference(x, weight) * upstream).sum())

    numeric_x = numeric_gradient(lambda a: loss(a, weight), x)
    numeric_w = numeric_gradient(lambda w: loss(x, w), weight)
    np.testing.assert_allclose(grad_x.numpy(), numeric_x, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_w.numpy(), numeric_w, rtol=1e-6, atol=1e-8)


def test_prelu_derivative_at_0_is_the_weight_and_mixed_second_derivative_exists():
    x = Tensor([[0.0, -2.0], [3.0, -1.0]], requires_grad=True)
    w = Tensor([0.25, -0.5], requires_grad=True)
    (grad_x,) = mg.grad(F.prelu(x, w).sum(), x, create_graph=True)
    np.testing.assert_array_equal(grad_x.numpy(), [[0.25, -0.5], [1.0, -0.5]])
    (grad_w_of_grad_x,) = mg.grad(grad_x.sum(), w)  # d/dw sum(d prelu / dx) = number of x <= 0 per channel
    np.testing.assert_array_equal(grad_w_of_grad_x.numpy(), [1.0, 2.0])


def test_prelu_weight_gradient_is_finite_at_plus_infinity():
    x = Tensor([np.inf, -np.inf, 1.0], requires_grad=True)
    w = Tensor([0.25], requires_grad=True)
    F.prelu(x, w).backward(np.ones(3))
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.25, 1.0])
    np.testing.assert_array_equal(w.grad.numpy(), [-np.inf])


@pytest.mark.parametrize("shape, weight_shape", [((2, 3), (2,)), ((4,), (4,)), ((2, 3), (3, 1))])
def test_prelu_rejects_a_weight_that_does_not_match_the_channels(shape, weight_shape):
    with pytest.raises(ValueError, match=r"PReLU.*weight of shape"):
        F.prelu(Tensor(np.ones(shape)), Tensor(np.ones(weight_shape)))


# --- softmax and log_softmax ---------------------------------------------------------------------


def softmax_reference(x, axis, log=False):
    x = np.moveaxis(x, axis, -1)
    out = np.empty(x.shape)
    for index in np.ndindex(x.shape[:-1]):
        row = [mp.mpf(float(v)) for v in x[index]]
        for i, v in enumerate(row):
            # NOTE: softmax_i = 1 / sum_j e^(x_j - x_i), so the sum is exactly 1 when alone.
            total = mp.fsum(mp.exp(w - v) for w in row)
            out[index + (i,)] = -mp.log(total) if log else 1 / total
    return np.moveaxis(out, -1, axis)


@st.composite
def arrays_and_axis(draw, low=-30, high=30):
    x = draw(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.floats(low, high)))
    return x, draw(st.integers(-x.ndim, x.ndim - 1))


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@given(xa=arrays_and_axis())
def test_softmax_values_match_the_reference(log, xa):
    x, axis = xa
    y = (F.log_softmax if log else F.softmax)(Tensor(x), axis=axis)
    np.testing.assert_allclose(y.numpy(), softmax_reference(x, axis, log), rtol=1e-13, atol=1e-300)


@given(xa=arrays_and_axis())
def test_softmax_sums_to_one_and_ignores_a_shift(xa):
    x, axis = xa
    y = F.softmax(Tensor(x), axis=axis).numpy()
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-14)
    np.testing.assert_allclose(F.softmax(Tensor(x + 7.0), axis=axis).numpy(), y, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(np.exp(F.log_softmax(Tensor(x), axis=axis).numpy()), y, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@given(xa=arrays_and_axis(-5, 5))
def test_softmax_first_and_second_derivatives_match_central_differences(log, xa):
    x, axis = xa
    rng = np.random.default_rng(3)
    upstream, direction = rng.standard_normal(x.shape), rng.standard_normal(x.shape)
    op = F.log_softmax if log else F.softmax

    def gradient(a, create_graph=False):
        a = Tensor(a, requires_grad=True)
        (g,) = mg.grad(op(a, axis=axis), a, grad_outputs=upstream, create_graph=create_graph)
        return a, g

    def loss(a):
        return float((op(Tensor(a), axis=axis).numpy() * upstream).sum())

    xt, first = gradient(x, create_graph=True)
    np.testing.assert_allclose(first.numpy(), numeric_gradient(loss, x), rtol=1e-6, atol=1e-8)
    # Hessian times a direction: d/dx <grad, direction> against differences of the gradient.
    (hessian_direction,) = mg.grad((first * direction).sum(), xt)
    h = 1e-6
    numeric = (gradient(x + h * direction)[1].numpy() - gradient(x - h * direction)[1].numpy()) / (2 * h)
    np.testing.assert_allclose(hessian_direction.numpy(), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_float32_stays_float32(op):
    x = Tensor(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], np.float32), requires_grad=True)
    y = getattr(x, op)(axis=0)
    (g,) = mg.grad(y, x, grad_outputs=np.ones((2, 3), np.float32))
    assert y.dtype == g.dtype == np.float32


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: x.gelu(approximate="erf"), r"GELU.*approximate must be 'none' or 'tanh', got 'erf'"),
        (lambda x: x.hardtanh(1.0, -1.0), r"Hardtanh.*min_val \(1.0\) must not exceed max_val \(-1.0\)"),
        (lambda x: x.celu(alpha=0.0), r"CELU.*alpha must be positive, got 0.0"),
        (lambda x: x.softplus(beta=0.0), r"Softplus.*beta must be positive, got 0.0"),
        (lambda x: x.softmax(axis=2), r"Softmax.*axis 2 is out of bounds"),
    ],
)
def test_bad_parameters_are_named_in_the_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(Tensor([[1.0, -1.0]]))
