"""The activation functions: ``F.relu(x)``, ``F.gelu(x)``, ``F.softmax(x, dim=-1)``.

Each is one line that runs its op (``F.relu`` is ``ReLU.apply``), the op behind the Tensor method
of the same name; the op's class holds f and f' (its docstring), its forward and its backward rule.
"""

from __future__ import annotations

from minigrad.functional.operands import tensor_operand
from minigrad.ops import relu_family, sigmoid_family, smooth_relu_family
from minigrad.ops import softmax as softmax_ops
from minigrad.tensor import Tensor, TensorLike


def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e^-x), elementwise (:meth:`Tensor.sigmoid`).

    Examples
    --------
    >>> F.sigmoid([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.269, 0.5  , 0.953])
    """
    return sigmoid_family.Sigmoid.apply(tensor_operand(x))


def tanh(x: TensorLike) -> Tensor:
    """The hyperbolic tangent, elementwise (:meth:`Tensor.tanh`).

    Examples
    --------
    >>> F.tanh([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.762,  0.   ,  0.995])
    """
    return sigmoid_family.Tanh.apply(tensor_operand(x))


def softsign(x: TensorLike) -> Tensor:
    """x / (1 + |x|), elementwise (:meth:`Tensor.softsign`).

    Examples
    --------
    >>> F.softsign([-1.0, 0.0, 3.0])
    Tensor([-0.5   0.    0.75])
    """
    return sigmoid_family.Softsign.apply(tensor_operand(x))


def hardtanh(x: TensorLike, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val] (:meth:`Tensor.hardtanh`).

    Examples
    --------
    >>> F.hardtanh([-1.0, 0.0, 3.0], 0.0, 2.0)
    Tensor([0. 0. 2.])
    """
    return sigmoid_family.Hardtanh.apply(tensor_operand(x), min_val=min_val, max_val=max_val)


def hardsigmoid(x: TensorLike) -> Tensor:
    """relu6(x + 3) / 6, elementwise (:meth:`Tensor.hardsigmoid`).

    Examples
    --------
    >>> F.hardsigmoid([-3.0, 0.0, 3.0])
    Tensor([0.  0.5 1. ])
    """
    return sigmoid_family.Hardsigmoid.apply(tensor_operand(x))


def relu(x: TensorLike) -> Tensor:
    """max(x, 0), elementwise (:meth:`Tensor.relu`).

    Examples
    --------
    >>> F.relu([-1.0, 0.0, 3.0])
    Tensor([0. 0. 3.])
    """
    return relu_family.ReLU.apply(tensor_operand(x))


def leaky_relu(x: TensorLike, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else negative_slope * x (:meth:`Tensor.leaky_relu`).

    Examples
    --------
    >>> F.leaky_relu([-1.0, 0.0, 3.0])
    Tensor([-0.01  0.    3.  ])
    """
    return relu_family.LeakyReLU.apply(tensor_operand(x), negative_slope=negative_slope)


def prelu(x: TensorLike, weight: TensorLike) -> Tensor:
    """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1).

    Examples
    --------
    >>> F.prelu([-1.0, 2.0], Tensor([0.25]))
    Tensor([-0.25  2.  ])
    """
    return relu_family.PReLU.apply(tensor_operand(x), weight)


def relu6(x: TensorLike) -> Tensor:
    """min(max(x, 0), 6), elementwise (:meth:`Tensor.relu6`).

    Examples
    --------
    >>> F.relu6([-1.0, 0.0, 8.0])
    Tensor([0. 0. 6.])
    """
    return relu_family.ReLU6.apply(tensor_operand(x))


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e^x - 1) (:meth:`Tensor.elu`).

    Examples
    --------
    >>> F.elu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.632,  0.   ,  3.   ])
    """
    return relu_family.ELU.apply(tensor_operand(x), alpha=alpha)


def selu(x: TensorLike) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed constants (:meth:`Tensor.selu`).

    Examples
    --------
    >>> F.selu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-1.111,  0.   ,  3.152])
    """
    return relu_family.SELU.apply(tensor_operand(x))


def celu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x for x > 0, else alpha (e^(x / alpha) - 1) (:meth:`Tensor.celu`).

    Examples
    --------
    >>> F.celu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.632,  0.   ,  3.   ])
    """
    return relu_family.CELU.apply(tensor_operand(x), alpha=alpha)


def softplus(x: TensorLike, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth ReLU (:meth:`Tensor.softplus`).

    Examples
    --------
    >>> F.softplus([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.313, 0.693, 3.049])
    """
    return smooth_relu_family.Softplus.apply(tensor_operand(x), beta=beta, threshold=threshold)


def silu(x: TensorLike) -> Tensor:
    """x * sigmoid(x), elementwise (:meth:`Tensor.silu`).

    Examples
    --------
    >>> F.silu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.269,  0.   ,  2.858])
    """
    return smooth_relu_family.SiLU.apply(tensor_operand(x))


def gelu(x: TensorLike, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF, or its tanh approximation (:meth:`Tensor.gelu`).

    Examples
    --------
    >>> F.gelu([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.159,  0.   ,  2.996])
    """
    return smooth_relu_family.GELU.apply(tensor_operand(x), approximate=approximate)


def mish(x: TensorLike) -> Tensor:
    """x * tanh(softplus(x)), elementwise (:meth:`Tensor.mish`).

    Examples
    --------
    >>> F.mish([-1.0, 0.0, 3.0]).numpy().round(3)
    array([-0.303,  0.   ,  2.987])
    """
    return smooth_relu_family.Mish.apply(tensor_operand(x))


def softmax(x: TensorLike, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """e^x / sum(e^x) along ``dim`` (``axis`` in NumPy's words) (:meth:`Tensor.softmax`).

    Without ``dim``: the last axis of a tensor of up to 2 dims, as PyTorch's implicit choice; a
    tensor of more dims needs ``dim``.

    Examples
    --------
    >>> F.softmax([-1.0, 0.0, 3.0]).numpy().round(3)
    array([0.017, 0.047, 0.936])
    """
    x = tensor_operand(x)
    return softmax_ops.Softmax.apply(x, axis=softmax_ops.softmax_dim("softmax", x.numpy(), dim, axis))


def log_softmax(x: TensorLike, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably (:meth:`Tensor.log_softmax`).

    Examples
    --------
    >>> F.log_softmax([-1.0, 0.0, 3.0], dim=0).numpy().round(3)
    array([-4.066, -3.066, -0.066])
    """
    x = tensor_operand(x)
    return softmax_ops.LogSoftmax.apply(x, axis=softmax_ops.softmax_dim("log_softmax", x.numpy(), dim, axis))
