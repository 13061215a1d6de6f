"""Tensor's conversions, as PyTorch's: ``.to(dtype)``, ``.float()``, ``.double()``, ``.long()``,
``.int()``, ``.bool()``; ``int(x)``, ``operator.index(x)``, ``f"{x:.3f}"`` of a one-element tensor;
and PyTorch's names for its facts, ``numel()`` and ``dim()``.

To float32 or float64 a conversion is the Cast op (the gradient is converted back); to int64,
int32 or bool it records no graph, since an int or bool tensor has no gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import DTypeLike

from minigrad.arrays import DTYPES, is_float
from minigrad.ops import elementwise

if TYPE_CHECKING:
    from typing_extensions import Self

    from minigrad.tensor import Tensor


class TensorDtypes:
    """The dtype conversions of :class:`~minigrad.tensor.Tensor` (a mixin).

    Examples
    --------
    >>> x = Tensor([0.5, 2.0])
    >>> x.long(), f"{x[0]:.2f}"
    (Tensor([0 2], dtype=int64), '0.50')
    """

    __slots__ = ()
    _data: np.ndarray
    if TYPE_CHECKING:

        @staticmethod
        def _make(data: np.ndarray) -> Tensor: ...

    def numel(self) -> int:
        """The number of elements, as PyTorch's ``numel()`` (NumPy's ``size``; ``size()`` is the shape, as PyTorch's).

        Examples
        --------
        >>> Tensor(np.zeros((2, 3))).numel()
        6
        """
        return self._data.size

    nelement = numel  # PyTorch's other name for it

    def dim(self) -> int:
        """The number of axes, as PyTorch's ``dim()`` (``.ndim``).

        Examples
        --------
        >>> Tensor(np.zeros((2, 3))).dim()
        2
        """
        return self._data.ndim

    def __int__(self) -> int:
        return int(self._one("int()"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu":
            raise TypeError(f"only an integer tensor of one element can be an index, got {self._data.dtype}")
        return int(self._one("index"))

    def __format__(self, spec: str) -> str:
        return format(self._one("format"), spec) if spec else repr(self)

    def _one(self, call: str) -> Any:
        if self._data.size != 1:
            raise ValueError(
                f"{call}: only a one-element tensor converts to a number, this one has shape {self._data.shape}"
            )
        return self._data.item()

    def to(self, dtype: DTypeLike) -> Self | Tensor:
        """This tensor in ``dtype``: to float32 or float64 the gradient is converted back; to
        int64, int32 or bool the result has no graph (values truncate toward 0, as PyTorch).
        ``to("cpu")`` is the tensor itself; any other device is refused.

        Examples
        --------
        >>> Tensor([1.0]).to(np.float32), Tensor([-1.7, 2.5]).to(np.int64)
        (Tensor([1.], dtype=float32), Tensor([-1  2], dtype=int64))
        """
        if isinstance(dtype, str) and dtype.split(":")[0] in ("cpu", "cuda", "mps"):
            if dtype == "cpu":
                return self  # NOTE: the one device minigrad has, as PyTorch's x.to("cpu")
            raise TypeError(f"to: minigrad runs on the CPU only (NumPy), got device {dtype!r}")
        dtype = np.dtype(dtype)
        if dtype not in DTYPES:
            raise TypeError(f"to: dtype must be one of {', '.join(map(str, DTYPES))}, got {dtype}")
        if dtype == self._data.dtype:
            return self
        if is_float(dtype):
            return elementwise.Cast.apply(self, dtype=dtype)
        return self._make(self._data.astype(dtype))

    # NOTE: last in the class: below `def float`, `float` in an annotation would name this method.

    def float(self) -> Self | Tensor:
        """This tensor in float32, as PyTorch's ``Tensor.float``.

        Examples
        --------
        >>> Tensor([1.0]).float()
        Tensor([1.], dtype=float32)
        """
        return self.to(np.float32)

    def double(self) -> Self | Tensor:
        """This tensor in float64.

        Examples
        --------
        >>> Tensor([1.0], dtype=np.float32).double()
        Tensor([1.])
        """
        return self.to(np.float64)

    def long(self) -> Self | Tensor:
        """This tensor in int64 (no graph: an int tensor has no gradient), as PyTorch's ``Tensor.long``.

        Examples
        --------
        >>> Tensor([0.0, 2.9]).long()
        Tensor([0 2], dtype=int64)
        """
        return self.to(np.int64)

    def int(self) -> Self | Tensor:
        """This tensor in int32 (no graph).

        Examples
        --------
        >>> Tensor([1.0]).int()
        Tensor([1], dtype=int32)
        """
        return self.to(np.int32)

    def bool(self) -> Self | Tensor:
        """This tensor as bool (no graph): True where it is not 0.

        Examples
        --------
        >>> Tensor([0.0, -2.0]).bool()
        Tensor([False  True], dtype=bool)
        """
        return self.to(np.bool_)

    def type(self, dtype: DTypeLike) -> Self | Tensor:
        """This tensor in ``dtype``, as PyTorch's ``x.type(torch.float)`` (:meth:`to`). NOTE:
        PyTorch's ``x.type()`` without a dtype names the tensor class (``'torch.FloatTensor'``);
        minigrad has no such names, and ``x.dtype`` says the dtype.

        Examples
        --------
        >>> (minigrad.tensor([1, 2]) == 1).type(minigrad.float)
        Tensor([1. 0.], dtype=float32)
        """
        return self.to(dtype)
