"""RMSprop, as ``torch.optim.RMSprop``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params
from minigrad.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), PyTorch's algorithm step for step::

        g = grad + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2                 (running mean of the squared gradient)
        a = alpha * a + (1 - alpha) * g;  v~ = v - a^2    (centered only; else v~ = v)
        b = momentum * b + g / (sqrt(v~) + eps);  p = p - lr * b          (if momentum)
        p = p - lr * g / (sqrt(v~) + eps)                                  (otherwise)

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.data.round(4)                 # 1 - 0.01 * 2 / sqrt(0.01 * 4)
    array([0.9])
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or momentum < 0 or not 0 <= alpha <= 1:
            raise ValueError(
                f"RMSprop: invalid lr={lr}, alpha={alpha}, eps={eps}, weight_decay={weight_decay}, momentum={momentum}"
            )
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.data))
            if momentum:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1
        g = grad + group["weight_decay"] * p.data if group["weight_decay"] else grad
        v = state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        if group["centered"]:
            a = state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
            v = v - a * a
        step = g / (np.sqrt(v) + eps)
        if momentum:
            step = state["momentum_buffer"] = momentum * state["momentum_buffer"] + step
        p.sub_(step, alpha=group["lr"])
