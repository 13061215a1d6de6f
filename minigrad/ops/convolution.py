"""Convolution (cross-correlation, as PyTorch's conv1d and conv2d) over any number of spatial dimensions.

A convolution y = conv(x, w) is linear in x and linear in w, so its backward is two more linear maps,
and the three ops here are each other's derivatives (this is what makes second derivatives work):

- :class:`Convolution`          y     = conv(x, w)            grad_x = conv_transpose(grad, w), grad_w = conv_weight(x, grad)
- :class:`ConvolutionTranspose` x_bar = conv_transpose(g, w)  (the adjoint of y = conv(x, w) in x)
- :class:`ConvolutionWeight`    w_bar = conv_weight(x, g)     (the adjoint of y = conv(x, w) in w)

Shapes are PyTorch's: x (N, C, *spatial), w (C_out, C / groups, *kernel), y (N, C_out, *out). Each
output position p of a channel in group k reads the window x_pad[n, k's channels, p * stride + i * dilation]
for each kernel offset i. ``padding`` is one (before, after) pair of zeros per spatial dimension.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad.autograd import Context, Function

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

Pairs = tuple[tuple[int, int], ...]


def output_size(size: int, kernel: int, stride: int, padding: tuple[int, int], dilation: int) -> int:
    """How many windows fit along one spatial dimension: floor((size + pads - dilation (kernel - 1) - 1) / stride) + 1.

    Examples
    --------
    >>> from minigrad.ops.convolution import output_size
    >>> output_size(5, kernel=3, stride=2, padding=(1, 1), dilation=1)
    3
    """
    return (size + padding[0] + padding[1] - dilation * (kernel - 1) - 1) // stride + 1


def windows(
    x_padded: np.ndarray, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> np.ndarray:
    """A view (N, C, *out, *kernel) of every window of an already padded (N, C, *spatial) array: no copy.

    Examples
    --------
    >>> from minigrad.ops.convolution import windows
    >>> windows(np.arange(5.0).reshape(1, 1, 5), kernel=(2,), stride=(2,), dilation=(1,))[0, 0]
    array([[0., 1.],
           [2., 3.]])
    """
    # NOTE: offset i of window p sits at p * stride + i * dilation, so one strided view holds them
    # all: along p the array's stride times ``stride``, along i times ``dilation``.
    extents = (d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    out = tuple((size - e) // s + 1 for size, e, s in zip(x_padded.shape[2:], extents, stride))
    steps = x_padded.strides[2:]
    return as_strided(
        x_padded,
        shape=x_padded.shape[:2] + out + tuple(kernel),
        strides=x_padded.strides[:2]
        + tuple(t * s for t, s in zip(steps, stride))
        + tuple(t * d for t, d in zip(steps, dilation)),
        writeable=False,
    )


def pad_spatial(x: np.ndarray, padding: Pairs, value: float = 0.0) -> np.ndarray:
    """x (N, C, *spatial) with ``padding`` (a (before, after) pair per spatial dimension) of ``value`` around its spatial dimensions.

    Examples
    --------
    >>> from minigrad.ops.convolution import pad_spatial
    >>> pad_spatial(np.ones((1, 1, 2)), ((1, 0),), value=-np.inf)
    array([[[-inf,   1.,   1.]]])
    """
    if not any(before or after for before, after in padding):
        return x
    spatial = tuple(size + before + after for size, (before, after) in zip(x.shape[2:], padding))
    padded = np.full(x.shape[:2] + spatial, value, dtype=x.dtype)
    padded[(...,) + tuple(slice(before, before + size) for size, (before, _) in zip(x.shape[2:], padding))] = x
    return padded


def _grouped_windows(
    x: np.ndarray,
    kernel: tuple[int, ...],
    padding: Pairs,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    groups: int,
) -> np.ndarray:
    """The windows of x_pad with the channels split into groups, (N, groups, C / groups, *out, *kernel): a view."""
    view = windows(np.moveaxis(_batch_last(x, padding), -1, 0), kernel, stride, dilation)
    return view.reshape((x.shape[0], groups, x.shape[1] // groups) + view.shape[2:])


def _batch_last(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """x (N, C, *spatial) copied to (C, *padded, N), the batch axis last, with ``padding`` zeros around each spatial dimension."""
    n, channels = x.shape[:2]
    padded = np.zeros((channels,) + tuple(s + a + b for s, (a, b) in zip(x.shape[2:], padding)) + (n,), x.dtype)
    # NOTE: through a copy (C, N, *spatial): moving N last straight from x reads at a stride of
    # C * spatial numbers, often a power of two in bytes, where each read evicts the last (~6x slower).
    by_channel = np.ascontiguousarray(np.swapaxes(x, 0, 1))
    middle = tuple(slice(a, a + s) for s, (a, _) in zip(x.shape[2:], padding))
    padded[(slice(None),) + middle] = np.moveaxis(by_channel, 1, -1)
    return padded


def _columns(view: np.ndarray) -> np.ndarray:
    """The grouped windows (N, G, C / G, *out, *kernel) as matrices (G, C / G * kernel, out * N).

    This is the copy of the input that makes a convolution one matrix product ("im2col"): each window
    becomes a column, so that a product with the kernels (a BLAS call) does every window's sum at once.
    """
    groups, channels = view.shape[1:3]
    spatial = (view.ndim - 3) // 2
    out, kernel = range(3, 3 + spatial), range(3 + spatial, view.ndim)
    rows = channels * math.prod(view.shape[3 + spatial :])
    # NOTE: (c, i) outermost and (p, n) innermost. x_pad has the batch last in memory
    # (_batch_last), so the copy reads runs of out[-1] * N numbers, not of out[-1] alone.
    return view.transpose((1, 2, *kernel, *out, 0)).reshape(groups, rows, -1)


def _correlate(
    x: np.ndarray, w: np.ndarray, padding: Pairs, stride: tuple[int, ...], dilation: tuple[int, ...], groups: int
) -> np.ndarray:
    """y[n, (k, o), p] = sum over c, i of x_pad[n, (k, c), p * stride + i * dilation] w[(k, o), c, i], for each group k."""
    n, out_channels = x.shape[0], w.shape[0]
    view = _grouped_windows(x, w.shape[2:], padding, stride, dilation, groups)
    out = view.shape[3 : 3 + x.ndim - 2]
    # (G, O / G, C / G * kernel) @ (G, C / G * kernel, out * N) -> (G, O / G, out * N)
    y = w.reshape(groups, out_channels // groups, -1) @ _columns(view)
    y = y.reshape((groups, out_channels // groups) + out + (n,))
    return np.moveaxis(y, -1, 0).reshape((n, out_channels) + out)  # a view: (N, O, *out), the batch last in memory


def _params(ctx: Context) -> dict[str, Any]:
    return {"stride": ctx.stride, "padding": ctx.padding, "dilation": ctx.dilation, "groups": ctx.groups}


def _save(ctx: Context, stride: tuple[int, ...], padding: Pairs, dilation: tuple[int, ...], groups: int) -> None:
    ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups


class Convolution(Function):
    """y[n, o, p] = b[o] + sum over c, i of x_pad[n, c, p * stride + i * dilation] w[o, c, i] (c in o's group)
    dy/dx: grad_x = conv_transpose(grad, w);  dy/dw: grad_w = conv_weight(x, grad);  dy/db: grad summed over n, p
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        *,
        stride: tuple[int, ...],
        padding: Pairs,
        dilation: tuple[int, ...],
        groups: int,
    ) -> np.ndarray:
        _save(ctx, stride, padding, dilation, groups)
        y = _correlate(x, weight, padding, stride, dilation, groups)
        if bias is not None:
            y += bias.reshape((-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.inputs[:2]
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = ConvolutionTranspose.apply(grad, weight, input_size=x.shape[2:], **_params(ctx))
        if ctx.needs_input_grad[1]:
            grad_w = ConvolutionWeight.apply(x, grad, kernel_size=weight.shape[2:], **_params(ctx))
        if len(ctx.inputs) == 2:
            return grad_x, grad_w
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(axis=(0,) + tuple(range(2, grad.ndim)))
        return grad_x, grad_w, grad_b


class ConvolutionTranspose(Function):
    """f(g, w) = conv_transpose(g, w): the x_bar with <x_bar, v> = <g, conv(v, w)> for every v (x_bar: x's shape)
    df/dg: grad_g = conv(grad, w);  df/dw: grad_w = conv_weight(grad, g)

    It is itself a correlation, the one that carries a convolution's gradient back: spread g out
    (stride - 1 zeros between its entries), pad it by dilation (kernel - 1) on each side, and correlate
    it with the kernel flipped in space and its two channel axes swapped (in each group). That gives
    x_pad's gradient; x's is its middle, so the padding around g is made smaller by x's own padding and
    the positions cut off are never computed.
    """

    @staticmethod
    def forward(
        ctx: Context,
        g: np.ndarray,
        weight: np.ndarray,
        *,
        input_size: tuple[int, ...],
        stride: tuple[int, ...],
        padding: Pairs,
        dilation: tuple[int, ...],
        groups: int,
    ) -> np.ndarray:
        _save(ctx, stride, padding, dilation, groups)
        n, out_channels = g.shape[:2]
        kernel, spatial = weight.shape[2:], tuple(range(2, g.ndim))
        spread_shape = tuple((size - 1) * s + 1 for size, s in zip(g.shape[2:], stride))
        spread = np.zeros((n, out_channels) + spread_shape, dtype=g.dtype)
        spread[(slice(None),) * 2 + tuple(slice(None, None, s) for s in stride)] = g
        # NOTE: positions of x_pad that no window reached (the remainder of the division by the
        # stride) get no gradient: they pad the end of the result, after the full correlation.
        padded_size = tuple(size + before + after for size, (before, after) in zip(input_size, padding))
        full = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
        ends = tuple(p - (s + f) for p, s, f in zip(padded_size, spread_shape, full))
        # NOTE: only x's own positions are wanted, not x_pad's: the full padding (f, f + end) less
        # x's padding (before, after) on each side, so that no position is computed to be cut off.
        # Where that is negative (x padded by more than the kernel reaches), the spread is cut instead.
        sides = [(f - before, f + e - after) for f, e, (before, after) in zip(full, ends, padding)]
        spread = spread[
            (slice(None),) * 2
            + tuple(slice(max(-lo, 0), size - max(-hi, 0)) for (lo, hi), size in zip(sides, spread_shape))
        ]
        weight_t = weight.reshape((groups, out_channels // groups) + weight.shape[1:]).swapaxes(1, 2)
        weight_t = np.flip(weight_t, axis=tuple(a + 1 for a in spatial)).reshape((-1, out_channels // groups) + kernel)
        grad_x = _correlate(
            spread, weight_t, tuple((max(lo, 0), max(hi, 0)) for lo, hi in sides), (1,) * len(kernel), dilation, groups
        )
        return np.ascontiguousarray(grad_x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g, weight = ctx.inputs
        grad_g = Convolution.apply(grad, weight, **_params(ctx)) if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = ConvolutionWeight.apply(grad, g, kernel_size=weight.shape[2:], **_params(ctx))
        return grad_g, grad_w


class ConvolutionWeight(Function):
    """f(x, g) = conv_weight(x, g): the w_bar with <w_bar, v> = <g, conv(x, v)> for every v (w_bar: w's shape)
    df/dx: grad_x = conv_transpose(g, grad);  df/dg: grad_g = conv(x, grad)

    w_bar[o, c, i] = sum over n, p of g[n, o, p] x_pad[n, c, p * stride + i * dilation]: the windows
    of x correlated with g over the batch and the positions.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        g: np.ndarray,
        *,
        kernel_size: tuple[int, ...],
        stride: tuple[int, ...],
        padding: Pairs,
        dilation: tuple[int, ...],
        groups: int,
    ) -> np.ndarray:
        _save(ctx, stride, padding, dilation, groups)
        channels, out_channels = x.shape[1], g.shape[1]
        view = _grouped_windows(x, kernel_size, padding, stride, dilation, groups)
        g = _batch_last(g, ((0, 0),) * (g.ndim - 2)).reshape(groups, out_channels // groups, -1)
        # (G, C / G * kernel, out * N) @ (G, out * N, O / G) -> (G, C / G * kernel, O / G), then transposed
        # NOTE: as w_bar^T = columns @ g^T: the same product as g @ columns^T, which OpenBLAS runs
        # ~1.5x slower in float32 (its right operand transposed).
        w_bar = (_columns(view) @ g.transpose(0, 2, 1)).transpose(0, 2, 1)
        return w_bar.reshape((out_channels, channels // groups) + tuple(kernel_size))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, g = ctx.inputs
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = ConvolutionTranspose.apply(g, grad, input_size=x.shape[2:], **_params(ctx))
        grad_g = Convolution.apply(x, grad, **_params(ctx)) if ctx.needs_input_grad[1] else None
        return grad_x, grad_g
