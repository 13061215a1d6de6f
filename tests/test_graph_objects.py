"""What a recorded op costs in objects that Python's cyclic garbage collector tracks: a node of a
unary op (a Python number counts as no input) is its output Tensor and its Context, nothing more."""

import gc
import sys

import numpy as np
import pytest

from minigrad import Tensor

UNARY_CHAINS = {
    "relu": lambda t: t.relu(),
    "tanh": lambda t: t.tanh(),
    "neg": lambda t: -t,
    "times a number": lambda t: t * 1.0001,
    "plus a number": lambda t: t + 0.5,
    "number minus": lambda t: 0.5 - t,
    "over a number": lambda t: t / 1.0001,
    "squared": lambda t: t**2,
    "sum": lambda t: t.sum(),
}


def tracked_objects_per_op(step, n=3000):
    x = Tensor(np.full(4, 0.5), requires_grad=True)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)  # no other thread (a progress bar's monitor) allocates while we count
    try:
        gc.collect()
        before = len(gc.get_objects())
        y = x
        for _ in range(n):
            y = step(y)
        gc.collect()
        per_op = (len(gc.get_objects()) - before) / n
    finally:
        sys.setswitchinterval(switch_interval)
    assert y.requires_grad  # the chain was recorded, and y keeps it alive until here
    return per_op


@pytest.mark.parametrize("name", UNARY_CHAINS)
def test_a_recorded_unary_op_is_two_gc_tracked_objects(name):
    with np.errstate(over="ignore", under="ignore"):
        assert tracked_objects_per_op(UNARY_CHAINS[name]) <= 2.0


def test_a_python_number_is_a_parameter_of_the_op_not_an_input_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = 3 * x
    assert y.grad_fn.name == "MulScalar" and y.grad_fn.inputs == (x,)


def test_a_number_keeps_a_float32_tensor_float32_forward_and_backward():
    x = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    y = (np.float64(2.0) * x + 1) ** 2 / 3 - 0.5
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), 4 * (2 * x.numpy() + 1) / 3, rtol=1e-6)


def test_x_to_the_power_zero_has_gradient_zero_at_zero_as_pytorch():
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
