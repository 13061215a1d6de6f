"""Ops that move elements without changing them: reshape, transpose, broadcast_to, indexing,
concatenate and stack. Each backward moves the gradient back the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from minigrad.autograd import Context, Function, unbroadcast

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Reshape(Function):
    """f(x) = x with a new shape;  the gradient is reshaped back"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad.reshape(x.shape)


class Transpose(Function):
    """f(x) = x with its axes permuted;  the gradient is permuted back"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: Sequence[int] | None = None) -> np.ndarray:
        out = x.transpose(axes)  # NOTE: the method: np.transpose's Python wrapper costs more than the op
        ctx.axes = None if axes is None else tuple(normalize_axis_index(a, x.ndim) for a in axes)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        if ctx.axes is None:  # all axes reversed: reversing them again undoes it
            return grad.T
        # NOTE: axis ctx.axes[i] of x became axis i of the output, so the inverse sends i back there.
        return grad.permute(tuple(sorted(range(len(ctx.axes)), key=ctx.axes.__getitem__)))


class BroadcastTo(Function):
    """f(x) = x repeated along broadcast axes;  the gradient is summed over them"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return unbroadcast(grad, x.shape)


def _owned(index: Any) -> Any:
    """``index`` with its arrays copied, so that changing them later cannot misroute the gradient."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(np.array(i) if isinstance(i, (np.ndarray, list)) else i for i in parts)
    return parts if isinstance(index, tuple) else parts[0]


class GetItem(Function):
    """f(x) = x[index];  each element's gradient goes back to where it was read from

    ``index`` is anything NumPy takes: integers, slices, None, Ellipsis, boolean masks, integer
    arrays. NOTE: an element read twice (``x[[0, 0]]``) gets both gradients added.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.index = _owned(index)
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"GetItem: cannot index a tensor of shape {x.shape} with {index!r}: {error}") from None

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return ScatterAdd.apply(grad, shape=x.shape, index=ctx.index)


class ScatterAdd(Function):
    """f(g) = zeros(shape) with g added at index (the backward of GetItem);  the gradient is grad[index]"""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        parts = index if isinstance(index, tuple) else (index,)
        if any(isinstance(part, (np.ndarray, list)) for part in parts):
            np.add.at(out, index, g)  # unlike out[index] += g, adds once per repeat of an index
        else:
            out[index] = g  # NOTE: ints, slices, None and Ellipsis never reach an element twice
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad[ctx.index]


class Concatenate(Function):
    """f(x_1, ..., x_n) = the x_i joined along an existing axis;  each x_i gets its slice of the gradient"""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        axis = normalize_axis_index(ctx.axis, grad.ndim)
        ends = np.cumsum([x.shape[axis] for x in ctx.inputs])
        before = (slice(None),) * axis
        return tuple(
            grad[before + (slice(end - x.shape[axis], end),)] if needed else None
            for x, end, needed in zip(ctx.inputs, ends, ctx.needs_input_grad)
        )


class Stack(Function):
    """f(x_1, ..., x_n) = the x_i stacked along a new axis;  each x_i gets its slice of the gradient"""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, ...]:
        axis = normalize_axis_index(ctx.axis, grad.ndim)
        before = (slice(None),) * axis
        return tuple(grad[before + (i,)] for i in range(len(ctx.inputs)))
