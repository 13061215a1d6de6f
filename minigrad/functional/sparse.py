"""The embedding lookup, ``F.embedding(input, weight)``: PyTorch's ``torch.nn.functional.embedding``.

Its op, with the backward rule that adds each gradient into the row it was read from, is
minigrad/ops/embedding.py; :class:`minigrad.nn.Embedding` holds the weight table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.arguments import check_number, check_unimplemented
from minigrad.ops import embedding as embedding_ops
from minigrad.tensor import Tensor


def embedding(
    input: Tensor | np.ndarray,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` that ``input`` names: out[..., :] = weight[input[...], :].

    ``input`` holds integer indices in [0, num_embeddings), an int64 or int32 Tensor or an
    integer NumPy array of any shape; ``weight`` is (num_embeddings, embedding_dim); the output is
    ``input.shape + (embedding_dim,)``. The gradient of ``weight`` is the output's gradient added
    into the rows that were read (twice into a row read twice); the row ``padding_idx`` (negative
    counts from the end, as PyTorch) gets none. ``max_norm``, ``scale_grad_by_freq`` and
    ``sparse`` are not implemented and are refused by name; ``norm_type`` matters only with
    ``max_norm``, as in PyTorch.

    Examples
    --------
    >>> weight = Tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> out = F.embedding(minigrad.tensor([[1, 2], [1, 0]]), weight, padding_idx=0)
    >>> out.shape
    (2, 2, 2)
    >>> out.sum().backward()
    >>> weight.grad                            # row 1 read twice, row 0 is the padding
    Tensor([[0. 0.]
            [2. 2.]
            [1. 1.]])
    >>> F.embedding(np.array([3]), weight)
    Traceback (most recent call last):
    IndexError: embedding: input holds indices [3] outside [0, 3) for a weight of shape (3, 2)
    """
    check_unimplemented("embedding", "max_norm", max_norm, default=None)
    check_number("embedding", "norm_type", norm_type)
    check_unimplemented("embedding", "scale_grad_by_freq", scale_grad_by_freq, default=False)
    check_unimplemented("embedding", "sparse", sparse, default=False)
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        shape = f"a Tensor of shape {weight.shape}" if isinstance(weight, Tensor) else type(weight).__name__
        raise ValueError(f"embedding: weight must be a 2-D Tensor (num_embeddings, embedding_dim), got {shape}")
    indices = embedding_indices("embedding", input, len(weight), f"for a weight of shape {weight.shape}")
    row = padding_row("embedding", padding_idx, len(weight))
    return embedding_ops.Embedding.apply(weight, indices=indices, padding_idx=row)


def embedding_indices(call: str, input: Any, num_embeddings: int, context: str) -> np.ndarray:
    """``input``'s indices as an integer array, each in [0, num_embeddings); refused by name if not.

    Examples
    --------
    >>> from minigrad.functional.sparse import embedding_indices
    >>> embedding_indices("Embedding", minigrad.tensor([2, 0]), 3, "")
    array([2, 0])
    >>> embedding_indices("Embedding", Tensor([2.0]), 3, "")
    Traceback (most recent call last):
    TypeError: Embedding: input must hold integer indices (an int64 or int32 Tensor, or an integer NumPy array), got a Tensor of dtype float64
    """
    array = input.numpy() if isinstance(input, Tensor) else input
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "iu":
        kind = f"a {type(input).__name__} of dtype {array.dtype}" if isinstance(array, np.ndarray) else repr(input)
        raise TypeError(
            f"{call}: input must hold integer indices (an int64 or int32 Tensor, or an integer NumPy array), "
            f"got {kind:.80}"
        )
    outside = array[(array < 0) | (array >= num_embeddings)]
    if outside.size:
        shown = sorted(set(outside.tolist()))[:5]
        raise IndexError(f"{call}: input holds indices {shown} outside [0, {num_embeddings}) {context}".rstrip())
    return array


def padding_row(call: str, padding_idx: Any, num_embeddings: int) -> int | None:
    """The row that ``padding_idx`` names (a negative one counts from the end), or None.

    Examples
    --------
    >>> from minigrad.functional.sparse import padding_row
    >>> padding_row("Embedding", -1, 10), padding_row("Embedding", None, 10)
    (9, None)
    >>> padding_row("Embedding", 10, 10)
    Traceback (most recent call last):
    ValueError: Embedding: padding_idx must be an integer >= -10 and < 10, got 10
    """
    if padding_idx is None:
        return None
    check_number(call, "padding_idx", padding_idx, integer=True, at_least=-num_embeddings, below=num_embeddings)
    return int(padding_idx) % num_embeddings
