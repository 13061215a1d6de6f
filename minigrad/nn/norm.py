"""Normalisation layers: LayerNorm and BatchNorm1d, written with Tensor ops so that their
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


class BatchNorm1d(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias per feature, as ``torch.nn.BatchNorm1d``.

    The statistics are taken over the batch (and the length of a (N, C, L) input). In training the batch's statistics are used, and the running ones move towards them:
    ``running = (1 - momentum) * running + momentum * batch``, with the unbiased variance
    (divide by n - 1) for ``running_var``, as PyTorch. In eval mode the running ones are used.

    Examples
    --------
    >>> bn = BatchNorm1d(2)
    >>> _ = bn(Tensor([[0.0, 1.0], [2.0, 5.0]]))
    >>> bn.running_mean, bn.running_var
    (array([0.1, 0.3]), array([1.1, 1.7]))
    """

    running_mean: np.ndarray  # buffers (see Module.register_buffer)
    running_var: np.ndarray
    num_batches_tracked: np.ndarray

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True) -> None:
        check_number("BatchNorm1d", "num_features", num_features, integer=True, at_least=0)
        check_number("BatchNorm1d", "eps", eps, above=0)
        if momentum is not None:
            check_number("BatchNorm1d", "momentum", momentum, at_least=0, at_most=1)
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features)) if affine else None
        self.bias = Parameter(np.zeros(num_features)) if affine else None
        self.register_buffer("running_mean", np.zeros(num_features))
        self.register_buffer("running_var", np.ones(num_features))
        self.register_buffer("num_batches_tracked", np.array(0))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            c = self.num_features
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {c}) or (N, {c}, L), got {x.shape}")
        axis = (0,) if x.ndim == 2 else (0, 2)
        # Parameters and statistics have shape (C,); as (C, 1) they broadcast over L too.
        shape = (-1,) if x.ndim == 2 else (-1, 1)
        if self.training:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(f"BatchNorm1d: training needs more than one value per feature, got shape {x.shape}")
            y = _normalize(x, axis, self.eps)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * x.data.mean(axis=axis)
            self.running_var = (1 - m) * self.running_var + m * x.data.var(axis=axis, ddof=1)
            self.num_batches_tracked = self.num_batches_tracked + 1
        else:
            mean = Tensor(self.running_mean.reshape(shape), dtype=x.dtype)
            std = Tensor(np.sqrt(self.running_var + self.eps).reshape(shape), dtype=x.dtype)
            y = (x - mean) / std
        if self.weight is not None:
            y = y * self.weight.reshape(shape)
        return y if self.bias is None else y + self.bias.reshape(shape)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.weight is not None}"
