"""PyTorch's reduction arguments: dim/keepdim (NumPy's axis/keepdims as aliases, one spelling at a
time), max/min along a dim returning (values, indices), argmax/argmin, amax/amin, all/any, and
the softmaxes' dim. Forward and gradients against torch where it is installed; the gradient of
max(dim).values against central differences."""

import numpy as np
import pytest
from helpers import check_against_torch, check_grad, check_gradgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import minigrad as mg
import minigrad.functional as F
import minigrad.nn as nn
from minigrad import Tensor


@st.composite
def array_and_dim(draw, distinct=True):
    """An array of 1 to 3 dims (values 0.1 apart, distinct unless not asked), a dim and keepdim."""
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    values = st.integers(-20, 20).map(lambda k: k / 10)
    x = draw(arrays(np.float64, shape, elements=values, unique=distinct))
    return x, draw(st.integers(-len(shape), len(shape) - 1)), draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin"])
def test_dim_and_axis_spell_the_same_reduction(name):
    x = Tensor(np.arange(6.0).reshape(2, 3))
    by_dim = getattr(x, name)(dim=1, keepdim=True)
    by_axis = getattr(x, name)(axis=1, keepdims=True)
    positional = getattr(x, name)(1, True)
    np.testing.assert_array_equal(by_dim, by_axis)
    np.testing.assert_array_equal(by_dim, positional)
    assert by_dim.shape == (2, 1)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "amax", "amin"])
def test_both_spellings_at_once_are_refused(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=f"{name}: give dim .* or axis .*, not both"):
        getattr(x, name)(dim=0, axis=0)
    with pytest.raises(TypeError, match=f"{name}: give keepdim .* or keepdims .*, not both"):
        getattr(x, name)(dim=0, keepdim=True, keepdims=True)


def test_an_empty_tuple_of_dims_is_refused_since_torch_and_numpy_read_it_differently():
    with pytest.raises(ValueError, match=r"sum: dim=\(\) reduces over all dims in PyTorch and over none in NumPy"):
        Tensor(np.ones((2, 3))).sum(dim=())


def test_max_along_a_tuple_of_dims_is_refused_pointing_to_amax():
    with pytest.raises(TypeError, match=r"max: dim must be one int .*use amax\(dim=\(0, 1\)\)"):
        Tensor(np.ones((2, 3))).max(dim=(0, 1))


@given(array_and_dim(distinct=False))
def test_max_and_min_along_a_dim_give_values_and_the_first_index(case):
    x, dim, keepdim = case
    for name, arg in (("max", np.argmax), ("min", np.argmin)):
        values, indices = getattr(Tensor(x), name)(dim=dim, keepdim=keepdim)
        expected_indices = arg(x, axis=dim, keepdims=keepdim)
        assert indices.dtype == np.int64 and values.shape == expected_indices.shape
        np.testing.assert_array_equal(indices, expected_indices)
        np.testing.assert_array_equal(values, getattr(np, name)(x, axis=dim, keepdims=keepdim))


@given(array_and_dim())
def test_the_gradient_of_max_and_min_values_matches_finite_differences(case):
    x, dim, keepdim = case
    check_grad(lambda t: t.max(dim=dim, keepdim=keepdim).values, x)
    check_grad(lambda t: t.min(dim, keepdim).values, x)


@settings(max_examples=15)
@given(array_and_dim())
def test_the_second_derivative_of_max_values_matches_finite_differences(case):
    x, dim, keepdim = case
    check_gradgrad(lambda t: t.max(dim=dim, keepdim=keepdim).values * t.sum(), x)


def test_max_with_a_tensor_is_the_elementwise_maximum_as_torch_max():
    a, b = Tensor([1.0, 5.0]), Tensor([3.0, 2.0])
    np.testing.assert_array_equal(a.max(b), [3.0, 5.0])
    np.testing.assert_array_equal(a.min(b), [1.0, 2.0])


