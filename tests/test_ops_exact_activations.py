"""The activations and softmaxes to the letter: softmax and log_softmax of a 0-d or an empty
tensor (PyTorch's values), prelu's gradients one input at a time and its refusal, celu with a
small alpha (no overflow in its derivative), and the normal density in float32 to the ulp.
Written for the survivors of the ops' mutation run (docs/mutation.md)."""

import numpy as np
import pytest

import minigrad.functional as F
from minigrad import Tensor
from minigrad.ops.normal_cdf import normal_pdf_array

RTOL = 1e-10


# --- softmax and log_softmax of a 0-d or an empty tensor -----------------------------------------


@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize(
    ("value", "softmax", "log_softmax"), [(3.0, 1.0, 0.0), (np.nan, np.nan, np.nan), (-np.inf, np.nan, np.nan)]
)
def test_the_softmaxes_of_a_0_d_tensor_are_pytorchs(value, softmax, log_softmax, dim):
    # a 0-d tensor is a row of one entry: softmax 1 and log_softmax 0, nan for nan and -inf (as torch)
    x = Tensor(value, requires_grad=True)
    y = F.softmax(x, dim=dim)
    assert y.shape == () and np.array_equal(y.numpy(), softmax, equal_nan=True)
    z = F.log_softmax(x, dim=dim)
    assert z.shape == () and np.array_equal(z.numpy(), log_softmax, equal_nan=True)
    if value == 3.0:
        z.backward()
        assert x.grad.item() == 0.0


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
@pytest.mark.parametrize(("shape", "dim"), [((2, 0), 1), ((0, 3), 0), ((0, 3), 1), ((0,), 0)])
def test_the_softmaxes_of_an_empty_tensor_are_empty(fn, shape, dim):
    y = fn(Tensor(np.zeros(shape)), dim=dim)
    assert y.shape == shape


@pytest.mark.parametrize(("name", "op"), [("softmax", "Softmax"), ("log_softmax", "LogSoftmax")])
@pytest.mark.parametrize("dim", [1, -2])
def test_a_softmax_of_a_0_d_tensor_along_a_missing_axis_is_refused(name, op, dim):
    with pytest.raises(ValueError) as error:
        getattr(F, name)(Tensor(3.0), dim=dim)
    assert str(error.value) == f"{op}: cannot apply to shapes (): axis {dim} is out of range [-1, 0] for shape ()"


REFUSALS = [
    # (the call's keyword arguments, the input, the message after "softmax: " or "log_softmax: ")
    (
        dict(dim=0, axis=0),
        np.zeros((2, 3)),
        "give dim (PyTorch's name) or axis (NumPy's), not both: got dim=0 and axis=0",
    ),
    (dict(dim=None, axis=1.5), np.zeros((2, 3)), "dim must be an int, got float 1.5"),
    (dict(dim=1.0), np.zeros((2, 3)), "dim must be an int, got float 1.0"),
    (dict(dim=True), np.zeros((2, 3)), "dim must be an int, got bool True"),
    (dict(dim="a"), np.zeros((2, 3)), "dim must be an int, got str 'a'"),
    (
        {},
        np.zeros((2, 3, 4)),
        "give dim for a tensor of 3 dims (PyTorch's implicit choice there is dim 0, NumPy users expect the last)",
    ),
]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize(("kwargs", "data", "message"), REFUSALS)
def test_a_softmax_refuses_a_bad_dim_naming_the_call_and_the_value(name, kwargs, data, message):
    for call in (lambda: getattr(F, name)(Tensor(data), **kwargs), lambda: getattr(Tensor(data), name)(**kwargs)):
        with pytest.raises(TypeError) as error:
            call()
        assert str(error.value) == f"{name}: {message}"


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_a_softmax_of_an_integer_tensor_is_refused_with_the_remedy(name):
    with pytest.raises(TypeError) as error:
        getattr(F, name)(Tensor([1, 2]).long(), dim=0)
    assert str(error.value) == f"{name}: needs a float tensor, got int64; use .float() or .double() first"


def test_a_softmax_of_a_3_d_tensor_along_a_given_dim_is_the_formula():
    x = np.random.default_rng(5).standard_normal((2, 3, 4))
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(F.softmax(Tensor(x), dim=1).numpy(), e / e.sum(axis=1, keepdims=True), rtol=RTOL)
    np.testing.assert_allclose(
        F.log_softmax(Tensor(x), dim=-2).numpy(), np.log(e / e.sum(axis=1, keepdims=True)), rtol=RTOL
    )


