"""Tensor: a NumPy array that remembers the op that made it, so gradients can flow back."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from minigrad.arrays import DTYPES, FLOAT_DTYPES, Axis, Hook, TensorLike, as_tensor_array, is_float
from minigrad.autograd import Context, backward, is_grad_enabled
from minigrad.tensor_activations import TensorActivations
from minigrad.tensor_dtypes import TensorDtypes
from minigrad.tensor_inplace import TensorInPlace
from minigrad.tensor_math import TensorMath
from minigrad.tensor_reductions import TensorReductions

__all__ = ["Tensor", "from_numpy", "TensorLike", "Axis", "FLOAT_DTYPES", "as_tensor_array"]


class Tensor(TensorMath, TensorReductions, TensorActivations, TensorInPlace, TensorDtypes):
    """An n-dimensional array of float64 (default) or float32 that records how it was made.

    ``grad_fn`` is the :class:`~minigrad.autograd.Context` of the op that made the tensor
    (None for a leaf). Tensors of int64, int32 and bool (class labels, indices, masks) never
    require grad and have no ``grad_fn``: comparisons (``x > 0``) make bool tensors, so no
    gradient flows through them; :func:`minigrad.tensor` infers int64 from integers, as PyTorch.

    Parameters
    ----------
    data : array_like or Tensor
        Real numbers, copied (:func:`from_numpy` shares an array's memory instead); float32 stays
        float32, anything else becomes float64 (as ``torch.Tensor(data)``).
    requires_grad : bool
        Whether ``backward`` should compute this tensor's gradient into ``.grad`` (a float
        tensor's only).
    dtype : {None, float64, float32, int64, int32, bool}
        Force a dtype.
    name : str, optional
        A label for graph pictures.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([2. 4. 6.])
    >>> x > 1.5
    Tensor([False  True  True], dtype=bool)
    """

    __slots__ = (
        "_data",
        "grad",
        "_requires_grad",
        "grad_fn",
        "_version",
        "_version_sharers",
        "_hooks",
        "_retains_grad",
        "name",
        "__weakref__",
    )
    # NOTE: make NumPy hand ``array + tensor`` to Tensor.__radd__ instead of looping over the tensor.
    __array_ufunc__ = None

    _data: np.ndarray
    grad: Tensor | None
    _requires_grad: bool  # NOTE: read as the slot where every op reads it; set through the property
    grad_fn: Context | None  # the op that made this tensor; None for a leaf
    _version: int
    # NOTE: None until detach() shares the data: then every tensor holding that data, whose counters
    # change together (see _count_change). Set, not left unset: reading an unset slot costs 0.3 us.
    _version_sharers: weakref.WeakSet[Tensor] | None
    _hooks: list[Hook] | None
    _retains_grad: bool
    name: str | None

    def __init__(
        self, data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None, name: str | None = None
    ) -> None:
        self._data = as_tensor_array(data._data if isinstance(data, Tensor) else data, dtype, copy=True)
        self.grad = None
        self.grad_fn = None
        self.requires_grad = requires_grad  # NOTE: after grad_fn, which the setter reads
        self._version = 0
        self._version_sharers = None
        self._hooks = None
        self._retains_grad = False
        self.name = name

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False, grad_fn: Context | None = None) -> Tensor:
        """Wrap an array that an op made (already a float ndarray): the fast path of every op."""
        tensor = object.__new__(Tensor)
        # NOTE: NumPy gives a scalar, not a 0-d array, for a full reduction or a ufunc on 0-d arrays.
        tensor._data = data if type(data) is np.ndarray else np.asarray(data)
        tensor.grad = None
        tensor._requires_grad = requires_grad
        tensor.grad_fn = grad_fn
        tensor._version = 0
        tensor._version_sharers = None
        tensor._hooks = None
        tensor._retains_grad = False
        tensor.name = None
        return tensor

    # --- the array and its facts ---------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The length of each axis, as ``numpy.ndarray.shape``: ``Tensor([[1.0, 2.0]]).shape == (1, 2)``."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of axes (0 for a scalar)."""
        return self._data.ndim

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape (a tuple), or the length of axis ``dim``, as PyTorch's ``size()``
        (``numel()`` is the number of elements, which NumPy calls ``size``).

        Examples
        --------
        >>> x = Tensor(np.zeros((2, 3)))
        >>> x.size(), x.size(1), x.size(-2)
        ((2, 3), 3, 2)
        """
        if dim is None:
            return self._data.shape
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not -self.ndim <= dim < self.ndim:
            expected = (
                f"dim must be an int in [{-self.ndim}, {self.ndim - 1}]" if self.ndim else "a 0-d tensor has no dims"
            )
            raise IndexError(f"size: {expected}, got {dim!r:.40}")
        return self._data.shape[dim]

    @property
    def dtype(self) -> np.dtype:
        """float64 or float32 (differentiable), or int64, int32 or bool, a ``numpy.dtype``."""
        return self._data.dtype

    @property
    def requires_grad(self) -> bool:
        """Whether ops record a graph from this tensor, so that backward gives it a gradient.

        Set it on a leaf only, only to a bool and only on a float tensor (as PyTorch): on a tensor
        an op made, it is what the graph says.
        """
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if type(value) is not bool:
            raise TypeError(f"requires_grad must be a bool, got {type(value).__name__} {value!r:.40}")
        if self.grad_fn is not None:
            raise RuntimeError(
                f"requires_grad: can be set only on a leaf, and this tensor was made by {self.grad_fn.name} "
                f"(setting it to {value}); use detach() for a tensor without the graph"
            )
        if value and not is_float(self._data.dtype):
            raise RuntimeError(
                f"requires_grad: only Tensors of floating point dtype can require gradients, this one is "
                f"{self._data.dtype} (convert it with .float() or .double())"
            )
        self._requires_grad = value

    @property
    def is_leaf(self) -> bool:
        """True for a tensor made by the user rather than by an op that recorded a graph."""
        return self.grad_fn is None

    def item(self) -> float:
        """The value of a one-element tensor as a Python number (an int or bool for those dtypes).

        Examples
        --------
        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self._data.size != 1:
            raise ValueError(f"item: only a one-element tensor has an item, this one has shape {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied).

        Examples
        --------
        >>> Tensor([1, 2]).numpy()
        array([1., 2.])
        """
        return self._data

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data and its version counter, cut from the graph.

        A change in place through either one counts as a change of both, so a graph that saved
        this tensor refuses to backpropagate after the detached one was changed (as PyTorch).

        Examples
        --------
        >>> y = Tensor([1.0], requires_grad=True) * 2
        >>> y.detach().requires_grad, y.detach().is_leaf
        (False, True)
        """
        detached = Tensor._make(self._data)
        sharers = self._sharers()
        sharers.add(detached)
        detached._version_sharers = sharers
        detached._version = self._version
        return detached

    def _sharers(self) -> weakref.WeakSet[Tensor]:
        """The tensors whose version counters move with this one's (made on first use)."""
        sharers = self._version_sharers
        if sharers is None:
            sharers = self._version_sharers = weakref.WeakSet([self])
        return sharers

    def _count_change(self) -> None:
        """Count one change in place: in this tensor's version, and in that of every tensor that
        shares its data through :meth:`detach` (their counters move together, as one)."""
        sharers = self._version_sharers
        if sharers is None:
            self._version += 1
        else:
            for tensor in sharers:
                tensor._version += 1

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        """For pickle and deepcopy: every slot but the weak references (a copy shares no counter)."""
        return None, {name: getattr(self, name) for name in _COPIED if hasattr(self, name)} | {"_version_sharers": None}

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __repr__(self) -> str:
        text = np.array2string(self._data, separator=" ", threshold=20, prefix="Tensor(")
        parts = [text]
        if self.dtype != np.float64:
            parts.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            parts.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        if self.grad is not None:
            parts.append("grad=" + np.array2string(self.grad._data, separator=" ", threshold=20, prefix="grad="))
        return f"Tensor({', '.join(parts)})"

    # --- autograd --------------------------------------------------------------------------------

    def backward(
        self, gradient: TensorLike | None = None, retain_graph: bool | None = None, create_graph: bool = False
    ) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf that led to it.

        ``gradient`` is d(final)/d(self); it may be omitted only for a one-element tensor. The graph
        is freed afterwards unless ``retain_graph``; ``create_graph=True`` records the backward pass
        too, so that the gradients can be differentiated again.

        Examples
        --------
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).backward(gradient=[1.0, 10.0])     # d/dx of 1 x0^2 + 10 x1^2
        >>> x.grad
        Tensor([ 2. 40.])
        """
        backward(self, gradient, retain_graph, create_graph)

    def register_hook(self, hook: Hook) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.

        Examples
        --------
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> handle = x.register_hook(lambda grad: grad * 0.5)
        >>> (3 * x).sum().backward()
        >>> x.grad
        Tensor([1.5 1.5])
        >>> handle.remove()
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves always do).

        Examples
        --------
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).sum().backward()
        >>> y.grad
        Tensor([ 6. 12.])
        """
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0]).requires_grad_()
        Tensor([1.], requires_grad=True)
        """
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only a leaf's requires_grad can be set; use detach()")
        self.requires_grad = requires_grad
        return self

    # --- changes in place (the methods that use this are in tensor_inplace.py) -------------------

    def _write(self, name: str, write: Callable[[np.ndarray], object]) -> Tensor:
        """Apply ``write(array)`` to the data in place and count the change."""
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{name}: a tensor that requires grad cannot be changed in place while the graph is "
                "being recorded; wrap the update in `with minigrad.no_grad():`"
            )
        if self._data.base is not None:
            raise RuntimeError(
                f"{name}: this tensor of shape {self.shape} is a view into another array (the output of "
                "reshape, indexing or transpose, or from_numpy of a view); a change through it would not "
                "count as a change of the tensor it views, whose graph could then give a wrong gradient; "
                "change a copy instead (Tensor(x.numpy()))"
            )
        write(self._data)
        self._count_change()
        return self


_COPIED = [name for name in Tensor.__slots__ if name not in ("_version_sharers", "__weakref__")]


def from_numpy(array: np.ndarray) -> Tensor:
    """A leaf tensor that shares ``array``'s memory, as ``torch.from_numpy``: a change to either
    shows in the other. ``Tensor(array)`` makes a copy instead.

    Only arrays of a tensor's dtypes (float64, float32, int64, int32, bool) can be shared; any
    other dtype is refused (convert it with ``Tensor(array)``). NOTE: writes through the array bypass the
    version check, as in PyTorch: after an op has used the tensor, changing the array makes that
    op's gradient wrong without an error.

    Examples
    --------
    >>> a = np.array([1.0, 2.0])
    >>> x = minigrad.from_numpy(a)
    >>> a[0] = 10.0
    >>> x
    Tensor([10.  2.])
    >>> minigrad.from_numpy(np.arange(3, dtype=np.uint8))
    Traceback (most recent call last):
    TypeError: from_numpy: cannot share an array of dtype uint8; a tensor holds float64, float32, int64, int32 or bool (Tensor(array) converts a copy)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype not in DTYPES:
        raise TypeError(
            f"from_numpy: cannot share an array of dtype {array.dtype}; a tensor holds float64, "
            "float32, int64, int32 or bool (Tensor(array) converts a copy)"
        )
    return Tensor._make(np.asarray(array))  # NOTE: asarray: a subclass (np.matrix) as a plain view


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
