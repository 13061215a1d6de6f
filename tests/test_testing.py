"""minigrad.testing: its strategies draw what they promise; check_gradients finds wrong gradients."""

import doctest
import subprocess
import sys

import numpy as np
import pytest
from helpers import Cube, DetachedCube, WrongCube
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad.testing
from minigrad import Function, GradcheckError, Tensor
from minigrad.testing import away_from, broadcastable_shapes, check_gradients, shapes, tensors


class ReLU(Function):
    """relu(x) = max(x, 0);  relu'(x) = 1 if x > 0 else 0"""

    @staticmethod
    def forward(ctx, x):
        return np.maximum(x, 0.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * Tensor(x.numpy() > 0)


# --- strategies ------------------------------------------------------------------------------


@settings(max_examples=30)
@given(tensors(shape=(2, 3), dtype=np.float32, min_value=-1.0, max_value=0.5, avoid=[0.0], min_distance=0.1))
def test_tensors_respect_shape_dtype_range_and_avoided_points(x):
    assert isinstance(x, Tensor) and x.requires_grad and x.is_leaf
    assert x.shape == (2, 3) and x.dtype == np.float32
    assert np.all((x.numpy() >= -1.0) & (x.numpy() <= 0.5)) and np.all(np.abs(x.numpy()) >= 0.1)


@settings(max_examples=30)
@given(
    tensors(shape=shapes(min_dims=1, max_dims=2), dtype=st.sampled_from([np.float32, np.float64]), requires_grad=False)
)
def test_tensors_draw_shape_and_dtype_from_strategies(x):
    assert 1 <= x.ndim <= 2 and x.dtype in (np.float32, np.float64) and not x.requires_grad
    assert np.all(np.isfinite(x.numpy()))


@settings(max_examples=10)
@given(tensors(shape=4, requires_grad=False))
def test_tensors_take_an_int_shape(x):
    assert x.shape == (4,)


@settings(max_examples=30)
@given(tensors())
def test_tensors_default_to_small_float64_arrays_of_any_rank(x):
    assert x.dtype == np.float64 and x.ndim <= 3 and max(x.shape, default=1) <= 3


@settings(max_examples=50)
@given(broadcastable_shapes(num_shapes=3))
def test_broadcastable_shapes_broadcast_together(drawn):
    assert len(drawn) == 3
    np.broadcast_shapes(*drawn)


@settings(max_examples=50)
@given(away_from([-1.0, 0.0, 1.0], min_distance=0.05, min_value=-2.0, max_value=2.0))
def test_away_from_keeps_its_distance_from_every_point(v):
    assert -2.0 <= v <= 2.0 and min(abs(v - p) for p in (-1.0, 0.0, 1.0)) >= 0.05


@settings(max_examples=30)
@given(away_from(min_value=0.1, max_value=0.3, width=32))
def test_away_from_rounds_float32_bounds_inwards(v):
    assert 0.1 <= v <= 0.3 and np.float32(v) == v


# --- check_gradients -------------------------------------------------------------------------


def test_check_gradients_passes_a_correct_function_to_second_order():
    check_gradients(Cube.apply, max_examples=10)


def test_check_gradients_passes_a_binary_op_with_broadcast_shapes():
    check_gradients(lambda x, y: x * y / (y * y + 1.0), num_inputs=2, max_examples=10)


def test_check_gradients_takes_shapes_and_strategies_and_warns_of_a_float32_input():
    with pytest.warns(UserWarning, match="gradcheck: input 1 is float32"):
        check_gradients(lambda a, b: a @ b, (2, 3), tensors(shape=(3,), dtype=np.float32), max_examples=5)


def test_check_gradients_passes_a_kinked_op_kept_away_from_its_kink():
    check_gradients(ReLU.apply, avoid=[0.0], max_examples=10)


def test_check_gradients_raises_with_the_falsifying_example():
    with pytest.raises(GradcheckError, match=r"^gradcheck: input 0, element") as caught:
        check_gradients(WrongCube.apply, max_examples=10)
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "Tensor(" in notes


def test_check_gradients_catches_a_lost_second_derivative_only_at_order_two():
    check_gradients(DetachedCube.apply, order=1, max_examples=10)
    with pytest.raises(GradcheckError, match="^gradgradcheck"):
        check_gradients(DetachedCube.apply, order=2, max_examples=10)


def test_check_gradients_rejects_an_unknown_order():
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        check_gradients(Cube.apply, order=3)


@pytest.mark.skipif(not hasattr(Tensor, "relu"), reason="Tensor.relu is not written yet")
def test_check_gradients_on_the_library_relu_as_in_the_docstring():
    check_gradients(lambda x: x.relu(), avoid=[0.0], max_examples=10)


def test_the_module_docstring_example_runs():
    assert doctest.testmod(minigrad.testing).failed == 0


# --- Hypothesis stays optional ---------------------------------------------------------------


def test_minigrad_imports_without_hypothesis_and_only_minigrad_testing_needs_it():
    program = """
import sys
sys.modules["hypothesis"] = None  # NOTE: makes `import hypothesis` raise ImportError
import minigrad
x = minigrad.Tensor([1.0, 2.0], requires_grad=True)
assert minigrad.gradcheck(lambda x: x * x, x) and minigrad.gradgradcheck(lambda x: x * x * x, x)
try:
    import minigrad.testing
except ImportError as error:
    print(error)
else:
    raise SystemExit("minigrad.testing imported without Hypothesis")
"""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "minigrad.testing needs Hypothesis: pip install hypothesis" in result.stdout
