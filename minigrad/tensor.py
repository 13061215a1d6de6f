"""Tensor: a NumPy array that remembers the op that made it, so gradients can flow back."""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def as_float_array(data, dtype=None) -> np.ndarray:
    """``data`` as a float64 or float32 array, or a clear error saying why it cannot be one.

    float32 arrays stay float32; everything else numeric becomes float64 unless ``dtype`` says.
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

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([2. 4. 6.])

    ``grad_fn`` is the :class:`~minigrad.autograd.Context` of the op that made the tensor
    (None for a leaf). Comparisons (``x > 0``) return plain NumPy boolean arrays: no gradient
    flows through them.
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

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self._data = as_float_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.grad_fn = None
        self._version = 0
        self._hooks = None
        self._retains_grad = False
        self.name = name

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False, grad_fn=None) -> Tensor:
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
    def data(self, value) -> None:
        self._data = as_float_array(value, self.dtype)
        self._version += 1

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for a tensor made by the user rather than by an op that recorded a graph."""
        return self.grad_fn is None

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self._data.size != 1:
            raise ValueError(f"item: only a one-element tensor has an item, this one has shape {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied)."""
        return self._data

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor._make(self._data)

    def __array__(self, dtype=None, copy=None):
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

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf that led to it.

        ``gradient`` is d(final)/d(self); it may be omitted only for a one-element tensor. The graph
        is freed afterwards unless ``retain_graph``; ``create_graph=True`` records the backward pass
        too, so that the gradients can be differentiated again.
        """
        autograd.backward(self, gradient, retain_graph, create_graph)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook: the tensor does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf, in place; returns the tensor."""
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only a leaf's requires_grad can be set; use detach()")
        self.requires_grad = requires_grad
        return self

    # --- changes in place (outside the graph, e.g. optimiser updates) ----------------------------

    def _write(self, name: str, write) -> Tensor:
        """Apply ``write(array)`` to the data in place and count the change."""
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"{name}: a tensor that requires grad cannot be changed in place while the graph is "
                "being recorded; wrap the update in `with minigrad.no_grad():`"
            )
        write(self._data)
        self._version += 1
        return self

    def __setitem__(self, index, value) -> None:
        def assign(data):
            data[index] = _array(value)

        self._write("__setitem__", assign)

    def zero_(self) -> Tensor:
        return self.fill_(0.0)

    def fill_(self, value: float) -> Tensor:
        return self._write("fill_", lambda data: data.fill(value))

    def copy_(self, source) -> Tensor:
        return self._write("copy_", lambda data: np.copyto(data, _array(source)))

    def add_(self, other, alpha: float = 1.0) -> Tensor:
        return self._write("add_", lambda data: np.add(data, alpha * _array(other), out=data))

    def sub_(self, other, alpha: float = 1.0) -> Tensor:
        return self.add_(other, -alpha)

    def mul_(self, other) -> Tensor:
        return self._write("mul_", lambda data: np.multiply(data, _array(other), out=data))

    # --- arithmetic ------------------------------------------------------------------------------

    def _lift(self, other) -> Tensor:
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

    def __add__(self, other):
        return arithmetic.Add.apply(self, self._lift(other))

    def __radd__(self, other):
        return arithmetic.Add.apply(self._lift(other), self)

    def __sub__(self, other):
        return arithmetic.Sub.apply(self, self._lift(other))

    def __rsub__(self, other):
        return arithmetic.Sub.apply(self._lift(other), self)

    def __mul__(self, other):
        return arithmetic.Mul.apply(self, self._lift(other))

    def __rmul__(self, other):
        return arithmetic.Mul.apply(self._lift(other), self)

    def __truediv__(self, other):
        return arithmetic.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other):
        return arithmetic.Div.apply(self._lift(other), self)

    def __pow__(self, exponent):
        return arithmetic.Pow.apply(self, self._lift(exponent))

    def __rpow__(self, base):
        return arithmetic.Pow.apply(self._lift(base), self)

    def __neg__(self):
        return arithmetic.Neg.apply(self)

    def __pos__(self):
        return self

    def __matmul__(self, other):
        return arithmetic.MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other):
        return arithmetic.MatMul.apply(self._lift(other), self)

    # NOTE: comparisons give NumPy boolean arrays, hence Tensor keeps identity hashing.
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self._data == _array(other)

    def __ne__(self, other):
        return self._data != _array(other)

    def __lt__(self, other):
        return self._data < _array(other)

    def __le__(self, other):
        return self._data <= _array(other)

    def __gt__(self, other):
        return self._data > _array(other)

    def __ge__(self, other):
        return self._data >= _array(other)

    # --- elementwise math ------------------------------------------------------------------------

    def exp(self) -> Tensor:
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        return elementwise.Log.apply(self)

    def sqrt(self) -> Tensor:
        return elementwise.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return elementwise.Abs.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    def clip(self, min=None, max=None) -> Tensor:
        """Values below ``min`` raised to it, above ``max`` lowered to it (either may be None)."""
        return elementwise.Clip.apply(self, min=min, max=max)

    def to(self, dtype) -> Tensor:
        """This tensor in ``dtype`` (float32 or float64); the gradient is converted back."""
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"to: dtype must be float64 or float32, got {dtype}")
        return self if dtype == self.dtype else elementwise.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        """This tensor in float32, as PyTorch's ``Tensor.float``."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor in float64."""
        return self.to(np.float64)

    # --- reductions and shape --------------------------------------------------------------------

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        return reductions.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        return reductions.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        """The largest value over ``axis`` (ties share the gradient evenly, as ``torch.amax``)."""
        return reductions.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False) -> Tensor:
        """The smallest value over ``axis`` (ties share the gradient evenly, as ``torch.amin``)."""
        return reductions.Min.apply(self, axis=axis, keepdims=keepdims)

    def __getitem__(self, index) -> Tensor:
        return shape_ops.GetItem.apply(self, index=index)

    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return shape_ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes) -> Tensor:
        """Permute the axes (reversed when none are given), as ``numpy.transpose``."""
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

    def broadcast_to(self, shape) -> Tensor:
        return shape_ops.BroadcastTo.apply(self, shape=tuple(shape))

    # --- activations -----------------------------------------------------------------------------

    def sigmoid(self) -> Tensor:
        return sigmoid_family.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return sigmoid_family.Tanh.apply(self)

    def softsign(self) -> Tensor:
        return sigmoid_family.Softsign.apply(self)

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
        return sigmoid_family.Hardtanh.apply(self, min_val=min_val, max_val=max_val)

    def hardsigmoid(self) -> Tensor:
        return sigmoid_family.Hardsigmoid.apply(self)

    def relu(self) -> Tensor:
        return relu_family.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return relu_family.LeakyReLU.apply(self, negative_slope=negative_slope)

    def prelu(self, weight) -> Tensor:
        """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1)."""
        return relu_family.PReLU.apply(self, weight)

    def relu6(self) -> Tensor:
        return relu_family.ReLU6.apply(self)

    def elu(self, alpha: float = 1.0) -> Tensor:
        return relu_family.ELU.apply(self, alpha=alpha)

    def selu(self) -> Tensor:
        return relu_family.SELU.apply(self)

    def celu(self, alpha: float = 1.0) -> Tensor:
        return relu_family.CELU.apply(self, alpha=alpha)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        return smooth_relu_family.Softplus.apply(self, beta=beta, threshold=threshold)

    def silu(self) -> Tensor:
        return smooth_relu_family.SiLU.apply(self)

    def gelu(self, approximate: str = "none") -> Tensor:
        """x Phi(x) with Phi the standard normal CDF, or its tanh approximation (``approximate='tanh'``)."""
        return smooth_relu_family.GELU.apply(self, approximate=approximate)

    def mish(self) -> Tensor:
        return smooth_relu_family.Mish.apply(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return softmax_ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return softmax_ops.LogSoftmax.apply(self, axis=axis)


class _HookHandle:
    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _array(value):
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
