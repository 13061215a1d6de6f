"""SGD with momentum, Nesterov momentum and weight decay, as ``torch.optim.SGD``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params
from minigrad.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's algorithm step for step::

        g = grad + weight_decay * p
        b = g at the first step, else momentum * b + (1 - dampening) * g     (if momentum)
        g = g + momentum * b if nesterov else b                                (if momentum)
        p = p - lr * g

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.data
    array([0.8])
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        g = grad + group["weight_decay"] * p.data if group["weight_decay"] else grad
        if momentum:
            b = state.get("momentum_buffer")
            b = g.copy() if b is None else momentum * b + (1 - group["dampening"]) * g
            state["momentum_buffer"] = b
            g = g + momentum * b if group["nesterov"] else b
        p.sub_(g, alpha=group["lr"])
