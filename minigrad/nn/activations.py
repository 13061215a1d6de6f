"""One module per activation, as in ``torch.nn``: each calls the core op of the same name in
:mod:`minigrad.functional` (where the forward and its derivative are written), so a model can be
built as a list of modules and the activation chosen by name.

>>> from minigrad import Tensor
>>> ReLU()(Tensor([-1.0, 2.0]))
Tensor([0. 2.])
"""

from __future__ import annotations

import numpy as np

from minigrad import functional as F
from minigrad.arguments import check_number
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise (:func:`minigrad.functional.sigmoid`).

    Examples
    --------
    >>> nn.Sigmoid()(Tensor([0.0]))
    Tensor([0.5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """The hyperbolic tangent, elementwise (:func:`minigrad.functional.tanh`).

    Examples
    --------
    >>> nn.Tanh()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.762,  0.   ,  0.964])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    """max(x, 0), elementwise (:func:`minigrad.functional.relu`).

    Examples
    --------
    >>> nn.ReLU()(Tensor([-1.0, 2.0]))
    Tensor([0. 2.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class ReLU6(Module):
    """min(max(x, 0), 6), elementwise (:func:`minigrad.functional.relu6`).

    Examples
    --------
    >>> nn.ReLU6()(Tensor([-1.0, 3.0, 8.0]))
    Tensor([0. 3. 6.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.relu6(x)


class LeakyReLU(Module):
    """x for x > 0, else ``negative_slope`` * x (:func:`minigrad.functional.leaky_relu`).

    Examples
    --------
    >>> layer = nn.LeakyReLU(0.1)
    >>> layer, layer(Tensor([-1.0, 2.0]))
    (LeakyReLU(negative_slope=0.1), Tensor([-0.1  2. ]))
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        check_number("LeakyReLU", "negative_slope", negative_slope)
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """Leaky ReLU whose negative slope is learned: one per channel (axis 1) or one shared.

    Examples
    --------
    >>> prelu = nn.PReLU()                   # one slope, starting at 0.25
    >>> prelu(Tensor([-1.0, 2.0]))
    Tensor([-0.25  2.  ], grad_fn=<PReLU>)
    >>> [name for name, _ in prelu.named_parameters()]
    ['weight']
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        # NOTE: torch builds PReLU(0), whose forward then fails on any input with channels; refused here
        check_number("PReLU", "num_parameters", num_parameters, integer=True, at_least=1)
        check_number("PReLU", "init", init)
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full(num_parameters, float(init)))

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, else alpha (e^x - 1) (:func:`minigrad.functional.elu`).

    Examples
    --------
    >>> nn.ELU()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.632,  0.   ,  2.   ])
    """

    def __init__(self, alpha: float = 1.0) -> None:
        check_number(type(self).__name__, "alpha", alpha)
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(ELU):
    """x for x > 0, else alpha (e^(x / alpha) - 1) (:func:`minigrad.functional.celu`).

    Examples
    --------
    >>> nn.CELU(alpha=0.5)(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.432,  0.   ,  2.   ])
    """

    def __init__(self, alpha: float = 1.0) -> None:
        if alpha == 0:  # NOTE: x / alpha; PyTorch refuses it too (at the first call)
            raise ValueError(f"CELU: alpha must be a finite number other than 0, got {alpha!r}")
        super().__init__(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha)


class SELU(Module):
    """scale * elu(x, alpha) with fixed constants (:func:`minigrad.functional.selu`).

    Examples
    --------
    >>> nn.SELU()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-1.111,  0.   ,  2.101])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.selu(x)


class GELU(Module):
    """x Phi(x), Phi the standard normal CDF (:func:`minigrad.functional.gelu`).

    ``approximate='none'`` is the exact x Phi(x); ``'tanh'`` the tanh approximation.

    Examples
    --------
    >>> nn.GELU()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.159,  0.   ,  1.954])
    >>> nn.GELU(approximate="tanh")
    GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x), elementwise (:func:`minigrad.functional.silu`).

    Examples
    --------
    >>> nn.SiLU()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.269,  0.   ,  1.762])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


class Mish(Module):
    """x * tanh(softplus(x)), elementwise (:func:`minigrad.functional.mish`).

    Examples
    --------
    >>> nn.Mish()(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-0.303,  0.   ,  1.944])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, a smooth ReLU (:func:`minigrad.functional.softplus`).

    Examples
    --------
    >>> nn.Softplus(beta=2.0)(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([0.063, 0.347, 2.009])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        check_number("Softplus", "beta", beta)
        if beta == 0:  # NOTE: log(1 + e^(beta x)) / beta: PyTorch gives inf
            raise ValueError(f"Softplus: beta must be a finite number other than 0, got {beta!r}")
        check_number("Softplus", "threshold", threshold, allow_inf=True)
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x / (1 + |x|), elementwise (:func:`minigrad.functional.softsign`).

    Examples
    --------
    >>> nn.Softsign()(Tensor([-1.0, 0.0, 3.0]))
    Tensor([-0.5   0.    0.75])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class Hardtanh(Module):
    """x clipped to [min_val, max_val] (:func:`minigrad.functional.hardtanh`).

    Examples
    --------
    >>> nn.Hardtanh(-2.0, 2.0)(Tensor([-3.0, 0.5, 3.0]))
    Tensor([-2.   0.5  2. ])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        check_number("Hardtanh", "min_val", min_val, allow_inf=True)
        check_number("Hardtanh", "max_val", max_val, allow_inf=True, above=min_val)
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Hardsigmoid(Module):
    """relu6(x + 3) / 6, elementwise (:func:`minigrad.functional.hardsigmoid`).

    Examples
    --------
    >>> nn.Hardsigmoid()(Tensor([-3.0, 0.0, 3.0]))
    Tensor([0.  0.5 1. ])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.hardsigmoid(x)


class Softmax(Module):
    """Softmax over ``dim`` (without it: the last dim of an input of up to 2 dims; an input of
    more dims needs it, see :func:`minigrad.functional.softmax`).

    Examples
    --------
    >>> nn.Softmax(dim=1)(Tensor([[0.0, 0.0], [0.0, np.log(3.0)]]))
    Tensor([[0.5  0.5 ]
            [0.25 0.75]])
    """

    def __init__(self, dim: int | None = None) -> None:
        if dim is not None:
            check_number(type(self).__name__, "dim", dim, integer=True)
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) over ``dim``, computed stably.

    Examples
    --------
    >>> nn.LogSoftmax(dim=0)(Tensor([-1.0, 0.0, 2.0])).numpy().round(3)
    array([-3.17, -2.17, -0.17])
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, dim=self.dim)


ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "relu6": ReLU6,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "celu": CELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
    "mish": Mish,
    "softplus": Softplus,
    "softsign": Softsign,
    "hardtanh": Hardtanh,
    "hardsigmoid": Hardsigmoid,
}
