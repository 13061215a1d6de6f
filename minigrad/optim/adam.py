"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.optim.optimizer import Optimizer, Params, check_flag, refuse_unsupported
from minigrad.tensor import Tensor


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), PyTorch's algorithm step for step, t counting from 1::

        g = grad + weight_decay * p                  (Adam: L2 penalty in the gradient)
        m = beta1 * m + (1 - beta1) * g              (running mean of the gradient)
        v = beta2 * v + (1 - beta2) * g^2            (running mean of its square)
        v_max = max(v_max, v)                        (amsgrad only; then v_max replaces v)
        p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    The positional order is PyTorch's: ``Adam(params, lr, betas, eps, weight_decay, amsgrad)``;
    ``maximize=True`` ascends, ``decoupled_weight_decay=True`` is AdamW. PyTorch's ``foreach``,
    ``capturable``, ``differentiable`` and ``fused`` are refused unless left at their defaults.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.numpy().round(6)              # the first step moves each weight by about lr
    array([0.9])
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        call = type(self).__name__
        refuse_unsupported(call, foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused)
        defaults = dict(
            lr=lr,
            betas=tuple(betas) if isinstance(betas, list) else betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, call: str, group: Mapping[str, Any], prefix: str = "") -> None:
        for name in ("lr", "eps", "weight_decay"):
            check_number(call, prefix + name, group[name], at_least=0)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"{call}: {prefix}betas must be a pair (beta1, beta2), got {type(betas).__name__}")
        if len(betas) != 2:
            raise ValueError(f"{call}: {prefix}betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            check_number(call, f"{prefix}betas[{i}]", beta, at_least=0, below=1)
        for name in ("amsgrad", "maximize", "decoupled_weight_decay"):
            check_flag(call, prefix + name, group[name])

    def _state_names(self, group: Mapping[str, Any]) -> dict[str, str]:
        names = {"step": "step", "exp_avg": "array", "exp_avg_sq": "array"}
        return {**names, "max_exp_avg_sq": "array"} if group["amsgrad"] else names

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.numpy()), exp_avg_sq=np.zeros_like(p.numpy()))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.numpy())
        state["step"] += 1
        t = state["step"]
        if group["decoupled_weight_decay"]:
            p.mul_(1 - lr * decay)
        elif decay:
            grad = grad + decay * p.numpy()
        m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        if group["amsgrad"]:
            # NOTE: the maximum is of the raw v, then bias-corrected, as PyTorch's implementation.
            v = state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        p.sub_((m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), alpha=lr)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2017).

    Before the Adam step, ``p = p - lr * weight_decay * p``, and the gradient itself is left
    alone (``Adam(..., decoupled_weight_decay=True)``). Default ``weight_decay=0.01``, and the
    positional order of Adam, as PyTorch.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.numpy().round(6)              # 1 * (1 - 0.1 * 0.5), then the Adam step of about lr
    array([0.85])
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
