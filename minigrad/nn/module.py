"""Module and Parameter: the base of every layer.

A Module finds its learnable :class:`Parameter` s, its buffers (saved state that is not learned,
such as BatchNorm's running mean) and its submodules from the attributes you set, in the order you
set them, so names and orders are deterministic. Walks over the tree are iterative.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from minigrad.autograd import is_grad_enabled, no_grad
from minigrad.nn.hooks import BackwardWatcher
from minigrad.tensor import Tensor, _HookHandle


class Parameter(Tensor):
    """A Tensor that a module learns: it requires grad, and ``Module.parameters()`` finds it.

    >>> p = Parameter(np.zeros(3))
    >>> p.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of layers and models: subclass it, set layers and parameters in ``__init__``,
    write ``forward``, and call the module.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = Parameter(np.ones(2))
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale']
    """

    def __init__(self):
        # NOTE: object.__setattr__, because our own __setattr__ files attributes into these dicts.
        for store in ("_parameters", "_buffers", "_modules"):
            object.__setattr__(self, store, {})
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "_backward_hooks", [])
        object.__setattr__(self, "training", True)

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    # --- registration --------------------------------------------------------------------------

    def _store_of(self, name: str):
        """The dict (of parameters, buffers or submodules) that holds ``name``, or None."""
        attributes = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in attributes and name in attributes[store]:
                return attributes[store]
        return None

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before setting {name!r}")
        store = self._store_of(name)
        if isinstance(value, (Parameter, Module)):
            wanted = self._parameters if isinstance(value, Parameter) else self._modules
            if store is not wanted:  # a replacement of the same kind keeps its place in the order
                self.__dict__.pop(name, None)
                if store is not None:
                    del store[name]
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

    def __getattr__(self, name: str):
        # Called only when ordinary lookup fails: the registered parameters, buffers and submodules.
        store = self._store_of(name)
        if store is None:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")
        return store[name]

    def __delattr__(self, name: str) -> None:
        store = self._store_of(name)
        if store is None:
            object.__delattr__(self, name)
        else:
            del store[name]

    def register_buffer(self, name: str, array) -> None:
        """Keep ``array`` (a NumPy array) as saved, not learned, state: it is in ``state_dict``."""
        if self._store_of(name) is not None or name in self.__dict__:
            raise KeyError(f"{type(self).__name__}.register_buffer: {name!r} is already an attribute")
        self._buffers[name] = np.asarray(array)

    # --- walking the tree ----------------------------------------------------------------------

    def named_modules(self, prefix: str = ""):
        """Yield ``(dotted name, module)`` for this module ('') and every submodule, depth first in
        definition order; a module reachable twice is yielded once."""
        seen, stack = set(), [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(_join(name, n), m) for n, m in module._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self):
        return (module for _, module in self.named_modules())

    def named_children(self):
        return ((name, m) for name, m in self._modules.items() if m is not None)

    def children(self):
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = ""):
        """Yield ``(dotted name, parameter)``, e.g. ``('layers.0.weight', ...)``; a shared parameter once."""
        seen = set()
        for name, _, kind, value in self._named_state(prefix):
            if kind == "_parameters" and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def parameters(self):
        return (p for _, p in self.named_parameters())

    def named_buffers(self, prefix: str = ""):
        return ((name, value) for name, _, kind, value in self._named_state(prefix) if kind == "_buffers")

    def buffers(self):
        return (b for _, b in self.named_buffers())

    def _named_state(self, prefix: str = ""):
        """Yield ``(dotted name, owning module, kind, value)`` for every parameter and buffer."""
        for module_name, module in self.named_modules(prefix):
            for kind in ("_parameters", "_buffers"):
                for name, value in module.__dict__[kind].items():
                    if value is not None:
                        yield _join(module_name, name), module, kind, value

    # --- training --------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set ``training`` on this module and every submodule (Dropout and BatchNorm read it)."""
        for _, module in self.named_modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``: Dropout becomes the identity, BatchNorm uses its running stats."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``grad = None`` (PyTorch's default), or zeros with ``set_to_none=False``."""
        for p in self.parameters():
            p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(p.data))

    # --- calling and hooks -------------------------------------------------------------------------

    def __call__(self, *inputs):
        if not (self._forward_hooks or self._backward_hooks):
            return self.forward(*inputs)
        watcher = BackwardWatcher(self, inputs) if self._backward_hooks and is_grad_enabled() else None
        inputs = watcher.inputs if watcher else inputs
        output = self.forward(*inputs)
        for hook in list(self._forward_hooks):
            replaced = hook(self, inputs, output)
            output = output if replaced is None else replaced
        return watcher.watch(output) if watcher else output

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after each forward; a returned value replaces the
        output. Returns a handle whose ``remove()`` unregisters it."""
        self._forward_hooks.append(hook)
        return _HookHandle(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook):
        """Call ``hook(module, grad_input, grad_output)`` during backward, as PyTorch does.

        ``grad_output`` is ``(d loss / d output,)``. ``grad_input`` has one entry per positional
        input of the call: ``d loss / d input`` for a Tensor input that requires grad, None for the
        others. The hook runs once all of them are known (at once when no input requires grad).
        It observes only: it must return None. Returns a handle whose ``remove()`` unregisters it.
        """
        self._backward_hooks.append(hook)
        return _HookHandle(self._backward_hooks, hook)

    # --- saving and loading ------------------------------------------------------------------------

    def state_dict(self) -> OrderedDict:
        """An OrderedDict of dotted name -> a copy of every parameter's and buffer's array."""
        return OrderedDict(
            (name, np.array(value.data if kind == "_parameters" else value, copy=True))
            for name, _, kind, value in self._named_state()
        )

    def load_state_dict(self, state, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state`` (as :meth:`state_dict` makes them) into the parameters and
        buffers. Everything is checked first: a missing or unexpected name (when ``strict``) or a
        wrong shape raises a RuntimeError naming each one, and then nothing has been changed.
        Returns ``(missing_keys, unexpected_keys)``.
        """
        own = {name: (module, kind, value) for name, module, kind, value in self._named_state()}
        missing = [name for name in own if name not in state]
        unexpected = [name for name in state if name not in own]
        errors = [f"missing key {name!r}" for name in missing] + [f"unexpected key {name!r}" for name in unexpected]
        errors = errors if strict else []
        arrays = {}
        for name, (_, _, target) in own.items():
            if name not in state:
                continue
            array = np.asarray(state[name])
            if array.dtype.kind not in "biuf":
                errors.append(f"{name!r} holds {array.dtype} values, not numbers")
            elif array.shape != target.shape:
                errors.append(f"{name!r} has shape {array.shape} in the state but {target.shape} in the model")
            arrays[name] = array
        if errors:
            problems = "; ".join(errors)
            raise RuntimeError(f"load_state_dict for {type(self).__name__}: {problems}; nothing was loaded")
        with no_grad():
            for name, array in arrays.items():
                module, kind, target = own[name]
                if kind == "_parameters":
                    target.copy_(array)
                else:
                    module._buffers[name.rpartition(".")[2]] = array.astype(target.dtype)
        return IncompatibleKeys(missing, unexpected)

    # --- printing ----------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's line in the repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines, stack = [], [("", self, 0)]
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
