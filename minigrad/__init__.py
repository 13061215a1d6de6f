"""minigrad: a reverse-mode autograd engine on NumPy, written to be read.

Reading order: tensor.py (the Tensor), autograd/function.py (Function and Context: an op and its
node of the graph), ops/arithmetic.py (each op's forward and backward), autograd/walk.py (the
reverse walk: the chain rule), tensor_math.py (the operators); then functional/, gradcheck/,
testing.py. The README's "Reading the source" gives the whole order.
"""

from minigrad.autograd import Function, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.functional import concatenate, maximum, minimum, stack, where
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.serialization import load, save
from minigrad.tensor import Tensor, from_numpy

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
__all__ += ["gradcheck", "gradgradcheck", "GradcheckError"]
__all__ += ["save", "load"]
__version__ = "0.1.0"
