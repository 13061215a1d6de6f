"""The backward rule of broadcasting, shared by every op that broadcasts its inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` down to ``shape``: the backward rule of broadcasting.

    NOTE: an input broadcast along an axis was used once per position on it, so its gradient is
    the sum of the gradients at those positions.

    Examples
    --------
    >>> g = Tensor(np.ones((2, 3)))        # the gradient of x + b, x of shape (2, 3)
    >>> unbroadcast(g, (3,)), unbroadcast(g, (1, 3))
    (Tensor([2. 2. 2.]), Tensor([[2. 2. 2.]]))
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = [*range(extra)] + [extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1]
    summed = grad.sum(axis=tuple(axes)) if axes else grad
    return summed if summed.shape == shape else summed.reshape(shape)
