"""Saving and loading a module's state: :meth:`~ModuleState.state_dict` copies out every parameter's
and buffer's array by dotted name, :meth:`~ModuleState.load_state_dict` checks a state whole and
then copies it in (a mixin of :class:`~minigrad.nn.module.Module`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from minigrad.autograd import no_grad

if TYPE_CHECKING:
    from minigrad.nn.module import Module


class IncompatibleKeys(NamedTuple):
    """What :meth:`Module.load_state_dict` returns: the names missing from the state, and extra ones.

    Examples
    --------
    >>> nn.Linear(2, 1).load_state_dict({"weight": np.zeros((1, 2))}, strict=False)
    IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


class ModuleState:
    """:meth:`state_dict` and :meth:`load_state_dict` of :class:`~minigrad.nn.module.Module` (a mixin).

    Examples
    --------
    >>> source, target = nn.Linear(2, 1, rng=0), nn.Linear(2, 1, rng=1)
    >>> _ = target.load_state_dict(source.state_dict())
    >>> bool((target.weight.numpy() == source.weight.numpy()).all())
    True
    """

    if TYPE_CHECKING:

        def _named_state(self, prefix: str = "") -> Iterator[tuple[str, Module, str, Any]]: ...

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """An OrderedDict of dotted name -> a copy of every parameter's and buffer's array.

        Examples
        --------
        >>> state = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).state_dict()
        >>> list(state)
        ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']
        """
        return OrderedDict(
            (name, np.array(value.numpy() if kind == "_parameters" else value, copy=True))
            for name, _, kind, value in self._named_state()
        )

    def load_state_dict(self, state: Mapping[str, ArrayLike], strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state`` (as :meth:`state_dict` makes them) into parameters and buffers.

        Everything is checked first: a missing or unexpected name (when ``strict``) or a wrong
        shape raises a RuntimeError naming each one, and then nothing has been changed. Returns
        ``(missing_keys, unexpected_keys)``.

        Examples
        --------
        >>> source, target = nn.Linear(2, 1, rng=0), nn.Linear(2, 1, rng=1)
        >>> target.load_state_dict(source.state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> target.load_state_dict({"weight": np.zeros((2, 2))})
        Traceback (most recent call last):
        RuntimeError: load_state_dict for Linear: missing key 'bias'; 'weight' has shape (2, 2) in the state but (1, 2) in the model; nothing was loaded
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
