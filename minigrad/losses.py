"""Loss functions, as in ``torch.nn.functional``; re-exported by :mod:`minigrad.functional`.

Each is composed of core ops (mse_loss is one op, :class:`~minigrad.ops.losses.SquaredError`),
so its gradient (and second derivative) comes from their rules, in forms that stay finite for
logits of any size. The arguments, their positional order and their names are PyTorch's;
``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'`` (one loss per element, or per
sample for the classification losses). Every argument is checked on entry
(:mod:`minigrad.loss_checks`): a target of the wrong shape, a class index out of range, a
probability outside [0, 1] or PyTorch's deprecated ``size_average`` raises an error naming it.

>>> logits = Tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> loss = cross_entropy(logits, np.array([0]))
>>> round(loss.item(), 4)
0.1698
>>> loss.backward()
>>> logits.grad.numpy().round(3)                      # softmax(logits) - one_hot(target)
array([[-0.156,  0.114,  0.042]])
"""

from __future__ import annotations

import numpy as np

from minigrad.arguments import check_number
from minigrad.loss_checks import (
    as_input,
    class_indices,
    class_weight,
    classes_of,
    classification_input,
    probabilities,
    reduction_of,
    same_shape,
    samples_of,
    weights,
)
from minigrad.ops.losses import BinaryCrossEntropy, NllLoss, SquaredError
from minigrad.ops.numerics import inside as inside_bounds
from minigrad.ops.numerics import locally_constant
from minigrad.tensor import Tensor, TensorLike


def _reduce(loss: Tensor, reduction: str, weight: np.ndarray | None = None, by_weight: bool = False) -> Tensor:
    """``loss`` times ``weight`` (if any), then its mean, its sum or itself.

    With ``by_weight`` the mean divides by the sum of the weights, not by the number of elements
    (as PyTorch's mse_loss and l1_loss; its huber_loss and the rest divide by the number).
    """
    if weight is not None:
        loss = loss * weight
    if reduction == "mean":
        return loss.sum() / float(weight.sum()) if by_weight and weight is not None else loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _same_size_weight(call: str, weight: TensorLike | None, input: Tensor, reduction: str) -> np.ndarray | None:
    """mse_loss's and l1_loss's ``weight``: of input's shape, with a nonzero sum for the mean."""
    w = weights(call, "weight", weight, input.shape, input)
    if w is not None and w.shape != input.shape:
        raise ValueError(f"{call}: weight shape {w.shape} must equal input shape {input.shape}")
    if w is not None and reduction == "mean" and w.size and w.sum() == 0:
        raise ValueError(f"{call}: weight sums to 0, so the weighted mean is undefined; use reduction='sum'")
    return w


def mse_loss(
    input: TensorLike,
    target: TensorLike,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
    weight: TensorLike | None = None,
) -> Tensor:
    """w (input - target)^2, the mean squared error (reduced as ``reduction`` says).

    ``weight`` w, of input's shape, scales each element; the mean is then sum(w (x - t)^2) /
    sum(w), as PyTorch.

    Examples
    --------
    >>> F.mse_loss(Tensor([1.0, 2.0]), [0.0, 0.0])
    Tensor(2.5)
    >>> F.mse_loss(Tensor([1.0, 2.0]), [0.0, 0.0], reduction="none")
    Tensor([1. 4.])
    """
    reduction = reduction_of("mse_loss", reduction, size_average, reduce)
    input = as_input("mse_loss", input, reduction)
    target = same_shape("mse_loss", input, target)
    w = _same_size_weight("mse_loss", weight, input, reduction)
    if w is None:
        return SquaredError.apply(input, target, reduction=reduction)
    return _reduce(SquaredError.apply(input, target, reduction="none"), reduction, w, by_weight=True)


def l1_loss(
    input: TensorLike,
    target: TensorLike,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
    weight: TensorLike | None = None,
) -> Tensor:
    """w |input - target|, the mean absolute error (reduced as ``reduction`` says).

    ``weight`` w, of input's shape, scales each element; the mean is then sum(w |x - t|) / sum(w),
    as PyTorch.

    Examples
    --------
    >>> F.l1_loss(Tensor([1.0, -2.0]), [0.0, 0.0], reduction="sum")
    Tensor(3.)
    """
    reduction = reduction_of("l1_loss", reduction, size_average, reduce)
    input = as_input("l1_loss", input, reduction)
    target = same_shape("l1_loss", input, target)
    w = _same_size_weight("l1_loss", weight, input, reduction)
    return _reduce((input - target).abs(), reduction, w, by_weight=True)