def test_the_softmaxes_of_float32_rows_with_infinities_stay_float32_with_their_limits():
    # a row with +inf puts all the mass there; a row of only -inf has no limit: nan (as PyTorch)
    x = np.array([[0.0, np.inf, 1.0], [1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    y, z = F.softmax(Tensor(x), dim=1), F.log_softmax(Tensor(x), dim=1)
    assert y.dtype == z.dtype == np.float32
    e = np.exp(np.array([1.0, 2.0, 3.0]) - 3.0)
    np.testing.assert_allclose(y.numpy()[1], e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(z.numpy()[1], np.log(e / e.sum()), rtol=1e-6)
    assert y.numpy()[0].tolist() == [0.0, 1.0, 0.0] and z.numpy()[0].tolist() == [-np.inf, 0.0, -np.inf]
    assert np.isnan(y.numpy()[2]).all() and np.isnan(z.numpy()[2]).all()


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_the_softmaxes_gradients_along_one_axis_of_a_matrix_are_their_formulas(dim):
    # d softmax: y (g - sum(g y)); d log_softmax: g - softmax sum(g), the sums along dim only
    rng = np.random.default_rng(11)
    x, g = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    y = e / e.sum(axis=dim, keepdims=True)
    for fn, expected in (
        (F.softmax, y * (g - (g * y).sum(axis=dim, keepdims=True))),
        (F.log_softmax, g - y * g.sum(axis=dim, keepdims=True)),
    ):
        xt = Tensor(x, requires_grad=True)
        fn(xt, dim=dim).backward(Tensor(g))
        np.testing.assert_allclose(xt.grad.numpy(), expected, rtol=RTOL, atol=1e-15)


# --- prelu -------------------------------------------------------------------------------------


def test_prelu_of_a_1_d_input_takes_one_parameter_only():
    with pytest.raises(ValueError) as error:
        F.prelu(Tensor([1.0, -2.0]), Tensor([0.1, 0.2]))
    assert str(error.value) == (
        "PReLU: cannot apply to shapes (2,) and (2,): weight of shape (2,) must have 1 parameter "
        "or one per channel (axis 1 of the input: 1)"
    )


@pytest.mark.parametrize("needs", ["input", "weight"])
def test_prelu_gives_the_gradient_of_the_one_input_that_needs_it(needs):
    x = np.array([[1.5, -2.0, 0.5], [-0.5, 3.0, -4.0]])
    w, g = np.array([0.25, 0.5, 2.0]), np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]])
    xt, wt = Tensor(x, requires_grad=needs == "input"), Tensor(w, requires_grad=needs == "weight")
    F.prelu(xt, wt).backward(Tensor(g))
    if needs == "input":
        np.testing.assert_allclose(xt.grad.numpy(), g * np.where(x > 0, 1.0, w), rtol=RTOL)
        assert wt.grad is None
    else:
        np.testing.assert_allclose(wt.grad.numpy(), (g * np.minimum(x, 0)).sum(axis=0), rtol=RTOL)
        assert xt.grad is None


# --- celu with a small alpha -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alpha", "x", "expected"),
    [
        # x / alpha would overflow (1e400) where the derivative is 0 anyway
        (1e-200, [-1e200, -1e-200, 2.0], [0.0, np.exp(-1.0), 1.0]),
        # e^(x / alpha) overflows for x = 1 (e^1000), where the derivative is 1
        (1e-3, [-1e-3, 0.0, 1.0], [np.exp(-1.0), 1.0, 1.0]),
    ],
)
def test_celus_derivative_with_a_small_alpha_is_its_formula_without_overflow(alpha, x, expected):
    xt = Tensor(x, requires_grad=True)
    F.celu(xt, alpha=alpha).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), expected, rtol=RTOL)


# --- the normal density in float32 ---------------------------------------------------------------


def test_the_normal_density_in_float32_is_the_float64_one_rounded():
    # computed in float64 and rounded once: within an ulp of float32 out to the tail (x^2 / 2 = 50 at 10)
    x = np.linspace(-13.0, 13.0, 2601).astype(np.float32)
    got = normal_pdf_array(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    reference = np.exp(-np.square(x.astype(np.float64)) / 2) / np.sqrt(2 * np.pi)
    np.testing.assert_allclose(got, reference.astype(np.float32), rtol=1.2e-7, atol=0)
    single = normal_pdf_array(np.array(1.0, np.float32))  # a 0-d array gives a 0-d array, not a NumPy scalar
    assert isinstance(single, np.ndarray) and single.shape == () and single.dtype == np.float32


# --- softplus's beta, hardtanh's bounds, elu's alpha -------------------------------------------


@pytest.mark.parametrize(("beta", "x"), [(1e-3, [-1000.0, -5e4, 300.0]), (0.5, [30.0, 39.0, -3.0]), (2.0, [-3.0, 9.0])])
def test_softplus_and_its_derivative_are_the_formulas_below_the_threshold(beta, x):
    # below beta x = threshold (20): log(1 + e^(beta x)) / beta and sigmoid(beta x), however large |x| is
    xt = Tensor(x, requires_grad=True)
    y = F.softplus(xt, beta=beta)
    np.testing.assert_allclose(y.numpy(), np.logaddexp(0.0, beta * np.array(x)) / beta, rtol=RTOL)
    y.sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), 1 / (1 + np.exp(-beta * np.array(x))), rtol=RTOL)


def test_hardtanh_with_equal_bounds_is_that_constant_with_gradient_zero_as_pytorch():
    x = Tensor([-2.0, 0.5, 1.0, 3.0], requires_grad=True)
    y = F.hardtanh(x, 1.0, 1.0)
    y.sum().backward()
    assert y.numpy().tolist() == [1.0] * 4 and x.grad.numpy().tolist() == [0.0] * 4


def test_hardtanh_with_crossed_bounds_is_refused_naming_both():
    with pytest.raises(ValueError) as error:
        F.hardtanh(Tensor([0.0]), 2.0, 1.0)
    assert str(error.value) == "Hardtanh: cannot apply to shapes (1,): min_val (2.0) must not exceed max_val (1.0)"


def test_elu_with_a_huge_alpha_computes_no_exponential_branch_for_positive_x():
    # alpha (e^x - 1) is only for x <= 0: for x = 1 it would be 1.7 alpha, past the largest float
    y = F.elu(Tensor([1.0, -1.0]), alpha=1.5e308)
    np.testing.assert_allclose(y.numpy(), [1.0, 1.5e308 * np.expm1(-1.0)], rtol=RTOL)
