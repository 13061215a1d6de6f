"""Embedding: a table of learned vectors, one row per index, as PyTorch's ``torch.nn.Embedding``."""

from __future__ import annotations

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_number, check_rng, check_unimplemented
from minigrad.functional.sparse import padding_row
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class Embedding(Module):
    """out[..., :] = weight[input[...], :]: each integer index picks a row of ``weight``.

    ``weight`` is (num_embeddings, embedding_dim), drawn from N(0, 1) as PyTorch draws it; the row
    ``padding_idx`` (negative counts from the end) starts at zero and gets no gradient, so it stays
    what it is. The input is an int64 or int32 Tensor or an integer NumPy array of indices in
    [0, num_embeddings), of any shape; the output has one more axis, of size embedding_dim. The
    backward rule (minigrad/ops/embedding.py) adds each output row's gradient into the row it came
    from. ``max_norm``, ``scale_grad_by_freq`` and ``sparse`` are refused by name (not
    implemented); ``rng`` is a Generator or an int seed, as for :class:`Linear`.

    Examples
    --------
    >>> table = nn.Embedding(10, 3, padding_idx=0, rng=0)
    >>> table
    Embedding(10, 3, padding_idx=0)
    >>> out = table(minigrad.tensor([[0, 4, 4], [9, 1, 0]]))
    >>> out.shape, table.weight.numpy()[0]
    ((2, 3, 3), array([0., 0., 0.]))
    >>> table(np.array([10]))
    Traceback (most recent call last):
    IndexError: embedding: input holds indices [10] outside [0, 10) for a weight of shape (10, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | np.ndarray | None = None,
        _freeze: bool = False,
        rng: int | np.random.Generator | None = None,
    ) -> None:
        check_number("Embedding", "num_embeddings", num_embeddings, integer=True, at_least=0)
        check_number("Embedding", "embedding_dim", embedding_dim, integer=True, at_least=0)
        row = padding_row("Embedding", padding_idx, num_embeddings)
        check_unimplemented("Embedding", "max_norm", max_norm, default=None)
        check_number("Embedding", "norm_type", norm_type)
        check_unimplemented("Embedding", "scale_grad_by_freq", scale_grad_by_freq, default=False)
        check_unimplemented("Embedding", "sparse", sparse, default=False)
        super().__init__()
        rng = check_rng("Embedding", rng)
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, row
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim)), requires_grad=not _freeze)
            init.normal_(self.weight, rng=rng)
            if row is not None:
                self.weight.numpy()[row] = 0.0
        else:
            self.weight = Parameter(_weight_table(_weight, (num_embeddings, embedding_dim)), requires_grad=not _freeze)

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor | np.ndarray, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An Embedding whose weight is a copy of ``embeddings`` (num_embeddings, embedding_dim),
        frozen (no gradient) unless ``freeze=False``; the padding row is kept as given, as PyTorch.

        Examples
        --------
        >>> table = nn.Embedding.from_pretrained(np.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> table(np.array([1])), table.weight.requires_grad
        (Tensor([[3. 4.]]), False)
        """
        weight = embeddings.numpy() if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if weight.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {weight.shape}")
        if type(freeze) is not bool:
            raise TypeError(f"Embedding.from_pretrained: freeze must be a bool, got {type(freeze).__name__} {freeze!r}")
        return cls(weight.shape[0], weight.shape[1], padding_idx=padding_idx, _weight=weight, _freeze=freeze)

    def forward(self, input: Tensor | np.ndarray) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"


def _weight_table(weight: Tensor | np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A copy of ``weight``'s values, which must have ``shape``."""
    array = weight.numpy() if isinstance(weight, Tensor) else np.asarray(weight)
    if array.shape != shape:
        raise ValueError(
            f"Embedding: _weight must have shape {shape} (num_embeddings, embedding_dim), got {array.shape}"
        )
    return array
