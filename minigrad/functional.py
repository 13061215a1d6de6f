"""Public functions, PyTorch's ``torch.nn.functional`` style: ``F.relu(x)``, ``F.softmax(x)``.

Each runs its op (``F.relu`` is ``ReLU.apply``), the same op as the Tensor method of the same
name; the nn modules call these.
"""

from __future__ import annotations

from collections.abc import Sequence

from numpy.typing import ArrayLike

from minigrad.ops import arithmetic, elementwise, reductions, relu_family, sigmoid_family, smooth_relu_family
from minigrad.ops import shape as shape_ops
from minigrad.ops import softmax as softmax_ops
from minigrad.tensor import Axis, Tensor, TensorLike

# --- math, reductions and shape ---------------------------------------------------------------


def _tensor(x: TensorLike) -> Tensor:
    """``x`` as a Tensor: an op needs one among its inputs."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _pair(x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; a Python number takes the other's dtype (float32 stays float32)."""
    if isinstance(x, Tensor):
        return x, x._lift(y)
    if isinstance(y, Tensor):
        return y._lift(x), y
    return Tensor(x), Tensor(y)


def linear(x: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """x W^T + b, the affine map of :class:`minigrad.nn.Linear` (W of shape (out, in)), as one op.

    Examples
    --------
    >>> F.linear(Tensor([[1.0, 2.0]]), Tensor([[1.0, 1.0], [0.0, -1.0]]), Tensor([0.5, 0.0]))
    Tensor([[ 3.5 -2. ]])
    """
    x = _tensor(x)
    return arithmetic.Linear.apply(x, weight) if bias is None else arithmetic.Linear.apply(x, weight, bias)


def exp(x: TensorLike) -> Tensor:
    """e^x, elementwise (:meth:`Tensor.exp`).

    Examples
    --------
    >>> F.exp([0.0])
    Tensor([1.])
    """
    return elementwise.Exp.apply(_tensor(x))


def log(x: TensorLike) -> Tensor:
    """The natural logarithm, elementwise (:meth:`Tensor.log`).

    Examples
    --------
    >>> F.log([1.0])
    Tensor([0.])
    """
    return elementwise.Log.apply(_tensor(x))


def sqrt(x: TensorLike) -> Tensor:
    """The square root, elementwise (:meth:`Tensor.sqrt`).

    Examples
    --------
    >>> F.sqrt([4.0, 0.25])
    Tensor([2.  0.5])
    """
    return elementwise.Sqrt.apply(_tensor(x))


def abs(x: TensorLike) -> Tensor:
    """|x|, elementwise (:meth:`Tensor.abs`).

    Examples
    --------
    >>> F.abs([-3.0, 3.0])
    Tensor([3. 3.])
    """
    return elementwise.Abs.apply(_tensor(x))


def clip(x: TensorLike, min: ArrayLike | None = None, max: ArrayLike | None = None) -> Tensor:
    """x limited to [min, max], either bound None for none (:meth:`Tensor.clip`).

    Examples
    --------
    >>> F.clip([-5.0, 5.0], min=0.0)
    Tensor([0. 5.])
    """
    return elementwise.Clip.apply(_tensor(x), min=min, max=max)


def mean(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean over ``axis`` (:meth:`Tensor.mean`).

    Examples
    --------
    >>> F.mean([[1.0, 2.0], [3.0, 5.0]], axis=0)
    Tensor([2.  3.5])
    """
    return reductions.Mean.apply(_tensor(x), axis=axis, keepdims=keepdims)


def max(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The largest value over ``axis`` (:meth:`Tensor.max`).

    Examples
    --------
    >>> F.max([[1.0, 2.0], [3.0, 5.0]], axis=1)
    Tensor([2. 5.])
    """
    return reductions.Max.apply(_tensor(x), axis=axis, keepdims=keepdims)


def min(x: TensorLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The smallest value over ``axis`` (:meth:`Tensor.min`).

    Examples
    --------
    >>> F.min([[1.0, 2.0], [3.0, 5.0]])
    Tensor(1.)
    """
    return reductions.Min.apply(_tensor(x), axis=axis, keepdims=keepdims)


def where(condition: ArrayLike, x: TensorLike, y: TensorLike) -> Tensor:
    """``x`` where the boolean array ``condition`` holds (e.g. ``a > 0``), else ``y``; all three broadcast.

    Examples
    --------
    >>> a = Tensor([-1.0, 2.0])
    >>> F.where(a > 0, a, 0.0)
    Tensor([0. 2.])
    """
    x, y = _pair(x, y)
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
    return elementwise.Maximum.apply(*_pair(x, y))


def minimum(x: TensorLike, y: TensorLike) -> Tensor:
    """Elementwise min(x, y); at a tie each side gets half the gradient, as ``torch.minimum``.

    Examples
    --------
    >>> F.minimum([1.0, 5.0], [3.0, 3.0])
    Tensor([1. 3.])
    """
    return elementwise.Minimum.apply(*_pair(x, y))


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


# --- activations -------------------------------------------------------------------------------


def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e^-x), elementwise (:meth:`Tensor.sigmoid`).

    Examples
    --------
    >>> F.sigmoid([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.269, 0.5  , 0.953])
    """
    return sigmoid_family.Sigmoid.apply(_tensor(x))


def tanh(x: TensorLike) -> Tensor:
    """The hyperbolic tangent, elementwise (:meth:`Tensor.tanh`).

    Examples
    --------
    >>> F.tanh([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.762,  0.   ,  0.995])
    """
    return sigmoid_family.Tanh.apply(_tensor(x))


def softsign(x: TensorLike) -> Tensor:
    """x / (1 + |x|), elementwise (:meth:`Tensor.softsign`).

    Examples
    --------
    >>> F.softsign([-1.0, 0.0, 3.0])
    Tensor([-0.5   0.    0.75])
    """
    return sigmoid_family.Softsign.apply(_tensor(x))


def hardtanh(x: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val] (:meth:`Tensor.hardtanh`).

    Examples
    --------
    >>> F.hardtanh([-1.0, 0.0, 3.0], 0.0, 2.0)
    Tensor([0. 0. 2.])
    """
    return sigmoid_family.Hardtanh.apply(_tensor(x), min_val=min_val, max_val=max_val)


def hardsigmoid(x: TensorLike) -> Tensor:
    """relu6(x + 3) / 6, elementwise (:meth:`Tensor.hardsigmoid`).

    Examples
    --------
    >>> F.hardsigmoid([-3.0, 0.0, 3.0])
    Tensor([0.  0.5 1. ])
    """
    return sigmoid_family.Hardsigmoid.apply(_tensor(x))


def relu(x: TensorLike) -> Tensor:
    """max(x, 0), elementwise (:meth:`Tensor.relu`).

    Examples
    --------
    >>> F.relu([-1.0, 0.0, 3.0])
    Tensor([0. 0. 3.])
    """
    return relu_family.ReLU.apply(_tensor(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x (:meth:`Tensor.leaky_relu`).

    Examples
    --------
    >>> F.leaky_relu([-1.0, 0.0, 3.0])
    Tensor([-0.01  0.    3.  ])
    """
    return relu_family.LeakyReLU.apply(_tensor(x), negative_slope=negative_slope)


def prelu(x: TensorLike, weight: TensorLike) -> Tensor:
    """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1).

    Examples
    --------
    >>> F.prelu([-1.0, 2.0], Tensor([0.25]))
    Tensor([-0.25  2.  ])
    """
    return relu_family.PReLU.apply(_tensor(x), weight)


def relu6(x: TensorLike) -> Tensor:
    """min(max(x, 0), 6), elementwise (:meth:`Tensor.relu6`).

    Examples
    --------
    >>> F.relu6([-1.0, 0.0, 8.0])
    Tensor([0. 0. 6.])
    """
    return relu_family.ReLU6.apply(_tensor(x))


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e^x - 1) (:meth:`Tensor.elu`).

    Examples
    --------
    >>> F.elu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.632,  0.   ,  3.   ])
    """
    return relu_family.ELU.apply(_tensor(x), alpha=alpha)


def selu(x: TensorLike) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed constants (:meth:`Tensor.selu`).

    Examples
    --------
    >>> F.selu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-1.111,  0.   ,  3.152])
    """
    return relu_family.SELU.apply(_tensor(x))


