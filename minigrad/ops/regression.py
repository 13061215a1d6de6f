"""The squared error of a regression, as one op: what :func:`minigrad.functional.mse_loss` runs.

One node instead of a subtraction, a square and a mean (as PyTorch's ``MseLossBackward``): the
same numbers, a third of the graph, and a backward of three small ops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.reductions import reduce_loss

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class SquaredError(Function):
    """f(x, t) = (x - t)^2, reduced: its mean (n elements), its sum, or none;
    df/dx = 2 (x - t) (/ n for the mean),  df/dt = -df/dx

    ``x`` and ``t`` have one shape (:func:`~minigrad.functional.mse_loss` checks it); ``reduction``
    is 'mean', 'sum' or 'none'.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        ctx.reduction = reduction
        squared = np.asarray(x - target)  # asarray: on 0-d arrays NumPy returns a scalar
        np.multiply(squared, squared, out=squared)  # in place: one array the size of x, not two
        return reduce_loss(squared, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, target = ctx.inputs
        scale = 2 / x.size if ctx.reduction == "mean" else 2
        grad_x = (x - target) * (grad * scale)
        return grad_x if ctx.needs_input_grad[0] else None, -grad_x if ctx.needs_input_grad[1] else None
