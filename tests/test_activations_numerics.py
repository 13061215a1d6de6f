"""Activations at the edges of floating point: huge, infinite and NaN inputs, and the tails.

Every check runs with NumPy's overflow, invalid and divide flags raising (underflow to 0 is
normal in the tails and stays quiet) and with warnings as errors (pytest's configuration).
"""

import mpmath as mp
import numpy as np
import pytest
from activation_cases import CASES, SMOOTH_CASES, derivatives, reference
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F

ids = str


@pytest.fixture(autouse=True)
def floating_point_errors_raise():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


def finite_extremes(dtype):
    big = np.finfo(dtype).max
    huge = 1e300 if dtype == np.float64 else 1e30
    tiny = np.finfo(dtype).smallest_subnormal
    return np.array([0.0, tiny, -tiny, 1e4, -1e4, huge, -huge, big, -big], dtype)


def expected_derivative(case, x):
    return np.array([case.kinks.get(float(v), float(case.derivative(mp.mpf(float(v))))) for v in x])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_huge_finite_inputs_give_finite_correct_values_and_derivatives(case, dtype):
    x = finite_extremes(dtype)
    y, first, second = derivatives(case, x)
    rtol = case.rtol if dtype == np.float64 else 1e-6
    tiny = np.finfo(dtype).smallest_normal
    with np.errstate(over="ignore"):  # selu(max) rounds to inf, as it should
        expected, expected_first = reference(case.value, x).astype(dtype), expected_derivative(case, x).astype(dtype)
    np.testing.assert_allclose(y, expected, rtol=rtol, atol=tiny)
    np.testing.assert_allclose(first, expected_first, rtol=rtol, atol=tiny)
    assert second is None or np.isfinite(second).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_infinite_inputs_give_the_limits(case, dtype):
    x = np.array([-np.inf, np.inf], dtype)
    y, first, second = derivatives(case, x)
    low, high, slope_low, slope_high = case.limits
    np.testing.assert_allclose(y, np.array([low, high], dtype), rtol=1e-6)
    np.testing.assert_allclose(first, np.array([slope_low, slope_high], dtype), rtol=1e-6)
    assert second is None or not np.isnan(second).any()


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_nan_gives_nan_and_never_raises(case):
    x = np.array([np.nan, 1.0, -1.0])
    y, first, second = derivatives(case, x)
    assert np.isnan(y[0]) and not np.isnan(y[1:]).any()
    assert not np.isnan(first[1:]).any()


