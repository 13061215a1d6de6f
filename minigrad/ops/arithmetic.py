"""Arithmetic with NumPy broadcasting: + - * / ** negation and @, and the affine map of a layer.

Each backward sums its gradient back to the input's shape with :func:`unbroadcast`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad.autograd import Context, Function, unbroadcast
from minigrad.ops.elementwise import Where

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


class Add(Function):
    """f(x, y) = x + y;  df/dx = 1, df/dy = 1"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x + y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        grad_x = unbroadcast(grad, x.shape) if ctx.needs_input_grad[0] else None
        grad_y = unbroadcast(grad, y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


class Sub(Function):
    """f(x, y) = x - y;  df/dx = 1, df/dy = -1"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x - y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        grad_x = unbroadcast(grad, x.shape) if ctx.needs_input_grad[0] else None
        grad_y = -unbroadcast(grad, y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


class Neg(Function):
    """f(x) = -x;  f'(x) = -1"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return -grad


class Mul(Function):
    """f(x, y) = x * y;  df/dx = y, df/dy = x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x * y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        grad_x = unbroadcast(grad * y, x.shape) if ctx.needs_input_grad[0] else None
        grad_y = unbroadcast(grad * x, y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


class Div(Function):
    """f(x, y) = x / y;  df/dx = 1 / y, df/dy = -x / y^2"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x / y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        grad_x = unbroadcast(grad / y, x.shape) if ctx.needs_input_grad[0] else None
        # NOTE: / y / y, not / (y * y): y * y overflows for |y| > 1e154 though x / y^2 may not.
        grad_y = unbroadcast(-grad * x / y / y, y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


class Pow(Function):
    """f(x, y) = x^y;  df/dx = y x^(y-1), df/dy = x^y log(x)

    As PyTorch: df/dx = 0 where y = 0 (x^0 = 1 is flat, at x = 0 too), and df/dy = 0 where x = 0
    and y >= 0 (its limit as x -> 0 for y > 0). The derivative with respect to the exponent is
    computed only when the exponent requires grad (it needs x > 0 elsewhere). NOTE: at y = 0 and
    x != 0 the mixed second derivative is the true 1/x; PyTorch's is 0 there.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return x**y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        grad_x = unbroadcast(_grad_base(grad, x, y), x.shape) if ctx.needs_input_grad[0] else None
        grad_y = unbroadcast(_grad_exponent(grad, x, y, ctx.output), y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def _grad_base(grad: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """grad y x^(y-1), and 0 where y = 0 (the formula's own value, except at x = 0: 0 * 0^-1)."""
    # NOTE: .all() first: in the common case (x^2, no zero base) one quick pass decides.
    stuck = None if y.numpy().all() or x.numpy().all() else (x.numpy() == 0) & (y.numpy() == 0)
    if stuck is None or not stuck.any():
        return grad * y * x ** (y - 1)
    # NOTE: y - 1 taken as 0 where x = y = 0, so that the term set aside there is 0^0, not 0^-1 = inf
    # (a warning). Only there: elsewhere the formula's second derivatives are the true ones.
    safe_y = Where.apply(np.array(1.0, y.dtype), y, condition=stuck)
    return Where.apply(np.array(0.0, grad.dtype), grad * y * x ** (safe_y - 1), condition=stuck)


def _grad_exponent(grad: Tensor, x: Tensor, y: Tensor, output: Tensor) -> Tensor:
    """grad x^y log(x), and 0 where x = 0 and y >= 0."""
    flat = (x.numpy() == 0) & (y.numpy() >= 0)
    if not flat.any():
        return grad * output * x.log()
    # NOTE: log(x) taken as log(1) = 0 where x = 0 and y >= 0: no log(0) = -inf (a warning), and x^y is finite there.
    safe_x = Where.apply(np.array(1.0, x.dtype), x, condition=flat)
    return Where.apply(np.array(0.0, grad.dtype), grad * output * safe_x.log(), condition=flat)


class MatMul(Function):
    """f(x, y) = x @ y;  df/dx = grad @ y^T, df/dy = x^T @ grad

    1-D operands are treated as a row (on the left) or a column (on the right), and batch
    dimensions broadcast, as in ``numpy.matmul``.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError("matmul needs at least one dimension on each side; use * for scalars")
        return x @ y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.inputs
        if x.ndim == 1 or y.ndim == 1:
            return _vector_matmul_backward(ctx, grad)
        grad_x = unbroadcast(grad @ y.mT, x.shape) if ctx.needs_input_grad[0] else None
        grad_y = unbroadcast(x.mT @ grad, y.shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y


def _vector_matmul_backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """MatMul's backward when an operand is 1-D: the same rule on it viewed as a row or a column."""
    x, y = ctx.inputs
    x2 = x.reshape(1, x.shape[0]) if x.ndim == 1 else x
    y2 = y.reshape(y.shape[0], 1) if y.ndim == 1 else y
    batch = np.broadcast_shapes(x2.shape[:-2], y2.shape[:-2])
    grad = grad.reshape(batch + (x2.shape[-2], y2.shape[-1]))
    grad_x = unbroadcast(grad @ y2.mT, x2.shape).reshape(x.shape) if ctx.needs_input_grad[0] else None
    grad_y = unbroadcast(x2.mT @ grad, y2.shape).reshape(y.shape) if ctx.needs_input_grad[1] else None
    return grad_x, grad_y


class Linear(Function):
    """f(x, W, b) = x W^T + b, W of shape (out, in) and b (out,) or absent, as ``torch.nn.functional.linear``
    df/dx = grad W,  df/dW = grad^T x (summed over the batch),  df/db = grad summed over the batch

    One op rather than a transpose, a matmul and an add: the same numbers, a third of the graph.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
        if x.ndim == 0 or weight.ndim != 2:
            raise ValueError("linear needs an input of at least one dimension and a 2-D weight")
        out = x @ weight.T
        if bias is not None:
            out += bias  # in place: no second array the size of the output
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.inputs[:2]
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            # NOTE: every row of every batch used W: view both as 2-D (rows, features) and sum the outer products.
            rows = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            grads = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
            grad_w = grads.mT @ rows
        if len(ctx.inputs) == 2:
            return grad_x, grad_w
        # NOTE: the bias was added to every row, so its gradient sums over all axes but the last.
        grad_b = None
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(axis=tuple(range(grad.ndim - 1))) if grad.ndim > 1 else grad
        return grad_x, grad_w, grad_b
