"""Tensor's reductions, with PyTorch's arguments: ``x.sum(dim=1, keepdim=True)``, ``x.max(dim=1)``,
``x.argmax(dim=1)``. NumPy's ``axis``/``keepdims`` are accepted as aliases (one spelling at a time).

``x.max(dim)`` and ``x.min(dim)`` return PyTorch's named tuple ``(values, indices)``; the reduction
of NumPy's ``x.max(axis=...)`` over several axes is ``x.amax(dim=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, cast

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from minigrad.arguments import check_dim, check_dims
from minigrad.arrays import Axis, is_float, is_tensor
from minigrad.ops import elementwise, reductions

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class ValuesIndices(NamedTuple):
    """What ``x.max(dim)`` and ``x.min(dim)`` return, as PyTorch's ``torch.return_types.max``:
    the extreme ``values`` along ``dim`` and their ``indices`` (int64).

    Examples
    --------
    >>> values, indices = Tensor([[1.0, 4.0], [3.0, 2.0]]).max(dim=0)
    >>> values, indices
    (Tensor([3. 4.]), Tensor([1 0], dtype=int64))
    """

    values: Tensor
    indices: Tensor


class TensorReductions:
    """The reductions of :class:`~minigrad.tensor.Tensor` (a mixin).

    Examples
    --------
    >>> x = Tensor([[1.0, 5.0], [4.0, 2.0]])
    >>> x.sum(dim=0), x.argmax(dim=1)
    (Tensor([5. 7.]), Tensor([1 0], dtype=int64))
    >>> x.max(dim=1)
    ValuesIndices(values=Tensor([5. 4.]), indices=Tensor([1 0], dtype=int64))
    """

    __slots__ = ()
    _data: np.ndarray
    if TYPE_CHECKING:

        @staticmethod
        def _make(data: np.ndarray) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...

    def sum(
        self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
    ) -> Tensor:
        """The sum over ``dim`` (an int, a tuple, or None for all), as ``torch.sum``.

        Examples
        --------
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum(), x.sum(dim=0), x.sum(axis=1, keepdims=True).shape
        (Tensor(10.), Tensor([4. 6.]), (2, 1))
        """
        axes, keep = check_dims("sum", dim, keepdim, axis, keepdims)
        return reductions.Sum.apply(self, axis=axes, keepdims=keep)

    def mean(
        self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
    ) -> Tensor:
        """The mean over ``dim`` (an int, a tuple, or None for all), as ``torch.mean``: of a float
        tensor only (as PyTorch; ``x.float().mean()`` for the mean of an int or bool one).

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1, keepdim=True)
        Tensor([[1.5]
                [3.5]])
        """
        axes, keep = check_dims("mean", dim, keepdim, axis, keepdims)
        if not is_float(self._data.dtype):
            raise TypeError(f"mean: needs a float tensor, got {self._data.dtype}; use .float() or .double() first")
        return reductions.Mean.apply(self, axis=axes, keepdims=keep)

    def var(
        self,
        dim: Axis = None,
        unbiased: bool = True,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Axis = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """The variance over ``dim``, as ``torch.var``: sum((x - mean)^2) / (n - correction), with
        Bessel's correction 1 by default (NumPy's ``var`` uses 0); ``unbiased=False`` is correction 0.

        Examples
        --------
        >>> x = Tensor([[1.0, 3.0], [5.0, 7.0]])
        >>> x.var(), x.var(dim=1), x.var(correction=0)
        (Tensor(6.66666667), Tensor([2. 2.]), Tensor(5.))
        """
        axes, keep = check_dims("var", dim, keepdim, axis, keepdims)
        if not is_float(self._data.dtype):
            raise TypeError(f"var: needs a float tensor, got {self._data.dtype}; use .float() or .double() first")
        if not isinstance(unbiased, bool):
            raise TypeError(f"var: unbiased must be a bool, got {unbiased!r:.40}")
        if correction is None:
            correction = 1 if unbiased else 0
        elif isinstance(correction, bool) or not isinstance(correction, (int, float)) or correction < 0:
            raise TypeError(f"var: correction must be a number >= 0, got {correction!r:.40}")
        reduced = range(self._data.ndim) if axes is None else normalize_axis_tuple(axes, self._data.ndim)
        count = int(np.prod([self._data.shape[a] for a in reduced]))
        x = cast("Tensor", self)
        deviation = x - reductions.Mean.apply(x, axis=axes, keepdims=True)
        # NOTE: n - correction <= 0 divides by zero or less: inf or nan, as PyTorch (which also warns).
        return reductions.Sum.apply(deviation * deviation, axis=axes, keepdims=keep) / max(count - correction, 0)

    def std(
        self,
        dim: Axis = None,
        unbiased: bool = True,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        axis: Axis = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """The standard deviation over ``dim``: the square root of :meth:`var` (Bessel's correction
        1 by default, as ``torch.std``; NumPy's ``std`` uses 0).

        Examples
        --------
        >>> Tensor([1.0, 3.0]).std(), Tensor([1.0, 3.0]).std(unbiased=False)
        (Tensor(1.41421356), Tensor(1.))
        """
        variance = self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
        return elementwise.Sqrt.apply(variance)

    def amax(
        self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
    ) -> Tensor:
        """The largest value over ``dim`` (an int, a tuple, or None for all), as ``torch.amax``:
        tied maxima share the gradient evenly.

        Examples
        --------
        >>> x = Tensor([[3.0, 1.0, 3.0]], requires_grad=True)
        >>> x.amax(dim=(0, 1)).backward()
        >>> x.grad
        Tensor([[0.5 0.  0.5]])
        """
        axes, keep = check_dims("amax", dim, keepdim, axis, keepdims)
        return reductions.Max.apply(self, axis=axes, keepdims=keep)

    def amin(
        self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None, keepdims: bool | None = None
    ) -> Tensor:
        """The smallest value over ``dim`` (an int, a tuple, or None for all), as ``torch.amin``:
        tied minima share the gradient evenly.

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 0.0]]).amin(dim=1)
        Tensor([1. 0.])
        """
        axes, keep = check_dims("amin", dim, keepdim, axis, keepdims)
        return reductions.Min.apply(self, axis=axes, keepdims=keep)

    def max(
        self, dim: Any = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None
    ) -> Tensor | ValuesIndices:
        """As ``torch.max``: with no ``dim``, the largest value (tied maxima share the gradient
        evenly); with an int ``dim``, the named tuple ``(values, indices)`` along it (the gradient
        goes to the index, the first of tied maxima); with a Tensor, the elementwise maximum.

        Examples
        --------
        >>> x = Tensor([[3.0, 1.0, 3.0]], requires_grad=True)
        >>> values, indices = x.max(dim=1)
        >>> values.backward(Tensor([1.0]))
        >>> indices, x.grad
        (Tensor([0], dtype=int64), Tensor([[1. 0. 0.]]))
        >>> x.max()
        Tensor(3., grad_fn=<Max>)
        """
        if is_tensor(dim) and axis is None and keepdims is None and keepdim is False:
            return elementwise.Maximum.apply(self, dim)
        return self._extreme("max", np.argmax, reductions.Max, dim, keepdim, axis, keepdims)

    def min(
        self, dim: Any = None, keepdim: bool = False, *, axis: int | None = None, keepdims: bool | None = None
    ) -> Tensor | ValuesIndices:
        """As ``torch.min``: with no ``dim``, the smallest value (tied minima share the gradient
        evenly); with an int ``dim``, the named tuple ``(values, indices)`` along it (the gradient
        goes to the index, the first of tied minima); with a Tensor, the elementwise minimum.

        Examples
        --------
        >>> Tensor([[1.0, 2.0], [3.0, 0.0]]).min(dim=1)
        ValuesIndices(values=Tensor([1. 0.]), indices=Tensor([0 1], dtype=int64))
        >>> Tensor([[1.0, 2.0], [3.0, 0.0]]).min()
        Tensor(0.)
        """
        if is_tensor(dim) and axis is None and keepdims is None and keepdim is False:
            return elementwise.Minimum.apply(self, dim)
        return self._extreme("min", np.argmin, reductions.Min, dim, keepdim, axis, keepdims)

    def _extreme(
        self, name: str, arg: Any, whole: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any
    ) -> Tensor | ValuesIndices:
        """max or min: over everything (the op ``whole``), or (values, indices) along one dim."""
        axes, keep = check_dims(name, dim, keepdim, axis, keepdims)
        if axes is None:
            if keep:
                raise TypeError(f"{name}: keepdim needs a dim (as PyTorch); amax/amin keep all dims")
            return whole.apply(self)
        if isinstance(axes, tuple):
            raise TypeError(f"{name}: dim must be one int (as PyTorch), got {axes}; use a{name}(dim={axes})")
        d = check_dim(name, axes, self._data.ndim)
        if self._data.ndim == 0:
            return ValuesIndices(self.reshape(()), self._make(np.array(0)))
        indices = arg(self._data, axis=d, keepdims=True)
        # NOTE: an index that reads each extreme from where argmax/argmin found it, so that the
        # gradient goes back to that one element (the first of ties), as PyTorch's max(dim).
        grids = list(np.indices(indices.shape, sparse=True))
        if grids:
            grids[d] = indices
        values = self[tuple(grids)]
        if not keep:
            kept = tuple(n for i, n in enumerate(indices.shape) if i != d)
            values, indices = values.reshape(kept), indices.reshape(kept)
        return ValuesIndices(values, self._make(indices.astype(np.int64)))

    def all(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Whether every element along ``dim`` (all when None) is nonzero: a bool tensor, as ``torch.all``.

        Examples
        --------
        >>> x = Tensor([[1.0, 0.0], [2.0, 3.0]])
        >>> (x > 0).all(dim=1), bool(x.any())
        (Tensor([False  True], dtype=bool), True)
        """
        axes, keep = check_dims("all", dim, keepdim)
        return self._make(np.asarray(np.all(self._data, axis=axes, keepdims=keep)))

    def any(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Whether some element along ``dim`` (all when None) is nonzero: a bool tensor, as ``torch.any``.

        Examples
        --------
        >>> (Tensor([[1.0, 0.0], [0.0, 0.0]]) > 0).any(dim=1)
        Tensor([ True False], dtype=bool)
        """
        axes, keep = check_dims("any", dim, keepdim)
        return self._make(np.asarray(np.any(self._data, axis=axes, keepdims=keep)))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The index (int64) of the largest value along ``dim`` (the first of ties), or of the
        flattened tensor when ``dim`` is None, as ``torch.argmax``.

        Examples
        --------
        >>> Tensor([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]).argmax(dim=1)
        Tensor([1 0], dtype=int64)
        """
        return self._arg("argmax", np.argmax, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The index (int64) of the smallest value along ``dim`` (the first of ties), or of the
        flattened tensor when ``dim`` is None, as ``torch.argmin``.

        Examples
        --------
        >>> Tensor([[0.1, 0.7], [0.5, 0.2]]).argmin()
        Tensor(0, dtype=int64)
        """
        return self._arg("argmin", np.argmin, dim, keepdim)

    def _arg(self, name: str, arg: Any, dim: Any, keepdim: Any) -> Tensor:
        axes, keep = check_dims(name, dim, keepdim)
        if isinstance(axes, tuple):
            raise TypeError(f"{name}: dim must be one int or None, got {axes}")
        if axes is None:
            flat = np.asarray(arg(self._data), dtype=np.int64)
            return self._make(flat.reshape((1,) * self._data.ndim) if keep else flat)
        d = check_dim(name, axes, self._data.ndim)
        along = arg(self._data, axis=d, keepdims=keep) if self._data.ndim else 0
        return self._make(np.asarray(along, dtype=np.int64))
