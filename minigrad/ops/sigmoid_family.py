"""Bounded activations: sigmoid, tanh, softsign and the piecewise-linear hardtanh, hardsigmoid.

Also the stable building blocks the other activation modules use (``sigmoid_array``,
``saturate``, ``sech2``). Derivatives are written with Tensor ops, so each backward rule is
itself differentiable.

Numerics: every forward is finite for finite input and never warns; NaN gives NaN; ±inf gives
the limit. Derivatives keep relative precision in the tails: sigmoid'(x) is s(x) s(-x), not
s (1 - s), which rounds to 0 past x = 37 although the true value there is ~1e-16. The two
derivatives are ops of their own (:class:`SigmoidDerivative`, :class:`Sech2`): one NumPy
expression forward, so a backward pass costs one op each, and a Tensor expression backward, so
they can be differentiated again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.elementwise import locally_constant

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

# NOTE: past |x| = SATURATION every smooth activation's derivative equals its limit in float64
# and float32 (e^-1e5 = 0), so derivative rules may clip x there to keep 2x, x^2, x^3 finite.
SATURATION = 1e5


def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) on an array, relatively precise in both tails.

    NOTE: below x = -709 (float32: -88) e^-x overflows to inf, and 1 / (1 + inf) = 0 is the right
    answer there (the true value is below the smallest normal float), so the overflow is expected.

    Examples
    --------
    >>> with np.printoptions(precision=3):
    ...     print(sigmoid_array(np.array([-800.0, -40.0, 0.0, 40.0])))
    [0.000e+00 4.248e-18 5.000e-01 1.000e+00]
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def saturate(x: Tensor) -> Tensor:
    """The Tensor ``x`` clipped to ±SATURATION, where the smooth activations' derivatives are flat.

    Examples
    --------
    >>> saturate(Tensor([-1e300, 1.0]))                  # so that x * x stays finite
    Tensor([-1.e+05  1.e+00])
    """
    return x.clip(-SATURATION, SATURATION)


def sech2(x: Tensor) -> Tensor:
    """sech^2(x) = 1 - tanh^2(x), as a Tensor op (see :class:`Sech2`).

    Examples
    --------
    >>> with np.printoptions(precision=3):                # 1 - tanh(30)^2 would round to 0
    ...     print(sech2(Tensor([0.0, 30.0])).numpy())
    [1.000e+00 3.503e-26]
    """
    return Sech2.apply(x)


class Sech2(Function):
    """sech^2(x) = 1 / cosh^2(x), the derivative of tanh;  (sech^2)'(x) = -2 sech^2(x) tanh(x)

    NOTE: 1 - tanh^2 rounds to 0 past |x| = 19 though the true value is ~1e-16; 1 / cosh^2 keeps
    relative precision. cosh overflows to inf past |x| = 710 (float32: 89), where 1 / inf = 0 is
    the right answer (the true value is below the smallest normal float).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            c = np.asarray(np.cosh(x))  # asarray: on a 0-d array NumPy returns a scalar
        np.reciprocal(c, out=c)
        return np.square(c, out=c)  # in place: no temporaries the size of x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * -2 * ctx.output * x.tanh()


class SigmoidDerivative(Function):
    """s(x) s(-x) = 1 / (2 + 2 cosh x), the derivative of the sigmoid s;  its derivative is
    -s(x) s(-x) tanh(x / 2)

    NOTE: the textbook s (1 - s) rounds to 0 past x = 37, because 1 - s does; this form keeps
    relative precision, and its cosh overflows to inf only where the true value is below the
    smallest normal float.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            c = np.asarray(np.cosh(x))  # asarray: on a 0-d array NumPy returns a scalar
        c += 1
        return np.divide(0.5, c, out=c)  # 1 / (2 (1 + cosh x)), in place

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * -ctx.output * (x * 0.5).tanh()


class Sigmoid(Function):
    """sigmoid(x) = 1 / (1 + e^-x);  sigmoid'(x) = s(x) s(-x)

    The derivative is one op, :class:`SigmoidDerivative`, which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return sigmoid_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * SigmoidDerivative.apply(x)


class Tanh(Function):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x);  tanh'(x) = 1 - tanh^2(x) = sech^2(x)

    The derivative is one op, :class:`Sech2`, which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * sech2(x)


class Softsign(Function):
    """softsign(x) = x / (1 + |x|);  softsign'(x) = 1 / (1 + |x|)^2

    NOTE: inf / inf would be nan, so ±inf is first moved to the largest float, where the quotient
    already rounds to its limit ±1.
    """

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
    """hardtanh(x) = min(max(x, min_val), max_val);  hardtanh'(x) = 1 on (min_val, max_val), else 0

    At min_val and max_val the derivative is 0, as in PyTorch.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
        if min_val > max_val:
            raise ValueError(f"min_val ({min_val}) must not exceed max_val ({max_val})")
        ctx.inside = ((x > min_val) & (x < max_val)).astype(x.dtype)
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(ctx.inside, x)


class Hardsigmoid(Function):
    """hardsigmoid(x) = relu6(x + 3) / 6;  hardsigmoid'(x) = 1/6 on (-3, 3), else 0

    At ±3 the derivative is 0, as in PyTorch.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.inside = ((x > -3) & (x < 3)).astype(x.dtype)
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(ctx.inside, x) / 6
