"""Loss modules, as ``torch.nn`` has them: each holds its options and calls the loss of the same
name in :mod:`minigrad.functional` (where the loss and its gradient are written).

The constructors take PyTorch's arguments in PyTorch's order and check them at once (PyTorch's
deprecated ``size_average`` and ``reduce`` are refused by name). A module has no parameters; a
``weight`` (and :class:`BCEWithLogitsLoss`'s ``pos_weight``) is a buffer, as in PyTorch, so it
is in ``state_dict`` when given. ``hinge_loss`` has no module: torch.nn has none for it (its
HingeEmbeddingLoss is another loss).

>>> from minigrad import Tensor
>>> import numpy as np
>>> loss_fn = CrossEntropyLoss()
>>> round(loss_fn(Tensor([[2.0, 0.0, -1.0]]), np.array([0])).item(), 4)
0.1698
"""

from __future__ import annotations

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_number
from minigrad.loss_checks import reduction_of, weight_array
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, TensorLike


class _Loss(Module):
    """A loss module: its ``reduction`` ('mean', 'sum' or 'none'), checked on entry."""

    def __init__(self, size_average: None = None, reduce: None = None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction_of(type(self).__name__, reduction, size_average, reduce)

    def _keep_weight(self, name: str, weight: TensorLike | None) -> None:
        """``weight`` as the buffer ``name`` (in state_dict), or the attribute ``name`` = None."""
        if weight is None:
            setattr(self, name, None)
        else:
            self.register_buffer(name, weight_array(type(self).__name__, name, weight).astype(np.float64))


class MSELoss(_Loss):
    """The mean squared error (:func:`minigrad.functional.mse_loss`).

    Examples
    --------
    >>> nn.MSELoss()(Tensor([1.0, 2.0]), [0.0, 0.0])
    Tensor(2.5)
    """

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """The mean absolute error (:func:`minigrad.functional.l1_loss`).

    Examples
    --------
    >>> nn.L1Loss(reduction="sum")(Tensor([1.0, -2.0]), [0.0, 0.0])
    Tensor(3.)
    """

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """The Huber loss, quadratic within ``delta`` and linear beyond (:func:`minigrad.functional.huber_loss`).

    Examples
    --------
    >>> nn.HuberLoss(reduction="none", delta=1.0)(Tensor([0.5, 3.0]), [0.0, 0.0])
    Tensor([0.125 2.5  ])
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = check_number("HuberLoss", "delta", delta, above=0)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (:func:`minigrad.functional.binary_cross_entropy`).

    Examples
    --------
    >>> round(nn.BCELoss()(Tensor([0.9, 0.2]), [1.0, 0.0]).item(), 4)
    0.1643
    """

    weight: np.ndarray | None

    def __init__(
        self, weight: TensorLike | None = None, size_average: None = None, reduce: None = None, reduction: str = "mean"
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._keep_weight("weight", weight)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (:func:`minigrad.functional.binary_cross_entropy_with_logits`).

    Examples
    --------
    >>> loss_fn = nn.BCEWithLogitsLoss(pos_weight=[2.0])
    >>> round(loss_fn(Tensor([0.0]), [1.0]).item(), 4)                 # 2 log 2
    1.3863
    >>> sorted(loss_fn.state_dict())
    ['pos_weight']
    """

    weight: np.ndarray | None
    pos_weight: np.ndarray | None

    def __init__(
        self,
        weight: TensorLike | None = None,
        size_average: None = None,
        reduce: None = None,
        reduction: str = "mean",
        pos_weight: TensorLike | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._keep_weight("weight", weight)
        self._keep_weight("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class NLLLoss(_Loss):
    """The negative log-likelihood of class indices (:func:`minigrad.functional.nll_loss`).

    Examples
    --------
    >>> log_probs = Tensor(np.log([[0.25, 0.75], [0.5, 0.5]]))
    >>> round(nn.NLLLoss(ignore_index=0)(log_probs, np.array([1, 0])).item(), 4)   # -log 0.75
    0.2877
    """

    weight: np.ndarray | None

    def __init__(
        self,
        weight: TensorLike | None = None,
        size_average: None = None,
        ignore_index: int = -100,
        reduce: None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self._keep_weight("weight", weight)
        if self.weight is not None and self.weight.ndim != 1:
            raise ValueError(
                f"{type(self).__name__}: weight must hold one number per class, got shape {self.weight.shape}"
            )
        self.ignore_index = check_number(type(self).__name__, "ignore_index", ignore_index, integer=True)

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class CrossEntropyLoss(NLLLoss):
    """The cross-entropy of logits, for class indices or probabilities (:func:`minigrad.functional.cross_entropy`).

    Examples
    --------
    >>> loss_fn = nn.CrossEntropyLoss(weight=[1.0, 2.0], label_smoothing=0.1)
    >>> round(loss_fn(Tensor([[2.0, 0.0], [0.0, 0.0]]), np.array([0, 1])).item(), 4)
    0.5616
    >>> [name for name, _ in loss_fn.named_buffers()], list(loss_fn.parameters())
    (['weight'], [])
    """

    def __init__(
        self,
        weight: TensorLike | None = None,
        size_average: None = None,
        ignore_index: int = -100,
        reduce: None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
        self.label_smoothing = check_number(
            "CrossEntropyLoss", "label_smoothing", label_smoothing, at_least=0, at_most=1
        )

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )
