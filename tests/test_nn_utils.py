"""nn.utils: gradient clipping by norm and by value, and functional_call."""

import math

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor
from minigrad.nn.utils import clip_grad_norm_, clip_grad_value_, functional_call


def with_grads(*grads):
    params = [nn.Parameter(np.zeros_like(np.asarray(g, dtype=float))) for g in grads]
    for p, g in zip(params, grads):
        p.grad = Tensor(g)
    return params


def test_clip_grad_norm_scales_all_gradients_together():
    params = with_grads([3.0, 0.0], [[4.0]])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(params[1].grad.numpy(), [[0.8]], rtol=1e-5)


def test_clip_grad_norm_leaves_small_gradients_and_supports_inf_norm():
    params = with_grads([0.3, -0.4])
    assert clip_grad_norm_(params, max_norm=1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.numpy(), [0.3, -0.4])
    params = with_grads([1.0, -4.0], [2.0])
    assert clip_grad_norm_(params, 2.0, norm_type=math.inf).item() == 4.0
    np.testing.assert_allclose(params[0].grad.numpy(), [0.5, -2.0], rtol=1e-5)
    assert clip_grad_norm_([nn.Parameter([1.0])], 1.0).item() == 0.0


def test_clip_grad_value_clips_each_element():
    params = with_grads([-3.0, 0.5, 2.0])
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.5, 1.0])


def test_functional_call_uses_the_given_tensors_and_restores_the_module():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Linear(2, 1, rng=1))
    weight = model[1].weight
    w = Tensor([[1.0, -1.0]], requires_grad=True)
    out = functional_call(model, {"1.weight": w}, Tensor([[1.0, 2.0]]))
    hidden = model[0](Tensor([[1.0, 2.0]])).numpy()
    np.testing.assert_allclose(out.numpy(), hidden @ w.numpy().T + model[1].bias.numpy())
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), hidden)
    assert model[1].weight is weight and weight.grad is None
    with pytest.raises(KeyError, match="no parameters \\['2.weight'\\]"):
        functional_call(model, {"2.weight": w}, Tensor([[1.0, 2.0]]))
