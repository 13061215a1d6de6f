"""softmax and log_softmax along one axis.

Both softmaxes subtract the maximum first, so e^x is taken only of numbers <= 0 and never
overflows; a gap of 1e4 between entries gives exactly 0 and -1e4 rather than nan. Entries of +inf
share all the mass (the limit), a row of only -inf has no limit and gives nan (as in PyTorch), and
a NaN makes its row NaN. A 0-d tensor is a row of one entry, and an empty tensor gives an empty
result (as in PyTorch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from minigrad.autograd import Context, Function

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def softmax_dim(call: str, x: np.ndarray, dim: int | None, axis: int | None) -> int:
    """The axis a softmax of the array ``x`` runs along, from PyTorch's ``dim`` or NumPy's ``axis`` (not both).

    Without either, the last axis of a tensor of up to 2 dims, which is where PyTorch's implicit
    choice lands too; a tensor of more dims needs ``dim`` (PyTorch would pick dim 0 there).

    Examples
    --------
    >>> softmax_dim("softmax", np.zeros((2, 3)), None, None)
    -1
    >>> softmax_dim("softmax", np.zeros((2, 3, 4)), None, None)
    Traceback (most recent call last):
    TypeError: softmax: give dim for a tensor of 3 dims (PyTorch's implicit choice there is dim 0, NumPy users expect the last)
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(
                f"{call}: give dim (PyTorch's name) or axis (NumPy's), not both: got dim={dim!r} and axis={axis!r}"
            )
        dim = axis
    if x.dtype.kind != "f":
        raise TypeError(f"{call}: needs a float tensor, got {x.dtype}; use .float() or .double() first")
    if dim is None:
        if x.ndim > 2:
            raise TypeError(
                f"{call}: give dim for a tensor of {x.ndim} dims (PyTorch's implicit choice there is dim 0, "
                "NumPy users expect the last)"
            )
        return -1
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{call}: dim must be an int, got {type(dim).__name__} {dim!r:.40}")
    return int(dim)


def shifted_by_max(x: np.ndarray, axis: int, top: np.ndarray | None = None) -> np.ndarray:
    """x - max(x) along ``axis``: every entry <= 0, with the maximum (or maxima) at 0.

    ``top`` is the maximum (with the axis kept) when the caller has it already.

    Examples
    --------
    >>> shifted_by_max(np.array([[1.0, 3.0], [np.inf, 0.0]]), axis=1)
    array([[ -2.,   0.],
           [  0., -inf]])
    """
    if top is None:
        top = np.max(x, axis=axis, keepdims=True)
    # NOTE: a gap wider than the largest float rounds to -inf, its correct value here (e^-inf = 0).
    with np.errstate(over="ignore"):
        if np.isfinite(top).all():  # the common case: no row with an infinity or a NaN
            return x - top
        shifted = x - np.where(np.isinf(top), 0, top)
    # NOTE: where the max is +inf, inf - inf would be nan: the +inf entries get 0, the rest -inf.
    shifted = np.where(top == np.inf, np.where(x == np.inf, 0.0, -np.inf), shifted)
    shifted = np.where(top == -np.inf, np.nan, shifted)
    return shifted.astype(x.dtype, copy=False)


def along_axis(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The fancy index of the entries that ``index`` (an argmax with ``keepdims``) points at along ``axis``.

    ``x[along_axis(i, axis)]`` is ``np.take_along_axis(x, i, axis)``; built once, the index both
    reads and writes (``put_along_axis`` would build it again).

    Examples
    --------
    >>> x = np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]])
    >>> x[along_axis(np.argmax(x, axis=1, keepdims=True), axis=1)]
    array([[3.],
           [5.]])
    """
    axis = normalize_axis_index(axis, index.ndim)
    # NOTE: every other axis counts 0..n-1, shaped to broadcast against ``index`` (as take_along_axis does).
    return tuple(
        index if i == axis else np.arange(n).reshape((n,) + (1,) * (index.ndim - 1 - i))
        for i, n in enumerate(index.shape)
    )


def shifted_single_or_empty(x: np.ndarray, axis: int) -> np.ndarray:
    """x - max(x) for the shapes NumPy's reductions refuse, as PyTorch: a 0-d x is one entry along
    its only axis (so 0, or nan for nan and -inf), an empty x gives an empty array.

    Examples
    --------
    >>> shifted_single_or_empty(np.array(3.0), axis=-1), shifted_single_or_empty(np.zeros((2, 0)), axis=1).shape
    (array(0.), (2, 0))
    """
    n = max(x.ndim, 1)
    if not -n <= axis < n:
        raise ValueError(f"axis {axis} is out of range [{-n}, {n - 1}] for shape {x.shape}")
    return np.empty_like(x) if x.size == 0 else shifted_by_max(x.reshape(1), 0).reshape(())


class Softmax(Function):
    """softmax(x)_i = e^x_i / sum_j e^x_j;  d softmax_i / dx_j = y_i (delta_ij - y_j)

    So the gradient is y (grad - sum(grad y)), along the axis.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = -1) -> np.ndarray:
        ctx.axis = axis
        if x.ndim == 0 or x.size == 0:
            return np.exp(shifted_single_or_empty(x, axis))  # 1, nan or nothing
        e = np.exp(shifted_by_max(x, axis))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        y = ctx.output
        return y * (grad - (grad * y).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """log_softmax(x)_i = x_i - log sum_j e^x_j;  d log_softmax_i / dx_j = delta_ij - softmax_j

    So the gradient is grad - softmax(x) sum(grad), along the axis, with softmax(x) = e^output.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int = -1) -> np.ndarray:
        ctx.axis = axis
        if x.ndim == 0 or x.size == 0:
            return shifted_single_or_empty(x, axis)  # 0, nan or nothing
        # NOTE: the maximum read where argmax points (NaN included) is np.max's value, and quicker along a short axis.
        first = along_axis(np.argmax(x, axis=axis, keepdims=True), axis)
        shifted = shifted_by_max(x, axis, top=x[first])
        e = np.exp(shifted)
        # NOTE: log1p of the sum without the maximum's own e^0 = 1, so that log_softmax of the
        # maximum, -log(1 + tiny), keeps its digits instead of rounding to 0.
        e[first] = 0
        return shifted - np.log1p(e.sum(axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad - ctx.output.exp() * grad.sum(axis=ctx.axis, keepdims=True)
