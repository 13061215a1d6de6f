"""The fused loss ops: first and second derivatives against central differences on Hypothesis
draws, for every reduction, with respect to both the input and the target."""

import numpy as np
import pytest

import minigrad.functional as F
from minigrad import Tensor
from minigrad.ops.regression import SquaredError
from minigrad.testing import check_gradients


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 3)])
def test_squared_error_gradients_of_input_and_target_to_second_order(shape, reduction):
    check_gradients(lambda x, t: F.mse_loss(x, t, reduction=reduction), shape, shape, max_examples=10)


def test_mse_loss_is_one_squared_error_node():
    loss = F.mse_loss(Tensor([1.0, 2.0], requires_grad=True), [0.0, 0.0])
    assert loss.grad_fn.function is SquaredError
    assert loss.grad_fn.inputs[0].grad_fn is None


def test_squared_error_keeps_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    loss = F.mse_loss(x, np.zeros(3, np.float32))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
