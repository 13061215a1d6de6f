"""Pooling over the windows of the spatial dimensions (N, C, *spatial), as PyTorch's max_pool2d and avg_pool2d.

The windows are the convolution's (:func:`minigrad.ops.convolution.windows`): a view, no copy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.convolution import ConvolutionTranspose, Pairs, pad_spatial, windows
from minigrad.ops.shape import ScatterAdd

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class MaxPool(Function):
    """y[n, c, p] = max over i of x_pad[n, c, p * stride + i * dilation] (padded with -inf)
    dy/dx = 1 at the window's arg max, 0 elsewhere: the gradient is routed to it (and summed where windows overlap)

    Ties go where PyTorch sends them: to the first maximum of the window in row-major order, or to its
    last NaN when it holds one (the output is then NaN). Padding never wins: a window whose inputs are
    all -inf routes to its first input.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel_size: tuple[int, ...],
        stride: tuple[int, ...],
        padding: Pairs,
        dilation: tuple[int, ...],
    ) -> np.ndarray:
        view = windows(pad_spatial(x, padding, -np.inf), kernel_size, stride, dilation)
        # NOTE: a loop over the kernel's offsets (not over pixels), each a strided view of every
        # window's tap: whole-array maximums and comparisons, much faster than a max and an argmax
        # along a short last axis of a (N, C, *out, window) copy.
        taps = [view[(Ellipsis,) + offset] for offset in np.ndindex(*kernel_size)]
        y = taps[0].copy()
        for tap in taps[1:]:
            np.maximum(y, tap, out=y)
        # the first maximum in row-major order, as PyTorch's: taps in reverse, so the first match is written last
        winner = np.full(y.shape, len(taps) - 1)
        for k in range(len(taps) - 2, -1, -1):
            winner = np.where(taps[k] == y, k, winner)
        # NOTE: two corner cases, fixed where they occur: PyTorch's loop takes a value when it is
        # larger or NaN, so a window with NaNs routes to its last NaN; and in a window of -inf
        # only, the first tap may be padding, which must never win.
        nan = np.isnan(y)
        if nan.any():
            flat = view[nan].reshape(-1, len(taps))
            winner[nan] = len(taps) - 1 - np.isnan(flat)[:, ::-1].argmax(axis=-1)
        lost = y == -np.inf
        if lost.any():
            inside = pad_spatial(np.ones((1, 1) + x.shape[2:], dtype=bool), padding, False)
            inside = np.broadcast_to(windows(inside, kernel_size, stride, dilation), view.shape)
            winner[lost] = inside[lost].reshape(-1, len(taps)).argmax(axis=-1)
        # NOTE: the flat index in x (row-major over n, c, *spatial) of each window's winner: where the
        # window starts, less the padding, plus the winning tap's offset. 1-D indices let the
        # backward's np.add.at take NumPy's fast path.
        spatial = x.shape[2:]
        rows = [math.prod(spatial[d + 1 :]) for d in range(len(spatial))]  # elements per step along each dimension
        tap_offsets = np.array(
            [sum(map(math.prod, zip(offset, dilation, rows))) for offset in np.ndindex(*kernel_size)]
        )
        index = tap_offsets[winner]
        index += np.arange(x.shape[0] * x.shape[1]).reshape(x.shape[:2] + (1,) * len(spatial)) * math.prod(spatial)
        for d, (size, s, (before, _), row) in enumerate(zip(y.shape[2:], stride, padding, rows)):
            index += ((np.arange(size) * s - before) * row).reshape((size,) + (1,) * (len(spatial) - 1 - d))
        ctx.index = index.reshape(-1)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return ScatterAdd.apply(grad.reshape(-1), shape=(x.numel(),), index=ctx.index).reshape(x.shape)


class AvgPool(Function):
    """y[n, c, p] = (1 / m_p) sum over i of x_pad[n, c, p * stride + i] (padded with 0)
    dy/dx: each output's gradient spread evenly, grad / m_p, over its window: a transposed convolution with a kernel of ones

    m_p is the size of the window (``count_include_pad``), or the number of inputs (not padding) in it.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel_size: tuple[int, ...],
        stride: tuple[int, ...],
        padding: Pairs,
        divisor: np.ndarray,
    ) -> np.ndarray:
        ctx.kernel_size, ctx.stride, ctx.padding, ctx.divisor = kernel_size, stride, padding, divisor
        ones = (1,) * len(kernel_size)
        view = windows(pad_spatial(x, padding), kernel_size, stride, ones)
        return view.sum(axis=tuple(range(x.ndim, view.ndim))) / divisor

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        n, channels = x.shape[:2]
        per_window = (grad / grad._make(ctx.divisor.astype(grad.dtype))).reshape((n * channels, 1) + grad.shape[2:])
        ones = grad._make(np.ones((1, 1) + ctx.kernel_size, dtype=grad.dtype))
        spread = ConvolutionTranspose.apply(
            per_window,
            ones,
            input_size=x.shape[2:],
            stride=ctx.stride,
            padding=ctx.padding,
            dilation=(1,) * len(ctx.kernel_size),
            groups=1,
        )
        return spread.reshape(x.shape)


def window_counts(
    spatial: tuple[int, ...],
    kernel_size: tuple[int, ...],
    stride: tuple[int, ...],
    padding: Pairs,
    dilation: tuple[int, ...],
) -> np.ndarray:
    """How many inputs (not padding) each window holds, shape (*out): avg pooling's divisor without
    ``count_include_pad``, and 0 for a window of padding only.

    Examples
    --------
    >>> from minigrad.ops.pooling import window_counts
    >>> window_counts((3,), kernel_size=(2,), stride=(2,), padding=((1, 1),), dilation=(1,))
    array([1., 2.])
    """
    ones = pad_spatial(np.ones((1, 1) + spatial), padding)
    view = windows(ones, kernel_size, stride, dilation)
    return view.sum(axis=tuple(range(2 + len(spatial), view.ndim)))[0, 0]
