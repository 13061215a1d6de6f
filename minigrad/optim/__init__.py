"""Optimisers, PyTorch's ``torch.optim``: ``opt = optim.Adam(model.parameters(), lr=1e-3)``, then
per batch ``opt.zero_grad(); loss.backward(); opt.step()``.

Reading order: optimizer.py (groups, step, state), sgd.py, adam.py, rmsprop.py, lr_scheduler.py;
saved_state.py checks a saved state before ``load_state_dict`` takes any of it.
"""

from minigrad.optim import lr_scheduler
from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.rmsprop import RMSprop
from minigrad.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "lr_scheduler"]
