"""ModuleList and ModuleDict, as PyTorch's: submodules held in a list or a dict, so that their
parameters are the parent's (``parameters()``, ``state_dict()``, ``train()`` reach them), which a
plain Python list or dict would hide. Neither has a forward: the parent's forward calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from minigrad.nn.module import Module


def _checked_module(call: str, module: object) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{call}: expected a Module, got {type(module).__name__} {module!r:.40}")
    return module


class ModuleList(Module):
    """A list of modules, named by position (``0``, ``1``, ...) in ``state_dict``.

    Examples
    --------
    >>> layers = nn.ModuleList([nn.Linear(2, 2, rng=0) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters())), type(layers[-1]).__name__
    (3, 6, 'Linear')
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns the list.

        Examples
        --------
        >>> len(nn.ModuleList().append(nn.ReLU()))
        1
        """
        setattr(self, str(len(self)), _checked_module("ModuleList.append", module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end; returns the list.

        Examples
        --------
        >>> len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh(), nn.Sigmoid()]))
        3
        """
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (the later ones are renamed, one up).

        Examples
        --------
        >>> layers = nn.ModuleList([nn.ReLU()])
        >>> layers.insert(0, nn.Tanh())
        >>> [type(m).__name__ for m in layers]
        ['Tanh', 'ReLU']
        """
        modules = list(self)
        modules.insert(index, _checked_module("ModuleList.insert", module))
        self._renumber(modules)

    def _renumber(self, modules: list[Module]) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for module in modules:
            self.append(module)

    def _position(self, index: int) -> int:
        if not -len(self) <= index < len(self):
            raise IndexError(f"ModuleList: index {index} is out of range for a list of {len(self)} modules")
        return index % len(self)

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return ModuleList(list(self)[index])
        return self._modules[str(self._position(index))]

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(self._position(index)), _checked_module("ModuleList.__setitem__", module))

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self)
        del modules[index if isinstance(index, slice) else self._position(index)]
        self._renumber(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class ModuleDict(Module):
    """A dict of modules by name (a ``str`` without ``.``), kept in insertion order.

    Examples
    --------
    >>> heads = nn.ModuleDict({"a": nn.Linear(2, 1, rng=0), "b": nn.Linear(2, 3, rng=1)})
    >>> heads["b"].out_features, list(heads.keys()), "a" in heads
    (3, ['a', 'b'], True)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) each (name, module) pair of a mapping or of an iterable of pairs.

        Examples
        --------
        >>> heads = nn.ModuleDict()
        >>> heads.update([("relu", nn.ReLU())])
        >>> list(heads)
        ['relu']
        """
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: a key must be a non-empty str without '.', got {key!r:.40}")
        if hasattr(type(self), key) or (key in self.__dict__):
            raise KeyError(f"ModuleDict: key {key!r} is the name of one of its attributes")
        setattr(self, key, _checked_module("ModuleDict.__setitem__", module))

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module named {key!r}; it has {list(self._modules)}")
        return self._modules[key]

    def __delitem__(self, key: str) -> None:
        self[key]  # NOTE: the KeyError naming the keys, for a missing one
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def keys(self) -> list[str]:
        """The names, in insertion order.

        Examples
        --------
        >>> nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()}).keys()
        ['b', 'a']
        """
        return list(self._modules)

    def values(self) -> list[Module]:
        """The modules, in insertion order.

        Examples
        --------
        >>> nn.ModuleDict({"relu": nn.ReLU()}).values()
        [ReLU()]
        """
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        """The (name, module) pairs, in insertion order.

        Examples
        --------
        >>> nn.ModuleDict({"relu": nn.ReLU()}).items()
        [('relu', ReLU())]
        """
        return list(self._modules.items())
