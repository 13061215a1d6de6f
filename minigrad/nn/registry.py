"""Registry: a module's dict of parameters, buffers or submodules that mirrors every entry into
the module's ``__dict__``, so that ``self.weight`` in a forward is a plain attribute read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minigrad.nn.module import Module


class Registry(dict):
    """A module's dict of parameters, buffers or submodules, in registration order, whose every
    entry is also an attribute of the module (a plain read on the hot path).

    Entries are set and deleted one at a time (``registry[name] = value``, ``del registry[name]``),
    whoever does it (``Module.__setattr__``, ``load_state_dict``, ``functional_call``), so the
    attribute always equals the entry; the other ways to change a dict are refused.

    Examples
    --------
    >>> layer = nn.Linear(2, 1)
    >>> layer._parameters["bias"] = None
    >>> layer.bias is None and "bias" in vars(layer)
    True
    """

    # NOTE: the owner, not its __dict__: copy.deepcopy and pickle give a copy a new __dict__.
    __slots__ = ("owner",)

    def __init__(self, owner: Module) -> None:
        super().__init__()
        self.owner = owner

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, value)
        self.owner.__dict__[name] = value

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        self.owner.__dict__.pop(name, None)

    def __reduce__(self) -> tuple[Any, ...]:
        # NOTE: rebuilt as Registry(owner) and then filled, so that copy.deepcopy and pickle mirror
        # the entries into the copy's own __dict__ (pickle would otherwise fill it before owner is set).
        return (Registry, (self.owner,), None, None, iter(self.items()))

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "a Module's registry is changed one entry at a time: registry[name] = value, del registry[name]"
        )

    pop = popitem = clear = update = setdefault = __ior__ = _refuse
