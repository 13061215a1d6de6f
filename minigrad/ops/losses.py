"""The loss ops: the negative log-likelihood and the squared error, each one graph node.

What :func:`minigrad.functional.nll_loss` (and so ``cross_entropy``, after ``log_softmax``) and
:func:`minigrad.functional.mse_loss` run, as PyTorch's ``NllLossBackward`` and
``MseLossBackward``: one node instead of an indexing, a negation and a mean (or a subtraction, a
square and a mean), the same numbers, and a backward of a few small ops. The checks of shapes,
dtypes and class indices are in :mod:`minigrad.losses`; ``reduction`` is checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def reduce_loss(losses: np.ndarray, reduction: str) -> np.ndarray:
    """The loss ops' ``reduction``: the mean of ``losses``, their sum, or (``'none'``) themselves.

    Examples
    --------
    >>> losses = np.array([1.0, 3.0])
    >>> reduce_loss(losses, "mean"), reduce_loss(losses, "sum"), reduce_loss(losses, "none")
    (np.float64(2.0), np.float64(4.0), array([1., 3.]))
    >>> reduce_loss(losses, "avg")
    Traceback (most recent call last):
    ValueError: reduction must be 'mean', 'sum' or 'none', got 'avg'
    """
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class NllLoss(Function):
    """nll(x, t)_n = -x[n, t_n], then the mean or sum over n;  d nll_n / d x[n, c] = -1 if c = t_n, else 0

    ``x`` holds log-probabilities of shape (N, C), ``t`` N class indices in [0, C) (checked by
    :func:`minigrad.functional.nll_loss`); ``reduction`` is 'mean' (the gradient then / N), 'sum'
    or 'none'. NOTE: the loss is linear in x, so its gradient is grad times a constant array, one
    op (PyTorch's NllLossBackward), and its second derivative in x is 0.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        # NOTE: a copy, so that changing the caller's array later cannot misroute the gradient.
        ctx.target, ctx.reduction = np.array(target), reduction
        return reduce_loss(-x[np.arange(len(target)), target], reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        n = len(ctx.target)
        weight = np.zeros(x.shape, x.dtype)
        weight[np.arange(n), ctx.target] = -1 / max(n, 1) if ctx.reduction == "mean" else -1  # max: N = 0 sets nothing
        if ctx.reduction == "none":  # one loss per row: row n's gradient scales row n
            grad = grad.reshape(n, 1)
        return grad * weight


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
