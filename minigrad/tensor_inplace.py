"""Tensor's changes in place: outside the graph, for optimiser updates and initialisation,
and ``.data``, PyTorch's way to them (``p.data += -lr * p.grad``).

Each bumps the tensor's version counter, so a graph that saved the tensor refuses to
backpropagate through it afterwards (its gradient would be wrong).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from minigrad.arguments import check_number
from minigrad.arrays import TensorLike, array_of, index_array, is_float, is_tensor

if TYPE_CHECKING:
    from typing_extensions import Self

    from minigrad.tensor import Tensor


class TensorInPlace:
    """The in-place methods of :class:`~minigrad.tensor.Tensor` (a mixin).

    Examples
    --------
    >>> w = Tensor([1.0, 2.0])
    >>> w.mul_(2).add_(Tensor([1.0, 1.0]))
    Tensor([3. 5.])
    """

    __slots__ = ()
    _data: np.ndarray
    _requires_grad: bool
    if TYPE_CHECKING:

        def _write(self, name: str, write: Callable[[np.ndarray], object]) -> Self: ...
        def _sharers(self) -> weakref.WeakSet[Tensor]: ...
        def detach(self) -> Tensor: ...

    @property
    def data(self) -> Tensor:
        """This tensor's values as a new leaf that shares its array, as PyTorch's ``.data``: it does
        not require grad, so ``p.data += -lr * p.grad`` and ``p.data.zero_()`` change ``p``'s array
        in place, recording nothing, and ``p.data.std()`` is a Tensor's std (Bessel's correction).

        Assigning a Tensor (``p.data = t``) makes ``p`` hold ``t``'s array (shared, not copied),
        with its shape and dtype. NOTE: unlike PyTorch's, which hides them, a change through
        ``.data`` counts as a change of ``p`` (``.data`` is :meth:`detach`): a graph that used
        ``p`` refuses to backpropagate after it, where PyTorch would give a wrong gradient.
        The NumPy array itself is :meth:`numpy`.

        Examples
        --------
        >>> p = Tensor([1.0, 3.0], requires_grad=True)
        >>> (p * p).sum().backward()
        >>> p.data += -0.25 * p.grad
        >>> p.tolist(), p.data.std().item()
        ([0.5, 1.5], 0.7071067811865476)
        >>> y = p * p
        >>> p.data.zero_()
        Tensor([0. 0.])
        >>> y.sum().backward()
        Traceback (most recent call last):
        RuntimeError: Mul: input 0 (shape (2,)) was modified in place after the op used it; its gradient would be wrong. Modify a copy, or do it before the op.
        """
        return self.detach()

    @data.setter
    def data(self, value: Tensor) -> None:
        if not is_tensor(value):
            raise TypeError(
                f"data: must be set to a Tensor (as PyTorch), got {type(value).__name__}; wrap an array "
                "with minigrad.from_numpy(array) to share it, or Tensor(array) to copy it"
            )
        if self._requires_grad and not is_float(value.dtype):
            raise RuntimeError(
                f"data: a tensor that requires grad must hold floats (float64 or float32), got {value.dtype}"
            )
        tensor = cast("Tensor", self)  # NOTE: the mixin's self, as the class it is part of
        if value._data is not tensor._data:
            tensor._data = value._data
            tensor._version += 1  # NOTE: only this tensor's values changed, not those of value's sharers
        mine, theirs = tensor._sharers(), value._sharers()
        if mine is not theirs:  # NOTE: from now on a change through either one is a change of both
            # NOTE: a new set for the others, since a WeakSet compares its members with ==
            rest = weakref.WeakSet([other for other in mine if other is not tensor])
            for other in rest:
                other._version_sharers = rest
            theirs.add(tensor)
            tensor._version_sharers = theirs

    def __setitem__(self, index: Any, value: TensorLike) -> None:
        def assign(data: np.ndarray) -> None:
            data[index_array(index)] = array_of(value)

        self._write("__setitem__", assign)

    def zero_(self) -> Self:
        """Set every element to 0, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).zero_()
        Tensor([0. 0.])
        """
        return self.fill_(0.0)

    def fill_(self, value: float) -> Self:
        """Set every element to ``value``, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).fill_(7)
        Tensor([7. 7.])
        """
        return self._write("fill_", lambda data: data.fill(value))

    def copy_(self, source: TensorLike) -> Self:
        """Copy ``source`` (broadcast to this shape) into this tensor, in place; returns it.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).copy_([5.0, 6.0])
        Tensor([5. 6.])
        """
        return self._write("copy_", lambda data: np.copyto(data, array_of(source)))

    def add_(self, other: TensorLike, *, alpha: float = 1.0) -> Self:
        """self += alpha * other, in place; returns the tensor. Inside ``no_grad`` for a parameter.

        ``alpha`` is keyword-only, as in PyTorch (whose old positional form put it first).

        Examples
        --------
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> with minigrad.no_grad():
        ...     _ = w.add_(Tensor([1.0, 1.0]), alpha=0.5)
        >>> w
        Tensor([1.5 2.5], requires_grad=True)
        """
        check_number("add_", "alpha", alpha, allow_inf=True)
        return self._write("add_", lambda data: np.add(data, alpha * array_of(other), out=data))

    def sub_(self, other: TensorLike, *, alpha: float = 1.0) -> Self:
        """self -= alpha * other, in place (a gradient-descent step); returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).sub_(np.array([10.0, 10.0]), alpha=0.1)
        Tensor([0. 1.])
        """
        check_number("sub_", "alpha", alpha, allow_inf=True)
        return self.add_(other, alpha=-alpha)

    def mul_(self, other: TensorLike) -> Self:
        """self *= other, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).mul_(3)
        Tensor([3. 6.])
        """
        return self._write("mul_", lambda data: np.multiply(data, array_of(other), out=data))

    def div_(self, other: TensorLike) -> Self:
        """self /= other, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([3.0, 6.0]).div_(3)
        Tensor([1. 2.])
        """
        return self._write("div_", lambda data: np.divide(data, array_of(other), out=data))

    # NOTE: without these, ``w -= lr * w.grad`` would bind w to a new tensor and leave the
    # parameter unchanged; with them it changes w in place, as PyTorch's operators do.
    def __iadd__(self, other: TensorLike) -> Self:
        """``x += y``: :meth:`add_`.

        Examples
        --------
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> same = w
        >>> with minigrad.no_grad():
        ...     w -= 0.5 * Tensor([2.0, 2.0])
        >>> same is w, w
        (True, Tensor([0. 1.], requires_grad=True))
        """
        return self.add_(other)

    def __isub__(self, other: TensorLike) -> Self:
        """``x -= y``: :meth:`sub_`."""
        return self.sub_(other)

    def __imul__(self, other: TensorLike) -> Self:
        """``x *= y``: :meth:`mul_`."""
        return self.mul_(other)

    def __itruediv__(self, other: TensorLike) -> Self:
        """``x /= y``: :meth:`div_`."""
        return self.div_(other)
