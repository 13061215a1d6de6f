"""What the ops share: stable formulas on arrays, saturation, the chain rule through sigmoid and
tanh as ops, and the locally constant factors (masks) of the piecewise ops' derivatives.

Masks: every piecewise op's backward computes its mask from the saved input with
:func:`locally_constant` and a named rule (``above``: x > 0), an op: 0 or 1 in x's dtype, with
derivative 0. Computed in backward rather than saved by forward, the mask sits next
to the derivative it belongs to, and a forward that no gradient is needed for does no extra work.

Numerics: the array formulas (``sigmoid_array``, ``softplus_array``, the derivatives
``sigmoid_derivative_array`` and ``sech2_array``; Phi and phi in normal_cdf.py) are finite for
finite input and keep relative precision in the tails. Sigmoid's and tanh's backward rules are
ops of their own (:class:`SigmoidBackward`, :class:`TanhBackward`: g times the derivative): one
NumPy expression forward, so a backward pass costs one op each, and a Tensor expression
backward, so they can be differentiated again; :class:`Sech2` is tanh's derivative alone, for
other rules. Past ``SATURATION`` the smooth activations' derivatives have reached their limits,
so derivative rules :func:`saturate` x there to keep 2x, x^2, x^3 finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import Context, Function, unbroadcast

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

# NOTE: past |x| = SATURATION every smooth activation's derivative equals its limit in float64
# and float32 (e^-1e5 = 0), so derivative rules may clip x there to keep 2x, x^2, x^3 finite.
SATURATION = 1e5


# --- stable formulas on arrays ------------------------------------------------------------------


@np.errstate(over="ignore")  # NOTE: as a decorator, 0.5 us cheaper per call than a with-block
def sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) on an array, relatively precise in both tails.

    NOTE: below x = -709 (float32: -88) e^-x overflows to inf, and 1 / (1 + inf) = 0 is the right
    answer there (the true value is below the smallest normal float), so the overflow is expected.

    Examples
    --------
    >>> with np.printoptions(precision=3):
    ...     print(sigmoid_array(np.array([-800.0, -40.0, 0.0, 40.0])))
    [0.000e+00 4.248e-18 5.000e-01 1.000e+00]
    """
    return 1 / (1 + np.exp(-x))


@np.errstate(over="ignore")
def sigmoid_derivative_array(x: np.ndarray) -> np.ndarray:
    """s(x) s(-x) = 1 / (2 + 2 cosh x), the sigmoid's derivative, relatively precise in both tails.

    NOTE: the textbook s (1 - s) rounds to 0 past x = 37, because 1 - s does; this form keeps
    relative precision, and its cosh overflows to inf only where the true value is below the
    smallest normal float.

    Examples
    --------
    >>> with np.printoptions(precision=3):               # s (1 - s) would give 0 at 40
    ...     print(sigmoid_derivative_array(np.array([0.0, 40.0])))
    [2.500e-01 4.248e-18]
    """
    c = np.asarray(np.cosh(x))  # asarray: on a 0-d array NumPy returns a scalar
    c += 1
    return np.divide(0.5, c, out=c)  # 1 / (2 (1 + cosh x)), in place


@np.errstate(over="ignore")
def sech2_array(x: np.ndarray) -> np.ndarray:
    """sech^2(x) = 1 / cosh^2(x), tanh's derivative, relatively precise in both tails.

    NOTE: 1 - tanh^2 rounds to 0 past |x| = 19 though the true value is ~1e-16; 1 / cosh^2 keeps
    relative precision. cosh overflows to inf past |x| = 710 (float32: 89), where 1 / inf = 0 is
    the right answer (the true value is below the smallest normal float).

    Examples
    --------
    >>> with np.printoptions(precision=3):               # 1 - tanh(30)^2 would give 0
    ...     print(sech2_array(np.array([0.0, 30.0])))
    [1.000e+00 3.503e-26]
    """
    c = np.asarray(np.cosh(x))  # asarray: on a 0-d array NumPy returns a scalar
    np.reciprocal(c, out=c)
    return np.square(c, out=c)  # in place: no temporaries the size of x


