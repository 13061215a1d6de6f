"""Convolutions, as PyTorch's ``F.conv1d`` and ``F.conv2d``: the arguments checked, then one op
(:class:`minigrad.ops.convolution.Convolution`, whose backward is two more convolutions)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from minigrad.arguments import check_choice, check_number
from minigrad.functional.operands import tensor_operand
from minigrad.ops.convolution import Convolution, Pairs, output_size
from minigrad.tensor import Tensor, TensorLike


def conv1d(
    input: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """The 1-D cross-correlation of ``input`` (N, C, L) or (C, L) with ``weight`` (C_out, C / groups, K), plus ``bias`` (C_out,).

    y[n, o, p] = b[o] + sum over c, i of x_pad[n, c, p * stride + i * dilation] w[o, c, i], the c
    running over the channels of o's group; ``padding`` is an int, 'valid' (0) or 'same' (stride 1).

    Examples
    --------
    >>> F.conv1d(Tensor([[[1.0, 2.0, 3.0, 4.0]]]), Tensor([[[1.0, -1.0]]]))
    Tensor([[[-1. -1. -1.]]])
    """
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """The 2-D cross-correlation of ``input`` (N, C, H, W) or (C, H, W) with ``weight`` (C_out, C / groups, kH, kW), plus ``bias``.

    y[n, o, p, q] = b[o] + sum over c, i, j of x_pad[n, c, p s_0 + i d_0, q s_1 + j d_1] w[o, c, i, j],
    as ``torch.nn.functional.conv2d``: ``stride`` s, ``padding`` (zeros, an int or a pair, or 'valid'
    or 'same'), ``dilation`` d, and ``groups`` (the channels split into groups convolved apart).

    Examples
    --------
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    >>> y = F.conv2d(x, Tensor(np.ones((1, 1, 2, 2))), stride=2)
    >>> y
    Tensor([[[[10. 18.]
              [42. 50.]]]], grad_fn=<Convolution>)
    >>> y.sum().backward()
    >>> x.grad[0, 0]                 # each input sits in one window
    Tensor([[1. 1. 1. 1.]
            [1. 1. 1. 1.]
            [1. 1. 1. 1.]
            [1. 1. 1. 1.]])
    >>> F.conv2d(x, Tensor(np.ones((1, 2, 2, 2))))
    Traceback (most recent call last):
    ValueError: conv2d: weight of shape (1, 2, 2, 2) expects 2 input channels (2 per group x groups=1), but input of shape (1, 1, 4, 4) has 1
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def int_tuple(call: str, name: str, value: Any, n: int, at_least: int) -> tuple[int, ...]:
    """``value`` (an int, or a sequence of ``n`` ints) as ``n`` ints, each at least ``at_least``.

    Examples
    --------
    >>> from minigrad.functional.convolution import int_tuple
    >>> int_tuple("conv2d", "stride", 2, 2, at_least=1), int_tuple("conv2d", "stride", (1, 3), 2, at_least=1)
    ((2, 2), (1, 3))
    >>> int_tuple("conv2d", "stride", (1, 0), 2, at_least=1)
    Traceback (most recent call last):
    ValueError: conv2d: stride[1] must be an integer >= 1, got 0
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(check_number(call, name, value, integer=True, at_least=at_least)),) * n
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise TypeError(
            f"{call}: {name} must be an int or a sequence of {n} ints, got {type(value).__name__} {value!r:.60}"
        )
    return tuple(
        int(check_number(call, f"{name}[{i}]", v, integer=True, at_least=at_least)) for i, v in enumerate(value)
    )


def check_input_rank(call: str, x: Tensor, n_spatial: int) -> None:
    """Refuse an input that is not (N, C, *spatial) or (C, *spatial) with ``n_spatial`` spatial dimensions.

    Examples
    --------
    >>> from minigrad.functional.convolution import check_input_rank
    >>> check_input_rank("conv2d", Tensor(np.ones((2, 3))), 2)
    Traceback (most recent call last):
    ValueError: conv2d: input must be 3-D (C, *spatial) or 4-D (N, C, *spatial), got shape (2, 3)
    """
    if x.ndim not in (n_spatial + 1, n_spatial + 2):
        raise ValueError(
            f"{call}: input must be {n_spatial + 1}-D (C, *spatial) or {n_spatial + 2}-D (N, C, *spatial), got shape {x.shape}"
        )


def _padding(
    call: str, padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> Pairs:
    """The zeros before and after each spatial dimension, from an int, a sequence, 'valid' or 'same'."""
    if isinstance(padding, str):
        check_choice(call, "padding", padding, ("valid", "same"))
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if stride != (1,) * len(kernel):
            raise ValueError(f"{call}: padding='same' needs stride 1 (as in PyTorch), got stride={stride}")
        # NOTE: as PyTorch, an odd total padding puts the extra zero after (at the end).
        totals = tuple(d * (k - 1) for k, d in zip(kernel, dilation))
        return tuple((total // 2, total - total // 2) for total in totals)
    return tuple((p, p) for p in int_tuple(call, "padding", padding, len(kernel), at_least=0))


def _convolution(
    call: str,
    n_spatial: int,
    input: TensorLike,
    weight: TensorLike,
    bias: TensorLike | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: Any,
) -> Tensor:
    x, w = tensor_operand(input), tensor_operand(weight)
    check_input_rank(call, x, n_spatial)
    if w.ndim != n_spatial + 2:
        raise ValueError(
            f"{call}: weight must be {n_spatial + 2}-D (C_out, C_in / groups, *kernel), got shape {w.shape}"
        )
    if w.dtype != x.dtype:
        raise TypeError(f"{call}: weight's dtype {w.dtype} differs from input's {x.dtype}")
    strides = int_tuple(call, "stride", stride, n_spatial, at_least=1)
    dilations = int_tuple(call, "dilation", dilation, n_spatial, at_least=1)
    check_number(call, "groups", groups, integer=True, at_least=1)
    pads = _padding(call, padding, w.shape[2:], strides, dilations)
    batched = x if x.ndim == n_spatial + 2 else x.reshape((1,) + x.shape)
    channels, out_channels = batched.shape[1], w.shape[0]
    if out_channels % groups:
        raise ValueError(
            f"{call}: groups={groups} must divide the weight's {out_channels} output channels (shape {w.shape})"
        )
    if channels % groups:
        raise ValueError(f"{call}: groups={groups} must divide the input's {channels} channels (shape {x.shape})")
    if channels != w.shape[1] * groups:
        raise ValueError(
            f"{call}: weight of shape {w.shape} expects {w.shape[1] * groups} input channels "
            f"({w.shape[1]} per group x groups={groups}), but input of shape {x.shape} has {channels}"
        )
    for size, k, s, p, d in zip(batched.shape[2:], w.shape[2:], strides, pads, dilations):
        if output_size(size, k, s, p, d) < 1:
            raise ValueError(
                f"{call}: kernel of size {w.shape[2:]} (dilation {dilations}) is larger than the padded input "
                f"(input of shape {x.shape}, padding {padding})"
            )
    params = {"stride": strides, "padding": pads, "dilation": dilations, "groups": int(groups)}
    if bias is None:
        y = Convolution.apply(batched, w, **params)
    else:
        b = tensor_operand(bias)
        if b.shape != (out_channels,):
            raise ValueError(f"{call}: bias must have shape ({out_channels},), one per output channel, got {b.shape}")
        y = Convolution.apply(batched, w, b, **params)
    return y if x.ndim == n_spatial + 2 else y.reshape(y.shape[1:])
