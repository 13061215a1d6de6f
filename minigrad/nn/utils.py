"""Gradient clipping, as ``torch.nn.utils`` (call it between ``backward()`` and ``optimizer.step()``),
and :func:`functional_call`, which runs a module with other tensors in place of its parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

if TYPE_CHECKING:
    from minigrad.nn.module import Module


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """The gradients of those of ``parameters`` that have one."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The norm is that of all gradients concatenated into one vector (``norm_type`` may be
    ``float('inf')`` for the largest absolute value). Returns the norm before clipping.

    Examples
    --------
    >>> p = Tensor([3.0, 4.0], requires_grad=True)
    >>> (p * p).sum().backward()          # grad = (6, 8), norm 10
    >>> clip_grad_norm_([p], 5.0).item(), p.grad.numpy().round(4)
    (10.0, array([3., 4.]))
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor(0.0)
    if norm_type == np.inf:
        total = max(np.abs(g.numpy()).max() for g in grads)
    else:
        total = sum(np.sum(np.abs(g.numpy()) ** norm_type) for g in grads) ** (1.0 / norm_type)
    # NOTE: PyTorch's 1e-6 keeps the scale finite for zero gradients and just under 1 at the limit.
    scale = min(max_norm / (total + 1e-6), 1.0)
    with no_grad():
        for g in grads:
            g.mul_(scale)
    return Tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value], in place.

    Examples
    --------
    >>> p = Tensor([3.0, -0.1], requires_grad=True)
    >>> (p * p).sum().backward()                 # grad = (6, -0.2)
    >>> clip_grad_value_([p], 1.0)
    >>> p.grad
    Tensor([ 1.  -0.2])
    """
    with no_grad():
        for g in _grads(parameters):
            g.copy_(np.clip(g.numpy(), -clip_value, clip_value))


def functional_call(module: Module, parameters: Mapping[str, Tensor], *inputs: Any) -> Any:
    """``module(*inputs)`` with ``parameters`` (dotted name -> Tensor) in place of the module's own.

    As ``torch.func.functional_call``; the module is restored afterwards. Useful to
    differentiate with respect to weights held outside the module (gradcheck does).

    Examples
    --------
    >>> from minigrad.nn import Linear
    >>> layer = Linear(2, 1, bias=False)
    >>> functional_call(layer, {"weight": Tensor([[1.0, 2.0]])}, Tensor([3.0, 4.0]))
    Tensor([11.])
    """
    owners = {name: owner for name, owner, kind, _ in module._named_state() if kind == "_parameters"}
    unknown = parameters.keys() - owners.keys()
    if unknown:
        raise KeyError(f"functional_call: {type(module).__name__} has no parameters {sorted(unknown)}")
    originals = {name: owners[name]._parameters[name.rpartition(".")[2]] for name in parameters}
    try:
        for name, tensor in parameters.items():
            owners[name]._parameters[name.rpartition(".")[2]] = tensor
        return module(*inputs)
    finally:
        for name, original in originals.items():
            owners[name]._parameters[name.rpartition(".")[2]] = original
