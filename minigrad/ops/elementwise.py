"""Elementwise math: a dtype cast, exp, log, sqrt, abs, clip, where, maximum, minimum.

Where a derivative jumps (abs at 0, clip at its bounds, maximum at a tie), the docstring gives
the value used there, which is PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.autograd import Context, Function, unbroadcast
from minigrad.ops.numerics import inside, locally_constant, share_of_larger, share_of_smaller

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Cast(Function):
    """f(x) = x in another float dtype;  f'(x) = 1, the gradient cast back to x's dtype"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: DTypeLike) -> np.ndarray:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad.to(x.dtype)


class Exp(Function):
    """f(x) = e^x;  f'(x) = e^x = f(x)"""

    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad * ctx.output


class Log(Function):
    """f(x) = ln x;  f'(x) = 1 / x"""

    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad / x


class Sqrt(Function):
    """f(x) = sqrt(x);  f'(x) = 1 / (2 sqrt(x)) = 1 / (2 f(x))"""

    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.sqrt(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad / (2 * ctx.output)


class Abs(Function):
    """f(x) = |x|;  f'(x) = sign(x), and f'(0) = 0 (as PyTorch)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(np.sign, x)


class Clip(Function):
    """f(x) = min(max(x, min), max);  f'(x) = 1 for min <= x <= max (bounds included, as
    PyTorch's clamp), 0 outside. The bounds are numbers or arrays and get no gradient."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, min: ArrayLike | None = None, max: ArrayLike | None = None) -> np.ndarray:
        if min is None and max is None:
            raise ValueError("clip needs at least one of min and max")
        ctx.low = -np.inf if min is None else min
        ctx.high = np.inf if max is None else max
        return np.clip(x, min, max)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        mask = locally_constant(inside, x, low=ctx.low, high=ctx.high, closed=True)
        return unbroadcast(grad * mask, x.shape)


class Where(Function):
    """f(x, y) = x where condition, else y;  df/dx = condition, df/dy = not condition

    ``condition`` is a boolean array (e.g. ``a > 0``), broadcast with x and y, and gets no gradient.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray, condition: ArrayLike) -> np.ndarray:
        condition = np.asarray(condition)
        if condition.dtype != bool:
            raise TypeError(f"Where: condition must be a boolean array (such as x > 0), not {condition.dtype}")
        ctx.condition = condition
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        zero = grad._make(np.zeros((), grad.dtype))
        # NOTE: a where, not grad * mask: the side not chosen gets 0 even where grad is inf (0 * inf = nan).
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = unbroadcast(Where.apply(grad, zero, condition=ctx.condition), x.shape)
        if ctx.needs_input_grad[1]:
            grad_y = unbroadcast(Where.apply(zero, grad, condition=ctx.condition), y.shape)
        return grad_x, grad_y


def _split_between(x: Tensor, y: Tensor, grad: Tensor, share: Callable[..., np.ndarray]) -> tuple[Tensor, Tensor]:
    """The gradient of an elementwise pick between x and y: to the winner, half each at a tie."""
    to_x = locally_constant(share, x, y)
    return unbroadcast(grad * to_x, x.shape), unbroadcast(grad * (1 - to_x), y.shape)


class Maximum(Function):
    """f(x, y) = max(x, y) elementwise;  df/dx = 1 where x > y, 0 where x < y, and 1/2 at a tie
    (each side gets half, as torch.maximum); df/dy likewise"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        return _split_between(x, y, grad, share_of_larger)


class Minimum(Function):
    """f(x, y) = min(x, y) elementwise;  df/dx = 1 where x < y, 0 where x > y, and 1/2 at a tie
    (each side gets half, as torch.minimum); df/dy likewise"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        return _split_between(x, y, grad, share_of_smaller)
