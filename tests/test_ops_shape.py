"""Indexing, concatenate and stack (and the reshape family): forward against NumPy, first and
second derivatives against central differences, repeated indices, dtypes and error messages."""

import numpy as np
import pytest
from helpers import check_grad, check_gradgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, basic_indices, integer_array_indices

import minigrad as mg
from minigrad import Tensor

X = np.arange(24.0).reshape(3, 4, 2) / 7

INDICES = {
    "integer": np.s_[1],
    "negative and slice": np.s_[-1, 2:],
    "ellipsis and None": np.s_[..., None, 1],
    "steps": np.s_[::2, ::-1],
    "empty tuple": (),
    "repeated rows": np.s_[[0, 0, 2]],
    "arrays around a slice": np.s_[[0, 2], :, [1, 1]],
    "slice then array": np.s_[1:, [3, 3, 0]],
    "mask of everything": X > 1,
    "mask of rows": np.array([True, False, True]),
}


def values(shape):
    return arrays(np.float64, shape, elements=st.floats(-2, 2))


@st.composite
def indexing_case(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    index = draw(
        basic_indices(shape, allow_newaxis=True)
        | integer_array_indices(shape, result_shape=array_shapes(min_dims=0, max_dims=2, max_side=3))
        | arrays(bool, shape)
        | arrays(bool, shape[:1])
    )
    return draw(values(shape)), index


@pytest.mark.parametrize("name", INDICES)
def test_indexing_matches_numpy(name):
    np.testing.assert_array_equal(Tensor(X)[INDICES[name]].numpy(), X[INDICES[name]])


@pytest.mark.parametrize("name", INDICES)
def test_indexing_first_and_second_derivatives_match_finite_differences(name):
    check_grad(lambda x: x[INDICES[name]], X)
    check_gradgrad(lambda x: x[INDICES[name]], X)


@given(indexing_case())
def test_any_numpy_index_reads_like_numpy_and_its_gradient_matches_finite_differences(case):
    x, index = case
    np.testing.assert_array_equal(Tensor(x)[index].numpy(), x[index])
    check_grad(lambda t: t[index], x)


def test_an_element_read_twice_gets_both_gradients():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x[[0, 0, 2]] * Tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.numpy().tolist() == [11.0, 0.0, 100.0]


def test_iterating_a_tensor_gives_its_rows():
    rows = list(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert [row.numpy().tolist() for row in rows] == [[1.0, 2.0], [3.0, 4.0]]


# --- concatenate and stack ------------------------------------------------------------------------


@st.composite
def concatenate_case(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    lengths = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = [draw(values(shape[: axis % len(shape)] + (n,) + shape[axis % len(shape) + 1 :])) for n in lengths]
    return parts, axis


@st.composite
def stack_case(draw):
    shape = draw(array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    parts = draw(st.lists(values(shape), min_size=1, max_size=3))
    return parts, draw(st.integers(-len(shape) - 1, len(shape)))


@given(concatenate_case())
def test_concatenate_matches_joining_the_slices_along_the_axis(case):
    parts, axis = case
    slices = [row for part in parts for row in np.moveaxis(part, axis, 0)]
    expected = np.moveaxis(np.array(slices), 0, axis)
    np.testing.assert_array_equal(mg.concatenate([Tensor(p) for p in parts], axis=axis).numpy(), expected)


@given(stack_case())
def test_stack_matches_an_array_of_the_parts_with_its_axis_moved(case):
    parts, axis = case
    expected = np.moveaxis(np.array(parts), 0, axis)
    np.testing.assert_array_equal(mg.stack([Tensor(p) for p in parts], axis=axis).numpy(), expected)


@settings(max_examples=20)
@given(concatenate_case())
def test_concatenate_first_and_second_derivatives_match_finite_differences(case):
    parts, axis = case
    check_grad(lambda *xs: mg.concatenate(xs, axis=axis), *parts)
    check_gradgrad(lambda *xs: mg.concatenate(xs, axis=axis), *parts)


@settings(max_examples=20)
@given(stack_case())
def test_stack_first_and_second_derivatives_match_finite_differences(case):
    parts, axis = case
    check_grad(lambda *xs: mg.stack(xs, axis=axis), *parts)
    check_gradgrad(lambda *xs: mg.stack(xs, axis=axis), *parts)


# The shape ops written with the core, checked to second order at one point each.
MOVES = {
    "reshape": lambda x: x.reshape(4, 6),
    "permute": lambda x: x.permute(2, 0, 1),
    "transpose": lambda x: x.transpose(0, 2),
    "mT": lambda x: x.mT,
    "broadcast_to": lambda x: x.broadcast_to((2, 3, 4, 2)),
}


@pytest.mark.parametrize("name", MOVES)
def test_reshape_family_first_and_second_derivatives_match_finite_differences(name):
    check_grad(MOVES[name], X)
    check_gradgrad(MOVES[name], X)


SHAPE_OPS_32 = {
    "getitem": lambda x: x[[1, 1], ::-1],
    "mask": lambda x: x[x.numpy() > 1],
    "concatenate": lambda x: mg.concatenate([x, x], axis=1),
    "stack": lambda x: mg.stack([x, x], axis=-1),
}


@pytest.mark.parametrize("name", SHAPE_OPS_32)
def test_float32_input_gives_float32_output_and_gradient(name):
    x = Tensor(X[0], dtype=np.float32, requires_grad=True)
    out = SHAPE_OPS_32[name](x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index, reason",
    [(5, "index 5 is out of bounds"), ((0, 0), "too many indices"), (np.array([True, False]), "boolean index")],
)
def test_a_bad_index_raises_index_error_naming_the_index_and_the_shape(index, reason):
    with pytest.raises(IndexError, match=rf"GetItem: cannot index a tensor of shape \(3,\) with .*{reason}"):
        Tensor([1.0, 2.0, 3.0])[index]


def test_concatenating_mismatched_shapes_names_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"Concatenate: .*\(2, 3\) and \(2, 4\)"):
        mg.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))], axis=0)


def test_stacking_mismatched_shapes_names_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"Stack: .*\(2,\) and \(3,\)"):
        mg.stack([Tensor(np.ones(2)), Tensor(np.ones(3))])


def test_concatenating_along_a_missing_axis_names_the_axis():
    with pytest.raises(ValueError, match=r"Concatenate: .*\(2,\).*axis 1 is out of bounds"):
        mg.concatenate([Tensor(np.ones(2)), Tensor(np.ones(2))], axis=1)


@pytest.mark.parametrize(
    ("shape", "error", "message"),
    [
        ((-2,), ValueError, "reshape: shape[0] must be an integer >= -1, got -2"),
        ((2, -3), ValueError, "reshape: shape[1] must be an integer >= -1, got -3"),
        ((2.0, 3), TypeError, "reshape: shape[0] must be an integer >= -1, got float 2.0"),
        ((True, 6), TypeError, "reshape: shape[0] must be an integer >= -1, got bool True"),
    ],
)
def test_reshape_and_view_refuse_a_length_pytorch_refuses_naming_it(shape, error, message):
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    for method in (x.reshape, x.view):
        with pytest.raises(error) as raised:
            method(*shape)
        assert str(raised.value) == message
