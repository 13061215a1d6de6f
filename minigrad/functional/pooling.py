"""Pooling and flattening, as PyTorch's ``F.max_pool2d``, ``F.avg_pool2d`` and ``torch.flatten``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.arguments import check_choice, check_number
from minigrad.functional.convolution import check_input_rank, int_tuple
from minigrad.functional.operands import tensor_operand
from minigrad.ops.convolution import output_size
from minigrad.ops.pooling import AvgPool, MaxPool, window_counts
from minigrad.tensor import Tensor, TensorLike


def max_pool2d(
    input: TensorLike,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """The largest value of each window of ``input`` (N, C, H, W) or (C, H, W), as ``torch.nn.functional.max_pool2d``.

    ``stride`` defaults to ``kernel_size``; ``padding`` (of -inf, at most half the kernel) never
    wins. The gradient goes to each window's arg max, the first one in row-major order on a tie (as
    PyTorch); ``ceil_mode=True`` is refused.

    Examples
    --------
    >>> x = Tensor([[[[1.0, 3.0], [3.0, 2.0]]]], requires_grad=True)
    >>> F.max_pool2d(x, 2).sum().backward()
    >>> x.grad[0, 0]                 # the first of the two 3s
    Tensor([[0. 1.]
            [0. 0.]])
    """
    x = tensor_operand(input)
    check_input_rank("max_pool2d", x, 2)
    kernel, strides, pads = check_pool_arguments("max_pool2d", kernel_size, stride, padding, ceil_mode)
    dilations = int_tuple("max_pool2d", "dilation", dilation, 2, at_least=1)
    batched = _batched("max_pool2d", x, kernel, strides, pads, dilations)
    if not window_counts(batched.shape[2:], kernel, strides, pads, dilations).all():
        # NOTE: PyTorch 2.13 writes out of bounds there (and may crash); its max would be -inf with no arg max.
        raise ValueError(
            f"max_pool2d: with dilation={dilation} and padding={padding} a window of kernel_size={kernel_size} "
            f"holds only padding in the input of shape {x.shape}"
        )
    y = MaxPool.apply(batched, kernel_size=kernel, stride=strides, padding=pads, dilation=dilations)
    return y if x.ndim == 4 else y.reshape(y.shape[1:])


def avg_pool2d(
    input: TensorLike,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window of ``input`` (N, C, H, W) or (C, H, W), as ``torch.nn.functional.avg_pool2d``.

    ``stride`` defaults to ``kernel_size``; the ``padding`` zeros count in the mean when
    ``count_include_pad``; ``divisor_override`` divides every window's sum instead. The gradient of
    each output spreads evenly over its window. ``ceil_mode=True`` is refused.

    Examples
    --------
    >>> F.avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
    Tensor([[[[ 2.5  4.5]
              [10.5 12.5]]]])
    """
    x = tensor_operand(input)
    check_input_rank("avg_pool2d", x, 2)
    kernel, strides, pads = check_pool_arguments("avg_pool2d", kernel_size, stride, padding, ceil_mode)
    check_choice("avg_pool2d", "count_include_pad", count_include_pad, (True, False))
    batched = _batched("avg_pool2d", x, kernel, strides, pads, (1, 1))
    if divisor_override is not None:
        divisor = np.array(
            float(check_number("avg_pool2d", "divisor_override", divisor_override, integer=True, at_least=1))
        )
    elif count_include_pad:
        divisor = np.array(float(np.prod(kernel)))
    else:
        divisor = window_counts(batched.shape[2:], kernel, strides, pads, (1, 1))
    y = AvgPool.apply(batched, kernel_size=kernel, stride=strides, padding=pads, divisor=divisor.astype(x.dtype))
    return y if x.ndim == 4 else y.reshape(y.shape[1:])


def flatten(input: TensorLike, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """``input`` with dimensions ``start_dim`` to ``end_dim`` (both included) merged into one, as ``torch.flatten``.

    A reshape (its gradient is reshaped back); a 0-d input becomes 1-d.

    Examples
    --------
    >>> F.flatten(Tensor(np.ones((2, 3, 4))), start_dim=1).shape
    (2, 12)
    >>> F.flatten(Tensor(np.ones((2, 3))), start_dim=2)
    Traceback (most recent call last):
    IndexError: flatten: start_dim must be in [-2, 1] for an input of 2 dimensions, got 2
    """
    x = tensor_operand(input)
    rank = x.ndim if x.ndim else 1
    start, end = (_dim("flatten", name, d, rank) for name, d in (("start_dim", start_dim), ("end_dim", end_dim)))
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape if x.ndim else (1,)
    return x.reshape(shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :])


def _dim(call: str, name: str, dim: Any, rank: int) -> int:
    """``dim`` as an index in [0, rank), a negative one counted from the end."""
    check_number(call, name, dim, integer=True)
    if not -rank <= dim < rank:
        raise IndexError(
            f"{call}: {name} must be in [{-rank}, {rank - 1}] for an input of {rank} dimensions, got {dim}"
        )
    return int(dim) % rank


def check_pool_arguments(
    call: str, kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[tuple[int, int], ...]]:
    """The kernel, strides (the kernel's when None) and (before, after) paddings of a 2-D pooling,
    each refused by name when it is bad.

    Examples
    --------
    >>> from minigrad.functional.pooling import check_pool_arguments
    >>> check_pool_arguments("max_pool2d", 2, None, 1, False)
    ((2, 2), (2, 2), ((1, 1), (1, 1)))
    >>> check_pool_arguments("max_pool2d", 2, None, 2, False)
    Traceback (most recent call last):
    ValueError: max_pool2d: padding=2 must be at most half of kernel_size=2
    """
    kernel = int_tuple(call, "kernel_size", kernel_size, 2, at_least=1)
    strides = kernel if stride is None else int_tuple(call, "stride", stride, 2, at_least=1)
    pads = tuple((p, p) for p in int_tuple(call, "padding", padding, 2, at_least=0))
    if any(2 * p > k for (p, _), k in zip(pads, kernel)):  # NOTE: as PyTorch: no window of padding only
        raise ValueError(f"{call}: padding={padding} must be at most half of kernel_size={kernel_size}")
    if check_choice(call, "ceil_mode", ceil_mode, (True, False)):
        raise ValueError(f"{call}: ceil_mode=True is not supported; pad the input instead")
    return kernel, strides, pads


def _batched(
    call: str,
    x: Tensor,
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[tuple[int, int], ...],
    dilations: tuple[int, ...],
) -> Tensor:
    """``x`` with a batch dimension, after checking that the window fits in the padded input."""
    batched = x if x.ndim == 4 else x.reshape((1,) + x.shape)
    for size, k, s, p, d in zip(batched.shape[2:], kernel, strides, pads, dilations):
        if output_size(size, k, s, p, d) < 1:
            raise ValueError(
                f"{call}: kernel_size {kernel} (dilation {dilations}) is larger than the padded input of shape {x.shape}"
            )
    return batched
