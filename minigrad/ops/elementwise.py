"""Elementwise math: exp, log, sqrt, abs, clip, where, maximum, minimum.

Where a derivative jumps (abs at 0, clip at its bounds, maximum at a tie), the docstring gives
the value used there, which is PyTorch's.
"""

import numpy as np

from minigrad.autograd import Function, unbroadcast
from minigrad.tensor import Tensor


class Exp(Function):
    """f(x) = e^x;  f'(x) = e^x = f(x)"""

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.output


class Log(Function):
    """f(x) = ln x;  f'(x) = 1 / x"""

    @staticmethod
    def forward(ctx, x):
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad / x


class Sqrt(Function):
    """f(x) = sqrt(x);  f'(x) = 1 / (2 sqrt(x)) = 1 / (2 f(x))"""

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.output)


class Abs(Function):
    """f(x) = |x|;  f'(x) = sign(x), and f'(0) = 0 (as PyTorch)"""

    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        # NOTE: sign(x) is constant wherever it has a derivative, so a constant loses no second derivative.
        return grad * Tensor(np.sign(x.data), dtype=grad.dtype)


class Clip(Function):
    """f(x) = min(max(x, min), max);  f'(x) = 1 for min <= x <= max (bounds included, as
    PyTorch's clamp), 0 outside. The bounds are numbers or arrays and get no gradient."""

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clip needs at least one of min and max")
        ctx.low = -np.inf if min is None else min
        ctx.high = np.inf if max is None else max
        return np.clip(x, min, max)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        inside = (ctx.low <= x.data) & (x.data <= ctx.high)
        return unbroadcast(grad * Tensor(inside, dtype=grad.dtype), x.shape)


class Where(Function):
    """f(x, y) = x where condition, else y;  df/dx = condition, df/dy = not condition

    ``condition`` is a boolean array (e.g. ``a > 0``), broadcast with x and y, and gets no gradient.
    """

    @staticmethod
    def forward(ctx, x, y, condition):
        condition = np.asarray(condition)
        if condition.dtype != bool:
            raise TypeError(f"Where: condition must be a boolean array (such as x > 0), not {condition.dtype}")
        ctx.condition = condition
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        zero = Tensor(0.0, dtype=grad.dtype)
        # NOTE: a where, not grad * mask: the side not chosen gets 0 even where grad is inf (0 * inf = nan).
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = unbroadcast(Where.apply(grad, zero, condition=ctx.condition), x.shape)
        if ctx.needs_input_grad[1]:
            grad_y = unbroadcast(Where.apply(zero, grad, condition=ctx.condition), y.shape)
        return grad_x, grad_y


def _split_between(x, y, grad, x_wins):
    """The gradient of an elementwise pick between x and y: to the winner, half each at a tie."""
    to_x = Tensor(x_wins + 0.5 * (x.data == y.data), dtype=grad.dtype)
    return unbroadcast(grad * to_x, x.shape), unbroadcast(grad * (1 - to_x), y.shape)


class Maximum(Function):
    """f(x, y) = max(x, y) elementwise;  df/dx = 1 where x > y, 0 where x < y, and 1/2 at a tie
    (each side gets half, as torch.maximum); df/dy likewise"""

    @staticmethod
    def forward(ctx, x, y):
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        return _split_between(x, y, grad, x.data > y.data)


class Minimum(Function):
    """f(x, y) = min(x, y) elementwise;  df/dx = 1 where x < y, 0 where x > y, and 1/2 at a tie
    (each side gets half, as torch.minimum); df/dy likewise"""

    @staticmethod
    def forward(ctx, x, y):
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        return _split_between(x, y, grad, x.data < y.data)
