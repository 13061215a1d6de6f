"""The functions of math, reductions and shape: ``F.exp(x)``, ``F.mean(x, dim=0)``, ``F.stack(xs)``.

Each is one line that runs its op (in minigrad/ops/), the op behind the Tensor method of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from minigrad.functional.operands import tensor_operand, tensor_operands
from minigrad.ops import arithmetic, elementwise
from minigrad.ops import shape as shape_ops
from minigrad.tensor import Axis, Tensor, TensorLike
from minigrad.tensor_reductions import ValuesIndices


def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """x W^T + b, the affine map of :class:`minigrad.nn.Linear` (W of shape (out, in)), as one op.

    Examples
    --------
    >>> F.linear(Tensor([[1.0, 2.0]]), Tensor([[1.0, 1.0], [0.0, -1.0]]), Tensor([0.5, 0.0]))
    Tensor([[ 3.5 -2. ]])
    """
    x = tensor_operand(x)
    return arithmetic.Linear.apply(x, weight) if bias is None else arithmetic.Linear.apply(x, weight, bias)


def exp(x: TensorLike) -> Tensor:
    """e^x, elementwise (:meth:`Tensor.exp`).

    Examples
    --------
    >>> F.exp([0.0])
    Tensor([1.])
    """
    return elementwise.Exp.apply(tensor_operand(x))


def log(x: TensorLike) -> Tensor:
    """The natural logarithm, elementwise (:meth:`Tensor.log`).

    Examples
    --------
    >>> F.log([1.0])
    Tensor([0.])
    """
    return elementwise.Log.apply(tensor_operand(x))


def sqrt(x: TensorLike) -> Tensor:
    """The square root, elementwise (:meth:`Tensor.sqrt`).

    Examples
    --------
    >>> F.sqrt([4.0, 0.25])
    Tensor([2.  0.5])
    """
    return elementwise.Sqrt.apply(tensor_operand(x))


def abs(x: TensorLike) -> Tensor:
    """|x|, elementwise (:meth:`Tensor.abs`).

    Examples
    --------
    >>> F.abs([-3.0, 3.0])
    Tensor([3. 3.])
    """
    return elementwise.Abs.apply(tensor_operand(x))


def clip(x: TensorLike, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Tensor:
    """x limited to [min, max], either bound None for none (:meth:`Tensor.clip`).

    Examples
    --------
    >>> F.clip([-5.0, 5.0], min=0.0)
    Tensor([0. 5.])
    """
    return elementwise.Clip.apply(tensor_operand(x), min=min, max=max)


def sum(
    x: TensorLike, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
) -> Tensor:
    """The sum over ``dim`` (:meth:`Tensor.sum`; NumPy's ``axis``/``keepdims`` also work).

    Examples
    --------
    >>> F.sum([[1.0, 2.0], [3.0, 5.0]], dim=1)
    Tensor([3. 8.])
    """
    return tensor_operand(x).sum(dim, keepdim, axis=axis, keepdims=keepdims)


def mean(
    x: TensorLike, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
) -> Tensor:
    """The mean over ``dim`` (:meth:`Tensor.mean`; NumPy's ``axis``/``keepdims`` also work).

    Examples
    --------
    >>> F.mean([[1.0, 2.0], [3.0, 5.0]], dim=0)
    Tensor([2.  3.5])
    """
    return tensor_operand(x).mean(dim, keepdim, axis=axis, keepdims=keepdims)


def max(
    x: TensorLike, dim: Any = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None
) -> Tensor | ValuesIndices:
    """As ``torch.max`` (:meth:`Tensor.max`): the largest value; with an int ``dim``, the named
    tuple (values, indices) along it; with a Tensor, the elementwise maximum.

    Examples
    --------
    >>> F.max([[1.0, 2.0], [3.0, 5.0]], dim=1).values
    Tensor([2. 5.])
    """
    return tensor_operand(x).max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(
    x: TensorLike, dim: Any = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None
) -> Tensor | ValuesIndices:
    """As ``torch.min`` (:meth:`Tensor.min`): the smallest value; with an int ``dim``, the named
    tuple (values, indices) along it; with a Tensor, the elementwise minimum.

    Examples
    --------
    >>> F.min([[1.0, 2.0], [3.0, 5.0]])
    Tensor(1.)
    """
    return tensor_operand(x).min(dim, keepdim, axis=axis, keepdims=keepdims)


def where(condition: ArrayLike, x: TensorLike, y: TensorLike) -> Tensor:
    """``x`` where the boolean array ``condition`` holds (e.g. ``a > 0``), else ``y``; all three broadcast.

    Examples
    --------
    >>> a = Tensor([-1.0, 2.0])
    >>> F.where(a > 0, a, 0.0)
    Tensor([0. 2.])
    """
    x, y = tensor_operands(x, y)
    return elementwise.Where.apply(x, y, condition=condition)


def maximum(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise max(x, y); at a tie each side gets half the gradient, as ``torch.maximum``.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> F.maximum(x, 2.0).sum().backward()
    >>> x.grad                                   # 0 where 2.0 won, 1/2 at the tie
    Tensor([0.  0.5])
    """
    return elementwise.Maximum.apply(*tensor_operands(x, y))


def minimum(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise min(x, y); at a tie each side gets half the gradient, as ``torch.minimum``.

    Examples
    --------
    >>> F.minimum([1.0, 5.0], [3.0, 3.0])
    Tensor([1. 3.])
    """
    return elementwise.Minimum.apply(*tensor_operands(x, y))


def concatenate(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """The tensors joined along an existing ``axis``, as ``numpy.concatenate``.

    Examples
    --------
    >>> F.concatenate([Tensor([1.0]), Tensor([2.0, 3.0])])
    Tensor([1. 2. 3.])
    """
    return shape_ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[TensorLike], axis: int = 0) -> Tensor:
    """The tensors (all of one shape) stacked along a new ``axis``, as ``numpy.stack``.

    Examples
    --------
    >>> F.stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])], axis=1)
    Tensor([[1. 3.]
            [2. 4.]])
    """
    return shape_ops.Stack.apply(*tensors, axis=axis)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot rows, as ``torch.nn.functional.one_hot``: int64 of shape
    (*tensor.shape, num_classes), 1 at each index; ``num_classes=-1`` takes the largest index + 1.
    ``tensor`` must be an int64 tensor of indices >= 0 (``.float()`` makes the result an input).

    Examples
    --------
    >>> F.one_hot(minigrad.tensor([0, 2]), num_classes=3)
    Tensor([[1 0 0]
            [0 0 1]], dtype=int64)
    """
    if not isinstance(tensor, Tensor) or tensor.dtype != np.int64:
        found = f"a tensor of {tensor.dtype}" if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"one_hot: tensor must be an int64 tensor of class indices, got {found}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be an int >= 0 or -1, got {num_classes!r:.40}")
    indices = tensor.numpy()
    if indices.size and indices.min() < 0:
        raise ValueError(f"one_hot: class indices must be >= 0, got {indices.min()}")
    if num_classes == -1:
        if indices.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; give num_classes")
        num_classes = int(indices.max()) + 1
    if indices.size and indices.max() >= num_classes:
        raise ValueError(f"one_hot: class index {indices.max()} is out of range for num_classes={num_classes}")
    return Tensor._make((indices[..., None] == np.arange(num_classes)).astype(np.int64))
