"""Convolution layers: Conv1d and Conv2d, as ``torch.nn``'s (the same arguments, parameter names,
shapes and default initialisation), over :func:`minigrad.functional.conv1d` and ``conv2d``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_choice, check_number, check_rng
from minigrad.functional.convolution import int_tuple
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the arguments checked, the weight (C_out, C_in / groups, *kernel)
    and bias (C_out,) drawn as PyTorch draws them (kaiming_uniform_ with a = sqrt(5): U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = C_in / groups x the kernel's size), and the repr."""

    n_spatial: int  # NOTE: a class attribute of each subclass: 1 for Conv1d, 2 for Conv2d

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] | str = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        rng: int | np.random.Generator | None = None,
    ) -> None:
        call, n = type(self).__name__, self.n_spatial
        check_number(call, "in_channels", in_channels, integer=True, at_least=1)
        check_number(call, "out_channels", out_channels, integer=True, at_least=1)
        check_number(call, "groups", groups, integer=True, at_least=1)
        for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups:
                raise ValueError(f"{call}: groups={groups} must divide {name}={channels}")
        kernel = int_tuple(call, "kernel_size", kernel_size, n, at_least=1)
        strides = int_tuple(call, "stride", stride, n, at_least=1)
        dilations = int_tuple(call, "dilation", dilation, n, at_least=1)
        if isinstance(padding, str):
            check_choice(call, "padding", padding, ("valid", "same"))
            if padding == "same" and strides != (1,) * n:
                raise ValueError(f"{call}: padding='same' needs stride 1 (as in PyTorch), got stride={strides}")
            pads: tuple[int, ...] | str = padding
        else:
            pads = int_tuple(call, "padding", padding, n, at_least=0)
        check_choice(call, "padding_mode", padding_mode, ("zeros",))
        check_choice(call, "bias", bias, (True, False))
        super().__init__()
        rng = check_rng(call, rng)
        self.in_channels, self.out_channels, self.groups, self.padding_mode = (
            in_channels,
            out_channels,
            groups,
            padding_mode,
        )
        self.kernel_size, self.stride, self.padding, self.dilation = kernel, strides, pads, dilations
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + kernel))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5), rng=rng)
        self.bias = Parameter(np.empty(out_channels)) if bias else None
        if self.bias is not None:
            fan_in = init.fans(self.weight)[0]
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.n_spatial:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.n_spatial:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv1d(_ConvNd):
    """y = conv1d(x, weight) + bias over inputs (N, C_in, L) or (C_in, L), as ``torch.nn.Conv1d``.

    ``weight`` has shape (out_channels, in_channels / groups, kernel_size); see :func:`minigrad.functional.conv1d`.

    Examples
    --------
    >>> conv = nn.Conv1d(2, 4, kernel_size=3, padding=1, rng=0)
    >>> conv, conv.weight.shape, conv(Tensor(np.ones((5, 2, 10)))).shape
    (Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(1,)), (4, 2, 3), (5, 4, 10))
    """

    n_spatial = 1

    def forward(self, x: Tensor) -> Tensor:
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """y = conv2d(x, weight) + bias over images (N, C_in, H, W) or (C_in, H, W), as ``torch.nn.Conv2d``.

    ``weight`` has shape (out_channels, in_channels / groups, kH, kW); see :func:`minigrad.functional.conv2d`.

    Examples
    --------
    >>> conv = nn.Conv2d(1, 6, 3, rng=0)
    >>> conv, conv.weight.shape, conv(Tensor(np.ones((2, 1, 8, 8)))).shape
    (Conv2d(1, 6, kernel_size=(3, 3), stride=(1, 1)), (6, 1, 3, 3), (2, 6, 6, 6))
    >>> nn.Conv2d(4, 6, 3, groups=4)
    Traceback (most recent call last):
    ValueError: Conv2d: groups=4 must divide out_channels=6
    """

    n_spatial = 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
