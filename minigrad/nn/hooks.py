"""How a module's full backward hooks see the gradients at its inputs and output.

:meth:`Module.__call__` wraps each input that requires grad in an identity op, whose output is
then a tensor of this call alone, and hooks it and the module's output with
:meth:`Tensor.register_hook`. The engine calls those tensor hooks with the complete gradient of
each, and :class:`BackwardWatcher` hands them together to the module's hooks.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.autograd import Context, Function
from minigrad.tensor import Tensor


class _Identity(Function):
    """f(x) = x;  f'(x) = 1.  A fresh node in front of a module's input, so that a hook on it
    sees exactly the gradient with respect to that input."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


class BackwardWatcher:
    """Gathers one call's (grad_input, grad_output) and hands them to the full backward hooks.

    ``hooks`` is the module's own list, read when the gradients arrive (so a hook removed
    meanwhile does not run).

    NOTE: the backward walk reaches a module's output before its inputs, so grad_output arrives
    first and the hooks run when the last input's gradient arrives.

    Examples
    --------
    What :meth:`Module.__call__` does when the module has a full backward hook:

    >>> layer = nn.Linear(2, 1, rng=0)
    >>> _ = layer.register_full_backward_hook(lambda m, gi, go: print(gi[0].shape, go[0].shape))
    >>> watcher = BackwardWatcher(layer, layer._backward_hooks, (Tensor([[1.0, 2.0]], requires_grad=True),))
    >>> y = watcher.watch(layer.forward(*watcher.inputs))
    >>> y.sum().backward()
    (1, 2) (1, 1)
    """

    grad_output: tuple[Tensor]
    grad_input: list[Tensor | None]
    pending: set[int]  # the inputs whose gradient has yet to arrive

    def __init__(self, module: object, hooks: Sequence[Callable[..., None]], inputs: tuple[Any, ...]) -> None:
        self.module, self.hooks = module, hooks
        self.watched = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
        self.inputs = tuple(_Identity.apply(x) if i in self.watched else x for i, x in enumerate(inputs))
        for i in self.watched:
            self.inputs[i].register_hook(functools.partial(self._on_input, i))

    def watch(self, output: Any) -> Any:
        """Hook the module's ``output`` (returned as it is) so that its gradient is caught.

        Examples
        --------
        >>> layer = nn.ReLU()
        >>> watcher = BackwardWatcher(layer, [], (Tensor([1.0], requires_grad=True),))
        >>> y = layer.forward(*watcher.inputs)
        >>> watcher.watch(y) is y, len(y._hooks)
        (True, 1)
        """
        if not isinstance(output, Tensor):
            raise NotImplementedError(
                f"register_full_backward_hook: {type(self.module).__name__} returns a {type(output).__name__}, "
                "and minigrad's full backward hooks support only a module that returns one Tensor; "
                "hook the output tensors instead (Tensor.register_hook)"
            )
        if output.requires_grad:
            output.register_hook(self._on_output)
        return output

    def _on_output(self, grad: Tensor) -> None:
        self.grad_output = (grad,)
        self.grad_input = [None] * len(self.inputs)
        self.pending = set(self.watched)
        if not self.pending:
            self._run_hooks()

    def _on_input(self, i: int, grad: Tensor) -> None:
        self.grad_input[i] = grad
        self.pending.discard(i)
        if not self.pending:
            self._run_hooks()

    def _run_hooks(self) -> None:
        for hook in list(self.hooks):
            if hook(self.module, tuple(self.grad_input), self.grad_output) is not None:
                raise RuntimeError("full backward hooks here may only observe: the hook must return None")