@given(array_and_dim(distinct=False))
def test_argmax_and_argmin_give_int64_first_indices(case):
    x, dim, keepdim = case
    np.testing.assert_array_equal(Tensor(x).argmax(dim=dim, keepdim=keepdim), np.argmax(x, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(Tensor(x).argmin(dim, keepdim), np.argmin(x, axis=dim, keepdims=keepdim))
    flat = Tensor(x).argmax()
    assert flat.dtype == np.int64 and flat.shape == () and flat.item() == np.argmax(x)


def test_all_and_any_reduce_to_bool_tensors():
    mask = mg.tensor([[True, False], [True, True]])
    np.testing.assert_array_equal(mask.all(dim=1), [False, True])
    np.testing.assert_array_equal(mask.any(dim=0, keepdim=True), [[True, True]])
    assert mask.all().dtype == np.bool_ and not mask.all().item()


@pytest.mark.parametrize("call", [lambda x: x.softmax(), F.softmax, lambda x: nn.Softmax()(x), F.log_softmax])
def test_a_softmax_without_dim_of_more_than_two_dims_is_refused(call):
    with pytest.raises(TypeError, match="give dim for a tensor of 3 dims"):
        call(Tensor(np.zeros((2, 3, 4))))


def test_a_softmax_without_dim_runs_along_the_last_axis_of_up_to_two_dims():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(F.softmax(x), F.softmax(x, dim=1))
    np.testing.assert_array_equal(nn.LogSoftmax()(x), x.log_softmax(dim=-1))
    np.testing.assert_array_equal(x.softmax(axis=0), x.softmax(dim=0))


# --- against torch ----------------------------------------------------------------------------


@given(array_and_dim(distinct=False))
def test_max_min_argmax_along_a_dim_match_torch_with_ties(case):
    torch = pytest.importorskip("torch")
    x, dim, keepdim = case
    for name in ("max", "min"):
        ours = getattr(Tensor(x), name)(dim=dim, keepdim=keepdim)
        theirs = getattr(torch.tensor(x), name)(dim=dim, keepdim=keepdim)
        np.testing.assert_array_equal(ours.values, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices, theirs.indices.numpy())
    np.testing.assert_array_equal(Tensor(x).argmax(dim=dim), torch.tensor(x).argmax(dim=dim).numpy())


@given(array_and_dim(distinct=False), st.sampled_from(["max", "min", "sum", "mean", "amax", "softmax"]))
def test_gradients_with_ties_match_torch(case, name):
    pytest.importorskip("torch")
    x, dim, keepdim = case
    calls = {
        "max": lambda t: t.max(dim=dim, keepdim=keepdim)[0],
        "min": lambda t: t.min(dim=dim, keepdim=keepdim)[0],
        "sum": lambda t: t.sum(dim=dim, keepdim=keepdim),
        "mean": lambda t: t.mean(dim=dim, keepdim=keepdim),
        "amax": lambda t: t.amax(dim=dim, keepdim=keepdim),
        "softmax": lambda t: t.softmax(dim=dim),
    }
    check_against_torch(calls[name], x)


def test_the_whole_max_shares_the_gradient_among_ties_as_torch():
    torch = pytest.importorskip("torch")
    values = [[1.0, 3.0], [3.0, 0.0]]
    ours, theirs = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ours.max().backward()
    theirs.max().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_bad_reduction_arguments_are_refused_naming_them():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="sum: keepdim must be a bool, got int 1"):
        x.sum(dim=0, keepdim=1)
    with pytest.raises(TypeError, match="mean: dim must be None, an int or a tuple of ints, got float 1.5"):
        x.mean(dim=1.5)
    with pytest.raises(TypeError, match="max: keepdim needs a dim"):
        x.max(keepdim=True)
    with pytest.raises(TypeError, match=r"argmax: dim must be one int or None, got \(0, 1\)"):
        x.argmax(dim=(0, 1))
    with pytest.raises(IndexError, match="argmin: dim 2 is out of range for a tensor of 2 dims"):
        x.argmin(dim=2)
    with pytest.raises(IndexError, match="max: dim -3 is out of range for a tensor of 2 dims"):
        x.max(dim=-3)


def test_a_zero_dim_tensor_has_the_one_dim_zero_as_in_torch():
    x = Tensor(5.0, requires_grad=True)
    values, indices = x.max(dim=0)
    values.backward()
    assert values.item() == 5.0 and indices.item() == 0 and x.grad.item() == 1.0
    assert Tensor(5.0).argmax(dim=-1).item() == 0 and Tensor(5.0).argmax(keepdim=True).shape == ()


def test_bad_softmax_arguments_are_refused_naming_them():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="softmax: give dim .* or axis .*, not both"):
        x.softmax(dim=0, axis=0)
    with pytest.raises(TypeError, match="log_softmax: needs a float tensor, got int64"):
        mg.tensor([1, 2]).log_softmax(dim=0)
    with pytest.raises(TypeError, match="softmax: dim must be an int, got float 0.5"):
        F.softmax(x, dim=0.5)
