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
from minigrad.nn.module import Module, Parameter


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class ReLU6(Module):
    def forward(self, x):
        return F.relu6(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """Leaky ReLU whose negative slope is learned: one per channel (axis 1) or one shared."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(np.full(num_parameters, float(init)))

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class CELU(ELU):
    def forward(self, x):
        return F.celu(x, self.alpha)


class SELU(Module):
    def forward(self, x):
        return F.selu(x)


class GELU(Module):
    """``approximate='none'`` is the exact x Phi(x); ``'tanh'`` the tanh approximation."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    def forward(self, x):
        return F.silu(x)


class Mish(Module):
    def forward(self, x):
        return F.mish(x)


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    def forward(self, x):
        return F.softsign(x)


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0):
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Hardsigmoid(Module):
    def forward(self, x):
        return F.hardsigmoid(x)


class Softmax(Module):
    """Softmax over ``dim``, PyTorch's name for what the functional form calls ``axis``."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, axis=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) over ``dim`` (``axis`` in the functional form), computed stably."""

    def forward(self, x):
        return F.log_softmax(x, axis=self.dim)


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
