"""Arithmetic between a Tensor and a Python number ``c``: ``x * 2``, ``x + 1``, ``1 - x``, ``x ** 2``.

The number is a parameter of the op, not a Tensor of the graph: a node is then the output Tensor
and its Context only (the same op with a Tensor ``c`` would add a Tensor and a tuple of inputs),
nothing needs unbroadcasting, and a float32 ``x`` stays float32.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class AddScalar(Function):
    """f(x) = x + c;  f'(x) = 1  (``x - c`` is ``x + (-c)``, exactly)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        return x + c

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


class RSubScalar(Function):
    """f(x) = c - x;  f'(x) = -1"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        return c - x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return -grad


class MulScalar(Function):
    """f(x) = c x;  f'(x) = c"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        ctx.c = c
        return x * c

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad * ctx.c


class DivScalar(Function):
    """f(x) = x / c;  f'(x) = 1 / c"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        ctx.c = c
        return x / c

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad / ctx.c


class RDivScalar(Function):
    """f(x) = c / x;  f'(x) = -c / x^2 = -f(x) / x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        ctx.c = c
        return c / x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return -grad * ctx.c / x / x  # NOTE: / x / x, not / (x * x): x * x overflows for |x| > 1e154


class PowScalar(Function):
    """f(x) = x^c;  f'(x) = c x^(c-1)  (0 for c = 0, at x = 0 too, as PyTorch: x^0 is constant)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, c: float) -> np.ndarray:
        ctx.c = c
        return x**c

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        if ctx.c == 0:
            return grad * 0.0
        return grad * ctx.c * x ** (ctx.c - 1)
