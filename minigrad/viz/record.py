"""record(model): remember which module call made each op, so the picture can group them.

A forward hook on every module of the model sees each call's inputs and output. The ops of that
call are the ones reached walking back from the output before reaching an input; a module's
children finish (and claim their ops) before it does, so each op belongs to the innermost call
that made it.

>>> import numpy as np
>>> from minigrad import Tensor
>>> from minigrad.nn import Linear
>>> layer = Linear(3, 2, rng=0)
>>> with record(layer) as recording:
...     y = layer(Tensor(np.ones((4, 3)))).sum()
>>> recording.module_of(y.grad_fn.inputs[0].grad_fn).label
'Linear'
"""

from __future__ import annotations

from dataclasses import dataclass

from minigrad.tensor import Tensor


@dataclass(eq=False)
class ModuleCall:
    """One call of one module: ``name`` is its dotted name in the model ('' for the model)."""

    name: str
    module: object
    count: int
    inputs: tuple
    output: Tensor
    is_leaf: bool
    parent: ModuleCall | None = None

    @property
    def label(self) -> str:
        """The dotted name (or the class name, for the model itself), with the call number after
        the first call: ``layers.0``, ``encoder (call 2)``."""
        base = self.name or type(self.module).__name__
        return base if self.count == 1 else f"{base} (call {self.count})"


class Recording:
    """What :func:`record` gathered: every module call, and which call made each op.

    It holds the calls' outputs, and so their graphs, until it is dropped.
    """

    def __init__(self, model):
        self.model = model
        self.calls: list[ModuleCall] = []
        self.param_names = {p: name for name, p in model.named_parameters()}
        self._made_by: dict = {}
        self._handles: list = []

    def module_of(self, ctx) -> ModuleCall | None:
        """The innermost module call whose forward made the op of ``ctx``, or None."""
        return self._made_by.get(ctx)

    def __enter__(self) -> Recording:
        for name, module in self.model.named_modules():
            is_leaf = next(iter(module.children()), None) is None
            self._handles.append(module.register_forward_hook(self._hook(name, is_leaf)))
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _hook(self, name: str, is_leaf: bool):
        def claim_ops(module, inputs, output):
            if not isinstance(output, Tensor) or output.grad_fn is None:
                return
            count = 1 + sum(call.module is module for call in self.calls)
            call = ModuleCall(name, module, count, inputs, output, is_leaf)
            prefix = f"{name}." if name else ""
            for child in reversed(self.calls):
                if child.parent is None and child.name.startswith(prefix) and child.name != name:
                    child.parent = call
            self.calls.append(call)
            stop = {x for x in inputs if isinstance(x, Tensor)}
            stack, seen = [output], set()
            while stack:
                tensor = stack.pop()
                if tensor in stop or tensor in seen or tensor.grad_fn is None:
                    continue
                seen.add(tensor)
                self._made_by.setdefault(tensor.grad_fn, call)
                stack.extend(tensor.grad_fn.inputs)

        return claim_ops


def record(model) -> Recording:
    """Record, during a forward pass, which of ``model``'s modules made each op.

    Parameters
    ----------
    model : minigrad.nn.Module
        The model; every module in it gets a forward hook for the duration of the block.

    Returns
    -------
    Recording
        Pass it to :func:`~minigrad.viz.draw_graph` as ``recording=`` for module clusters and
        ``mode='layers'``.
    """
    return Recording(model)