@pytest.mark.parametrize("case", CASES, ids=ids)
@given(x=arrays(np.float64, 6, elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_any_finite_input_gives_correct_values_and_derivatives(case, x):
    y, first, second = derivatives(case, x)
    np.testing.assert_allclose(y, reference(case.value, x), rtol=case.rtol, atol=1e-300)
    np.testing.assert_allclose(first, expected_derivative(case, x), rtol=case.rtol, atol=1e-300)
    assert second is None or np.isfinite(second).all()


# --- tails against mpmath ------------------------------------------------------------------------

TAIL_POINTS = [-700.0, -100.0, -40.0, -20.0, -10.0, -1e-8, 1e-8, 10.0, 20.0, 40.0, 100.0]


@pytest.mark.parametrize("case", SMOOTH_CASES, ids=ids)
def test_tails_keep_relative_precision(case):
    x = np.array(TAIL_POINTS)
    y, first, _ = derivatives(case, x)
    np.testing.assert_allclose(y, reference(case.value, x), rtol=case.rtol, atol=1e-300)
    np.testing.assert_allclose(first, reference(case.derivative, x), rtol=case.rtol, atol=1e-300)


@pytest.mark.parametrize("case", SMOOTH_CASES, ids=ids)
def test_second_derivative_in_the_tails_matches_mpmath(case):
    x = np.array([-30.0, -10.0, -3.0, 3.0, 10.0, 30.0])
    _, _, second = derivatives(case, x)
    with mp.workdps(400):  # Phi(30) = 1 - 5e-198 needs more than 50 digits to have a slope
        expected = np.array([float(mp.diff(case.derivative, mp.mpf(v))) for v in x])
    np.testing.assert_allclose(second, expected, rtol=1e-9, atol=1e-300)


def value_and_derivative(name, x, **params):
    (y, first, _) = derivatives(lambda t: getattr(F, name)(t, **params), np.array([x]))
    return y[0], first[0]


def test_sigmoid_derivative_at_40_is_not_rounded_to_0():
    _, d = value_and_derivative("sigmoid", 40.0)
    assert d == pytest.approx(float(mp.exp(-40) / (1 + mp.exp(-40)) ** 2), rel=1e-14)


def test_tanh_derivative_at_20_is_not_rounded_to_0():
    _, d = value_and_derivative("tanh", 20.0)
    assert d == pytest.approx(float(mp.sech(20) ** 2), rel=1e-14)


def test_softplus_at_minus_50_is_e_to_the_minus_50():
    y, d = value_and_derivative("softplus", -50.0)
    assert y == pytest.approx(float(mp.log1p(mp.exp(-50))), rel=1e-15)
    assert d == pytest.approx(float(1 / (1 + mp.exp(50))), rel=1e-14)


def test_gelu_at_minus_10_keeps_its_digits():
    y, d = value_and_derivative("gelu", -10.0)
    assert y == pytest.approx(float(-10 * mp.ncdf(-10)), rel=1e-13)
    assert d == pytest.approx(float(mp.ncdf(-10) - 10 * mp.npdf(-10)), rel=1e-13)


def test_elu_derivative_at_minus_40_is_e_to_the_minus_40():
    _, d = value_and_derivative("elu", -40.0)
    assert d == pytest.approx(float(mp.exp(-40)), rel=1e-14)


def test_elu_just_below_0_keeps_its_digits():
    y, _ = value_and_derivative("elu", -1e-10)
    assert y == pytest.approx(float(mp.expm1(-1e-10)), rel=1e-15)


# --- softmax and log_softmax ---------------------------------------------------------------------


def test_log_softmax_with_gaps_of_1e4_is_exact():
    y = F.log_softmax(Tensor([0.0, 1e4, -1e4])).numpy()
    np.testing.assert_array_equal(y, [-1e4, 0.0, -2e4])
    np.testing.assert_array_equal(F.softmax(Tensor([0.0, 1e4, -1e4])).numpy(), [0.0, 1.0, 0.0])


def test_log_softmax_of_the_maximum_keeps_its_digits():
    y = F.log_softmax(Tensor([0.0, -50.0])).numpy()
    assert y[0] == pytest.approx(float(-mp.log1p(mp.exp(-50))), rel=1e-15)
    assert y[1] == pytest.approx(float(-50 - mp.log1p(mp.exp(-50))), rel=1e-15)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_of_huge_inputs_is_finite_with_finite_gradients(op):
    x = Tensor([[1e300, -1e300, 0.0], [np.finfo(np.float64).max, 1e308, -np.finfo(np.float64).max]], requires_grad=True)
    y = getattr(x, op)(axis=-1)
    (g,) = mg.grad(y, x, grad_outputs=np.array([[1.0, 2.0, 3.0], [1.0, -1.0, 0.5]]))
    assert np.isfinite(g.numpy()).all()
    biggest = np.finfo(np.float64).max
    if op == "softmax":
        np.testing.assert_array_equal(y.numpy(), [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    else:  # a gap wider than the largest float rounds to -inf
        np.testing.assert_array_equal(y.numpy(), [[0.0, -2e300, -1e300], [0.0, 1e308 - biggest, -np.inf]])


def test_softmax_with_plus_infinity_shares_the_mass_among_the_infinite_entries():
    x = Tensor([[np.inf, 1.0, np.inf], [np.inf, -np.inf, 0.0]], requires_grad=True)
    np.testing.assert_array_equal(x.softmax().numpy(), [[0.5, 0.0, 0.5], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(x.log_softmax().numpy(), [[-np.log(2), -np.inf, -np.log(2)], [0.0, -np.inf, -np.inf]])
    (g,) = mg.grad(x.softmax(), x, grad_outputs=np.ones((2, 3)))
    assert np.isfinite(g.numpy()).all()


def test_softmax_with_minus_infinity_gives_it_nothing():
    x = Tensor([-np.inf, 0.0, 0.0], requires_grad=True)
    np.testing.assert_array_equal(x.softmax().numpy(), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(x.log_softmax().numpy(), [-np.inf, -np.log(2), -np.log(2)])
    (g,) = mg.grad(x.log_softmax(), x, grad_outputs=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g.numpy(), [1.0, 2 - 0.5 * 6, 3 - 0.5 * 6])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_rows_of_nan_or_only_minus_infinity_are_nan_and_others_are_untouched(op):
    x = Tensor([[np.nan, 0.0], [-np.inf, -np.inf], [0.0, 0.0]])
    y = getattr(x, op)(axis=-1).numpy()
    assert np.isnan(y[:2]).all()
    np.testing.assert_allclose(y[2], [0.5, 0.5] if op == "softmax" else [-np.log(2)] * 2)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@given(x=arrays(np.float64, (3, 4), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_softmax_of_any_floats_is_nan_only_where_there_is_no_answer(op, x):
    xt = Tensor(x, requires_grad=True)
    y = getattr(xt, op)(axis=-1)
    (g,) = mg.grad(y, xt, grad_outputs=np.ones(x.shape))
    no_answer = np.isnan(x).any(axis=-1) | np.isneginf(x).all(axis=-1)
    assert np.isnan(y.numpy()[no_answer]).all() and not np.isnan(y.numpy()[~no_answer]).any()
    assert not np.isnan(g.numpy()[~no_answer]).any()
    probabilities = np.exp(y.numpy()[~no_answer]) if op == "log_softmax" else y.numpy()[~no_answer]
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-12)
