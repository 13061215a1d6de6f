"""Bounded activations: sigmoid, tanh, softsign and the piecewise-linear hardtanh, hardsigmoid.

Derivatives are written with Tensor ops, so each backward rule is itself differentiable.
hardtanh and hardsigmoid multiply by the mask of the interval where they are not flat, computed
in backward by the op :func:`~minigrad.ops.numerics.locally_constant`,
as the rectifiers do (see :mod:`minigrad.ops.relu_family`).

Numerics: every forward is finite for finite input and never warns; NaN gives NaN; ±inf gives
the limit. Derivatives keep relative precision in the tails: sigmoid'(x) is s(x) s(-x), not
s (1 - s), which rounds to 0 past x = 37 although the true value there is ~1e-16. The two
backward rules are ops of their own, grad times the derivative in one op:
:class:`~minigrad.ops.numerics.SigmoidBackward` and :class:`~minigrad.ops.numerics.TanhBackward`
(with the other stable formulas in ops/numerics.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.numerics import SigmoidBackward, TanhBackward, inside, locally_constant, sigmoid_array

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Sigmoid(Function):
    """sigmoid(x) = 1 / (1 + e^-x);  sigmoid'(x) = sigmoid(x) sigmoid(-x)

    The backward rule is one op, :class:`SigmoidBackward` (grad s(x) s(-x)), which keeps its digits in the tails.
    """

    family = "saturating"
    derivative_range = (0.0, 0.25)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return sigmoid_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return SigmoidBackward.apply(grad, x)


class Tanh(Function):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x);  tanh'(x) = 1 - tanh(x)^2 = sech^2(x)

    The backward rule is one op, :class:`TanhBackward` (grad sech^2(x)), which keeps its digits in the tails.
    """

    family = "saturating"
    derivative_range = (0.0, 1.0)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return TanhBackward.apply(grad, x)


class Softsign(Function):
    """softsign(x) = x / (1 + |x|);  softsign'(x) = 1 / (1 + |x|)^2

    NOTE: inf / inf would be nan, so ±inf is first moved to the largest float, where the quotient
    already rounds to its limit ±1.
    """

    family = "saturating"
    derivative_range = (0.0, 1.0)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        biggest = np.finfo(x.dtype).max
        x = np.clip(x, -biggest, biggest)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        d = 1 / (1 + x.abs())
        return grad * d * d  # NOTE: d * d, not 1 / (1 + |x|)^2, which overflows past |x| = 1e154


class Hardtanh(Function):
    """hardtanh(x) = min(max(x, lo), hi);  hardtanh'(x) = 1 if lo < x < hi else 0 (0 at both kinks)

    ``lo`` and ``hi`` are the ``min_val`` and ``max_val`` parameters.
    """

    family = "saturating"
    derivative_range = (0.0, 1.0)
    derivative_never_zero = False

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
        if min_val > max_val:
            raise ValueError(f"min_val ({min_val}) must not exceed max_val ({max_val})")
        ctx.min_val, ctx.max_val = min_val, max_val
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(inside, x, low=ctx.min_val, high=ctx.max_val, closed=False)


class Hardsigmoid(Function):
    """hardsigmoid(x) = relu6(x + 3) / 6;  hardsigmoid'(x) = 1/6 if -3 < x < 3 else 0 (0 at both kinks)"""

    family = "saturating"
    derivative_range = (0.0, 1 / 6)
    derivative_never_zero = False

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(inside, x, low=-3.0, high=3.0, closed=False) / 6
