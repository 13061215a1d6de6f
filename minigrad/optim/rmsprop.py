"""RMSprop, as ``torch.optim.RMSprop``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.optim.optimizer import Optimizer, Params, check_flag, refuse_unsupported
from minigrad.tensor import Tensor


class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), PyTorch's algorithm step for step::

        g = grad + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2                 (running mean of the squared gradient)
        a = alpha * a + (1 - alpha) * g;  v~ = v - a^2    (centered only; else v~ = v)
        b = momentum * b + g / (sqrt(v~) + eps);  p = p - lr * b          (if momentum)
        p = p - lr * g / (sqrt(v~) + eps)                                  (otherwise)

    The positional order is PyTorch's: ``RMSprop(params, lr, alpha, eps, weight_decay, momentum,
    centered, capturable, foreach, maximize, differentiable)``; ``maximize=True`` ascends;
    ``capturable``, ``foreach`` and ``differentiable`` are refused unless left at their defaults.
    ``alpha`` must lie in [0, 1] (PyTorch takes any alpha >= 0).

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.numpy().round(4)              # 1 - 0.01 * 2 / sqrt(0.01 * 4)
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
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        refuse_unsupported("RMSprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, call: str, group: Mapping[str, Any], prefix: str = "") -> None:
        for name in ("lr", "eps", "weight_decay", "momentum"):
            check_number(call, prefix + name, group[name], at_least=0)
        # NOTE: PyTorch accepts alpha > 1, where (1 - alpha) g^2 < 0 drives v negative and sqrt(v) to NaN.
        check_number(call, prefix + "alpha", group["alpha"], at_least=0, at_most=1)
        for name in ("centered", "maximize"):
            check_flag(call, prefix + name, group[name])

    def _state_names(self, group: Mapping[str, Any]) -> dict[str, str]:
        names = {"step": "step", "square_avg": "array"}
        if group["momentum"]:
            names["momentum_buffer"] = "array"
        if group["centered"]:
            names["grad_avg"] = "array"
        return names

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.numpy()))
            if momentum:
                state["momentum_buffer"] = np.zeros_like(p.numpy())
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.numpy())
        state["step"] += 1
        g = grad + group["weight_decay"] * p.numpy() if group["weight_decay"] else grad
        v = state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        if group["centered"]:
            a = state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
            v = v - a * a
        step = g / (np.sqrt(v) + eps)
        if momentum:
            step = state["momentum_buffer"] = momentum * state["momentum_buffer"] + step
        p.sub_(step, alpha=group["lr"])