def softplus_array(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, and exact in the tail (e^x there).

    Examples
    --------
    >>> with np.printoptions(precision=3):
    ...     print(softplus_array(np.array([-40.0, 0.0, 800.0])))
    [4.248e-18 6.931e-01 8.000e+02]
    """
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# --- stable formulas on Tensors, for derivative rules --------------------------------------------


def saturate(x: Tensor) -> Tensor:
    """The Tensor ``x`` clipped to ±SATURATION, where the smooth activations' derivatives are flat.

    Examples
    --------
    >>> saturate(Tensor([-1e300, 1.0]))                  # so that x * x stays finite
    Tensor([-1.e+05  1.e+00])
    """
    return x.clip(-SATURATION, SATURATION)


def sech2(x: Tensor) -> Tensor:
    """sech^2(x) = 1 - tanh^2(x), as a Tensor op (see :class:`Sech2`).

    Examples
    --------
    >>> with np.printoptions(precision=3):                # 1 - tanh(30)^2 would round to 0
    ...     print(sech2(Tensor([0.0, 30.0])).numpy())
    [1.000e+00 3.503e-26]
    """
    return Sech2.apply(x)


class Sech2(Function):
    """sech^2(x) = 1 / cosh^2(x), the derivative of tanh;  (sech^2)'(x) = -2 sech^2(x) tanh(x)

    Its values come from :func:`sech2_array`, which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return sech2_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return grad * -2 * ctx.output * x.tanh()


# --- the chain rule through sigmoid and tanh, one op each -------------------------------------------
# Sigmoid's and tanh's backward rules: grad times the derivative, in one op rather than a derivative
# op and a Mul (PyTorch's sigmoid_backward and tanh_backward are the same idea). Both run at every
# gate of every time step of a recurrent network, so the op saved is saved thousands of times a step.


class SigmoidBackward(Function):
    """f(g, x) = g s(x) s(-x) = g / (2 + 2 cosh x), a gradient g carried back through the sigmoid s
    df/dg = s(x) s(-x);  df/dx = -g s(x) s(-x) tanh(x / 2)

    The derivative is :func:`sigmoid_derivative_array`'s, which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        return g * sigmoid_derivative_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g, x = ctx.inputs
        grad_g = grad_x = None
        if ctx.needs_input_grad[0]:
            grad_g = unbroadcast(SigmoidBackward.apply(grad, x), g.shape)
        if ctx.needs_input_grad[1]:
            grad_x = unbroadcast(SigmoidBackward.apply(grad * g, x) * -(x * 0.5).tanh(), x.shape)
        return grad_g, grad_x


class TanhBackward(Function):
    """f(g, x) = g sech^2(x), a gradient g carried back through tanh
    df/dg = sech^2(x);  df/dx = -2 g sech^2(x) tanh(x)

    The derivative is :func:`sech2_array`'s, which keeps its digits in the tails.
    """

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, x: np.ndarray) -> np.ndarray:
        return g * sech2_array(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        g, x = ctx.inputs
        grad_g = grad_x = None
        if ctx.needs_input_grad[0]:
            grad_g = unbroadcast(TanhBackward.apply(grad, x), g.shape)
        if ctx.needs_input_grad[1]:
            grad_x = unbroadcast(TanhBackward.apply(grad * g * -2, x) * x.tanh(), x.shape)
        return grad_g, grad_x


# --- locally constant factors: masks, signs, shares ----------------------------------------------


class LocallyConstant(Function):
    """f(x, ...) = a value that depends on the inputs only through comparisons (relu's mask x > 0,
    sign(x), the winner of a max);  f' = 0 wherever it is defined

    Backward rules multiply by such masks, made with :func:`locally_constant`: when the backward
    pass is itself recorded, the mask is a node connected to x, so the second derivative of relu
    is 0 (as in PyTorch) rather than undefined. The mask is computed inside the op, by ``rule``
    from the inputs' arrays, so that a step traced by :func:`minigrad.compile` computes it anew
    on new data rather than keeping the first call's.
    """

    @staticmethod
    def forward(ctx: Context, *inputs: np.ndarray, rule: Callable[..., np.ndarray], **params: Any) -> np.ndarray:
        return np.asarray(rule(*inputs, **params)).astype(inputs[0].dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, ...]:
        return tuple(LocallyConstant.apply(x, rule=np.zeros_like) for x in ctx.inputs)


def locally_constant(rule: Callable[..., np.ndarray], *inputs: Tensor, **params: Any) -> Tensor:
    """``rule(*arrays, **params)`` of the inputs' arrays (numbers or a boolean mask) as a Tensor in
    the first input's dtype, with derivative 0 in ``inputs``: an op of the graph when the graph is
    recorded. The rules are the named functions below (``above``, ``inside``...).

    Examples
    --------
    >>> x = Tensor([-1.0, 2.0], requires_grad=True)
    >>> locally_constant(above, x, bound=0.0)           # relu's mask x > 0, inside the graph
    Tensor([0. 1.], grad_fn=<LocallyConstant>)
    >>> with minigrad.no_grad():
    ...     locally_constant(np.sign, x)
    Tensor([-1.  1.])
    """
    return LocallyConstant.apply(*inputs, rule=rule, **params)


def above(x: np.ndarray, bound: float) -> np.ndarray:
    """x > bound: relu's mask (bound 0), softplus's linear part.

    Examples
    --------
    >>> above(np.array([-1.0, 0.0, 2.0]), bound=0.0)
    array([False, False,  True])
    """
    return x > bound


def inside(x: np.ndarray, low: Any, high: Any, closed: bool) -> np.ndarray:
    """low <= x <= high (``closed``, clip's), or low < x < high (hardtanh's).

    Examples
    --------
    >>> inside(np.array([-1.0, 0.0, 1.0]), low=-1.0, high=1.0, closed=False)
    array([False,  True, False])
    """
    return (low <= x) & (x <= high) if closed else (low < x) & (x < high)


def one_or_slope(x: np.ndarray, slope: float) -> np.ndarray:
    """1 where x > 0, else ``slope``: leaky_relu's derivative.

    Examples
    --------
    >>> one_or_slope(np.array([-1.0, 2.0]), slope=0.01)
    array([0.01, 1.  ])
    """
    return np.where(x > 0, 1.0, slope)


def share_of_larger(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1 where x > y, 1/2 at a tie, 0 where x < y: x's share of maximum(x, y)'s gradient.

    Examples
    --------
    >>> share_of_larger(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    array([0. , 0.5, 1. ])
    """
    return (x > y) + 0.5 * (x == y)


def share_of_smaller(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1 where x < y, 1/2 at a tie, 0 where x > y: x's share of minimum(x, y)'s gradient.

    Examples
    --------
    >>> share_of_smaller(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    array([1. , 0.5, 0. ])
    """
    return (x < y) + 0.5 * (x == y)


def share_of_extreme(x: np.ndarray, extreme: np.ndarray, kept: tuple[int, ...], axis: Any) -> np.ndarray:
    """1/k at each of the k elements of x equal to ``extreme`` (its max or min over ``axis``, of
    shape ``kept`` with the axes kept), 0 elsewhere: each element's share of the gradient.

    Examples
    --------
    >>> share_of_extreme(np.array([[3.0, 1.0, 3.0]]), np.array([3.0]), kept=(1, 1), axis=1)
    array([[0.5, 0. , 0.5]])
    """
    hits = x == extreme.reshape(kept)
    return hits / hits.sum(axis=axis, keepdims=True)
