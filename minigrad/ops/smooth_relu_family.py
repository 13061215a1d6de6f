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
from minigrad.ops.normal_cdf import normal_cdf_and_pdf, normal_pdf_array
from minigrad.ops.numerics import (
    SATURATION,
    above,
    locally_constant,
    saturate,
    sech2,
    sigmoid_array,
    softplus_array,
)

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

TANH_GELU_SCALE = math.sqrt(2.0 / math.pi)
TANH_GELU_CUBIC = 0.044715


class Softplus(Function):
    """softplus(x) = log(1 + e^(beta x)) / beta;  softplus'(x) = sigmoid(beta x)

    Where beta x > threshold both switch to the identity's, x and 1, as in PyTorch: the two sides
    differ by less than e^-threshold. The switch is a mask, computed in backward as the
    rectifiers' are.
    """

    family = None
    derivative_range = (0.0, 1.0)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta}")
        ctx.beta, ctx.threshold = beta, threshold
        # NOTE: clipped so that beta x can overflow neither way; the result past the clip is x or 0.
        z = beta * np.clip(x, -SATURATION / beta, threshold / beta)
        return np.where(x > threshold / beta, x, softplus_array(z) / beta)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        beta, threshold = ctx.beta, ctx.threshold
        linear = locally_constant(above, x, bound=threshold / beta)
        z = beta * x.clip(-SATURATION / beta, threshold / beta)
        return grad * (linear + (1 - linear) * z.sigmoid())


class SiLU(Function):
    """silu(x) = x sigmoid(x);  silu'(x) = sigmoid(x) (1 + x sigmoid(-x))

    sigmoid(-x) rather than 1 - sigmoid(x), for the same reason as in Sigmoid.
    """

    family = None
    derivative_range = (-0.0998393201289, 1.0998393201289)  # at x = -2.3994, 2.3994
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, -SATURATION) * sigmoid_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        return grad * x.sigmoid() * (1 + x * (-x).sigmoid())


class NormalPDF(Function):
    """phi(x) = e^(-x^2 / 2) / sqrt(2 pi);  phi'(x) = -x phi(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return normal_pdf_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * -saturate(x) * ctx.output


class GELUDerivative(Function):
    """gelu'(x) = Phi(x) + x phi(x);  gelu''(x) = (2 - x^2) phi(x)

    The exact GELU's derivative as an op of its own (as :class:`Sech2` is tanh's): forward is one
    NumPy expression of the Phi and phi that GELU's forward computed, so a backward pass costs
    one op; backward is a Tensor expression, so it can be differentiated again.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, gate: np.ndarray, density: np.ndarray) -> np.ndarray:
        slope = np.clip(x, -SATURATION, SATURATION) * density  # x phi(x): inf * 0 would be nan
        slope += gate
        return slope

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        return grad * NormalPDF.apply(x) * (2 - x * x)


class GELU(Function):
    """gelu(x) = x Phi(x);  gelu'(x) = Phi(x) + x phi(x)

    Phi is the standard normal CDF, phi its density. ``approximate='tanh'``:
    gelu(x) = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3), computed as
    x sigmoid(2u), the same number without the cancellation in 1 + tanh u for x << 0; its
    derivative is sigmoid(2u) + 2 x sigmoid(2u) sigmoid(-2u) u'(x).
    """

    family = None
    derivative_range = (-0.128904145185, 1.128904145185)  # at x = -sqrt 2, sqrt 2 (exact form)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, approximate: str = "none") -> np.ndarray:
        ctx.approximate = approximate
        if approximate == "none":
            # NOTE: Phi and phi come from one e^(-x^2/2); both are kept, as backward needs them.
            gate, ctx.density = normal_cdf_and_pdf(x)
            ctx.gate = gate
        elif approximate == "tanh":
            x_finite = np.clip(x, -SATURATION, SATURATION)
            u = TANH_GELU_SCALE * (x_finite + TANH_GELU_CUBIC * x_finite**3)
            gate = sigmoid_array(2 * u)
        else:
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        y = np.maximum(x, -SATURATION)
        y *= gate
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        if ctx.approximate == "none":
            return grad * GELUDerivative.apply(x, gate=ctx.gate, density=ctx.density)
        x = saturate(x)
        u = TANH_GELU_SCALE * (x + TANH_GELU_CUBIC * x * x * x)
        du = TANH_GELU_SCALE * (1 + 3 * TANH_GELU_CUBIC * x * x)
        gate = (2 * u).sigmoid()
        return grad * (gate + 2 * x * gate * (-2 * u).sigmoid() * du)


class Mish(Function):
    """mish(x) = x tanh(softplus(x));  mish'(x) = tanh(sp) + x sech^2(sp) sigmoid(x), sp = softplus(x)"""

    family = None
    derivative_range = (-0.112526122389, 1.08849816125)  # at x = -2.2564, 1.4906
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, -SATURATION) * np.tanh(softplus_array(x))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        x = saturate(x)
        sp = x.softplus()
        return grad * (sp.tanh() + x * sech2(sp) * x.sigmoid())