def celu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e^(x / alpha) - 1) (:meth:`Tensor.celu`).

    Examples
    --------
    >>> F.celu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.632,  0.   ,  3.   ])
    """
    return relu_family.CELU.apply(_tensor(x), alpha=alpha)


def softplus(x: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth ReLU (:meth:`Tensor.softplus`).

    Examples
    --------
    >>> F.softplus([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.313, 0.693, 3.049])
    """
    return smooth_relu_family.Softplus.apply(_tensor(x), beta=beta, threshold=threshold)


def silu(x: TensorLike) -> Tensor:
    """x * sigmoid(x), elementwise (:meth:`Tensor.silu`).

    Examples
    --------
    >>> F.silu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.269,  0.   ,  2.858])
    """
    return smooth_relu_family.SiLU.apply(_tensor(x))


def gelu(x: TensorLike, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF, or its tanh approximation (:meth:`Tensor.gelu`).

    Examples
    --------
    >>> F.gelu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.159,  0.   ,  2.996])
    """
    return smooth_relu_family.GELU.apply(_tensor(x), approximate=approximate)


def mish(x: TensorLike) -> Tensor:
    """x * tanh(softplus(x)), elementwise (:meth:`Tensor.mish`).

    Examples
    --------
    >>> F.mish([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.303,  0.   ,  2.987])
    """
    return smooth_relu_family.Mish.apply(_tensor(x))


def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """e^x / sum(e^x) along ``axis`` (:meth:`Tensor.softmax`).

    Examples
    --------
    >>> F.softmax([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.017, 0.047, 0.936])
    """
    return softmax_ops.Softmax.apply(_tensor(x), axis=axis)


def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """log(softmax(x)) along ``axis``, computed stably (:meth:`Tensor.log_softmax`).

    Examples
    --------
    >>> F.log_softmax([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-4.066, -3.066, -0.066])
    """
    return softmax_ops.LogSoftmax.apply(_tensor(x), axis=axis)


# --- losses (written in losses.py) ------------------------------------------------------------

from minigrad.losses import (  # noqa: E402, F401  (re-exported: F.mse_loss, F.cross_entropy, ...)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
)
