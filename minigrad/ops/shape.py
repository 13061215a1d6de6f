"""Ops that move elements without changing them: reshape, transpose, broadcast_to, indexing,
concatenate and stack. Each backward moves the gradient back the same way."""

import numpy as np

from minigrad.autograd import Function, unbroadcast


class Reshape(Function):
    """f(x) = x with a new shape;  the gradient is reshaped back"""

    @staticmethod
    def forward(ctx, x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad.reshape(x.shape)


class Transpose(Function):
    """f(x) = x with its axes permuted;  the gradient is permuted back"""

    @staticmethod
    def forward(ctx, x, axes=None):
        ctx.axes = tuple(range(x.ndim))[::-1] if axes is None else axes
        return np.transpose(x, ctx.axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(tuple(np.argsort(ctx.axes)))


class BroadcastTo(Function):
    """f(x) = x repeated along broadcast axes;  the gradient is summed over them"""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return unbroadcast(grad, x.shape)
