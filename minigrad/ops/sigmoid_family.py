"""Bounded activations: sigmoid, tanh, softsign and the piecewise-linear hardtanh, hardsigmoid.

Also the stable building blocks the other activation modules use (``sigmoid_array``,
``saturate``, ``sech2``). Derivatives are written with Tensor ops, so each backward rule is
itself differentiable.

Numerics: every forward is finite for finite input and never warns; NaN gives NaN; ±inf gives
the limit. Derivatives keep relative precision in the tails: sigmoid'(x) is s(x) s(-x), not
s (1 - s), which rounds to 0 past x = 37 although the true value there is ~1e-16.
"""

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.elementwise import locally_constant

# NOTE: past |x| = SATURATION every smooth activation's derivative equals its limit in float64
# and float32 (e^-1e5 = 0), so derivative rules may clip x there to keep 2x, x^2, x^3 finite.
SATURATION = 1e5


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) on an array, without overflow: only e^-|x|, which lies in (0, 1], is taken."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def saturate(x):
    """The Tensor ``x`` clipped to ±SATURATION, where the smooth activations' derivatives are flat."""
    return x.clip(-SATURATION, SATURATION)


def sech2(x):
    """sech^2(x) = 1 - tanh^2(x) = 4 s(2x) s(-2x).

    NOTE: 1 - tanh^2 rounds to 0 past |x| = 19 though the true value is ~1e-16; this form keeps
    relative precision (x is saturated so that 2x cannot overflow).
    """
    x = saturate(x)
    return 4 * (2 * x).sigmoid() * (-2 * x).sigmoid()


class Sigmoid(Function):
    """sigmoid(x) = 1 / (1 + e^-x);  sigmoid'(x) = s(x) s(-x)

    NOTE: s(x) s(-x) rather than s (1 - s): 1 - s rounds to 0 past x = 37.
    """

    @staticmethod
    def forward(ctx, x):
        return sigmoid_array(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        y = ctx.output
        return grad * y * (-x).sigmoid()


class Tanh(Function):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x);  tanh'(x) = 1 - tanh^2(x) = 4 s(2x) s(-2x)

    The derivative uses the sigmoid form (see :func:`sech2`), which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * sech2(x)


class Softsign(Function):
    """softsign(x) = x / (1 + |x|);  softsign'(x) = 1 / (1 + |x|)^2

    NOTE: inf / inf would be nan, so ±inf is first moved to the largest float, where the quotient
    already rounds to its limit ±1.
    """

    @staticmethod
    def forward(ctx, x):
        biggest = np.finfo(x.dtype).max
        x = np.clip(x, -biggest, biggest)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        d = 1 / (1 + x.abs())
        return grad * d * d  # NOTE: d * d, not 1 / (1 + |x|)^2, which overflows past |x| = 1e154


class Hardtanh(Function):
    """hardtanh(x) = min(max(x, min_val), max_val);  hardtanh'(x) = 1 on (min_val, max_val), else 0

    At min_val and max_val the derivative is 0, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, min_val=-1.0, max_val=1.0):
        if min_val > max_val:
            raise ValueError(f"min_val ({min_val}) must not exceed max_val ({max_val})")
        ctx.inside = ((x > min_val) & (x < max_val)).astype(x.dtype)
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * locally_constant(ctx.inside, x)


class Hardsigmoid(Function):
    """hardsigmoid(x) = relu6(x + 3) / 6;  hardsigmoid'(x) = 1/6 on (-3, 3), else 0

    At ±3 the derivative is 0, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.inside = ((x > -3) & (x < 3)).astype(x.dtype)
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * locally_constant(ctx.inside, x) / 6
