"""How the functions' arguments become Tensors: an op needs Tensors among its inputs."""

from __future__ import annotations

from minigrad.tensor import Tensor, TensorLike


def tensor_operand(x: TensorLike) -> Tensor:
    """``x`` as a Tensor: ``x`` itself if it is one, else a new Tensor of its values.

    Examples
    --------
    >>> from minigrad.functional.operands import tensor_operand
    >>> x = Tensor([1.0])
    >>> tensor_operand(x) is x, tensor_operand([2.0, 3.0])
    (True, Tensor([2. 3.]))
    """
    return x if isinstance(x, Tensor) else Tensor(x)


def tensor_operands(x: TensorLike, y: TensorLike) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors; a Python number takes the other's dtype (float32 stays float32).

    Examples
    --------
    >>> from minigrad.functional.operands import tensor_operands
    >>> x, y = tensor_operands(Tensor(np.ones(2, dtype=np.float32)), 2.0)
    >>> y.dtype
    dtype('float32')
    """
    if isinstance(x, Tensor):
        return x, x._lift(y)
    if isinstance(y, Tensor):
        return y._lift(x), y
    return Tensor(x), Tensor(y)