def huber_loss(
    input: TensorLike,
    target: TensorLike,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: TensorLike | None = None,
) -> Tensor:
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), with d = input - target.

    Quadratic near 0, linear (robust to outliers) beyond delta, with matching slopes at
    |d| = delta; ``delta`` must be a finite number > 0. ``weight``, of input's shape, scales each
    element (the mean still divides by the number of elements, as PyTorch). The gradient is d clipped to
    [-delta, delta], so +-delta at an infinite d, as PyTorch.

    Examples
    --------
    >>> F.huber_loss(Tensor([0.5, 3.0]), [0.0, 0.0], reduction="none")
    Tensor([0.125 2.5  ])
    """
    reduction = reduction_of("huber_loss", reduction)
    check_number("huber_loss", "delta", delta, above=0)
    input = as_input("huber_loss", input, reduction)
    target = same_shape("huber_loss", input, target)
    w = _same_size_weight("huber_loss", weight, input, "sum")  # NOTE: PyTorch's mean here divides by the number
    diff = input - target
    size = diff.abs()
    # NOTE: the square of d clipped, so that the branch not taken at d = +-inf has gradient 0, not 0 * inf.
    inside = diff.clip(-delta, delta)
    # NOTE: the mask |d| < delta made by an op (so that minigrad.compile recomputes it); a product with
    # 0 or 1 adds exactly 0.0 from the branch not taken, finite on both sides as the where was.
    small = locally_constant(inside_bounds, size, low=-np.inf, high=delta, closed=False)
    loss = small * (0.5 * inside * inside) + (1 - small) * (delta * (size - 0.5 * delta))
    return _reduce(loss, reduction, w)


def binary_cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (y log p + (1 - y) log(1 - p)) for probabilities p and targets y in [0, 1].

    As PyTorch: each log is clamped at -100, so p = 0 or 1 gives a large finite loss, not inf, and
    the gradient in p is (p - y) / max(p (1 - p), 1e-12), so p = 0 with y = 1 gets -1e12 (one op,
    :class:`~minigrad.ops.losses.BinaryCrossEntropy`). p or y outside [0, 1], or NaN, is refused.
    Prefer :func:`binary_cross_entropy_with_logits` on logits: it is exact where this saturates.

    Examples
    --------
    >>> round(F.binary_cross_entropy(Tensor([0.9, 0.2]), [1.0, 0.0]).item(), 4)
    0.1643
    """
    reduction = reduction_of("binary_cross_entropy", reduction, size_average, reduce)
    input = as_input("binary_cross_entropy", input, reduction)
    target = same_shape("binary_cross_entropy", input, target)
    probabilities("binary_cross_entropy", "input", input)
    probabilities("binary_cross_entropy", "target", target)
    w = weights("binary_cross_entropy", "weight", weight, input.shape, input)
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: None = None,
    reduce: None = None,
    reduction: str = "mean",
    pos_weight: TensorLike | None = None,
) -> Tensor:
    """Binary cross-entropy on logits x: -w (r y log s(x) + (1 - y) log(1 - s(x))), s the sigmoid.

    ``weight`` w scales each element, ``pos_weight`` r the positive term (both broadcast to x's
    shape, as PyTorch). Computed as (1 - y) x + (1 + (r - 1) y) softplus(-x), with softplus(z) =
    max(z, 0) + log1p(e^-|z|); without r it is softplus(x) - x y, with the derivative s(x) - y.

    NOTE: the softplus op computes max(x, 0) + log1p(e^-|x|) in exactly that form;
    threshold=inf keeps it exact (no switch to x) for large x.

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
    call = "binary_cross_entropy_with_logits"
    reduction = reduction_of(call, reduction, size_average, reduce)
    input = as_input(call, input, reduction)
    target = same_shape(call, input, target)
    w = weights(call, "weight", weight, input.shape, input)
    r = weights(call, "pos_weight", pos_weight, input.shape, input)
    if r is None:
        return _reduce(input.softplus(threshold=float("inf")) - input * target, reduction, w)
    loss = (1 - target) * input + (1 + (r - 1) * target) * (-input).softplus(threshold=float("inf"))
    return _reduce(loss, reduction, w)


def nll_loss(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: None = None,
    ignore_index: int = -100,
    reduce: None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w[t_n] input[n, t_n]: the (weighted) negative log-likelihood of the target classes.

    ``input`` holds log-probabilities of shape (N, C) (or (C,), or (N, C, d1, ...) with a target
    of shape (N, d1, ...), as PyTorch), ``target`` N integer class indices t_n;
    ``weight`` w holds one number per class (1 without it). A sample whose target is
    ``ignore_index`` counts in neither sum: its loss is 0, and the mean is sum_n loss_n / sum_n
    w[t_n] over the samples kept (nan if none is kept, as PyTorch). One op,
    :class:`~minigrad.ops.losses.NllLoss`, reduction included.

    Examples
    --------
    >>> log_probs = Tensor(np.log([[0.25, 0.75], [0.5, 0.5]]))
    >>> round(F.nll_loss(log_probs, np.array([1, -100])).item(), 4)        # -log 0.75
    0.2877
    >>> round(F.nll_loss(log_probs, np.array([1, 0]), weight=[3.0, 1.0]).item(), 4)  # (-log 0.75 + 3 log 2) / 4
    0.5918
    """
    reduction = reduction_of("nll_loss", reduction, size_average, reduce)
    input = classification_input("nll_loss", input, reduction)
    w = class_weight("nll_loss", weight, input)
    target = class_indices("nll_loss", input, target, ignore_index)
    loss = NllLoss.apply(
        _rows(input), target=target.reshape(-1), weight=w, ignore_index=ignore_index, reduction=reduction
    )
    return _per_sample(loss, input, reduction)


def cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: None = None,
    ignore_index: int = -100,
    reduce: None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """-sum_c w[c] q[n, c] log softmax(input)[n, c]: the cross-entropy of logits of shape (N, C).

    As PyTorch, logits may also be of shape (C,) (one sample) or (N, C, d1, ...) (a loss per
    sample and position, the classes along dim 1).

    The target q is either N integer class indices (q the one-hot rows; a sample whose target is
    ``ignore_index`` counts in neither sum, as in :func:`nll_loss`) or, of input's shape, class
    probabilities (soft targets, rows summing to 1; ``ignore_index`` is then refused, as
    PyTorch). ``weight`` w holds one number per class. With ``label_smoothing`` = e the target is
    (1 - e) q + e / C. The mean divides by sum_n w[t_n] over the samples kept for class
    indices, by N for probabilities, as PyTorch. log_softmax subtracts the maximum first, so
    logits of any size give a finite loss. For class indices two ops, as PyTorch: log_softmax,
    then :class:`~minigrad.ops.losses.NllLoss` (smoothing and reduction included).

    Examples
    --------
    >>> logits = Tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    >>> F.cross_entropy(logits, np.array([0, 2]), reduction="none").numpy().round(4)
    array([0.1698, 1.0986])
    >>> F.cross_entropy(logits, np.array([[1.0, 0, 0], [0, 0, 1]]), reduction="none").numpy().round(4)
    array([0.1698, 1.0986])
    """
    reduction = reduction_of("cross_entropy", reduction, size_average, reduce)
    check_number("cross_entropy", "label_smoothing", label_smoothing, at_least=0, at_most=1)
    input = classification_input("cross_entropy", input, reduction)
    w = class_weight("cross_entropy", weight, input)
    log_probs = _rows(input).log_softmax(axis=1)
    if np.shape(target.numpy() if isinstance(target, Tensor) else target) == input.shape:
        q = _rows(_probability_target(input, target, ignore_index))
        if label_smoothing:
            q = q * (1 - label_smoothing) + label_smoothing / classes_of(input)
        terms = log_probs * q if w is None else log_probs * q * w
        return _per_sample(_reduce(-terms.sum(axis=1), reduction), input, reduction)
    indices = class_indices("cross_entropy", input, target, ignore_index).reshape(-1)
    loss = NllLoss.apply(
        log_probs,
        target=indices,
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    return _per_sample(loss, input, reduction)


def _rows(input: Tensor) -> Tensor:
    """Scores of shape (C,), (N, C) or (N, C, d1, ...) as rows (M, C): one per sample, classes last."""
    if input.ndim == 2:
        return input
    if input.ndim == 1:
        return input.reshape(1, -1)
    return input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])


def _per_sample(loss: Tensor, input: Tensor, reduction: str) -> Tensor:
    """The losses of :func:`_rows`'s rows in the shape of the samples (reduction 'none'), else ``loss``."""
    return loss.reshape(samples_of(input)) if reduction == "none" and input.ndim != 2 else loss


def _probability_target(input: Tensor, target: TensorLike, ignore_index: int) -> Tensor:
    """A target of input's shape as class probabilities: floating point, no ``ignore_index``."""
    check_number("cross_entropy", "ignore_index", ignore_index, integer=True)
    dtype = target.dtype if isinstance(target, Tensor) else np.asarray(target).dtype
    if dtype.kind != "f":
        raise ValueError(
            f"cross_entropy: a target of input's shape {input.shape} holds class probabilities and must be "
            f"floating point, got dtype {dtype} (class indices have shape {samples_of(input)})"
        )
    if ignore_index != -100:
        raise ValueError(f"cross_entropy: ignore_index is not supported for probability targets, got {ignore_index}")
    return input._lift(target)


def hinge_loss(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """max(0, 1 - y s) for scores s and labels y in {-1, +1}: the SVM loss.

    The loss of micrograd's moons demo: zero once a point is on the right side with margin 1.
    minigrad's own (torch.nn.functional has no such function; its hinge_embedding_loss differs).

    Examples
    --------
    >>> F.hinge_loss(Tensor([2.0, 0.5, -1.0]), [1.0, 1.0, 1.0], reduction="none")
    Tensor([0.  0.5 2. ])
    """
    reduction = reduction_of("hinge_loss", reduction)
    input = as_input("hinge_loss", input, reduction)
    target = same_shape("hinge_loss", input, target)
    labels = np.unique(target.numpy())
    if not np.all(np.isin(labels, (-1.0, 1.0))):
        raise ValueError(f"hinge_loss: target must hold -1 and +1 only, got values {labels[:5].tolist()}")
    return _reduce((1 - target * input).relu(), reduction)
