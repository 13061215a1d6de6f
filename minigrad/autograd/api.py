"""The two ways into the reverse walk: :func:`backward` (into ``.grad``) and :func:`grad` (returned)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from minigrad.arrays import TensorLike, as_tensor_array, is_tensor
from minigrad.autograd.walk import run_backward

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


def backward(
    tensor: Tensor, gradient: TensorLike | None = None, retain_graph: bool | None = None, create_graph: bool = False
) -> None:
    """Accumulate d tensor / d leaf into every leaf's ``.grad``. See :meth:`Tensor.backward`.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> backward((x * x).sum())
    >>> x.grad
    Tensor([2. 4.])
    """
    if not tensor.requires_grad:
        raise RuntimeError("backward: the tensor does not require grad and has no grad_fn")
    gradient = _root_gradient(tensor, gradient, "backward")
    run_backward((tensor,), (gradient,), _retain(retain_graph, create_graph), create_graph)


# NOTE: two signatures for the type checker: a gradient may be None only with allow_unused=True.
@overload
def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: Literal[False] = False,
) -> tuple[Tensor, ...]: ...
@overload
def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]: ...


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: TensorLike | Sequence[TensorLike | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    ``.grad`` is left untouched. With ``create_graph=True`` the results are part of a graph
    and can be differentiated again (Hessian-vector products, second derivatives).

    Examples
    --------
    >>> x = Tensor(3.0, requires_grad=True)
    >>> (dy,) = grad(x**3, x, create_graph=True)
    >>> (d2y,) = grad(dy, x)
    >>> dy.item(), d2y.item()
    (27.0, 18.0)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not is_tensor(x):
            raise TypeError(f"grad: input {i} is a {type(x).__name__}, not a Tensor")
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    for i, y in enumerate(outputs):
        if not y.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no grad_fn")
    root_grads = [_root_gradient(y, g, "grad") for y, g in zip(outputs, grad_outputs)]
    results = run_backward(outputs, root_grads, _retain(retain_graph, create_graph), create_graph, inputs)
    for i, g in enumerate(results):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs; pass allow_unused=True to get None for it"
            )
    return results


def _retain(retain_graph: bool | None, create_graph: bool) -> bool:
    return create_graph if retain_graph is None else retain_graph


def _as_tuple(xs: Any) -> tuple[Any, ...]:
    return tuple(xs) if isinstance(xs, (tuple, list)) else (xs,)


def _root_gradient(tensor: Tensor, gradient: TensorLike | None, caller: str) -> Tensor:
    if gradient is None:
        if tensor.numel() != 1:
            raise RuntimeError(
                f"{caller}: gradient can be implicit only for a scalar output, but the output has "
                f"shape {tensor.shape}; pass gradient= (or grad_outputs=) of that shape"
            )
        return tensor._make(np.ones_like(tensor._data))
    root_grad = gradient if is_tensor(gradient) else tensor._make(np.array(as_tensor_array(gradient, tensor.dtype)))
    if root_grad.shape != tensor.shape:
        raise ValueError(f"{caller}: gradient has shape {root_grad.shape} but the output has shape {tensor.shape}")
    return root_grad
