"""Reductions over axes: sum, mean, max, min (``axis=None|int|tuple``, ``keepdims``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.arrays import Axis
from minigrad.autograd import Context, Function
from minigrad.ops.numerics import locally_constant, share_of_extreme

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """The shape a reduction over ``axis`` gives with ``keepdims=True``.

    Examples
    --------
    >>> kept_shape((2, 3, 4), 1), kept_shape((2, 3, 4), (0, -1)), kept_shape((2, 3), None)
    ((2, 1, 4), (1, 3, 1), (1, 1))
    """
    if axis is None:
        return (1,) * len(shape)
    axes = np.lib.array_utils.normalize_axis_tuple(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand(grad: Tensor, x: Tensor, axis: Axis, keepdims: bool) -> Tensor:
    """The gradient of a reduction of ``x`` over ``axis``, repeated back over the reduced axes.

    NOTE: a broadcast view, not a copy: the op that receives it multiplies or sums it anyway.

    Examples
    --------
    >>> x = Tensor(np.zeros((2, 3)))
    >>> expand(Tensor([1.0, 2.0]), x, axis=1, keepdims=False)     # the gradient of x.sum(axis=1)
    Tensor([[1. 1. 1.]
            [2. 2. 2.]])
    """
    if axis is not None and not keepdims:  # put the reduced axes back, as size 1
        grad = grad.reshape(kept_shape(x.shape, axis))
    return grad.broadcast_to(x.shape)


class Sum(Function):
    """f(x) = sum of x over axis;  df/dx_i = 1 for every element summed

    NOTE: backward broadcasts the gradient back over the summed axes.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.axis, ctx.keepdims = axis, keepdims
        return x.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return expand(grad, x, ctx.axis, ctx.keepdims)


class Mean(Function):
    """f(x) = sum of x over axis / n;  df/dx_i = 1 / n, n the number of elements averaged"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.axis, ctx.keepdims = axis, keepdims
        return x.mean(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        count = x.numel() // max(grad.numel(), 1)  # elements averaged into each mean
        return expand(grad / count, x, ctx.axis, ctx.keepdims)


def _to_extremes(ctx: Context, grad: Tensor) -> Tensor:
    """Backward of max and min: the gradient goes to the elements equal to the result, and k tied
    elements get 1/k of it each (as torch.amax and torch.amin)."""
    (x,) = ctx.inputs
    kept = kept_shape(x.shape, ctx.axis)
    share = locally_constant(share_of_extreme, x, ctx.output, kept=kept, axis=ctx.axis)
    return grad.reshape(kept).broadcast_to(x.shape) * share


class Max(Function):
    """f(x) = max of x over axis;  df/dx_i = 1 for the maximum, 0 for the rest, and 1/k to each
    of k tied maxima (the gradient is shared evenly, as torch.amax)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.axis = axis
        return np.max(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return _to_extremes(ctx, grad)


class Min(Function):
    """f(x) = min of x over axis;  df/dx_i = 1 for the minimum, 0 for the rest, and 1/k to each
    of k tied minima (the gradient is shared evenly, as torch.amin)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        ctx.axis = axis
        return np.min(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return _to_extremes(ctx, grad)
