"""minigrad: a reverse-mode autograd engine on NumPy, written to be read.

Reading order: tensor.py (the Tensor), autograd/function.py (Function and Context: an op and its
node of the graph), ops/arithmetic.py (each op's forward and backward), autograd/walk.py (the
reverse walk: the chain rule), tensor_math.py (the operators); then functional/, gradcheck/,
testing.py. The README's "Reading the source" gives the whole order.
"""

from minigrad.autograd import Function, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.factories import (
    allclose,
    arange,
    bool_,
    double,
    eye,
    float32,
    float64,
    full,
    int32,
    int64,
    linspace,
    long,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.functional import (
    abs,
    concatenate,
    exp,
    log,
    log_softmax,
    max,
    maximum,
    mean,
    min,
    minimum,
    relu,
    sigmoid,
    softmax,
    sqrt,
    stack,
    sum,
    tanh,
    where,
)
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.random import Generator, manual_seed
from minigrad.sampling import multinomial, randint, randperm
from minigrad.serialization import load, save
from minigrad.tensor import Tensor, from_numpy

# NOTE: last, as in PyTorch (`import torch` gives torch.nn and torch.optim): they import the above.
from minigrad import nn, optim, utils  # noqa: E402  (isort: skip)
from minigrad.tracing import compile  # noqa: E402, A001  (isort: skip)  minigrad.compile(step): trace once, replay

# PyTorch's short dtype names (minigrad.float is float32, as torch.float), kept out of the names
# above so that this module's own code still means Python's float, int and bool by them.
float, int, bool = float32, int32, bool_  # noqa: A001

__all__ = [
    "Tensor",
    "from_numpy",
    "Function",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "set_grad_enabled",
    "where",
    "maximum",
    "minimum",
    "concatenate",
    "stack",
]
# PyTorch's functions at the top level (torch.relu(x), torch.max(x, dim=1)): the same as minigrad.functional's
__all__ += ["exp", "log", "sqrt", "abs", "sum", "mean", "max", "min", "relu", "sigmoid", "tanh"]
__all__ += ["softmax", "log_softmax"]
__all__ += ["gradcheck", "gradgradcheck", "GradcheckError"]
__all__ += ["save", "load"]
__all__ += ["manual_seed", "tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "eye"]
__all__ += [
    "randn",
    "rand",
    "allclose",
    "nn",
    "optim",
    "utils",
    "linspace",
    "Generator",
    "randint",
    "randperm",
    "multinomial",
]
__all__ += ["compile"]
__all__ += ["float64", "double", "float32", "float", "int64", "long", "int32", "int", "bool"]
__version__ = "0.1.0"
