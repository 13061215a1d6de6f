"""Tensor's operators with the tensor on either side, its comparisons, truth value and conversions."""

import operator

import numpy as np
import pytest

from minigrad import Tensor
from minigrad.ops.arithmetic import Add


def test_a_number_to_the_power_of_a_tensor_differentiates_in_the_exponent():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = 2.0**x
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), [2.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [2.0 * np.log(2.0), 4.0 * np.log(2.0)])


def test_an_array_on_the_left_of_at_gives_a_tensor_and_a_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    m = np.array([[1.0, 0.0], [3.0, 1.0]])
    y = m @ x
    y.sum().backward()
    np.testing.assert_allclose(y.numpy(), [1.0, 5.0])
    np.testing.assert_allclose(x.grad.numpy(), m.sum(axis=0))


def test_unary_plus_is_the_tensor_itself():
    x = Tensor([1.0, -2.0], requires_grad=True)
    assert +x is x


@pytest.mark.parametrize(
    "compare, expected",
    [
        (operator.ne, [True, False, True]),
        (operator.lt, [True, False, False]),
        (operator.le, [True, True, False]),
        (operator.ge, [False, True, True]),
    ],
)
def test_every_comparison_gives_a_bool_tensor_without_a_graph(compare, expected):
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    result = compare(x, Tensor(0.0))
    assert isinstance(result, Tensor) and result.dtype == bool
    assert result.grad_fn is None and not result.requires_grad
    np.testing.assert_array_equal(np.asarray(result), expected)


def test_a_one_element_tensor_has_a_truth_value():
    assert bool(Tensor([3.0])) and not bool(Tensor(0.0))


def test_a_tensor_made_from_a_tensor_has_its_values_and_no_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor(x * 2)
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0])
    assert not y.requires_grad and y.grad_fn is None


def test_an_op_makes_tensors_of_arrays_and_numbers_beside_a_tensor():
    y = Add.apply(Tensor([1.0, 2.0]), 1.5)
    assert isinstance(y, Tensor) and not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), [2.5, 3.5])
    source = np.ones(2)
    z = Add.apply(source, Tensor([1.0, 1.0], requires_grad=True))
    source[:] = 5.0  # the graph holds a copy of the caller's array
    np.testing.assert_array_equal(z.grad_fn.inputs[0].numpy(), [1.0, 1.0])


def test_an_op_with_no_tensor_among_its_inputs_says_so():
    with pytest.raises(TypeError, match=r"Add.apply: at least one input must be a Tensor"):
        Add.apply(np.ones(2), 1.5)
