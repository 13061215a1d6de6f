"""Tensor's operators and math methods: each one line that calls its op (in minigrad/ops/).

``x * y`` is ``Mul.apply(x, y)``; read the op's class for its forward and backward rule.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from minigrad.arrays import FLOAT_DTYPES, Axis, TensorLike, array_of, as_float_array
from minigrad.ops import arithmetic, elementwise, reductions, scalar
from minigrad.ops import shape as shape_ops

if TYPE_CHECKING:
    from typing_extensions import Self

    from minigrad.tensor import Tensor


class TensorMath:
    """The arithmetic operators, comparisons, math, reductions and shape methods of
    :class:`~minigrad.tensor.Tensor` (a mixin).

    Examples
    --------
    >>> x = Tensor([[1.0, -2.0]])
    >>> (x * 2 + 1).sum(), x.T.shape, x > 0
    (Tensor(0.), (2, 1), array([[ True, False]]))
    """

    __slots__ = ()
    _data: np.ndarray
    if TYPE_CHECKING:

        @staticmethod
        def _make(data: np.ndarray) -> Tensor: ...

    # --- arithmetic ------------------------------------------------------------------------------

    def _lift(self, other: TensorLike) -> Tensor:
        """``other`` as a Tensor: a Python number takes this tensor's dtype (float32 stays float32)."""
        if isinstance(other, TensorMath):  # NOTE: every Tensor is one (a mixin knows no subclass)
            return other
        if _is_number(other):
            return self._make(np.array(other, dtype=self._data.dtype))
        return self._make(np.array(as_float_array(other)))  # NOTE: a copy, as Tensor(array)

    # NOTE: with a Python number the ops of ops/scalar.py run: the number is no Tensor of the graph.

    def __add__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(self, c=float(other))
        return arithmetic.Add.apply(self, self._lift(other))

    def __radd__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(self, c=float(other))
        return arithmetic.Add.apply(self._lift(other), self)

    def __sub__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(self, c=-float(other))
        return arithmetic.Sub.apply(self, self._lift(other))

    def __rsub__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.RSubScalar.apply(self, c=float(other))
        return arithmetic.Sub.apply(self._lift(other), self)

    def __mul__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.MulScalar.apply(self, c=float(other))
        return arithmetic.Mul.apply(self, self._lift(other))

    def __rmul__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.MulScalar.apply(self, c=float(other))
        return arithmetic.Mul.apply(self._lift(other), self)

    def __truediv__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.DivScalar.apply(self, c=float(other))
        return arithmetic.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.RDivScalar.apply(self, c=float(other))
        return arithmetic.Div.apply(self._lift(other), self)

    def __pow__(self, exponent: TensorLike) -> Tensor:
        if _is_number(exponent):
            return scalar.PowScalar.apply(self, c=float(exponent))
        return arithmetic.Pow.apply(self, self._lift(exponent))

    def __rpow__(self, base: TensorLike) -> Tensor:
        return arithmetic.Pow.apply(self._lift(base), self)

    def __neg__(self) -> Tensor:
        return arithmetic.Neg.apply(self)

    def __pos__(self) -> Self:
        return self

    def __matmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.MatMul.apply(self._lift(other), self)

    # NOTE: comparisons give NumPy boolean arrays, hence Tensor keeps identity hashing.
    __hash__ = object.__hash__

    def __eq__(self, other: TensorLike) -> np.ndarray:  # type: ignore[override]
        return self._data == array_of(other)

    def __ne__(self, other: TensorLike) -> np.ndarray:  # type: ignore[override]
        return self._data != array_of(other)

    def __lt__(self, other: TensorLike) -> np.ndarray:
        return self._data < array_of(other)

    def __le__(self, other: TensorLike) -> np.ndarray:
        return self._data <= array_of(other)

    def __gt__(self, other: TensorLike) -> np.ndarray:
        return self._data > array_of(other)

    def __ge__(self, other: TensorLike) -> np.ndarray:
        return self._data >= array_of(other)

    # --- elementwise math ------------------------------------------------------------------------

    def exp(self) -> Tensor:
        """e^x, elementwise.

        Examples
        --------
        >>> Tensor([0.0, 1.0]).exp()
        Tensor([1.         2.71828183])
        """
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        """The natural logarithm, elementwise.

        Examples
        --------
        >>> Tensor([1.0, np.e]).log()
        Tensor([0. 1.])
        """
        return elementwise.Log.apply(self)

    def sqrt(self) -> Tensor:
        """The square root, elementwise.

        Examples
        --------
        >>> Tensor([4.0, 9.0]).sqrt()
        Tensor([2. 3.])
        """
        return elementwise.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """|x|, elementwise; its derivative at 0 is taken as 0. ``abs(x)`` calls it.

        Examples
        --------
        >>> abs(Tensor([-1.0, 0.0, 2.0]))
        Tensor([1. 0. 2.])
        """
        return elementwise.Abs.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    def clip(self, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Tensor:
        """Values below ``min`` raised to it, above ``max`` lowered to it (either may be None).

        Examples
        --------
        >>> Tensor([-2.0, 0.5, 3.0]).clip(-1, 1)
        Tensor([-1.   0.5  1. ])
        """
        return elementwise.Clip.apply(self, min=min, max=max)

    # --- reductions and shape --------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The sum over ``axis`` (an int, a tuple, or None for all), as ``numpy.sum``.

        Examples
        --------
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(axis=0)
        (Tensor(10.), Tensor([4. 6.]))
        """
        return reductions.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The mean over ``axis`` (an int, a tuple, or None for all), as ``numpy.mean``.

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(axis=1, keepdims=True)
        Tensor([[1.5]
                [3.5]])
        """
        return reductions.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The largest value over ``axis`` (ties share the gradient evenly, as ``torch.amax``).

        Examples
        --------
        >>> x = Tensor([3.0, 1.0, 3.0], requires_grad=True)
        >>> x.max().backward()
        >>> x.grad
        Tensor([0.5 0.  0.5])
        """
        return reductions.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The smallest value over ``axis`` (ties share the gradient evenly, as ``torch.amin``).

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 0.0]]).min(axis=1)
        Tensor([1. 0.])
        """
        return reductions.Min.apply(self, axis=axis, keepdims=keepdims)

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.GetItem.apply(self, index=index)

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same elements in a new shape, given as ints or one tuple (-1: whatever is left).

        Examples
        --------
        >>> Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).reshape(2, -1)
        Tensor([[1. 2. 3.]
                [4. 5. 6.]])
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return shape_ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        """Permute the axes (reversed when none are given), as ``numpy.transpose``.

        Examples
        --------
        >>> Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1).shape
        (4, 2, 3)
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).T
        Tensor([[1. 3.]
                [2. 4.]])
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return shape_ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self) -> Tensor:
        """All axes reversed."""
        return self.transpose()

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed)."""
        if self._data.ndim == 2:
            return shape_ops.Transpose.apply(self)
        axes = list(range(self._data.ndim))
        axes[-2:] = axes[:-3:-1]
        return self.transpose(axes)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """This tensor repeated along new or size-1 axes to ``shape``, as ``numpy.broadcast_to``.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).broadcast_to((2, 2))
        Tensor([[1. 2.]
                [1. 2.]])
        """
        return shape_ops.BroadcastTo.apply(self, shape=tuple(shape))

    # --- float32 and float64 (the Cast op) -------------------------------------------------------

    def to(self, dtype: DTypeLike) -> Self | Tensor:
        """This tensor in ``dtype`` (float32 or float64); the gradient is converted back.

        Examples
        --------
        >>> Tensor([1.0]).to(np.float32)
        Tensor([1.], dtype=float32)
        """
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"to: dtype must be float64 or float32, got {dtype}")
        return self if dtype == self._data.dtype else elementwise.Cast.apply(self, dtype=dtype)

    # --- float32 and float64 ---------------------------------------------------------------------
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


def _is_number(x: object) -> TypeGuard[float]:
    """A Python or NumPy real number (not an array).

    NOTE: float and int checked first: isinstance against the numbers.Real ABC is slow."""
    return type(x) is float or type(x) is int or (isinstance(x, numbers.Real) and not isinstance(x, np.ndarray))
