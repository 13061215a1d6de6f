"""minigrad: a reverse-mode autograd engine on NumPy, written to be read.

Reading order: tensor.py (the Tensor), autograd.py (Function, the graph and its reverse walk),
ops/ (each op's forward and backward), functional.py, gradcheck.py, testing.py.
"""

from minigrad.tensor import Tensor
from minigrad.autograd import Function, enable_grad, grad, is_grad_enabled, no_grad

__all__ = ["Tensor", "Function", "grad", "no_grad", "enable_grad", "is_grad_enabled"]
__version__ = "0.1.0"
