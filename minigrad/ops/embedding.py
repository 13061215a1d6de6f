"""The embedding lookup: each index picks a row of a weight table, as ``torch.nn.functional.embedding``.

Its backward adds the gradient of every output row into the row of the table it was read from
(a row read twice gets both), and leaves the padding row's gradient at zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.ops.shape import ScatterAdd

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Embedding(Function):
    """f(W)[..., :] = W[indices[...], :];  dL/dW[r] = the sum of grad[p] over the positions p with
    indices[p] = r, and dL/dW[padding_idx] = 0

    ``indices`` (an int array, checked by the caller to lie in [0, len(W))) and ``padding_idx``
    (a row index or None) are parameters of the op, not inputs: an index has no gradient.
    """

    @staticmethod
    def forward(ctx: Context, weight: np.ndarray, indices: np.ndarray, padding_idx: int | None = None) -> np.ndarray:
        # NOTE: a copy, so that a later change to the caller's array cannot misroute the gradient.
        ctx.indices = np.array(indices)
        ctx.padding_idx = padding_idx
        return np.take(weight, ctx.indices, axis=0)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (weight,) = ctx.inputs
        indices = ctx.indices
        if ctx.padding_idx is not None:
            # NOTE: the positions that read the padding row send nothing back (PyTorch's rule).
            used = indices != ctx.padding_idx
            grad, indices = grad[used], indices[used]
        # ScatterAdd runs np.add.at: unlike W[indices] += grad, it adds once per repeat of an index.
        return ScatterAdd.apply(grad, shape=weight.shape, index=indices)
