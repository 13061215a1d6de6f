"""Normalisation layers: LayerNorm, BatchNorm1d and BatchNorm2d, written with Tensor ops so that their
gradients (and second derivatives) come from the ops' own backward rules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from minigrad.arguments import check_number
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Axis, Tensor


def _normalize(x: Tensor, axis: Axis, eps: float) -> Tensor:
    """(x - mean) / sqrt(var + eps) over ``axis``, with the biased variance (divide by n)."""
    centered = x - x.mean(axis=axis, keepdims=True)
    var = (centered * centered).mean(axis=axis, keepdims=True)
    return centered / (var + eps).sqrt()


def _normalized_shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    """LayerNorm's ``normalized_shape`` as a tuple, each size an integer >= 0 (named if not)."""
    if isinstance(normalized_shape, Sequence) and not isinstance(normalized_shape, str):
        sizes = tuple(normalized_shape)
        for k, size in enumerate(sizes):
            check_number("LayerNorm", f"normalized_shape[{k}]", size, integer=True, at_least=0)
        return sizes
    return (check_number("LayerNorm", "normalized_shape", normalized_shape, integer=True, at_least=0),)


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per sample, as ``torch.nn.LayerNorm``.

    The statistics are taken over the last ``len(normalized_shape)`` dimensions of each sample.

    Examples
    --------
    >>> ln = LayerNorm(3)
    >>> ln(Tensor([[1.0, 2.0, 3.0]])).numpy().round(3)
    array([[-1.225,  0.   ,  1.225]])
    """

    def __init__(
        self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True
    ) -> None:
        shape = _normalized_shape(normalized_shape)
        check_number("LayerNorm", "eps", eps, above=0)
        super().__init__()
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape)) if elementwise_affine else None

    def forward(self, x: Tensor) -> Tensor:
        n = len(self.normalized_shape)
        if x.shape[x.ndim - n :] != self.normalized_shape:
            raise ValueError(f"LayerNorm: expected inputs ending in shape {self.normalized_shape}, got shape {x.shape}")
        y = _normalize(x, tuple(range(x.ndim - n, x.ndim)), self.eps)
        if self.weight is not None:
            y = y * self.weight
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share (PyTorch's ``_BatchNorm``): per channel (dim 1),
    y = (x - mean) / sqrt(var + eps) * weight + bias, the statistics over every other dimension.

    In training the batch's statistics are used (biased variance) and, with
    ``track_running_stats``, the running ones move towards them:
    ``running = (1 - factor) * running + factor * batch`` with factor = ``momentum``, or
    1 / ``num_batches_tracked`` when ``momentum`` is None (the cumulative average of all the
    batches seen), and the unbiased variance (divide by n - 1) for ``running_var``. In eval mode
    the running statistics are used; without ``track_running_stats`` there are none (the three
    buffers are None and not in the state dict) and the batch's are used in eval mode too.
    ``affine``: learn a per-channel weight and (unless ``bias=False``, as PyTorch 2.13) bias.
    """

    running_mean: np.ndarray | None  # buffers (see Module.register_buffer)
    running_var: np.ndarray | None
    num_batches_tracked: np.ndarray | None
    input_ndims: tuple[int, ...]  # the numbers of dimensions a subclass takes, e.g. (4,)
    input_shapes: str  # the same in words, C as {c}: "(N, {c}, H, W)"

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        bias: bool = True,
    ) -> None:
        name = type(self).__name__
        check_number(name, "num_features", num_features, integer=True, at_least=0)
        check_number(name, "eps", eps, above=0)
        if momentum is not None:
            check_number(name, "momentum", momentum, at_least=0, at_most=1)
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features)) if affine else None
        self.bias = Parameter(np.zeros(num_features)) if affine and bias else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features) if tracked else None)
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64) if tracked else None)

    def forward(self, x: Tensor) -> Tensor:
        name, c = type(self).__name__, self.num_features
        if x.ndim not in self.input_ndims or x.shape[1] != c:
            raise ValueError(f"{name}: expected input of shape {self.input_shapes.format(c=c)}, got {x.shape}")
        axis = (0, *range(2, x.ndim))
        shape = (-1,) + (1,) * (x.ndim - 2)  # (C,) as (C, 1, ...): broadcasts over the dims after C
        if self.training or self.running_mean is None or self.running_var is None:
            if x.numel() // c < 2:
                raise ValueError(f"{name}: batch statistics need more than one value per feature, got shape {x.shape}")
            y = _normalize(x, axis, self.eps)
            if self.training and self.track_running_stats:
                self._track(x.numpy(), axis)
        else:
            mean = Tensor(self.running_mean.reshape(shape), dtype=x.dtype)
            std = Tensor(np.sqrt(self.running_var + self.eps).reshape(shape), dtype=x.dtype)
            y = (x - mean) / std
        if self.weight is not None:
            y = y * self.weight.reshape(shape)
        return y if self.bias is None else y + self.bias.reshape(shape)

    def _track(self, batch: np.ndarray, axis: tuple[int, ...]) -> None:
        """Move the running statistics towards the batch's, in place (as PyTorch updates its buffers)."""
        assert self.running_mean is not None and self.running_var is not None and self.num_batches_tracked is not None
        self.num_batches_tracked += 1
        factor = 1 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        self.running_mean *= 1 - factor
        self.running_mean += factor * batch.mean(axis=axis)
        self.running_var *= 1 - factor
        self.running_var += factor * batch.var(axis=axis, ddof=1)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C, as ``torch.nn.BatchNorm1d``.

    The statistics are taken over N (and L); see :class:`_BatchNorm` for training, eval mode,
    ``momentum`` (None: the cumulative average) and ``track_running_stats``.

    Examples
    --------
    >>> bn = BatchNorm1d(2)
    >>> _ = bn(Tensor([[0.0, 1.0], [2.0, 5.0]]))
    >>> bn.running_mean, bn.running_var
    (array([0.1, 0.3]), array([1.1, 1.7]))
    >>> cumulative = BatchNorm1d(2, momentum=None)
    >>> _ = cumulative(Tensor([[0.0, 1.0], [2.0, 5.0]]))
    >>> cumulative.running_mean                          # the mean of all the batches seen so far
    array([1., 3.])
    """

    input_ndims = (2, 3)
    input_shapes = "(N, {c}) or (N, {c}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel C, as ``torch.nn.BatchNorm2d``.

    The statistics are taken over N, H and W; see :class:`_BatchNorm` for training, eval mode,
    ``momentum`` (None: the cumulative average) and ``track_running_stats``.

    Examples
    --------
    >>> bn = BatchNorm2d(3)
    >>> y = bn(Tensor(np.arange(24.0).reshape(2, 3, 2, 2)))
    >>> y.numpy()[:, 0].round(3)                         # channel 0: the values 0-3 and 12-15
    array([[[-1.229, -1.065],
            [-0.901, -0.737]],
    <BLANKLINE>
           [[ 0.737,  0.901],
            [ 1.065,  1.229]]])
    >>> bn(Tensor(np.ones((2, 3, 4))))
    Traceback (most recent call last):
    ValueError: BatchNorm2d: expected input of shape (N, 3, H, W), got (2, 3, 4)
    """

    input_ndims = (4,)
    input_shapes = "(N, {c}, H, W)"
