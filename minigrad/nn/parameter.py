"""Parameter: a Tensor that a module learns, so that :meth:`Module.parameters` finds it."""

from __future__ import annotations

from minigrad.tensor import Tensor, TensorLike


class Parameter(Tensor):
    """A Tensor that a module learns: it requires grad, and ``Module.parameters()`` finds it.

    Examples
    --------
    >>> p = Parameter(np.zeros(3))
    >>> p.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data: TensorLike, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
