"""Module: the base of every layer.

A Module finds its learnable :class:`~minigrad.nn.parameter.Parameter` s, its buffers (saved
state that is not learned, such as BatchNorm's running mean) and its submodules from the
attributes you set, in the order you set them, so names and orders are deterministic. Walks over
the tree are iterative. Saving and loading (``state_dict``, ``load_state_dict``) are in
state_dict.py.

Reading ``self.weight`` in a forward is a plain attribute read: each registry (of parameters,
buffers, submodules) is a :class:`~minigrad.nn.registry.Registry` (registry.py), a dict that also
writes every entry into the module's ``__dict__``, where Python's lookup finds it without a call
to ``__getattr__``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from minigrad.autograd import is_grad_enabled
from minigrad.nn.hooks import BackwardWatcher
from minigrad.nn.parameter import Parameter
from minigrad.nn.registry import Registry
from minigrad.nn.state_dict import ModuleState
from minigrad.tensor import Tensor, _HookHandle

# hook(module, inputs, output): may return a replacement output.
ForwardHook: TypeAlias = "Callable[[Module, tuple[Any, ...], Any], Any]"
# hook(module, grad_input, grad_output): observes only, returns None.
BackwardHook: TypeAlias = "Callable[[Module, tuple[Tensor | None, ...], tuple[Tensor, ...]], None]"


class Module(ModuleState):
    """Base class of layers and models: set layers and parameters in ``__init__``, write ``forward``.

    Calling the module runs ``forward`` (and its hooks, if any).

    Examples
    --------
    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = Parameter(np.ones(2))
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale']
    """

    _parameters: dict[str, Tensor | None]  # a Parameter each (functional_call swaps in Tensors)
    _buffers: dict[str, np.ndarray | None]
    _modules: dict[str, Module]
    _forward_hooks: list[ForwardHook]
    _backward_hooks: list[BackwardHook]
    training: bool

    def __init__(self) -> None:
        # NOTE: object.__setattr__, because our own __setattr__ files attributes into these dicts.
        for store in ("_parameters", "_buffers", "_modules"):
            object.__setattr__(self, store, Registry(self))
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "_backward_hooks", [])
        object.__setattr__(self, "training", True)

    def forward(self, *inputs: Any) -> Any:
        """The module's computation; a subclass writes it (see the class example)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    # --- registration --------------------------------------------------------------------------

    def _store_of(self, name: str) -> dict[str, Any] | None:
        """The dict (of parameters, buffers or submodules) that holds ``name``, or None."""
        attributes = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in attributes and name in attributes[store]:
                return attributes[store]
        return None

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before setting {name!r}")
        store = self._store_of(name)
        if isinstance(value, (Parameter, Module)):
            wanted: dict[str, Any] = self._parameters if isinstance(value, Parameter) else self._modules
            if store is not wanted:  # a replacement of the same kind keeps its place in the order
                if store is not None:
                    del store[name]
                self.__dict__.pop(name, None)
            wanted[name] = value
        elif store is self._buffers:
            store[name] = None if value is None else np.asarray(value)
        elif store is not None:
            if value is not None:
                kind = "parameter" if store is self._parameters else "submodule"
                raise TypeError(
                    f"{type(self).__name__}.{name} is a {kind}: assign a {kind.title()} or None, "
                    f"not {type(value).__name__}"
                )
            store[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # NOTE: called only when ordinary lookup fails; registered names are in __dict__ (Registry).
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        store = self._store_of(name)
        if store is None:
            object.__delattr__(self, name)
        else:
            del store[name]

    def register_buffer(self, name: str, array: ArrayLike | None) -> None:
        """Keep ``array`` (a NumPy array) as saved, not learned, state: it is in ``state_dict``.

        ``None`` registers the name without a value (left out of ``state_dict``), as PyTorch.

        Examples
        --------
        >>> counter = nn.Module()
        >>> counter.register_buffer("steps", np.array(0))
        >>> counter.steps += 1
        >>> dict(counter.state_dict())
        {'steps': array(1)}
        """
        if self._store_of(name) is not None or name in self.__dict__:
            raise KeyError(f"{type(self).__name__}.register_buffer: {name!r} is already an attribute")
        self._buffers[name] = None if array is None else np.asarray(array)

    # --- walking the tree ----------------------------------------------------------------------

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted name, module)`` for this module ('') and every submodule.

        Depth first in definition order; a module reachable twice is yielded once.

        Examples
        --------
        >>> model = nn.MLP([2, 3, 1], rng=0)
        >>> [name for name, _ in model.named_modules()]
        ['', 'layers', 'layers.0', 'layers.1', 'layers.2']
        """
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(_join(name, n), m) for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """Yield this module and every submodule (:meth:`named_modules` without the names).

        Examples
        --------
        >>> [type(m).__name__ for m in nn.MLP([2, 3, 1], rng=0).modules()]
        ['MLP', 'Sequential', 'Linear', 'ReLU', 'Linear']
        """
        return (module for _, module in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct submodules only.

        Examples
        --------
        >>> [name for name, _ in nn.Sequential(nn.Linear(2, 3), nn.ReLU()).named_children()]
        ['0', '1']
        """
        return ((name, m) for name, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        """Yield the direct submodules.

        Examples
        --------
        >>> list(nn.Sequential(nn.Tanh(), nn.ReLU()).children())
        [Tanh(), ReLU()]
        """
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted name, parameter)``, e.g. ``('layers.0.weight', ...)``; a shared parameter once.

        Examples
        --------
        >>> [(name, p.shape) for name, p in nn.MLP([2, 3, 1], rng=0).named_parameters()]
        [('layers.0.weight', (3, 2)), ('layers.0.bias', (3,)), ('layers.2.weight', (1, 3)), ('layers.2.bias', (1,))]
        """
        seen = set()
        for name, _, kind, value in self._named_state(prefix):
            if kind == "_parameters" and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def parameters(self) -> Iterator[Parameter]:
        """Yield every parameter, each once: what an optimiser is given.

        Examples
        --------
        >>> sum(p.numel() for p in nn.MLP([2, 3, 1], rng=0).parameters())      # 2*3 + 3 + 3*1 + 1
        13
        """
        return (p for _, p in self.named_parameters())

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """Yield ``(dotted name, array)`` for every buffer (see :meth:`register_buffer`).

        Examples
        --------
        >>> [name for name, _ in nn.BatchNorm1d(2).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return ((name, value) for name, _, kind, value in self._named_state(prefix) if kind == "_buffers")

    def buffers(self) -> Iterator[np.ndarray]:
        """Yield every buffer's array.

        Examples
        --------
        >>> list(nn.BatchNorm1d(2).buffers())
        [array([0., 0.]), array([1., 1.]), array(0)]
        """
        return (b for _, b in self.named_buffers())

    def _named_state(self, prefix: str = "") -> Iterator[tuple[str, Module, str, Any]]:
        """Yield ``(dotted name, owning module, kind, value)`` for every parameter and buffer."""
        for module_name, module in self.named_modules(prefix):
            for kind in ("_parameters", "_buffers"):
                for name, value in module.__dict__[kind].items():
                    if value is not None:
                        yield _join(module_name, name), module, kind, value

    # --- training --------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every submodule (Dropout and BatchNorm read it).

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
        >>> model.eval().train()[1].training
        True
        """
        for _, module in self.named_modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``: Dropout becomes the identity, BatchNorm uses its running stats.

        Examples
        --------
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).eval()
        >>> [m.training for m in model.modules()]
        [False, False, False]
        """
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``grad = None`` (PyTorch's default), or zeros with ``set_to_none=False``.

        Examples
        --------
        >>> layer = nn.Linear(2, 1, rng=0)
        >>> layer(Tensor([[1.0, 2.0]])).sum().backward()
        >>> layer.zero_grad()
        >>> layer.weight.grad is None
        True
        """
        for p in self.parameters():
            p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(p.numpy()))

    # --- calling and hooks -------------------------------------------------------------------------

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        if not (self._forward_hooks or self._backward_hooks):
            return self.forward(*inputs, **kwargs)
        watcher = (
            BackwardWatcher(self, self._backward_hooks, inputs) if self._backward_hooks and is_grad_enabled() else None
        )
        inputs = watcher.inputs if watcher else inputs
        output = self.forward(*inputs, **kwargs)
        for hook in list(self._forward_hooks):
            replaced = hook(self, inputs, output)
            output = output if replaced is None else replaced
        return watcher.watch(output) if watcher else output

    def register_forward_hook(self, hook: ForwardHook) -> _HookHandle:
        """Call ``hook(module, inputs, output)`` after each forward.

        A value the hook returns replaces the output. Returns a handle whose ``remove()``
        unregisters the hook.

        Examples
        --------
        >>> relu = nn.ReLU()
        >>> handle = relu.register_forward_hook(lambda m, inputs, out: print(type(m).__name__, out))
        >>> _ = relu(Tensor([-1.0, 1.0]))
        ReLU Tensor([0. 1.])
        >>> handle.remove()
        """
        self._forward_hooks.append(hook)
        return _HookHandle(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook: BackwardHook) -> _HookHandle:
        """Call ``hook(module, grad_input, grad_output)`` during backward, as PyTorch does.

        ``grad_output`` is ``(d loss / d output,)``. ``grad_input`` has one entry per positional
        input of the call: ``d loss / d input`` for a Tensor input that requires grad, None for the
        others. The hook runs once all of them are known (at once when no input requires grad).
        It observes only: it must return None. Returns a handle whose ``remove()`` unregisters it.

        Examples
        --------
        >>> relu = nn.ReLU()
        >>> _ = relu.register_full_backward_hook(lambda m, grad_input, grad_output: print(grad_input))
        >>> x = Tensor([-1.0, 1.0], requires_grad=True)
        >>> (relu(x) * 3).sum().backward()
        (Tensor([0. 3.]),)
        """
        self._backward_hooks.append(hook)
        return _HookHandle(self._backward_hooks, hook)

    # --- printing ----------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's line in the repr (its settings).

        Examples
        --------
        >>> nn.LeakyReLU(0.2).extra_repr()
        'negative_slope=0.2'
        """
        return ""

    def __repr__(self) -> str:
        lines: list[str] = []
        stack: list[tuple[str, Module | None, int]] = [("", self, 0)]
        while stack:
            name, module, depth = stack.pop()
            indent = "  " * depth
            if module is None:  # the closing line of a module with children
                lines.append(indent + ")")
                continue
            head = f"{indent}({name}): {type(module).__name__}(" if depth else f"{type(module).__name__}("
            children = list(module.named_children())
            if not children:
                lines.append(head + module.extra_repr() + ")")
                continue
            lines.append(head)
            lines.extend(f"{indent}  {line}" for line in module.extra_repr().splitlines())
            stack.append(("", None, depth))
            stack.extend((n, m, depth + 1) for n, m in reversed(children))
        return "\n".join(lines)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
