"""Reductions (sum, mean, amax, amin: the ops Sum, Mean, Max, Min) over axis=None|int|tuple with keepdims: forward against
row-wise formulas, first and second derivatives against central differences, dtypes, how ties
share the gradient, and bad axes."""

import numpy as np
import pytest
from helpers import check_grad, check_gradgrad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from minigrad import Tensor

# name: (what each row of reduced elements becomes). Max and min rows come from a sort.
REDUCTIONS = {
    "sum": lambda rows: np.add.reduce(rows, axis=-1),
    "mean": lambda rows: np.add.reduce(rows, axis=-1) / rows.shape[-1],
    "amax": lambda rows: np.sort(rows, axis=-1)[..., -1],
    "amin": lambda rows: np.sort(rows, axis=-1)[..., 0],
}
OP_NAMES = {"sum": "Sum", "mean": "Mean", "amax": "Max", "amin": "Min"}


def reduce_reference(a, axis, keepdims, reduce_rows):
    """Move the reduced axes last, flatten them into rows, reduce each row."""
    axes = tuple(range(a.ndim)) if axis is None else tuple(int(i) % a.ndim for i in np.atleast_1d(axis))
    rest = [i for i in range(a.ndim) if i not in axes]
    rows = np.transpose(a, rest + list(axes)).reshape([a.shape[i] for i in rest] + [-1])
    out = reduce_rows(rows)
    return out.reshape([1 if i in axes else n for i, n in enumerate(a.shape)]) if keepdims else out


@st.composite
def reduction_case(draw):
    """An array of distinct values 0.1 apart (no ties), an axis argument and keepdims."""
    shape = draw(array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    values = st.integers(-50, 50).map(lambda k: k / 10)
    x = draw(arrays(np.float64, shape, elements=values, unique=True))
    axis = st.none()
    if shape:
        one = st.integers(-len(shape), len(shape) - 1)
        axis = axis | one | st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True).map(tuple)
    return x, draw(axis), draw(st.booleans())


def reducer(name, axis, keepdims):
    return lambda x: getattr(x, name)(axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(reduction_case())
def test_forward_matches_reducing_rows(name, case):
    x, axis, keepdims = case
    out = reducer(name, axis, keepdims)(Tensor(x))
    expected = reduce_reference(x, axis, keepdims, REDUCTIONS[name])
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(reduction_case())
def test_gradient_matches_finite_differences(name, case):
    x, axis, keepdims = case
    check_grad(reducer(name, axis, keepdims), x)


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=15)
@given(reduction_case())
def test_second_derivative_matches_finite_differences(name, case):
    x, axis, keepdims = case
    check_gradgrad(reducer(name, axis, keepdims), x)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_float32_input_gives_float32_output_and_gradient(name, axis):
    x = Tensor(np.arange(6.0).reshape(2, 3), dtype=np.float32, requires_grad=True)
    out = reducer(name, axis, False)(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


# --- ties share the gradient evenly, as torch.amax and torch.amin ------------------------------


def grad_of(name, values, **kwargs):
    x = Tensor(values, requires_grad=True)
    getattr(x, name)(**kwargs).sum().backward()
    return x.grad.numpy().tolist()


def test_max_splits_the_gradient_evenly_among_tied_maxima():
    assert grad_of("max", [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert grad_of("max", [2.0, 2.0, 2.0, 2.0]) == [0.25] * 4


def test_min_splits_the_gradient_evenly_among_tied_minima():
    assert grad_of("min", [0.0, 3.0, 0.0]) == [0.5, 0.0, 0.5]


def test_ties_are_shared_within_each_reduced_row_only():
    values = [[1.0, 1.0, 0.0], [5.0, 4.0, 5.0]]
    assert grad_of("amax", values, axis=1) == [[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]]
    assert grad_of("amax", values, axis=0, keepdims=True) == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    assert grad_of("max", values) == [[0.0, 0.0, 0.0], [0.5, 0.0, 0.5]]


def test_mean_gives_each_element_one_over_the_count():
    assert grad_of("mean", [[1.0, 2.0], [3.0, 4.0]]) == [[0.25, 0.25], [0.25, 0.25]]
    assert grad_of("mean", [[1.0, 2.0], [3.0, 4.0]], axis=0) == [[0.5, 0.5], [0.5, 0.5]]


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REDUCTIONS)
def test_an_axis_out_of_range_names_the_op_the_shape_and_the_axis(name):
    with pytest.raises(ValueError, match=rf"{OP_NAMES[name]}: .*\(2, 3\).*axis 2 is out of bounds"):
        getattr(Tensor(np.ones((2, 3))), name)(axis=2)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_of_an_empty_tensor_name_the_op(name):
    with pytest.raises(ValueError, match=rf"{name.capitalize()}: .*\(0,\).*zero-size"):
        getattr(Tensor(np.ones(0)), name)()
