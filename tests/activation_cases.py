"""The activations as a table, shared by test_activations.py and test_activations_numerics.py.

Each row names the function in ``minigrad.functional`` and its parameters, and gives an
independent reference in mpmath (the value and the first derivative, written from the textbook
definitions rather than from minigrad's stable forms, and evaluated with 50 digits), the kinks
with PyTorch's derivative there, and the limits at -inf and +inf.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import mpmath as mp
import numpy as np

import minigrad as mg
from minigrad import functional as F

mp.mp.dps = 50

SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")
INF = math.inf


@dataclasses.dataclass(frozen=True)
class Case:
    """One activation: how to call it, what it should give, and where it is not smooth."""

    function: str
    value: Callable  # mpf -> mpf
    derivative: Callable  # mpf -> mpf, with PyTorch's value at the kinks
    limits: tuple  # (f(-inf), f(+inf), f'(-inf), f'(+inf))
    params: dict = dataclasses.field(default_factory=dict)
    # Points where f' or f'' jumps (kept out of finite differences) -> PyTorch's f' there.
    kinks: dict = dataclasses.field(default_factory=dict)
    piecewise_linear: bool = False  # f'' = 0 wherever it exists
    rtol: float = 1e-12  # against the 50-digit reference

    def __call__(self, x):
        return getattr(F, self.function)(x, **self.params)

    def __str__(self):
        params = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.function}({params})" if params else self.function


def s(x):
    return 1 / (1 + mp.exp(-x))


def sigmoid_derivative(x):
    return mp.exp(-x) / (1 + mp.exp(-x)) ** 2


def softplus(x, beta=1, threshold=20):
    return x if beta * x > threshold else mp.log1p(mp.exp(beta * x)) / beta


def softplus_derivative(x, beta=1, threshold=20):
    return mp.mpf(1) if beta * x > threshold else s(beta * x)


def elu(x, alpha=1):
    return x if x > 0 else alpha * mp.expm1(x)


def elu_derivative(x, alpha=1):
    return mp.mpf(1) if x > 0 else alpha * mp.exp(x)


def celu(x, alpha):
    return x if x > 0 else alpha * mp.expm1(x / alpha)


def celu_derivative(x, alpha):
    return mp.mpf(1) if x > 0 else mp.exp(x / alpha)


def gelu(x):
    # NOTE: mpmath's erfc overflows past |x| ~ 1e150; there Phi is 0 or 1 to any precision.
    if abs(x) > 1e100:
        return x if x > 0 else mp.mpf(0)
    return x * mp.ncdf(x)


def gelu_derivative(x):
    if abs(x) > 1e100:
        return mp.mpf(1) if x > 0 else mp.mpf(0)
    return mp.ncdf(x) + x * mp.npdf(x)


def tanh_gelu_u(x):
    return mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)


def half_one_plus_tanh(u):
    """(1 + tanh u) / 2 = 1 / (1 + e^-2u), without the cancellation of 1 + tanh u even at 50 digits."""
    return 1 / (1 + mp.exp(-2 * u))


def tanh_gelu(x):
    return x * half_one_plus_tanh(tanh_gelu_u(x))


def tanh_gelu_derivative(x):
    u = tanh_gelu_u(x)
    du = mp.sqrt(2 / mp.pi) * (1 + 3 * mp.mpf("0.044715") * x**2)
    return half_one_plus_tanh(u) + x * mp.sech(u) ** 2 * du / 2


def mish(x):
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def mish_derivative(x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x * mp.sech(sp) ** 2 * s(x)


def step(low, high, slope=1):
    """The derivative of a clip to [low, high]: slope strictly inside, 0 elsewhere (PyTorch)."""
    return lambda x: mp.mpf(slope) if low < x < high else mp.mpf(0)


CASES = [
    Case("sigmoid", s, sigmoid_derivative, (0, 1, 0, 0)),
    Case("tanh", mp.tanh, lambda x: mp.sech(x) ** 2, (-1, 1, 0, 0)),
    Case("softsign", lambda x: x / (1 + abs(x)), lambda x: 1 / (1 + abs(x)) ** 2, (-1, 1, 0, 0), kinks={0.0: 1.0}),
    Case(
        "hardtanh",
        lambda x: min(max(x, -1), 1),
        step(-1, 1),
        (-1, 1, 0, 0),
        kinks={-1.0: 0.0, 1.0: 0.0},
        piecewise_linear=True,
    ),
    Case(
        "hardtanh",
        lambda x: min(max(x, -2), 3),
        step(-2, 3),
        (-2, 3, 0, 0),
        params={"min_val": -2.0, "max_val": 3.0},
        kinks={-2.0: 0.0, 3.0: 0.0},
        piecewise_linear=True,
    ),
    Case(
        "hardsigmoid",
        lambda x: min(max(x + 3, 0), 6) / 6,
        step(-3, 3, mp.mpf(1) / 6),
        (0, 1, 0, 0),
        kinks={-3.0: 0.0, 3.0: 0.0},
        piecewise_linear=True,
    ),
    Case("relu", lambda x: max(x, 0), step(0, INF), (0, INF, 0, 1), kinks={0.0: 0.0}, piecewise_linear=True),
    Case(
        "leaky_relu",
        lambda x: x if x > 0 else x / 100,
        lambda x: mp.mpf(1) if x > 0 else mp.mpf(1) / 100,
        (-INF, INF, 0.01, 1),
        kinks={0.0: 0.01},
        piecewise_linear=True,
    ),
    Case(
        "leaky_relu",
        lambda x: x if x > 0 else x / 5,
        lambda x: mp.mpf(1) if x > 0 else mp.mpf(1) / 5,
        (-INF, INF, 0.2, 1),
        params={"negative_slope": 0.2},
        kinks={0.0: 0.2},
        piecewise_linear=True,
    ),
    Case(
        "relu6",
        lambda x: min(max(x, 0), 6),
        step(0, 6),
        (0, 6, 0, 0),
        kinks={0.0: 0.0, 6.0: 0.0},
        piecewise_linear=True,
    ),
    Case("elu", elu, elu_derivative, (-1, INF, 0, 1), kinks={0.0: 1.0}),
    Case(
        "elu",
        lambda x: elu(x, 0.5),
        lambda x: elu_derivative(x, 0.5),
        (-0.5, INF, 0, 1),
        params={"alpha": 0.5},
        kinks={0.0: 0.5},
    ),
    Case(
        "selu",
        lambda x: SELU_SCALE * elu(x, SELU_ALPHA),
        lambda x: SELU_SCALE * elu_derivative(x, SELU_ALPHA),
        (float(-SELU_SCALE * SELU_ALPHA), INF, 0, float(SELU_SCALE)),
        kinks={0.0: float(SELU_SCALE * SELU_ALPHA)},
    ),
    Case("celu", lambda x: celu(x, 1), lambda x: celu_derivative(x, 1), (-1, INF, 0, 1), kinks={0.0: 1.0}),
    Case(
        "celu",
        lambda x: celu(x, 0.5),
        lambda x: celu_derivative(x, 0.5),
        (-0.5, INF, 0, 1),
        params={"alpha": 0.5},
        kinks={0.0: 1.0},
    ),
    Case("softplus", softplus, softplus_derivative, (0, INF, 0, 1), kinks={20.0: float(s(mp.mpf(20)))}),
    Case(
        "softplus",
        lambda x: softplus(x, 2, 5),
        lambda x: softplus_derivative(x, 2, 5),
        (0, INF, 0, 1),
        params={"beta": 2.0, "threshold": 5.0},
        kinks={2.5: float(s(mp.mpf(5)))},
    ),
    Case("silu", lambda x: x * s(x), lambda x: s(x) * (1 + x * (1 - s(x))), (0, INF, 0, 1)),
    Case("gelu", gelu, gelu_derivative, (0, INF, 0, 1)),
    # NOTE: x s(2u) has condition number ~|2u| in the left tail, up to ~700 before it underflows.
    Case("gelu", tanh_gelu, tanh_gelu_derivative, (0, INF, 0, 1), params={"approximate": "tanh"}, rtol=1e-11),
    Case("mish", mish, mish_derivative, (0, INF, 0, 1)),
]

SMOOTH_CASES = [case for case in CASES if not case.piecewise_linear]
CASES_WITH_KINKS = [case for case in CASES if case.kinks]


def reference(function, x: np.ndarray) -> np.ndarray:
    """An mpmath function applied to every element of a float array, rounded to float64
    (inf past the largest float, as selu(1.8e308))."""
    with np.errstate(over="ignore"):
        return np.vectorize(lambda v: float(function(mp.mpf(float(v)))), otypes=[np.float64])(x)


def derivatives(case, x: np.ndarray, upstream=None):
    """(f(x), upstream * f'(x), upstream * f''(x) or None) from minigrad, in x's dtype.

    The second derivative is None when the first does not depend on x at all (no graph).
    """
    x = mg.Tensor(x, requires_grad=True)
    y = case(x)
    upstream = np.ones(x.shape, x.dtype) if upstream is None else upstream
    (first,) = mg.grad(y, x, grad_outputs=mg.Tensor(upstream, dtype=x.dtype), create_graph=True)
    second = mg.grad(first.sum(), x)[0].numpy() if first.requires_grad else None
    return y.numpy(), first.numpy(), second


def central_difference(f, x: np.ndarray, step=1e-6) -> np.ndarray:
    """(f(x + h) - f(x - h)) / 2h elementwise, for an elementwise f on float64 arrays."""
    h = step * np.maximum(1.0, np.abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def numeric_gradient(loss, x: np.ndarray, step=1e-6) -> np.ndarray:
    """d loss / d x by central differences, for a scalar ``loss`` of a float64 array."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = step
        grad[i] = (loss(x + e) - loss(x - e)) / (2 * step)
    return grad
