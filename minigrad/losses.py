"""Loss functions, as in ``torch.nn.functional``; re-exported by :mod:`minigrad.functional`.

Each is composed of core ops (mse_loss is one op, :class:`~minigrad.ops.losses.SquaredError`),
so its gradient (and second derivative) comes from their rules, in forms that stay finite for
logits of any size. ``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'`` (one loss per
element, or per sample for the classification losses). A target of the wrong shape, or a class
index out of range, raises a ValueError naming the loss, the shapes and the values.

>>> logits = Tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> loss = cross_entropy(logits, np.array([0]))
>>> round(loss.item(), 4)
0.1698
>>> loss.backward()
>>> logits.grad.numpy().round(3)                      # softmax(logits) - one_hot(target)
array([[-0.156,  0.114,  0.042]])
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.ops.elementwise import Where
from minigrad.ops.losses import NllLoss, SquaredError
from minigrad.tensor import Tensor, TensorLike


def _check_reduction(reduction: str, name: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str, name: str) -> Tensor:
    _check_reduction(reduction, name)
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _same_shape(input: TensorLike, target: TensorLike, name: str) -> tuple[Tensor, Tensor]:
    """input and target as Tensors of one shape (a number target takes input's dtype)."""
    input = input if isinstance(input, Tensor) else Tensor(input)
    target = input._lift(target)
    if target.shape != input.shape:
        raise ValueError(f"{name}: target shape {target.shape} must equal input shape {input.shape}")
    return input, target


def _class_indices(input: Tensor, target: TensorLike, name: str) -> np.ndarray:
    """Check that ``input`` is (N, C) and ``target`` holds N integer class indices in [0, C)."""
    if input.ndim != 2:
        raise ValueError(f"{name}: input must have shape (N, C), got {input.shape}")
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target.dtype.kind not in "iu":
        raise ValueError(f"{name}: target must hold integer class indices, got dtype {target.dtype} (use .astype(int))")
    n, c = input.shape
    if target.shape != (n,):
        raise ValueError(f"{name}: target shape {target.shape} must be ({n},) for input shape {input.shape}")
    bad = target[(target < 0) | (target >= c)]
    if bad.size:
        shown = sorted(set(bad.tolist()))[:5]
        raise ValueError(f"{name}: target holds class indices {shown} outside [0, {c}) for input shape {input.shape}")
    return target


def mse_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """(input - target)^2, the mean squared error (reduced as ``reduction`` says).

    Examples
    --------
    >>> F.mse_loss(Tensor([1.0, 2.0]), [0.0, 0.0])
    Tensor(2.5)
    >>> F.mse_loss(Tensor([1.0, 2.0]), [0.0, 0.0], reduction="none")
    Tensor([1. 4.])
    """
    input, target = _same_shape(input, target, "mse_loss")
    _check_reduction(reduction, "mse_loss")
    return SquaredError.apply(input, target, reduction=reduction)


def l1_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """|input - target|, the mean absolute error (reduced as ``reduction`` says).

    Examples
    --------
    >>> F.l1_loss(Tensor([1.0, -2.0]), [0.0, 0.0], reduction="sum")
    Tensor(3.)
    """
    input, target = _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction, "l1_loss")


