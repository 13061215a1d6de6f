"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params
from minigrad.tensor import Tensor


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), PyTorch's algorithm step for step, t counting from 1::

        g = grad + weight_decay * p                  (Adam: L2 penalty in the gradient)
        m = beta1 * m + (1 - beta1) * g              (running mean of the gradient)
        v = beta2 * v + (1 - beta2) * g^2            (running mean of its square)
        v_max = max(v_max, v)                        (amsgrad only; then v_max replaces v)
        p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.data.round(6)                 # the first step moves each weight by about lr
    array([0.9])
    """

    # NOTE: AdamW sets this: weight decay shrinks p directly instead of entering the moments.
    decoupled_weight_decay = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            name = type(self).__name__
            raise ValueError(f"{name}: lr, eps and weight_decay must be >= 0, got {lr}, {eps}, {weight_decay}")
        if not all(0 <= beta < 1 for beta in betas) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be two numbers in [0, 1), got {betas}")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        if self.decoupled_weight_decay:
            p.mul_(1 - lr * decay)
        elif decay:
            grad = grad + decay * p.data
        m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        if group["amsgrad"]:
            # NOTE: the maximum is of the raw v, then bias-corrected, as PyTorch's implementation.
            v = state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], v)
        p.sub_((m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), alpha=lr)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2017).

    Before the Adam step, ``p = p - lr * weight_decay * p``, and the gradient itself is left
    alone. Default ``weight_decay=0.01``, as PyTorch.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> w = Parameter([1.0])
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w.data.round(6)                 # 1 * (1 - 0.1 * 0.5), then the Adam step of about lr
    array([0.85])
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
