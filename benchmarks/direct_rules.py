"""minigrad with backward rules that call NumPy directly: the price of differentiable rules.

Every minigrad backward rule is a Tensor expression, so that with ``create_graph=True`` it is
recorded and can be differentiated again; without it, each of its ops still goes through
:meth:`Function.apply`. The ops here have the same forward as minigrad's, but backward rules
written on the arrays and wrapped into Tensors once at the end: the same engine, the same walk,
no second derivatives. Timing ``loss.backward()`` on both says what the Tensor-op rules cost.
Benchmark-only: nothing in minigrad uses this file.
"""

from __future__ import annotations

import numpy as np

from minigrad import Tensor
from minigrad.ops import arithmetic, reductions, relu_family, sigmoid_family


def _wrap(*arrays):
    return tuple(None if a is None else Tensor._make(a) for a in arrays)


def _sum_to(array, shape):
    """Sum a broadcast gradient back to ``shape`` (the array version of autograd.unbroadcast)."""
    if array.shape == shape:
        return array
    extra = array.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and array.shape[extra + i] != 1)
    return array.sum(axis=axes).reshape(shape)


class Linear(arithmetic.Linear):
    @staticmethod
    def backward(ctx, grad):
        g = grad._data
        x, weight, bias = (t._data for t in ctx.inputs)
        needs = ctx.needs_input_grad
        return _wrap(
            g @ weight if needs[0] else None, g.T @ x if needs[1] else None, g.sum(axis=0) if needs[2] else None
        )


class Tanh(sigmoid_family.Tanh):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return _wrap(grad._data * sigmoid_family.Sech2.forward(None, x._data))


class Sigmoid(sigmoid_family.Sigmoid):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return _wrap(grad._data * sigmoid_family.SigmoidDerivative.forward(None, x._data))


class ReLU(relu_family.ReLU):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return _wrap(grad._data * (x._data > 0))


class Sub(arithmetic.Sub):
    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        g = grad._data
        return _wrap(
            _sum_to(g, x.shape) if ctx.needs_input_grad[0] else None,
            -_sum_to(g, y.shape) if ctx.needs_input_grad[1] else None,
        )


class Mul(arithmetic.Mul):
    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        g = grad._data
        return _wrap(
            _sum_to(g * y._data, x.shape) if ctx.needs_input_grad[0] else None,
            _sum_to(g * x._data, y.shape) if ctx.needs_input_grad[1] else None,
        )


class Mean(reductions.Mean):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        assert ctx.axis is None, "the benchmark only takes full means"
        return _wrap(np.broadcast_to(grad._data / x.size, x.shape))


ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}


def mse_loss(out: Tensor, target: Tensor) -> Tensor:
    diff = Sub.apply(out, target)
    return Mean.apply(Mul.apply(diff, diff))


def forward(params: list, x: Tensor, target: Tensor, activation: str) -> Tensor:
    """The MLP and its mean squared error, built from the ops above. ``params``: (W, b) Tensors."""
    h = x
    for i, (w, b) in enumerate(params):
        h = Linear.apply(h, w, b)
        if i < len(params) - 1:
            h = ACTIVATIONS[activation].apply(h)
    return mse_loss(h, target)
