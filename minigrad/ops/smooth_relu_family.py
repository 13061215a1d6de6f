"""Smooth rectifiers: softplus, and the gated ones x * gate(x): silu, gelu, mish.

No kinks (except softplus's switch to x above its threshold, as in PyTorch), so every first and
second derivative is checked against finite differences. Numerics: softplus is
max(x, 0) + log1p(e^-|x|), which neither overflows nor loses the tail; a gate is computed on
the whole line and multiplied by max(x, -SATURATION), because -inf * 0 would be nan while the
limit of x gate(x) at -inf is 0. Derivative rules first :func:`saturate` x, so that x^2 and x^3
stay finite; beyond SATURATION the derivatives have reached their limits anyway.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.sigmoid_family import SATURATION, saturate, sech2, sigmoid_array

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

SQRT_2 = math.sqrt(2.0)
SQRT_2_PI = math.sqrt(2.0 * math.pi)
TANH_GELU_SCALE = math.sqrt(2.0 / math.pi)
TANH_GELU_CUBIC = 0.044715

# NOTE: NumPy has no erf. The C library's erfc, through math.erfc, is accurate to about an ulp and
# costs ~0.1 us per element (np.exp: ~2 ns), a fair price for two readable lines. erfc rather
# than erf keeps Phi(x) = erfc(-x / sqrt 2) / 2 precise in the left tail, where 1 + erf cancels.
_erfc = np.frompyfunc(math.erfc, 1, 1)


def softplus_array(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, and exact in the tail (e^x there).

    Examples
    --------
    >>> with np.printoptions(precision=3):
    ...     print(softplus_array(np.array([-40.0, 0.0, 800.0])))
    [4.248e-18 6.931e-01 8.000e+02]
    """
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def normal_cdf_array(x: np.ndarray) -> np.ndarray:
    """Phi(x) = erfc(-x / sqrt 2) / 2, the standard normal CDF, in x's dtype.

    Examples
    --------
    >>> normal_cdf_array(np.array([0.0, 1.0])).round(4)
    array([0.5   , 0.8413])
    """
    return np.asarray(0.5 * _erfc(-x / SQRT_2), dtype=x.dtype)


def normal_pdf(x: Tensor) -> Tensor:
    """phi(x) = e^(-x^2 / 2) / sqrt(2 pi) as a Tensor expression (x saturated so x^2 is finite).

    Examples
    --------
    >>> normal_pdf(Tensor([0.0, 1.0])).numpy().round(4)
    array([0.3989, 0.242 ])
    """
    x = saturate(x)
    return (-0.5 * x * x).exp() / SQRT_2_PI


class Softplus(Function):
    """softplus(x) = log(1 + e^(beta x)) / beta, or x where beta x > threshold
    softplus'(x) = s(beta x), or 1 where beta x > threshold

    The switch to the identity is PyTorch's; the two sides differ by less than e^-threshold.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta}")
        ctx.beta, ctx.threshold = beta, threshold
        linear = x > threshold / beta
        ctx.linear = linear.astype(x.dtype)
        # NOTE: clipped so that beta x can overflow neither way; the result past the clip is x or 0.
        z = beta * np.clip(x, -SATURATION / beta, threshold / beta)
        return np.where(linear, x, softplus_array(z) / beta)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        beta = ctx.beta
        z = beta * x.clip(-SATURATION / beta, ctx.threshold / beta)
        return grad * (ctx.linear + (1 - ctx.linear) * z.sigmoid())


class SiLU(Function):
    """silu(x) = x s(x);  silu'(x) = s(x) (1 + x s(-x))

    s(-x) rather than 1 - s(x), for the same reason as in Sigmoid.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, -SATURATION) * sigmoid_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        return grad * x.sigmoid() * (1 + x * (-x).sigmoid())


class NormalCDF(Function):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2;  Phi'(x) = phi(x) = e^(-x^2 / 2) / sqrt(2 pi)

    The gate of the exact GELU, an op of its own so that GELU's derivative is differentiable.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return normal_cdf_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * normal_pdf(x)


class GELU(Function):
    """gelu(x) = x Phi(x);  gelu'(x) = Phi(x) + x phi(x)

    ``approximate='tanh'``: gelu(x) = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3),
    computed as x s(2u), the same number without the cancellation in 1 + tanh u for x << 0;
    its derivative is s(2u) + 2 x s(2u) s(-2u) u'(x).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, approximate: str = "none") -> np.ndarray:
        ctx.approximate = approximate
        if approximate == "none":
            gate = normal_cdf_array(x)
        elif approximate == "tanh":
            x_finite = np.clip(x, -SATURATION, SATURATION)
            u = TANH_GELU_SCALE * (x_finite + TANH_GELU_CUBIC * x_finite**3)
            gate = sigmoid_array(2 * u)
        else:
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        return np.maximum(x, -SATURATION) * gate

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        if ctx.approximate == "none":
            return grad * (NormalCDF.apply(x) + x * normal_pdf(x))
        u = TANH_GELU_SCALE * (x + TANH_GELU_CUBIC * x * x * x)
        du = TANH_GELU_SCALE * (1 + 3 * TANH_GELU_CUBIC * x * x)
        gate = (2 * u).sigmoid()
        return grad * (gate + 2 * x * gate * (-2 * u).sigmoid() * du)


class Mish(Function):
    """mish(x) = x tanh(softplus(x));  mish'(x) = tanh(sp) + x sech^2(sp) s(x), sp = softplus(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, -SATURATION) * np.tanh(softplus_array(x))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        sp = x.softplus()
        return grad * (sp.tanh() + x * sech2(sp) * x.sigmoid())
