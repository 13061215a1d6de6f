"""Public functions, PyTorch's ``torch.nn.functional`` style: ``F.relu(x)``, ``F.softmax(x)``.

Each is the same op as the Tensor method of the same name.
"""

from minigrad.ops import arithmetic, elementwise
from minigrad.ops import shape as shape_ops
from minigrad.tensor import Tensor

# --- math, reductions and shape ---------------------------------------------------------------


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _pair(x, y) -> tuple:
    """Both operands as Tensors; a Python number takes the other's dtype (float32 stays float32)."""
    if isinstance(x, Tensor):
        return x, x._lift(y)
    if isinstance(y, Tensor):
        return y._lift(x), y
    return Tensor(x), Tensor(y)


def linear(x, weight, bias=None) -> Tensor:
    """x W^T + b, the affine map of :class:`minigrad.nn.Linear` (W of shape (out, in)), as one op."""
    x = _tensor(x)
    return arithmetic.Linear.apply(x, weight) if bias is None else arithmetic.Linear.apply(x, weight, bias)


def exp(x) -> Tensor:
    return _tensor(x).exp()


def log(x) -> Tensor:
    return _tensor(x).log()


def sqrt(x) -> Tensor:
    return _tensor(x).sqrt()


def abs(x) -> Tensor:
    return _tensor(x).abs()


def clip(x, min=None, max=None) -> Tensor:
    return _tensor(x).clip(min, max)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    return _tensor(x).mean(axis, keepdims)


def max(x, axis=None, keepdims: bool = False) -> Tensor:
    return _tensor(x).max(axis, keepdims)


def min(x, axis=None, keepdims: bool = False) -> Tensor:
    return _tensor(x).min(axis, keepdims)


def where(condition, x, y) -> Tensor:
    """``x`` where the boolean array ``condition`` holds (e.g. ``a > 0``), else ``y``; all three broadcast."""
    x, y = _pair(x, y)
    return elementwise.Where.apply(x, y, condition=condition)


def maximum(x, y) -> Tensor:
    """Elementwise max(x, y); at a tie each side gets half the gradient, as ``torch.maximum``."""
    return elementwise.Maximum.apply(*_pair(x, y))


def minimum(x, y) -> Tensor:
    """Elementwise min(x, y); at a tie each side gets half the gradient, as ``torch.minimum``."""
    return elementwise.Minimum.apply(*_pair(x, y))


def concatenate(tensors, axis: int = 0) -> Tensor:
    """The tensors joined along an existing ``axis``, as ``numpy.concatenate``."""
    return shape_ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """The tensors (all of one shape) stacked along a new ``axis``, as ``numpy.stack``."""
    return shape_ops.Stack.apply(*tensors, axis=axis)


# --- activations -------------------------------------------------------------------------------


def sigmoid(x) -> Tensor:
    return _tensor(x).sigmoid()


def tanh(x) -> Tensor:
    return _tensor(x).tanh()


def softsign(x) -> Tensor:
    return _tensor(x).softsign()


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return _tensor(x).hardtanh(min_val, max_val)


def hardsigmoid(x) -> Tensor:
    return _tensor(x).hardsigmoid()


def relu(x) -> Tensor:
    return _tensor(x).relu()


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    return _tensor(x).leaky_relu(negative_slope)


def prelu(x, weight) -> Tensor:
    """x where x > 0, else weight * x; ``weight`` has one entry, or one per channel (axis 1)."""
    return _tensor(x).prelu(weight)


def relu6(x) -> Tensor:
    return _tensor(x).relu6()


def elu(x, alpha: float = 1.0) -> Tensor:
    return _tensor(x).elu(alpha)


def selu(x) -> Tensor:
    return _tensor(x).selu()


def celu(x, alpha: float = 1.0) -> Tensor:
    return _tensor(x).celu(alpha)


def softplus(x, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return _tensor(x).softplus(beta, threshold)


def silu(x) -> Tensor:
    return _tensor(x).silu()


def gelu(x, approximate: str = "none") -> Tensor:
    return _tensor(x).gelu(approximate)


def mish(x) -> Tensor:
    return _tensor(x).mish()


def softmax(x, axis: int = -1) -> Tensor:
    return _tensor(x).softmax(axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    return _tensor(x).log_softmax(axis)


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
