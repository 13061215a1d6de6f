"""Reductions over axes: sum, mean, max, min (``axis=None|int|tuple``, ``keepdims``)."""

import numpy as np

from minigrad.autograd import Function


def kept_shape(shape: tuple, axis) -> tuple:
    """The shape a reduction over ``axis`` gives with ``keepdims=True``."""
    if axis is None:
        return (1,) * len(shape)
    axes = np.lib.array_utils.normalize_axis_tuple(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """f(x) = sum of x over axis;  df/dx_i = 1 for every element summed

    NOTE: backward broadcasts the gradient back over the summed axes.
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axis = axis
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad.reshape(kept_shape(x.shape, ctx.axis)).broadcast_to(x.shape)