def huber_loss(input: TensorLike, target: TensorLike, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), with d = input - target.

    Quadratic near 0, linear (robust to outliers) beyond delta, with matching slopes at
    |d| = delta.

    Examples
    --------
    >>> F.huber_loss(Tensor([0.5, 3.0]), [0.0, 0.0], reduction="none")
    Tensor([0.125 2.5  ])
    """
    input, target = _same_shape(input, target, "huber_loss")
    diff = input - target
    size = diff.abs()
    loss = Where.apply(0.5 * diff * diff, delta * (size - 0.5 * delta), condition=size.data < delta)
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) for probabilities p in [0, 1].

    Each log is clamped at -100, as PyTorch, so p = 0 or 1 gives a large finite loss, not inf.
    Prefer :func:`binary_cross_entropy_with_logits` on logits: it is exact where this saturates.

    Examples
    --------
    >>> round(F.binary_cross_entropy(Tensor([0.9, 0.2]), [1.0, 0.0]).item(), 4)
    0.1643
    """
    input, target = _same_shape(input, target, "binary_cross_entropy")
    if np.any((input.data < 0) | (input.data > 1)):
        low, high = input.data.min(), input.data.max()
        raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1], got values in [{low}, {high}]")
    # NOTE: log(max(p, e^-100)) = max(log p, -100), and never evaluates log 0.
    floor = math.exp(-100)
    loss = -(target * input.clip(min=floor).log() + (1 - target) * (1 - input).clip(min=floor).log())
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits x: -(y log s(x) + (1 - y) log(1 - s(x))), s the sigmoid.

    Computed as max(x, 0) - x y + log1p(e^-|x|); its derivative is s(x) - y.

    NOTE: max(x, 0) + log1p(e^-|x|) is softplus(x), which the softplus op computes in exactly
    that form; threshold=inf keeps it exact (no switch to x) for large x.

    Examples
    --------
    >>> x = Tensor([2.0, -1.0], requires_grad=True)
    >>> loss = F.binary_cross_entropy_with_logits(x, [1.0, 0.0], reduction="sum")
    >>> round(loss.item(), 4)
    0.4402
    >>> loss.backward()
    >>> x.grad.numpy().round(4)                       # sigmoid(x) - y
    array([-0.1192,  0.2689])
    """
    input, target = _same_shape(input, target, "binary_cross_entropy_with_logits")
    loss = input.softplus(threshold=math.inf) - input * target
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def nll_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """-input[n, target[n]]: the negative log-likelihood of the target classes.

    ``input`` holds log-probabilities of shape (N, C), ``target`` N integer class indices. One op,
    :class:`~minigrad.ops.losses.NllLoss`, reduction included.

    Examples
    --------
    >>> log_probs = Tensor(np.log([[0.25, 0.75]]))
    >>> round(F.nll_loss(log_probs, np.array([1])).item(), 4)        # -log 0.75
    0.2877
    """
    _check_reduction(reduction, "nll_loss")
    input = input if isinstance(input, Tensor) else Tensor(input)
    target = _class_indices(input, target, "nll_loss")
    return NllLoss.apply(input, target=target, reduction=reduction)


def cross_entropy(
    input: TensorLike, target: TensorLike, reduction: str = "mean", label_smoothing: float = 0.0
) -> Tensor:
    """-log softmax(input)[n, target[n]] for logits of shape (N, C) and N integer class indices.

    With ``label_smoothing`` = eps the target is (1 - eps) one_hot + eps / C, so the loss is
    (1 - eps) nll + eps mean_c(-log softmax), as PyTorch. log_softmax subtracts the maximum
    first, so logits of any size give a finite loss. Two ops, as PyTorch: log_softmax, then
    :class:`~minigrad.ops.losses.NllLoss` (with the reduction).

    Examples
    --------
    >>> logits = Tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    >>> F.cross_entropy(logits, np.array([0, 2]), reduction="none").numpy().round(4)
    array([0.1698, 1.0986])
    """
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    _check_reduction(reduction, "cross_entropy")
    input = input if isinstance(input, Tensor) else Tensor(input)
    target = _class_indices(input, target, "cross_entropy")
    log_probs = input.log_softmax(axis=1)
    if not label_smoothing:
        return NllLoss.apply(log_probs, target=target, reduction=reduction)
    loss = NllLoss.apply(log_probs, target=target, reduction="none")
    loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(axis=1)
    return _reduce(loss, reduction, "cross_entropy")


def hinge_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """max(0, 1 - y s) for scores s and labels y in {-1, +1}: the SVM loss.

    The loss of micrograd's moons demo: zero once a point is on the right side with margin 1.

    Examples
    --------
    >>> F.hinge_loss(Tensor([2.0, 0.5, -1.0]), [1.0, 1.0, 1.0], reduction="none")
    Tensor([0.  0.5 2. ])
    """
    input, target = _same_shape(input, target, "hinge_loss")
    labels = np.unique(target.data)
    if not np.all(np.isin(labels, (-1.0, 1.0))):
        raise ValueError(f"hinge_loss: target must hold -1 and +1 only, got values {labels[:5].tolist()}")
    return _reduce((1 - target * input).relu(), reduction, "hinge_loss")
