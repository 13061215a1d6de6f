"""Elementwise math: a dtype cast, exp, log, sqrt, abs, clip, where, maximum, minimum.

Where a derivative jumps (abs at 0, clip at its bounds, maximum at a tie), the docstring gives
the value used there, which is PyTorch's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.autograd import Context, Function, is_grad_enabled, unbroadcast

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class LocallyConstant(Function):
    """f(x, ...) = a value that depends on the inputs only through comparisons (relu's mask x > 0,
    sign(x), the winner of a max);  f' = 0 wherever it is defined

    Backward rules multiply by such masks. Made through this op (by :func:`locally_constant`)
    when the backward pass is itself recorded, the mask stays connected to x, so the second
    derivative of relu is 0 (as in PyTorch) rather than undefined.
    """

    @staticmethod
    def forward(ctx: Context, *inputs: np.ndarray, value: np.ndarray) -> np.ndarray:
        return value.astype(inputs[0].dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, ...]:
        return tuple(LocallyConstant.apply(x, value=np.zeros(x.shape, grad.dtype)) for x in ctx.inputs)


def locally_constant(value: np.ndarray, *inputs: Tensor) -> Tensor:
    """``value`` (an array of numbers or a boolean mask) as a Tensor with derivative 0 in ``inputs``.

    An op of the graph when the graph is recorded, else just the array wrapped.

    NOTE: unrecorded, a boolean mask stays boolean: ``grad * mask`` then needs no float copy of it.

    Examples
    --------
    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> locally_constant(x.data > 0, x)                  # relu's mask, inside the graph
    Tensor([0. 1.], grad_fn=<LocallyConstant>)
    >>> with minigrad.no_grad():
    ...     locally_constant(x.data > 0, x)
    Tensor([False  True], dtype=bool)
    """
    return LocallyConstant.apply(*inputs, value=value) if is_grad_enabled() else inputs[0]._make(value)


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

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad * ctx.output


class Log(Function):
    """f(x) = ln x;  f'(x) = 1 / x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad / x


class Sqrt(Function):
    """f(x) = sqrt(x);  f'(x) = 1 / (2 sqrt(x)) = 1 / (2 f(x))"""

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
        return grad * locally_constant(np.sign(x.data), x)


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
        inside = ((ctx.low <= x.data) & (x.data <= ctx.high)).astype(x.dtype)
        return unbroadcast(grad * locally_constant(inside, x), x.shape)


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


def _split_between(x: Tensor, y: Tensor, grad: Tensor, x_wins: np.ndarray) -> tuple[Tensor, Tensor]:
    """The gradient of an elementwise pick between x and y: to the winner, half each at a tie."""
    to_x = locally_constant((x_wins + 0.5 * (x.data == y.data)).astype(grad.dtype), x, y)
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
        return _split_between(x, y, grad, x.data > y.data)


class Minimum(Function):
    """f(x, y) = min(x, y) elementwise;  df/dx = 1 where x < y, 0 where x > y, and 1/2 at a tie
    (each side gets half, as torch.minimum); df/dy likewise"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        return _split_between(x, y, grad, x.data < y.data)
