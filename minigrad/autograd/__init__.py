"""The engine: grad mode, one op (:class:`Function` and its :class:`Context`), the reverse walk,
and the two ways into it. Read in this order: function.py, walk.py, api.py, grad_mode.py.

The engine sits below the Tensor class: it works on the tensors it is given and never imports
``minigrad.tensor`` at run time (only for annotations).
"""

from minigrad.autograd.api import backward, grad
from minigrad.autograd.broadcast import unbroadcast
from minigrad.autograd.function import Context, Function
from minigrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd.walk import call_backward, run_backward

__all__ = [
    "Context",
    "Function",
    "backward",
    "grad",
    "run_backward",
    "call_backward",
    "unbroadcast",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
]
