"""Integer draws, as PyTorch's top-level functions: ``randint``, ``randperm`` and ``multinomial``
(sampling a class from a model's probabilities). Each takes ``generator=`` (a
:class:`minigrad.Generator`, or None for the default generator that :func:`minigrad.manual_seed`
seeds). NOTE: the numbers are NumPy's, not PyTorch's; the shapes, dtypes and rules are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from minigrad.arguments import check_rng
from minigrad.arrays import as_tensor_array
from minigrad.factories import _shape
from minigrad.tensor import Tensor


def randint(
    *bounds_and_size: int | Sequence[int],
    generator: np.random.Generator | None = None,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers drawn uniformly from [low, high) in a tensor of shape ``size`` (int64 unless
    ``dtype``), as ``torch.randint(low=0, high, size)``: ``randint(high, size)`` or
    ``randint(low, high, size)``.

    Examples
    --------
    >>> ix = minigrad.randint(0, 5, (3, 2), generator=minigrad.Generator().manual_seed(0))
    >>> ix.shape, ix.dtype, bool(((ix >= 0) & (ix < 5)).all())
    ((3, 2), dtype('int64'), True)
    """
    if len(bounds_and_size) not in (2, 3):
        raise TypeError(f"randint: takes (high, size) or (low, high, size), got {bounds_and_size!r:.60}")
    *bounds, size = bounds_and_size
    low, high = (0, *bounds) if len(bounds) == 1 else bounds
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in (low, high)):
        raise TypeError(f"randint: low and high must be ints, got low={low!r:.20}, high={high!r:.20}")
    if not isinstance(size, Sequence):
        raise TypeError(f"randint: size must be a tuple of ints, got {size!r:.40}")
    shape = _shape("randint", (size,))
    if low >= high:  # type: ignore[operator]
        raise ValueError(f"randint: low must be < high, got low={low}, high={high}")
    draws = check_rng("randint", generator).integers(low, high, shape)
    return Tensor._make(as_tensor_array(draws, np.int64 if dtype is None else dtype)).requires_grad_(requires_grad)


def randperm(
    n: int, generator: np.random.Generator | None = None, dtype: DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    """0 .. n-1 in a random order (int64 unless ``dtype``), as ``torch.randperm``.

    Examples
    --------
    >>> sorted(minigrad.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    (n,) = _shape("randperm", (n,))
    draws = check_rng("randperm", generator).permutation(n)
    return Tensor._make(as_tensor_array(draws, np.int64 if dtype is None else dtype)).requires_grad_(requires_grad)


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, generator: np.random.Generator | None = None
) -> Tensor:
    """Draw ``num_samples`` class indices from the weights in each row of ``input`` (1-d: one row;
    2-d: one draw per row), as ``torch.multinomial``: class i with probability w_i / sum(w).
    Without ``replacement`` a class is drawn at most once per row. int64 of shape
    (num_samples,) or (rows, num_samples).

    Examples
    --------
    >>> g = minigrad.Generator().manual_seed(0)
    >>> minigrad.multinomial(minigrad.tensor([0.0, 1.0, 0.0]), 3, replacement=True, generator=g)
    Tensor([1 1 1], dtype=int64)
    """
    if not isinstance(input, Tensor) or input.ndim not in (1, 2) or input.dtype.kind != "f":
        found = f"{input.dtype} of shape {input.shape}" if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"multinomial: input must be a 1-d or 2-d float tensor of weights, got {found}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise ValueError(f"multinomial: num_samples must be an int > 0, got {num_samples!r:.40}")
    if not isinstance(replacement, bool):
        raise TypeError(f"multinomial: replacement must be a bool, got {replacement!r:.40}")
    rows = input.numpy().reshape(-1, input.shape[-1]).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: input must hold finite weights >= 0 (probabilities, not logits)")
    if np.any(rows.sum(axis=1) <= 0):
        raise ValueError("multinomial: a row of input sums to 0; it needs a weight > 0")
    if not replacement and np.any((rows > 0).sum(axis=1) < num_samples):
        raise ValueError(
            f"multinomial: without replacement, num_samples={num_samples} needs as many classes of weight > 0 in each row"
        )
    rng = check_rng("multinomial", generator)
    draws = [rng.choice(len(row), num_samples, replace=replacement, p=row / row.sum()) for row in rows]
    out = np.array(draws, dtype=np.int64)
    return Tensor._make(out if input.ndim == 2 else out[0])
