"""Pooling and flattening layers: MaxPool2d, AvgPool2d and Flatten, as ``torch.nn``'s, over the functions
:func:`minigrad.functional.max_pool2d`, ``avg_pool2d`` and ``flatten``."""

from __future__ import annotations

from collections.abc import Sequence

from minigrad import functional as F
from minigrad.arguments import check_choice, check_number
from minigrad.functional.convolution import int_tuple
from minigrad.functional.pooling import check_pool_arguments
from minigrad.nn.module import Module
from minigrad.tensor import Tensor


class MaxPool2d(Module):
    """The largest value of each window, as ``torch.nn.MaxPool2d`` (stride defaults to the kernel size).

    Examples
    --------
    >>> pool = nn.MaxPool2d(2)
    >>> pool, pool(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)))
    (MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False), Tensor([[[[ 5.  7.]
               [13. 15.]]]]))
    """

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: int | Sequence[int] = 0,
        dilation: int | Sequence[int] = 1,
        ceil_mode: bool = False,
    ) -> None:
        check_pool_arguments("MaxPool2d", kernel_size, stride, padding, ceil_mode)
        int_tuple("MaxPool2d", "dilation", dilation, 2, at_least=1)
        super().__init__()
        self.kernel_size, self.padding, self.dilation, self.ceil_mode = kernel_size, padding, dilation, ceil_mode
        self.stride = kernel_size if stride is None else stride

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """The mean of each window, as ``torch.nn.AvgPool2d`` (stride defaults to the kernel size).

    Examples
    --------
    >>> pool = nn.AvgPool2d(2)
    >>> pool, pool(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)))
    (AvgPool2d(kernel_size=2, stride=2, padding=0), Tensor([[[[ 2.5  4.5]
               [10.5 12.5]]]]))
    """

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: int | Sequence[int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        check_pool_arguments("AvgPool2d", kernel_size, stride, padding, ceil_mode)
        check_choice("AvgPool2d", "count_include_pad", count_include_pad, (True, False))
        if divisor_override is not None:
            check_number("AvgPool2d", "divisor_override", divisor_override, integer=True, at_least=1)
        super().__init__()
        self.kernel_size, self.padding, self.ceil_mode = kernel_size, padding, ceil_mode
        self.stride = kernel_size if stride is None else stride
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one, as ``torch.nn.Flatten`` (by default all but the batch's).

    Examples
    --------
    >>> nn.Flatten(), nn.Flatten()(Tensor(np.ones((2, 3, 4, 4)))).shape
    (Flatten(start_dim=1, end_dim=-1), (2, 48))
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        check_number("Flatten", "start_dim", start_dim, integer=True)
        check_number("Flatten", "end_dim", end_dim, integer=True)
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return F.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
