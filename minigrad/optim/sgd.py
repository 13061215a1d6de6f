"""SGD with momentum, Nesterov momentum and weight decay, as ``torch.optim.SGD``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.optim.optimizer import Optimizer, Params, check_flag, refuse_unsupported
from minigrad.tensor import Tensor


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's algorithm step for step::

        g = grad + weight_decay * p
        b = g at the first step, else momentum * b + (1 - dampening) * g     (if momentum)
        g = g + momentum * b if nesterov else b                                (if momentum)
        p = p - lr * g

    The positional order is PyTorch's: ``SGD(params, lr, momentum, dampening, weight_decay,
    nesterov)``; ``maximize=True`` ascends (the gradient is negated first). PyTorch's
    ``foreach``, ``differentiable`` and ``fused`` are refused unless left at their defaults.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.numpy()
    array([0.8])
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        refuse_unsupported("SGD", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, call: str, group: Mapping[str, Any], prefix: str = "") -> None:
        for name in ("lr", "momentum", "weight_decay"):
            check_number(call, prefix + name, group[name], at_least=0)
        check_number(call, prefix + "dampening", group["dampening"])
        check_flag(call, prefix + "maximize", group["maximize"])
        if check_flag(call, prefix + "nesterov", group["nesterov"]) and (group["momentum"] <= 0 or group["dampening"]):
            raise ValueError(
                f"{call}: {prefix}nesterov=True needs momentum > 0 and dampening = 0,"
                f" got momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _state_names(self, group: Mapping[str, Any]) -> dict[str, str]:
        return {"momentum_buffer": "array"} if group["momentum"] else {}

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        g = grad + group["weight_decay"] * p.numpy() if group["weight_decay"] else grad
        if momentum:
            b = state.get("momentum_buffer")
            b = g.copy() if b is None else momentum * b + (1 - group["dampening"]) * g
            state["momentum_buffer"] = b
            g = g + momentum * b if group["nesterov"] else b
        p.sub_(g, alpha=group["lr"])
