"""Tensor's operators and math methods: each one line that calls its op (in minigrad/ops/).

``x * y`` is ``Mul.apply(x, y)``; read the op's class for its forward and backward rule.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import numpy as np
from numpy.typing import ArrayLike

from minigrad.arguments import check_dim, check_number
from minigrad.arrays import TensorLike, array_of, as_tensor_array, index_array, is_float
from minigrad.ops import arithmetic, elementwise, scalar
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
    (Tensor(0.), (2, 1), Tensor([[ True False]], dtype=bool))
    """

    __slots__ = ()
    _data: np.ndarray
    if TYPE_CHECKING:

        @staticmethod
        def _make(data: np.ndarray) -> Tensor: ...

    # --- arithmetic ------------------------------------------------------------------------------

    def _lift(self, other: TensorLike) -> Tensor:
        """``other`` as a Tensor: a Python number takes this tensor's dtype (float32 stays float32),
        or the default float64 if it is a float and this tensor is not."""
        if isinstance(other, TensorMath):  # NOTE: every Tensor is one (a mixin knows no subclass)
            return other
        if _is_number(other):
            number = _python_number(other)
            return self._make(np.array(number, dtype=np.result_type(self._data.dtype, number)))
        return self._make(np.array(as_tensor_array(other)))  # NOTE: a copy, as Tensor(array)

    def _pair(self, other: TensorLike) -> tuple[Tensor, Tensor]:
        """This tensor and ``other`` (lifted) for a binary op, promoted as PyTorch promotes: an int or
        bool tensor meeting a float one becomes of its dtype. NOTE: NumPy would make int64 and float32
        float64; an int or bool tensor never requires grad, so the conversion records nothing."""
        y = self._lift(other)
        if self._data.dtype == y._data.dtype:
            return self, y  # type: ignore[return-value]
        x = cast("Tensor", self)
        x_float, y_float = is_float(x._data.dtype), is_float(y._data.dtype)
        if x_float == y_float:
            return x, y
        if x_float:
            return x, self._make(y._data.astype(x._data.dtype))
        return self._make(x._data.astype(y._data.dtype)), y

    # NOTE: with a Python number the ops of ops/scalar.py run: the number is no Tensor of the graph.
    # It stays a Python number, which NumPy promotes as PyTorch does: float32 + 2.5 stays float32,
    # int64 + 2 stays int64, int64 + 2.5 becomes float64 (minigrad's default float).

    def __add__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(self, c=_python_number(other))
        return arithmetic.Add.apply(*self._pair(other))

    def __radd__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(self, c=_python_number(other))
        x, y = self._pair(other)
        return arithmetic.Add.apply(y, x)

    def __sub__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.AddScalar.apply(_no_bool(self, self), c=-_python_number(other))
        other = self._lift(other)
        return arithmetic.Sub.apply(*self._pair(_no_bool(other, self)))

    def __rsub__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.RSubScalar.apply(_no_bool(self, self), c=_python_number(other))
        x, y = self._pair(_no_bool(self._lift(other), self))
        return arithmetic.Sub.apply(y, x)

    def __mul__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.MulScalar.apply(self, c=_python_number(other))
        return arithmetic.Mul.apply(*self._pair(other))

    def __rmul__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.MulScalar.apply(self, c=_python_number(other))
        x, y = self._pair(other)
        return arithmetic.Mul.apply(y, x)

    def __truediv__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.DivScalar.apply(self, c=_python_number(other))
        return arithmetic.Div.apply(*self._pair(other))

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        if _is_number(other):
            return scalar.RDivScalar.apply(self, c=_python_number(other))
        x, y = self._pair(other)
        return arithmetic.Div.apply(y, x)

    def __pow__(self, exponent: TensorLike) -> Tensor:
        if _is_number(exponent):
            return scalar.PowScalar.apply(self, c=_python_number(exponent))
        return arithmetic.Pow.apply(*self._pair(exponent))

    def __rpow__(self, base: TensorLike) -> Tensor:
        x, y = self._pair(base)
        return arithmetic.Pow.apply(y, x)

    def __neg__(self) -> Tensor:
        return arithmetic.Neg.apply(self)

    def __pos__(self) -> Self:
        return self

    def __matmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.MatMul.apply(*self._pair(other))

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        x, y = self._pair(other)
        return arithmetic.MatMul.apply(y, x)

    # NOTE: comparisons give bool tensors (no graph: no gradient flows through a comparison), as
    # PyTorch; hence Tensor keeps identity hashing.
    __hash__ = object.__hash__

    def __eq__(self, other: TensorLike) -> Tensor:  # type: ignore[override]
        return self._make(np.asarray(self._data == array_of(other)))

    def __ne__(self, other: TensorLike) -> Tensor:  # type: ignore[override]
        return self._make(np.asarray(self._data != array_of(other)))

    def __lt__(self, other: TensorLike) -> Tensor:
        return self._make(np.asarray(self._data < array_of(other)))

    def __le__(self, other: TensorLike) -> Tensor:
        return self._make(np.asarray(self._data <= array_of(other)))

    def __gt__(self, other: TensorLike) -> Tensor:
        return self._make(np.asarray(self._data > array_of(other)))

    def __ge__(self, other: TensorLike) -> Tensor:
        return self._make(np.asarray(self._data >= array_of(other)))

    # NOTE: &, |, ^ and ~ are bitwise on int tensors and logical on bool ones, and refused on float
    # ones, as PyTorch: ``(x > 0) & (x < 1)`` is a mask.

    def __and__(self, other: TensorLike) -> Tensor:
        return self._bitwise("&", np.bitwise_and, other)

    def __or__(self, other: TensorLike) -> Tensor:
        return self._bitwise("|", np.bitwise_or, other)

    def __xor__(self, other: TensorLike) -> Tensor:
        return self._bitwise("^", np.bitwise_xor, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        return self._bitwise("~", lambda x, _: np.invert(x), False)

    def _bitwise(self, symbol: str, op: Any, other: TensorLike) -> Tensor:
        other = array_of(other)
        for data in (self._data, np.asarray(other)):
            if data.dtype.kind not in "biu":
                raise TypeError(f"{symbol}: needs bool or int tensors (as PyTorch), got {data.dtype}")
        return self._make(np.asarray(op(self._data, other)))

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

    def log10(self) -> Tensor:
        """The base-10 logarithm, elementwise: log(x) / log(10).

        Examples
        --------
        >>> Tensor([1.0, 1000.0]).log10()
        Tensor([0. 3.])
        """
        return elementwise.Log.apply(self) / np.log(10.0)

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

    # --- shape ----------------------------------------------------------------------------

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.GetItem.apply(self, index=index_array(index))

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
        for k, length in enumerate(shape):
            if type(length) is not int or length < -1:  # NOTE: the common case costs no call
                check_number("reshape", f"shape[{k}]", length, integer=True, at_least=-1)
        return shape_ops.Reshape.apply(self, shape=shape)

    def view(self, *shape: int | Sequence[int]) -> Tensor:
        """:meth:`reshape` under PyTorch's other name. NOTE: PyTorch's ``view`` shares storage and
        refuses a non-contiguous tensor; minigrad's copies when it must and never refuses, and a
        change in place through the result is refused, as through any reshape.

        Examples
        --------
        >>> Tensor(np.zeros((2, 3, 4))).view(2, -1).shape
        (2, 12)
        """
        return self.reshape(*shape)

    def tolist(self) -> Any:
        """The values as nested Python lists of numbers, as PyTorch's (a number for a 0-d tensor).

        Examples
        --------
        >>> minigrad.tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self._data.tolist()

    def transpose(self, *dims: int) -> Tensor:
        """This tensor with dims ``dim0`` and ``dim1`` swapped, as PyTorch's ``transpose(dim0, dim1)``.

        NOTE: ``numpy.transpose`` takes a whole order instead, which is :meth:`permute` here; read as
        NumPy's, ``x.transpose(0, 1)`` would give a matrix unchanged, so any other count is refused.

        Examples
        --------
        >>> Tensor(np.zeros((2, 3, 4))).transpose(0, -1).shape
        (4, 3, 2)
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).transpose(0, 1)
        Tensor([[1. 3.]
                [2. 4.]])
        >>> Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1)
        Traceback (most recent call last):
        TypeError: transpose: swaps two dims, as PyTorch's transpose(dim0, dim1); got (2, 0, 1). For a whole order, as numpy.transpose, use permute
        """
        if len(dims) != 2:
            raise TypeError(
                f"transpose: swaps two dims, as PyTorch's transpose(dim0, dim1); got {dims}. "
                "For a whole order, as numpy.transpose, use permute"
            )
        ndim = self._data.ndim
        dim0, dim1 = (check_dim("transpose", d, ndim) for d in dims)
        order = list(range(ndim))
        if ndim:
            order[dim0], order[dim1] = order[dim1], order[dim0]
        return shape_ops.Transpose.apply(self, axes=tuple(order))

    def permute(self, *dims: int | Sequence[int]) -> Tensor:
        """This tensor's dims in the order ``dims`` (dim i of the result is dim ``dims[i]`` of this
        one), as PyTorch's ``permute`` and ``numpy.transpose``.

        Examples
        --------
        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        >>> Tensor(np.zeros((2, 3, 4))).permute(0, 1)
        Traceback (most recent call last):
        ValueError: permute: dims must name each of the tensor's 3 dims once, got (0, 1)
        """
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        ndim = self._data.ndim
        order = tuple(check_dim("permute", d, ndim) for d in dims)
        if sorted(order) != list(range(ndim)):
            raise ValueError(f"permute: dims must name each of the tensor's {ndim} dims once, got {dims}")
        return shape_ops.Transpose.apply(self, axes=order)

    @property
    def T(self) -> Tensor:
        """All dims reversed."""
        return shape_ops.Transpose.apply(self)

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a batch of matrices transposed)."""
        if self._data.ndim == 2:
            return shape_ops.Transpose.apply(self)
        return self.transpose(-2, -1)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """This tensor repeated along new or size-1 axes to ``shape``, as ``numpy.broadcast_to``.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).broadcast_to((2, 2))
        Tensor([[1. 2.]
                [1. 2.]])
        """
        return shape_ops.BroadcastTo.apply(self, shape=tuple(shape))


def _no_bool(x: Any, y: Any) -> Any:
    """``x``, after refusing a subtraction where ``x`` or ``y`` is a bool tensor, as PyTorch does
    (NumPy would count True as 1 for a bool minus an int)."""
    if x._data.dtype.kind == "b" or y._data.dtype.kind == "b":
        raise TypeError("-: subtraction with a bool tensor is not supported (as PyTorch); use ~ to invert a mask")
    return x


def _python_number(x: float) -> float:
    """A number as a Python bool, int or float, which NumPy promotes weakly (it takes the tensor's
    dtype where that can hold it), as PyTorch treats a Python number. NOTE: a NumPy scalar would
    promote strongly (float32 + np.float64(1) is float64)."""
    if type(x) is float or type(x) is int or type(x) is bool:
        return x
    return int(x) if isinstance(x, numbers.Integral) else float(x)


def _is_number(x: object) -> TypeGuard[float]:
    """A Python or NumPy real number (not an array).

    NOTE: float and int checked first: isinstance against the numbers.Real ABC is slow."""
    return type(x) is float or type(x) is int or (isinstance(x, numbers.Real) and not isinstance(x, np.ndarray))
