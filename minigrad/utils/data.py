"""Datasets and minibatches, as PyTorch's ``torch.utils.data``: ``TensorDataset(X, y)`` pairs
tensors by their first dim, and ``DataLoader(dataset, batch_size, shuffle, drop_last, generator)``
iterates over it in batches, each a list of stacked tensors (as PyTorch's default collate).

>>> from minigrad.utils.data import DataLoader, TensorDataset
>>> X, y = minigrad.arange(10).float().reshape(5, 2), minigrad.arange(5)
>>> [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), batch_size=2)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from minigrad.arguments import check_rng
from minigrad.functional import stack
from minigrad.tensor import Tensor


class Dataset:
    """The base of a map-style dataset, as PyTorch's: a subclass gives ``__getitem__(i)`` (one
    sample) and ``__len__``.

    Examples
    --------
    >>> class Squares(Dataset):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, i): return minigrad.tensor(float(i * i))
    >>> next(iter(DataLoader(Squares(), batch_size=3)))
    Tensor([0. 1. 4.])
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__ (one sample)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of samples)")


class TensorDataset(Dataset):
    """Samples that are rows of tensors of one length: sample i is ``(t[i] for t in tensors)``.

    Examples
    --------
    >>> data = TensorDataset(minigrad.zeros(4, 3), minigrad.arange(4))
    >>> len(data), data[1]
    (4, (Tensor([0. 0. 0.]), Tensor(1, dtype=int64)))
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors or not all(isinstance(t, Tensor) and t.ndim >= 1 for t in tensors):
            found = [type(t).__name__ if not isinstance(t, Tensor) else f"shape {t.shape}" for t in tensors]
            raise TypeError(f"TensorDataset: needs one or more tensors of at least 1 dim, got {found}")
        if len({t.shape[0] for t in tensors}) != 1:
            raise ValueError(
                f"TensorDataset: size mismatch between tensors: first dims {[t.shape[0] for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` samples, as PyTorch's DataLoader:
    in order, or in a new random order each pass with ``shuffle`` (drawn from ``generator``, or
    the default generator that :func:`minigrad.manual_seed` seeds); the last, smaller batch is
    kept unless ``drop_last``. A batch stacks the samples: a tensor, or a list of tensors for
    samples that are tuples. NOTE: the order a seed gives is NumPy's, not PyTorch's.

    Examples
    --------
    >>> X = minigrad.arange(5).float()
    >>> loader = DataLoader(TensorDataset(X), batch_size=2, drop_last=True)
    >>> len(loader), [xb.tolist() for (xb,) in loader]
    (2, [[0.0, 1.0], [2.0, 3.0]])
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must have __getitem__ and __len__, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be an int > 0, got {batch_size!r:.40}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, bool):
                raise TypeError(f"DataLoader: {name} must be a bool, got {flag!r:.40}")
        check_rng("DataLoader", generator)
        self.dataset: Dataset = dataset
        self.batch_size: int = int(batch_size)
        self.shuffle: bool = shuffle
        self.drop_last: bool = drop_last
        self.generator: np.random.Generator | None = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = check_rng("DataLoader", self.generator).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start : start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):  # NOTE: one indexing per tensor, not one per sample
                yield [t[indices] for t in self.dataset.tensors]
            else:
                yield _collate([self.dataset[int(i)] for i in indices])


def _collate(samples: list[Any]) -> Any:
    """Samples stacked into a batch, as PyTorch's default collate: tensors and numbers stacked,
    tuples and lists collated field by field into a list."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack(samples)
    if isinstance(first, (bool, numbers.Number)):
        return Tensor._make(np.array(samples, dtype=np.float64 if isinstance(first, float) else None))
    if isinstance(first, (tuple, list)):
        return [_collate([sample[k] for sample in samples]) for k in range(len(first))]
    raise TypeError(f"DataLoader: cannot batch samples of type {type(first).__name__}; give tensors, numbers or tuples")
