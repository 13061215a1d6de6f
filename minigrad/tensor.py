"""Tensor: a NumPy array that remembers the op that made it, so gradients can flow back."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

# The types the signatures use. TensorLike: a Tensor, or anything NumPy makes an array of (a
# number, a nested list, an ndarray). Axis: which axes a reduction runs over, as in NumPy.
TensorLike: TypeAlias = "Tensor | ArrayLike"
Axis: TypeAlias = "int | tuple[int, ...] | None"
Hook: TypeAlias = "Callable[[Tensor], Tensor | None]"


def as_float_array(data: TensorLike, dtype: DTypeLike | None = None) -> np.ndarray:
    """``data`` as a float64 or float32 array, or a clear error saying why it cannot be one.

    float32 arrays stay float32; everything else numeric becomes float64 unless ``dtype`` says.

    Examples
    --------
    >>> as_float_array([1, 2]), as_float_array(np.ones(2, np.float32)).dtype
    (array([1., 2.]), dtype('float32'))
    >>> as_float_array("one")
    Traceback (most recent call last):
    TypeError: Tensor: cannot make a tensor from str 'one'
    """
    if type(data) is np.ndarray and dtype is None and data.dtype in FLOAT_DTYPES:
        return data  # already what a Tensor holds: the common case, checked first
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"Tensor: dtype must be float64 or float32, got {dtype}")
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (str, bytes)) or not (
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
        dtype = array.dtype if array.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    return array.astype(dtype, copy=False)


class Tensor:
    """An n-dimensional array of float64 (default) or float32 that records how it was made.

    ``grad_fn`` is the :class:`~minigrad.autograd.Context` of the op that made the tensor
    (None for a leaf). Comparisons (``x > 0``) return plain NumPy boolean arrays: no gradient
    flows through them.

    Parameters
    ----------
    data : array_like or Tensor
        Real numbers; float32 stays float32, anything else becomes float64.
    requires_grad : bool
        Whether ``backward`` should compute this tensor's gradient into ``.grad``.
    dtype : {None, float64, float32}
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
    array([False,  True,  True])
    """

    __slots__ = (
        "_data",
        "grad",
        "requires_grad",
        "grad_fn",
        "_version",
        "_hooks",
        "_retains_grad",
        "name",
        "__weakref__",
    )
    # NOTE: make NumPy hand ``array + tensor`` to Tensor.__radd__ instead of looping over the tensor.
    __array_ufunc__ = None

    _data: np.ndarray
    grad: Tensor | None
    requires_grad: bool
    grad_fn: autograd.Context | None  # the op that made this tensor; None for a leaf
    _version: int
    _hooks: list[Hook] | None
    _retains_grad: bool
    name: str | None

    def __init__(
        self, data: TensorLike, requires_grad: bool = False, dtype: DTypeLike | None = None, name: str | None = None
    ) -> None:
        self._data = as_float_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.grad_fn = None
        self._version = 0
        self._hooks = None
        self._retains_grad = False
        self.name = name

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False, grad_fn: autograd.Context | None = None) -> Tensor:
        """Wrap an array that an op made (already a float ndarray): the fast path of every op."""
        tensor = object.__new__(Tensor)
        # NOTE: NumPy gives a scalar, not a 0-d array, for a full reduction or a ufunc on 0-d arrays.
        tensor._data = data if type(data) is np.ndarray else np.asarray(data)
        tensor.grad = None
        tensor.requires_grad = requires_grad
        tensor.grad_fn = grad_fn
        tensor._version = 0
        tensor._hooks = None
        tensor._retains_grad = False
        tensor.name = None
        return tensor

    # --- the array and its facts ---------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The NumPy array. Assigning to it (``x.data = ...``, ``x.data -= ...``) counts as a change
        in place: a graph that saved ``x`` then refuses to backpropagate through it. Element
        writes through the array itself (``x.data[0] = 1``) bypass that check, as in PyTorch."""
        return self._data

    @data.setter
    def data(self, value: ArrayLike) -> None:
        self._data = as_float_array(value, self.dtype)
        self._version += 1

    @property
    def shape(self) -> tuple[int, ...]:
        """The length of each axis, as ``numpy.ndarray.shape``: ``Tensor([[1.0, 2.0]]).shape == (1, 2)``."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of axes (0 for a scalar)."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        """float64 or float32, a ``numpy.dtype``."""
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for a tensor made by the user rather than by an op that recorded a graph."""
        return self.grad_fn is None

    def item(self) -> float:
        """The value of a one-element tensor as a Python float.

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
        """A new leaf sharing this tensor's data, cut from the graph.

        Examples
        --------
        >>> y = Tensor([1.0], requires_grad=True) * 2
        >>> y.detach().requires_grad, y.detach().is_leaf
        (False, True)
        """
        return Tensor._make(self._data)

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
        autograd.backward(self, gradient, retain_graph, create_graph)

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

    # --- changes in place (outside the graph, e.g. optimiser updates) ----------------------------

    def _write(self, name: str, write: Callable[[np.ndarray], object]) -> Tensor:
        """Apply ``write(array)`` to the data in place and count the change."""
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"{name}: a tensor that requires grad cannot be changed in place while the graph is "
                "being recorded; wrap the update in `with minigrad.no_grad():`"
            )
        write(self._data)
        self._version += 1
        return self

    def __setitem__(self, index: Any, value: TensorLike) -> None:
        def assign(data: np.ndarray) -> None:
            data[index] = _array(value)

        self._write("__setitem__", assign)

    def zero_(self) -> Tensor:
        """Set every element to 0, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).zero_()
        Tensor([0. 0.])
        """
        return self.fill_(0.0)

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value``, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).fill_(7)
        Tensor([7. 7.])
        """
        return self._write("fill_", lambda data: data.fill(value))

    def copy_(self, source: TensorLike) -> Tensor:
        """Copy ``source`` (broadcast to this shape) into this tensor, in place; returns it.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).copy_([5.0, 6.0])
        Tensor([5. 6.])
        """
        return self._write("copy_", lambda data: np.copyto(data, _array(source)))

    def add_(self, other: TensorLike, alpha: float = 1.0) -> Tensor:
        """self += alpha * other, in place; returns the tensor. Inside ``no_grad`` for a parameter.

        Examples
        --------
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> with minigrad.no_grad():
        ...     _ = w.add_(Tensor([1.0, 1.0]), alpha=0.5)
        >>> w
        Tensor([1.5 2.5], requires_grad=True)
        """
        return self._write("add_", lambda data: np.add(data, alpha * _array(other), out=data))

    def sub_(self, other: TensorLike, alpha: float = 1.0) -> Tensor:
        """self -= alpha * other, in place (a gradient-descent step); returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).sub_(np.array([10.0, 10.0]), alpha=0.1)
        Tensor([0. 1.])
        """
        return self.add_(other, -alpha)

    def mul_(self, other: TensorLike) -> Tensor:
        """self *= other, in place; returns the tensor.

        Examples
        --------
        >>> Tensor([1.0, 2.0]).mul_(3)
        Tensor([3. 6.])
        """
        return self._write("mul_", lambda data: np.multiply(data, _array(other), out=data))

    # --- arithmetic ------------------------------------------------------------------------------

    def _lift(self, other: TensorLike) -> Tensor:
        """A Python number takes this tensor's dtype (so float32 stays float32); arrays keep theirs."""
        if isinstance(other, Tensor):
            return other
        # NOTE: float and int checked first: isinstance against the numbers.Real ABC is slow.
        if (
            type(other) is float
            or type(other) is int
            or (isinstance(other, numbers.Real) and not isinstance(other, np.ndarray))
        ):
            return Tensor._make(np.array(other, dtype=self._data.dtype))
        return Tensor(other)

    def __add__(self, other: TensorLike) -> Tensor:
        return arithmetic.Add.apply(self, self._lift(other))

    def __radd__(self, other: TensorLike) -> Tensor:
        return arithmetic.Add.apply(self._lift(other), self)

    def __sub__(self, other: TensorLike) -> Tensor:
        return arithmetic.Sub.apply(self, self._lift(other))

    def __rsub__(self, other: TensorLike) -> Tensor:
        return arithmetic.Sub.apply(self._lift(other), self)

    def __mul__(self, other: TensorLike) -> Tensor:
        return arithmetic.Mul.apply(self, self._lift(other))

    def __rmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.Mul.apply(self._lift(other), self)

    def __truediv__(self, other: TensorLike) -> Tensor:
        return arithmetic.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other: TensorLike) -> Tensor:
        return arithmetic.Div.apply(self._lift(other), self)

    def __pow__(self, exponent: TensorLike) -> Tensor:
        return arithmetic.Pow.apply(self, self._lift(exponent))

    def __rpow__(self, base: TensorLike) -> Tensor:
        return arithmetic.Pow.apply(self._lift(base), self)

    def __neg__(self) -> Tensor:
        return arithmetic.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other: TensorLike) -> Tensor:
        return arithmetic.MatMul.apply(self._lift(other), self)

    # NOTE: comparisons give NumPy boolean arrays, hence Tensor keeps identity hashing.
    __hash__ = object.__hash__

    def __eq__(self, other: TensorLike) -> np.ndarray:  # type: ignore[override]
        return self._data == _array(other)

    def __ne__(self, other: TensorLike) -> np.ndarray:  # type: ignore[override]
        return self._data != _array(other)

    def __lt__(self, other: TensorLike) -> np.ndarray:
        return self._data < _array(other)

    def __le__(self, other: TensorLike) -> np.ndarray:
        return self._data <= _array(other)

    def __gt__(self, other: TensorLike) -> np.ndarray:
        return self._data > _array(other)

    def __ge__(self, other: TensorLike) -> np.ndarray:
        return self._data >= _array(other)

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

    def to(self, dtype: DTypeLike) -> Tensor:
        """This tensor in ``dtype`` (float32 or float64); the gradient is converted back.

        Examples
        --------
        >>> Tensor([1.0]).to(np.float32)
        Tensor([1.], dtype=float32)
        """
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"to: dtype must be float64 or float32, got {dtype}")
        return self if dtype == self.dtype else elementwise.Cast.apply(self, dtype=dtype)

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
        axes = list(range(self.ndim))
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

    # --- activations -----------------------------------------------------------------------------

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^-x), elementwise: squashes into (0, 1); its derivative is at most 1/4.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).sigmoid().numpy().round(4)
        array([0.1192, 0.5   , 0.8808])
        """
        return sigmoid_family.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent, elementwise: squashes into (-1, 1).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).tanh().numpy().round(4)
        array([-0.964,  0.   ,  0.964])
        """
        return sigmoid_family.Tanh.apply(self)

    def softsign(self) -> Tensor:
        """x / (1 + |x|), elementwise: into (-1, 1), with polynomial rather than exponential tails.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softsign().numpy().round(4)
        array([-0.6667,  0.    ,  0.6667])
        """
        return sigmoid_family.Softsign.apply(self)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
        """x clipped to [min_val, max_val], elementwise: the derivative is 1 inside, 0 outside.

        Examples
        --------
        >>> Tensor([-3.0, 0.5, 3.0]).hardtanh()
        Tensor([-1.   0.5  1. ])
        """
        return sigmoid_family.Hardtanh.apply(self, min_val=min_val, max_val=max_val)

    def hardsigmoid(self) -> Tensor:
        """relu6(x + 3) / 6, elementwise: a piecewise-linear sigmoid, 0 below -3 and 1 above 3.

        Examples
        --------
        >>> Tensor([-4.0, 0.0, 1.5]).hardsigmoid()
        Tensor([0.   0.5  0.75])
        """
        return sigmoid_family.Hardsigmoid.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise; its derivative is 1 for x > 0, else 0 (at 0 too).

        Examples
        --------
        >>> x = Tensor([-1.0, 2.0], requires_grad=True)
        >>> x.relu()
        Tensor([0. 2.], grad_fn=<ReLU>)
        >>> x.relu().sum().backward()
        >>> x.grad
        Tensor([0. 1.])
        """
        return relu_family.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x for x > 0, else ``negative_slope`` * x: a ReLU that keeps a small gradient below 0.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).leaky_relu(0.1)
        Tensor([-0.2  0.   2. ])
        """
        return relu_family.LeakyReLU.apply(self, negative_slope=negative_slope)

    def prelu(self, weight: TensorLike) -> Tensor:
        """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1).

        Examples
        --------
        >>> Tensor([[-2.0, -2.0], [1.0, 1.0]]).prelu(Tensor([0.5, 0.1]))
        Tensor([[-1.  -0.2]
                [ 1.   1. ]])
        """
        return relu_family.PReLU.apply(self, weight)

    def relu6(self) -> Tensor:
        """min(max(x, 0), 6), elementwise.

        Examples
        --------
        >>> Tensor([-1.0, 3.0, 7.0]).relu6()
        Tensor([0. 3. 6.])
        """
        return relu_family.ReLU6.apply(self)

    def elu(self, alpha: float = 1.0) -> Tensor:
        """x for x > 0, else alpha (e^x - 1): smooth below 0, approaching -alpha.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).elu().numpy().round(4)
        array([-0.8647,  0.    ,  2.    ])
        """
        return relu_family.ELU.apply(self, alpha=alpha)

    def selu(self) -> Tensor:
        """scale * elu(x, alpha) with the fixed constants of self-normalising networks.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).selu().numpy().round(4)
        array([-1.5202,  0.    ,  2.1014])
        """
        return relu_family.SELU.apply(self)

    def celu(self, alpha: float = 1.0) -> Tensor:
        """x for x > 0, else alpha (e^(x / alpha) - 1): an ELU whose derivative is continuous.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).celu(alpha=2.0).numpy().round(4)
        array([-1.2642,  0.    ,  2.    ])
        """
        return relu_family.CELU.apply(self, alpha=alpha)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        """log(1 + e^(beta x)) / beta, a smooth ReLU; x itself where beta x > ``threshold``.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softplus().numpy().round(4)
        array([0.1269, 0.6931, 2.1269])
        """
        return smooth_relu_family.Softplus.apply(self, beta=beta, threshold=threshold)

    def silu(self) -> Tensor:
        """x * sigmoid(x), elementwise (also called swish).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).silu().numpy().round(4)
        array([-0.2384,  0.    ,  1.7616])
        """
        return smooth_relu_family.SiLU.apply(self)

    def gelu(self, approximate: str = "none") -> Tensor:
        """x Phi(x) with Phi the standard normal CDF, or its tanh approximation (``approximate='tanh'``).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).gelu().numpy().round(4)
        array([-0.0455,  0.    ,  1.9545])
        >>> Tensor([-2.0, 0.0, 2.0]).gelu(approximate="tanh").numpy().round(4)
        array([-0.0454,  0.    ,  1.9546])
        """
        return smooth_relu_family.GELU.apply(self, approximate=approximate)

    def mish(self) -> Tensor:
        """x * tanh(softplus(x)), elementwise.

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).mish().numpy().round(4)
        array([-0.2525,  0.    ,  1.944 ])
        """
        return smooth_relu_family.Mish.apply(self)

    def softmax(self, axis: int = -1) -> Tensor:
        """e^x / sum(e^x) along ``axis``: positive numbers that sum to 1 (probabilities).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).softmax().numpy().round(4)
        array([0.0159, 0.1173, 0.8668])
        """
        return softmax_ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)) along ``axis``, computed without overflow: x - log sum(e^x).

        Examples
        --------
        >>> Tensor([-2.0, 0.0, 2.0]).log_softmax().numpy().round(4)
        array([-4.1429, -2.1429, -0.1429])
        """
        return softmax_ops.LogSoftmax.apply(self, axis=axis)

    # --- float32 and float64 ---------------------------------------------------------------------
    # NOTE: last in the class: below `def float`, `float` in an annotation would name this method.

    def float(self) -> Tensor:
        """This tensor in float32, as PyTorch's ``Tensor.float``.

        Examples
        --------
        >>> Tensor([1.0]).float()
        Tensor([1.], dtype=float32)
        """
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor in float64.

        Examples
        --------
        >>> Tensor([1.0], dtype=np.float32).double()
        Tensor([1.])
        """
        return self.to(np.float64)


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Any], hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _array(value: TensorLike) -> Any:
    """A Tensor's array; anything else as it is, for NumPy to take."""
    return value._data if isinstance(value, Tensor) else value


# NOTE: imported last because every op module needs Tensor defined first.
from minigrad import autograd  # noqa: E402
from minigrad.ops import (  # noqa: E402
    arithmetic,
    elementwise,
    reductions,
    relu_family,
    sigmoid_family,
    smooth_relu_family,
)
from minigrad.ops import shape as shape_ops  # noqa: E402
from minigrad.ops import softmax as softmax_ops  # noqa: E402
