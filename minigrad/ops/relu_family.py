"""Rectifiers: the identity for x > 0 and something else below: relu, leaky_relu, prelu, relu6,
elu, selu, celu.

Each has a kink at 0 (and relu6 at 6); the derivative there is PyTorch's: the value of the
branch that holds for x <= 0 (relu'(0) = 0, leaky_relu'(0) = negative_slope, prelu'(0) = w,
elu'(0) = alpha, selu'(0) = scale alpha, celu'(0) = 1, relu6'(0) = relu6'(6) = 0).

Masks: backward computes each one from the saved input with
:func:`~minigrad.ops.numerics.locally_constant` (an op: 0 or 1 in x's dtype, derivative 0), so second derivatives come out right; a derivative with two branches is
``positive + (1 - positive) * other``. Forward saves only its parameters. The exponential branches
use expm1 on min(x, 0), so large positive x never overflows and small negative x keeps its digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function, unbroadcast
from minigrad.ops.numerics import SATURATION, above, locally_constant, one_or_slope
from minigrad.ops.sigmoid_family import Hardtanh

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

# The constants of "Self-Normalizing Neural Networks" (Klambauer et al., 2017), as in PyTorch.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class ReLU(Function):
    """relu(x) = max(x, 0);  relu'(x) = 1 if x > 0 else 0 (0 at the kink)"""

    family = "relu"
    derivative_range = (0.0, 1.0)
    derivative_never_zero = False

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(above, x, bound=0.0)


class LeakyReLU(Function):
    """leaky_relu(x) = x if x > 0 else slope x;  leaky_relu'(x) = 1 if x > 0 else slope (slope at the kink)

    ``slope`` is the ``negative_slope`` parameter.
    """

    family = "relu"
    derivative_range = (0.01, 1.0)  # at the default negative_slope
    derivative_never_zero = False  # 0 by its rule when negative_slope = 0

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
        ctx.negative_slope = negative_slope
        return np.where(x > 0, x, negative_slope * x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * locally_constant(one_or_slope, x, slope=ctx.negative_slope)


class PReLU(Function):
    """prelu(x, w) = x if x > 0 else w x;  prelu'(x) = 1 if x > 0 else w (w at the kink), d prelu / dw = min(x, 0)

    ``w`` (``weight``) is learned and has shape (num_parameters,): one parameter for the whole
    tensor, or one per channel, the channels being axis 1 (an input of fewer than 2 dimensions
    has one channel).
    """

    family = None
    derivative_range = None  # 1 and the learned w
    derivative_never_zero = False

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        channels = x.shape[1] if x.ndim >= 2 else 1
        if weight.ndim > 1 or weight.size not in (1, channels):
            raise ValueError(
                f"weight of shape {weight.shape} must have 1 parameter or one per channel "
                f"(axis 1 of the input: {channels})"
            )
        # NOTE: the weight is viewed as (1, C, 1, ...) so that it broadcasts along axis 1.
        ctx.weight_view = (1, weight.size) + (1,) * (x.ndim - 2) if x.ndim >= 2 else (1,) * x.ndim
        return np.where(x > 0, x, weight.reshape(ctx.weight_view) * np.minimum(x, 0))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, weight = ctx.inputs
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            positive = locally_constant(above, x, bound=0.0)
            grad_x = grad * (positive + (1 - positive) * weight.reshape(ctx.weight_view))
        if ctx.needs_input_grad[1]:
            # NOTE: min(x, 0) rather than x * mask, which is 0 * inf = nan at x = +inf.
            grad_w = unbroadcast(grad * x.clip(max=0.0), ctx.weight_view).reshape(weight.shape)
        return grad_x, grad_w


class ReLU6(Hardtanh):
    """relu6(x) = min(max(x, 0), 6);  relu6'(x) = 1 if 0 < x < 6 else 0 (0 at both kinks)

    A Hardtanh from 0 to 6 (its backward is Hardtanh's).
    """

    family = "relu"  # not Hardtanh's "saturating"
    derivative_range = (0.0, 1.0)
    derivative_never_zero = False

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:  # type: ignore[override]  # its bounds are fixed
        return Hardtanh.forward(ctx, x, min_val=0.0, max_val=6.0)


class ELU(Function):
    """elu(x) = x if x > 0 else alpha (e^x - 1);  elu'(x) = 1 if x > 0 else alpha e^x (alpha at the kink)"""

    family = None
    derivative_range = (0.0, 1.0)  # at the default alpha
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        positive = locally_constant(above, x, bound=0.0)
        # NOTE: alpha e^min(x, 0) rather than y + alpha, which rounds to 0 below x = -37.
        exp_negative = x.clip(max=0.0).exp()
        return grad * (positive + (1 - positive) * ctx.alpha * exp_negative)


class SELU(Function):
    """selu(x) = scale elu(x, alpha);  selu'(x) = scale elu'(x, alpha) (scale alpha at the kink)

    ``scale`` and ``alpha`` are fixed: PyTorch's SELU_SCALE and SELU_ALPHA.
    """

    family = None
    derivative_range = (0.0, SELU_SCALE * SELU_ALPHA)  # 1.7581 at x = 0
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        # NOTE: past the largest float / scale, selu(x) is beyond the float range: inf, quietly.
        with np.errstate(over="ignore"):
            return SELU_SCALE * ELU.forward(ctx, x, alpha=SELU_ALPHA)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return SELU_SCALE * ELU.backward(ctx, grad)


class CELU(Function):
    """celu(x) = x if x > 0 else alpha (e^(x/alpha) - 1);  celu'(x) = 1 if x > 0 else e^(x/alpha) (1 at 0: no kink)

    Continuously differentiable for any alpha > 0.
    """

    family = None
    derivative_range = (0.0, 1.0)
    derivative_never_zero = True

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        if not alpha > 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        ctx.alpha = alpha
        # NOTE: clipped at -SATURATION alpha so that x / alpha cannot overflow for a small alpha.
        x_negative = np.clip(x, -SATURATION * alpha, 0)
        return np.where(x > 0, x, alpha * np.expm1(x_negative / alpha))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        alpha = ctx.alpha
        positive = locally_constant(above, x, bound=0.0)
        exp_negative = (x.clip(-SATURATION * alpha, 0.0) / alpha).exp()
        return grad * (positive + (1 - positive) * exp_negative)
