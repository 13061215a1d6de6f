"""The arrays a Tensor holds: float64 (the default), float32, int64, int32 or bool, and the types the signatures use.

The bottom of the package: it imports nothing of minigrad, so every layer above may use it.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

# NOTE: float64 and float32 are the differentiable dtypes; int64, int32 and bool tensors (class
# labels, indices, masks) never require grad, as in PyTorch.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
DTYPES = FLOAT_DTYPES + (np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.bool_))

# TensorLike: a Tensor, or anything NumPy makes an array of (a number, a nested list, an ndarray).
# Axis: which axes a reduction runs over, as in NumPy. Hook: what register_hook takes.
TensorLike: TypeAlias = "Tensor | ArrayLike"
Axis: TypeAlias = "int | tuple[int, ...] | None"
Hook: TypeAlias = "Callable[[Tensor], Tensor | None]"


def as_tensor_array(
    data: ArrayLike, dtype: DTypeLike | None = None, copy: bool = False, infer: bool = False
) -> np.ndarray:
    """``data`` as an array of a tensor dtype (see ``DTYPES``), or a clear error saying why it cannot be one.

    Without ``dtype``, float32 stays float32 and everything else numeric becomes float64 (as
    ``torch.Tensor(data)``); with ``infer``, integers become int64 and bools stay bool instead
    (as ``torch.tensor(data)``). With ``copy``, the result never shares memory with ``data``;
    without, an array already of a float dtype is returned as it is.

    Examples
    --------
    >>> as_tensor_array([1, 2]), as_tensor_array(np.ones(2, np.float32)).dtype
    (array([1., 2.]), dtype('float32'))
    >>> as_tensor_array([1, 2], infer=True), as_tensor_array([1.5], dtype=np.int64)
    (array([1, 2]), array([1]))
    >>> as_tensor_array("one")
    Traceback (most recent call last):
    TypeError: Tensor: cannot make a tensor from str 'one'
    """
    if type(data) is np.ndarray and dtype is None and data.dtype in FLOAT_DTYPES:
        return data.copy() if copy else data  # already what a Tensor holds: the common case, checked first
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in DTYPES:
            raise TypeError(f"Tensor: dtype must be one of {', '.join(map(str, DTYPES))}, got {dtype}")
    if isinstance(data, (str, bytes)) or not (
        isinstance(data, (np.ndarray, numbers.Real, list, tuple)) or np.isscalar(data)
    ):
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} {data!r:.60}")
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(f"Tensor: data must be a rectangular nested list of numbers ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be real numbers, got an array of dtype {array.dtype}")
    if dtype is None:
        dtype = _inferred_dtype(array.dtype) if infer else array.dtype if array.dtype in FLOAT_DTYPES else np.float64
    # NOTE: np.asarray made a new array of anything but an ndarray: only an ndarray needs copying.
    return array.astype(dtype, copy=copy and isinstance(data, np.ndarray))


def _inferred_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype ``torch.tensor`` gives data of NumPy ``dtype`` (float64 being minigrad's default float)."""
    if dtype.kind == "b":
        return np.dtype(np.bool_)
    if dtype.kind in "iu":
        return dtype if dtype == np.int32 else np.dtype(np.int64)
    return dtype if dtype in FLOAT_DTYPES else np.dtype(np.float64)


def is_float(dtype: np.dtype) -> bool:
    """Whether a tensor of ``dtype`` can require grad (float64 or float32, not int or bool).

    Examples
    --------
    >>> is_float(np.dtype(np.float32)), is_float(np.dtype(np.int64))
    (True, False)
    """
    return dtype.kind == "f"


def is_tensor(x: object) -> TypeGuard[Tensor]:
    """Whether ``x`` is a Tensor. NOTE: the layers below the Tensor class (the engine, the ops and
    the Tensor's method mixins) know one by what it has, since they cannot import its class.

    Examples
    --------
    >>> is_tensor(Tensor([1.0])), is_tensor(np.ones(1))
    (True, False)
    """
    return hasattr(x, "_make") and hasattr(x, "grad_fn")


def array_of(value: TensorLike) -> Any:
    """A Tensor's array; anything else as it is, for NumPy to take.

    Examples
    --------
    >>> array_of(Tensor([1.0])), array_of(2.0)
    (array([1.]), 2.0)
    """
    return getattr(value, "_data", value)  # NOTE: only a Tensor has _data (an ndarray has .data)


def index_array(index: Any) -> Any:
    """An index with each Tensor in it (a mask ``x > 0``, indices ``x.argmax(1)``) as its array, for NumPy.

    Examples
    --------
    >>> index_array((Tensor([1.0, 2.0]) > 1, 0))
    (array([False,  True]), 0)
    """
    if isinstance(index, tuple):
        return tuple([array_of(part) for part in index])
    return array_of(index)
