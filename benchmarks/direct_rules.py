"""minigrad with backward rules that call NumPy directly: the price of differentiable rules.

Every minigrad backward rule is a Tensor expression, so that with ``create_graph=True`` it is
recorded and can be differentiated again; without it, each of its ops still goes through
:meth:`Function.apply`. The ops here have the same forward as minigrad's, but backward rules
written on the arrays and wrapped into Tensors once at the end: the same engine, the same walk,
no second derivatives. Timing ``loss.backward()`` on both says what the Tensor-op rules cost.
Benchmark-only: nothing in minigrad uses this file.
"""

from __future__ import annotations

from minigrad import Tensor
from minigrad.ops import arithmetic, losses, numerics, relu_family, sigmoid_family


def _wrap(*arrays):
    return tuple(None if a is None else Tensor._make(a) for a in arrays)


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
        return _wrap(grad._data * numerics.sech2_array(x._data))


class Sigmoid(sigmoid_family.Sigmoid):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return _wrap(grad._data * numerics.sigmoid_derivative_array(x._data))


class ReLU(relu_family.ReLU):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return _wrap(grad._data * (x._data > 0))


class SquaredError(losses.SquaredError):
    @staticmethod
    def backward(ctx, grad):
        x, target = ctx.inputs
        scale = 2 / x.numel() if ctx.reduction == "mean" else 2
        grad_x = (x._data - target._data) * (grad._data * scale)
        return _wrap(grad_x if ctx.needs_input_grad[0] else None, -grad_x if ctx.needs_input_grad[1] else None)


ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}


def mse_loss(out: Tensor, target: Tensor) -> Tensor:
    return SquaredError.apply(out, target)


def forward(params: list, x: Tensor, target: Tensor, activation: str) -> Tensor:
    """The MLP and its mean squared error, built from the ops above. ``params``: (W, b) Tensors."""
    h = x
    for i, (w, b) in enumerate(params):
        h = Linear.apply(h, w, b)
        if i < len(params) - 1:
            h = ACTIVATIONS[activation].apply(h)
    return mse_loss(h, target)
