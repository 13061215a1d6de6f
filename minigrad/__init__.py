"""minigrad: a reverse-mode autograd engine on NumPy, written to be read.

Reading order: tensor.py (the Tensor), autograd.py (Function, the graph and its reverse walk),
ops/ (each op's forward and backward), functional.py, gradcheck.py, testing.py.
"""

from minigrad.autograd import Function, enable_grad, grad, is_grad_enabled, no_grad
from minigrad.functional import concatenate, maximum, minimum, stack, where
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.serialization import load, save
from minigrad.tensor import Tensor

__all__ = [
    "Tensor",
    "Function",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "where",
    "maximum",
    "minimum",
    "concatenate",
    "stack",
]
__all__ += ["gradcheck", "gradgradcheck", "GradcheckError"]
__all__ += ["save", "load"]
__version__ = "0.1.0"
