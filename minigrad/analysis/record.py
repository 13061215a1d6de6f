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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minigrad.analysis.graph import op_inputs, walk_graph
from minigrad.autograd import Context
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, _HookHandle


@dataclass(eq=False)
class ModuleCall:
    """One call of one module: ``name`` is its dotted name in the model ('' for the model).

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
    >>> with record(model) as recording:
    ...     _ = model(Tensor([[1.0, 2.0]]))
    >>> [(call.name, type(call.module).__name__, call.is_leaf, call.parent is not None) for call in recording.calls]
    [('0', 'Linear', True, True), ('1', 'ReLU', True, True), ('', 'Sequential', False, False)]
    """

    name: str
    module: Module
    count: int
    inputs: tuple[Any, ...]
    output: Tensor
    is_leaf: bool
    parent: ModuleCall | None = None

    @property
    def label(self) -> str:
        """The dotted name (or the class name, for the model), with the call number after the first.

        For instance ``layers.0``, ``encoder (call 2)``.
        """
        base = self.name or type(self.module).__name__
        return base if self.count == 1 else f"{base} (call {self.count})"


class Recording:
    """What :func:`record` gathered: every module call, and which call made each op.

    It holds the calls' outputs, and so their graphs, until it is dropped.

    Examples
    --------
    >>> relu = nn.ReLU()
    >>> with record(relu) as recording:
    ...     _ = relu(Tensor([-1.0, 1.0], requires_grad=True))
    ...     _ = relu(Tensor([2.0], requires_grad=True))
    >>> [call.label for call in recording.calls]
    ['ReLU', 'ReLU (call 2)']
    """

    def __init__(self, model: Module) -> None:
        self.model = model
        self.calls: list[ModuleCall] = []
        self.param_names: dict[Tensor, str] = {p: name for name, p in model.named_parameters()}
        self._made_by: dict[Context, ModuleCall] = {}
        self._handles: list[_HookHandle] = []

    def module_of(self, ctx: Context) -> ModuleCall | None:
        """The innermost module call whose forward made the op of ``ctx``, or None.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
        >>> with record(model) as recording:
        ...     out = model(Tensor([[1.0, 2.0]]))
        ...     loss = out.sum()
        >>> recording.module_of(out.grad_fn).label, recording.module_of(loss.grad_fn)
        ('1', None)
        """
        return self._made_by.get(ctx)

    def __enter__(self) -> Recording:
        for name, module in self.model.named_modules():
            is_leaf = next(iter(module.children()), None) is None
            self._handles.append(module.register_forward_hook(self._hook(name, is_leaf)))
        return self

    def __exit__(self, *exc_info: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _hook(self, name: str, is_leaf: bool) -> Callable[[Module, tuple[Any, ...], Any], None]:
        def claim_ops(module: Module, inputs: tuple[Any, ...], output: Any) -> None:
            # NOTE: a call that returns a tuple (an LSTMCell's (h, c)) is drawn by its first tensor,
            # and claims the ops of all of them; a tuple among the inputs (its hx) stops the walk too.
            outputs = [t for t in _tensors(output) if t.grad_fn is not None]
            if not outputs:
                return
            count = 1 + sum(call.module is module for call in self.calls)
            call = ModuleCall(name, module, count, inputs, outputs[0], is_leaf)
            prefix = f"{name}." if name else ""
            for child in reversed(self.calls):
                if child.parent is None and child.name.startswith(prefix) and child.name != name:
                    child.parent = call
            self.calls.append(call)
            stop = {x for item in inputs for x in _tensors(item)}

            def inside_the_call(tensor: Tensor) -> list[Tensor]:
                return [x for x in op_inputs(tensor) if x not in stop]

            for tensor in walk_graph([t for t in outputs if t not in stop], inside_the_call):
                if tensor.grad_fn is not None:
                    self._made_by.setdefault(tensor.grad_fn, call)

        return claim_ops


def _tensors(item: Any) -> list[Tensor]:
    """The tensors of a module call's output or of one of its arguments: itself, or those of a tuple."""
    if isinstance(item, Tensor):
        return [item]
    return [x for x in item if isinstance(x, Tensor)] if isinstance(item, tuple) else []


def record(model: Module) -> Recording:
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

    Examples
    --------
    >>> from minigrad.viz import draw_graph
    >>> model = nn.MLP([2, 4, 1], rng=0)
    >>> with record(model) as recording:
    ...     loss = model(Tensor(np.ones((3, 2)))).sum()
    >>> draw_graph(loss, recording=recording, mode="layers").graph_attr["label"]
    'gradient of root: layers view of 13 values and ops (threshold 1e-06)'
    """
    return Recording(model)
