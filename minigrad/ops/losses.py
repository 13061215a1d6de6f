"""The loss ops: the negative log-likelihood, the squared error and the binary cross-entropy.

What :func:`minigrad.functional.nll_loss` (and so ``cross_entropy``, after ``log_softmax``),
:func:`minigrad.functional.mse_loss` and :func:`minigrad.functional.binary_cross_entropy` run,
as PyTorch's ``NllLossBackward``, ``MseLossBackward`` and ``BinaryCrossEntropyBackward``: one node
instead of an indexing, a negation and a mean (or a subtraction, a square and a mean), the same
numbers, and a backward of a few small ops. The checks of shapes, dtypes, class indices and
values are in :mod:`minigrad.losses`; ``reduction`` is checked here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from minigrad.arguments import check_choice
from minigrad.autograd import Context, Function
from minigrad.ops.numerics import locally_constant

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def reduce_loss(losses: np.ndarray, reduction: str) -> np.ndarray:
    """The loss ops' ``reduction``: the mean of ``losses``, their sum, or (``'none'``) themselves.

    Examples
    --------
    >>> losses = np.array([1.0, 3.0])
    >>> reduce_loss(losses, "mean"), reduce_loss(losses, "sum"), reduce_loss(losses, "none")
    (np.float64(2.0), np.float64(4.0), array([1., 3.]))
    >>> reduce_loss(losses, "avg")
    Traceback (most recent call last):
    ValueError: reduce_loss: reduction must be one of 'mean', 'sum', 'none', got 'avg'
    """
    check_choice("reduce_loss", "reduction", reduction, REDUCTIONS)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def classes_outside(target: np.ndarray, classes: int, ignore_index: int) -> list[int]:
    """The first few (at most 5) distinct class indices of ``target`` outside [0, classes) and not ``ignore_index``.

    Examples
    --------
    >>> classes_outside(np.array([0, 3, -1, -100, 3]), 3, ignore_index=-100)
    [-1, 3]
    """
    bad = target[((target < 0) | (target >= classes)) & (target != ignore_index)]
    return sorted(set(bad.tolist()))[:5] if bad.size else []


class NllLoss(Function):
    """nll(x, t)_n = -(1 - e) w[t_n] x[n, t_n] - (e / C) sum_c w[c] x[n, c], then reduced;
    d nll_n / d x[n, c] = -(1 - e) w[t_n] [c = t_n] - (e / C) w[c]  (0 for an ignored n)

    ``x`` holds log-probabilities of shape (N, C), ``t`` N class indices in [0, C) or
    ``ignore_index`` (checked by :func:`minigrad.functional.nll_loss`); ``weight`` w holds one
    number per class (1 without it), e is ``label_smoothing`` (cross_entropy's: the target
    (1 - e) one_hot + e / C). A row whose target is ``ignore_index`` has loss 0. ``reduction`` is
    'mean' (sum_n nll_n / sum_n w[t_n] over the rows kept, as PyTorch's weighted mean), 'sum' or
    'none'. NOTE: the loss is linear in x, so its gradient is grad times a constant array, one op
    (PyTorch's NllLossBackward), and its second derivative in x is 0.
    """

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        target: np.ndarray,
        weight: np.ndarray | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> np.ndarray:
        check_choice("NllLoss", "reduction", reduction, REDUCTIONS)
        # NOTE: checked here too, not only by cross_entropy and nll_loss: a step replayed by
        # minigrad.compile runs this forward but not their checks, and a class -1 would read class C - 1.
        outside = classes_outside(target, x.shape[1], ignore_index)
        if outside:
            raise ValueError(
                f"NllLoss: target holds class indices {outside} outside [0, {x.shape[1]}) (ignore_index is {ignore_index})"
            )
        kept = target != ignore_index
        # NOTE: a copy of the classes, so that changing the caller's array later cannot misroute
        # the gradient; an ignored row reads class 0, with weight 0.
        classes, rows = np.where(kept, target, 0), np.arange(len(target))
        class_weight = np.ones(x.shape[1], x.dtype) if weight is None else weight.astype(x.dtype)
        w = np.where(kept, class_weight[classes], 0).astype(x.dtype)
        c = x.shape[1]
        # NOTE: errstate and where: an ignored row's -inf or nan (0 * inf) never reaches the loss;
        # and, as PyTorch, a mean over no kept targets is nan (0 / 0), with gradient 0.
        with np.errstate(invalid="ignore", divide="ignore"):
            losses = -(1 - label_smoothing) * w * x[rows, classes]
            if label_smoothing:
                losses = losses - label_smoothing / c * (x @ class_weight)
            losses = np.where(kept, losses, 0).astype(x.dtype)
            if reduction == "mean":
                loss, per_row = np.asarray(losses.sum() / w.sum(), x.dtype), np.where(kept, 1 / w.sum(), 0)
            else:
                loss, per_row = reduce_loss(losses, reduction), kept.astype(x.dtype)
            # d loss / d x before grad: -picked_n at (n, t_n), -spread[n, c] everywhere
            ctx.picked = (1 - label_smoothing) * w * per_row
            ctx.spread = label_smoothing / c * per_row[:, None] * class_weight if label_smoothing else None
        ctx.rows, ctx.classes, ctx.reduction = rows, classes, reduction
        return loss

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        # NOTE: an op computes the coefficient, from what forward saved, so that a traced step computes it anew.
        coefficient = locally_constant(
            nll_slope, x, rows=ctx.rows, classes=ctx.classes, picked=ctx.picked, spread=ctx.spread
        )
        if ctx.reduction == "none":  # one loss per row: row n's gradient scales row n
            grad = grad.reshape(len(ctx.rows), 1)
        return grad * coefficient


def nll_slope(
    x: np.ndarray, rows: np.ndarray, classes: np.ndarray, picked: np.ndarray, spread: np.ndarray | None
) -> np.ndarray:
    """d nll / d x before grad: -picked_n at (n, t_n) (rows n, classes t_n), -spread[n, c] everywhere.

    Examples
    --------
    >>> nll_slope(np.zeros((2, 3)), np.arange(2), np.array([2, 0]), np.array([0.5, 0.5]), None)
    array([[ 0. ,  0. , -0.5],
           [-0.5,  0. ,  0. ]])
    """
    coefficient = np.zeros(x.shape, x.dtype) if spread is None else (-spread).astype(x.dtype)
    coefficient[rows, classes] -= picked
    return coefficient


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
        scale = 2 / x.numel() if ctx.reduction == "mean" else 2
        grad_x = (x - target) * (grad * scale)
        return grad_x if ctx.needs_input_grad[0] else None, -grad_x if ctx.needs_input_grad[1] else None


LOG_FLOOR = -100.0  # PyTorch's clamp of binary_cross_entropy's logs
# NOTE: PyTorch's floor of p (1 - p) in binary_cross_entropy's gradient is the float32 1e-12.
EPSILON = float(np.float32(1e-12))


class BinaryCrossEntropy(Function):
    """f(p, y) = -w (y max(log p, -100) + (1 - y) max(log(1 - p), -100)), reduced;
    df/dp = w (p - y) / max(p (1 - p), 1e-12),  df/dy = w (max(log(1 - p), -100) - max(log p, -100))

    As PyTorch: the logs are clamped at -100, so p = 0 or 1 gives a finite loss, and the gradient
    in p is the formula (p - y) / (p (1 - p)) with its denominator floored at 1e-12, so the worst
    prediction (p = 0 with y = 1) gets the gradient -1e12, not the 0 of the clamped log's slope.
    ``weight`` (or None) is broadcast to p's shape (checked by
    :func:`~minigrad.functional.binary_cross_entropy`). NOTE: at p = 0 or 1 exactly, df/dy uses
    the clamped logs (+-100), where PyTorch's is +-inf.
    """

    @staticmethod
    def forward(
        ctx: Context, p: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, reduction: str = "mean"
    ) -> np.ndarray:
        ctx.weight, ctx.reduction = weight, reduction
        with np.errstate(divide="ignore"):  # log 0 = -inf, clamped at -100 at once
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), LOG_FLOOR)
        losses = np.asarray(-(y * log_p + (1 - y) * log_q))
        if weight is not None:
            losses = losses * weight
        return reduce_loss(losses.astype(p.dtype), reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        p, y = ctx.inputs
        scale = grad / p.numel() if ctx.reduction == "mean" else grad
        if ctx.weight is not None:
            scale = scale * ctx.weight
        grad_p = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_p = scale * (p - y) / (p * (1 - p)).clip(min=EPSILON)
        if ctx.needs_input_grad[1]:
            floor = math.exp(LOG_FLOOR)  # log(max(p, e^-100)) = max(log p, -100), never log 0
            grad_y = scale * ((1 - p).clip(min=floor).log() - p.clip(min=floor).log())
        return grad_p, grad_y
