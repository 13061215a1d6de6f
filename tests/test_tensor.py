"""Tensor construction, dtypes, facts, repr, in-place writes."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor


@pytest.mark.parametrize(
    "data, shape",
    [
        (3, ()),
        (2.5, ()),
        (True, ()),
        ([1, 2, 3], (3,)),
        ([[1.0, 2.0], [3.0, 4.0]], (2, 2)),
        (np.arange(6).reshape(2, 3), (2, 3)),
    ],
)
def test_builds_float64_from_numbers_lists_and_arrays(data, shape):
    t = Tensor(data)
    assert t.dtype == np.float64 and t.shape == shape and t.ndim == len(shape)


def test_float32_array_stays_float32_and_dtype_argument_converts():
    assert Tensor(np.ones(3, np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(3, np.float32), dtype="float64").dtype == np.float64


def test_float32_is_preserved_through_ops_with_python_numbers_and_backward():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = ((x * 2 + 1) / 3 - 0.5) ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "data, message",
    [
        ("abc", "cannot make a tensor from str"),
        (b"abc", "cannot make a tensor from bytes"),
        ([[1, 2], [3]], "rectangular"),
        (np.array([1, None], dtype=object), "real numbers"),
        (1 + 2j, "real numbers"),
        (np.array([1 + 1j]), "real numbers"),
        ({"a": 1}, "cannot make a tensor from dict"),
        (None, "cannot make a tensor from NoneType"),
    ],
)
def test_refuses_what_is_not_a_real_array(data, message):
    with pytest.raises((TypeError, ValueError), match=message):
        Tensor(data)


def test_refuses_dtypes_a_tensor_cannot_hold_naming_them():
    with pytest.raises(TypeError, match="dtype must be one of float64, float32, int64, int32, bool, got float16"):
        Tensor([1, 2], dtype=np.float16)


def test_item_numpy_detach():
    x = Tensor([[2.0]], requires_grad=True)
    assert x.item() == 2.0 and isinstance(x.item(), float)
    assert x.data.numpy() is x.numpy()
    d = (x * 3).detach()
    assert d.is_leaf and not d.requires_grad and d.item() == 6.0
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_repr_shows_data_grad_and_op():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1. 2.], requires_grad=True)"
    y = (x * x).sum()
    assert repr(y) == "Tensor(5., grad_fn=<Sum>)"
    y.backward()
    assert repr(x) == "Tensor([1. 2.], requires_grad=True, grad=[2. 4.])"
    assert "dtype=float32" in repr(Tensor(np.float32(1)))


def test_comparisons_give_boolean_arrays():
    x = Tensor([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(x > 0, [False, False, True])
    np.testing.assert_array_equal(x == 0, [False, True, False])


def test_numpy_arrays_on_the_left_give_tensors():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor) and y.requires_grad


def test_in_place_update_under_no_grad_changes_data_and_counts_a_version():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with mg.no_grad():
        w.sub_(Tensor([0.5, 0.5]))
        w.mul_(2)
        w[0] = 10.0
    np.testing.assert_array_equal(w.numpy(), [10.0, 3.0])
    assert w._version == 3


def test_in_place_update_of_a_tensor_that_requires_grad_is_refused_while_recording():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_.*no_grad"):
        w.add_(1.0)
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_failed_in_place_write_changes_nothing():
    w = Tensor([1.0, 2.0])
    with pytest.raises(ValueError):
        w.add_(np.ones((3, 2)))
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])
    assert w._version == 0
