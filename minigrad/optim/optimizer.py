"""Optimizer: what SGD, Adam, AdamW and RMSprop share: parameter groups, ``step``,
``zero_grad``, and saving and restoring their running state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np

from minigrad.autograd import no_grad
from minigrad.serialization import unflatten
from minigrad.tensor import Tensor

# What an optimizer takes: parameters, or parameter groups ({'params': [...], 'lr': ...}).
Params: TypeAlias = "Tensor | Iterable[Tensor] | Iterable[dict[str, Any]]"


class Optimizer:
    """Base class of the optimisers: a subclass writes ``_update(p, grad, state, group)``.

    ``_update`` changes one parameter ``p`` (in place, on its array) given its gradient array,
    its running ``state`` (a dict, empty at the first step) and the hyperparameters of its
    ``group``. ``params`` is an iterable of parameters, or of dicts ``{'params': [...], 'lr': ...}``
    (parameter groups), each of which may override the defaults.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> from minigrad.optim import SGD
    >>> w, b = Parameter(np.ones(2)), Parameter(np.zeros(1))
    >>> opt = SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.5]
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        # parameter -> its running values (momentum buffers, moments, step count)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        given: list[Any] = [params] if isinstance(params, Tensor) else list(params)
        if not given:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        for group in given if isinstance(given[0], dict) else [{"params": given}]:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add ``{'params': [...], **hyperparameters}``; missing hyperparameters take the defaults.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([1.0])], lr=0.1)
        >>> opt.add_param_group({"params": [Parameter([0.0])], "lr": 0.01})
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.01]
        """
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        known = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(group["params"]):
            if not isinstance(p, Tensor) or not p.requires_grad:
                where = f"{type(self).__name__}: parameter {i} of group {len(self.param_groups)}"
                raise TypeError(f"{where} is not a tensor that requires grad")
            if id(p) in known:
                raise ValueError(f"{type(self).__name__}: a parameter appears in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``grad = None`` (PyTorch's default), or zeros.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w = Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.zero_grad(set_to_none=False)
        >>> w.grad
        Tensor([0.])
        """
        for p in self._params():
            p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(p.data))

    def step(self) -> None:
        """Update every parameter that has a gradient, in place.

        A parameter whose grad is None is skipped (its state does not move either).

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w, unused = Parameter([1.0]), Parameter([5.0])
        >>> opt = optim.SGD([w, unused], lr=0.1)
        >>> (w * w).sum().backward()                 # dw = 2
        >>> opt.step()
        >>> w.data, unused.data
        (array([0.8]), array([5.]))
        """
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        state = self.state.get(p)
                        if state is None:
                            state = self.state[p] = {}
                        self._update(p, p.grad.data, state, group)

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _params(self) -> list[Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    # --- saving and restoring ----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The running state and hyperparameters, with the parameters numbered in group order.

        ``{'state': {i: {name: value}}, 'param_groups': [{..., 'params': [i, ...]}]}``, as
        PyTorch; arrays are copies. :func:`minigrad.save` stores it as ``'state.0.exp_avg'``,
        ``'param_groups.0.lr'``, ...

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w = Parameter([1.0])
        >>> opt = optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> state = opt.state_dict()
        >>> state["state"][0]["step"], state["param_groups"][0]["params"], state["param_groups"][0]["lr"]
        (1, [0], 0.1)
        """
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = [{**group, "params": [index[id(p)] for p in group["params"]]} for group in self.param_groups]
        state = {index[id(p)]: {k: _copy(v) for k, v in values.items()} for p, values in self.state.items()}
        return {"state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore from :meth:`state_dict`, or from its flat form as :func:`minigrad.load` returns it.

        Everything is checked first (the number of groups and of parameters in each, the state's
        parameter numbers and array shapes); a mismatch raises a ValueError naming each problem,
        and then nothing has been changed.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w = Parameter([1.0])
        >>> opt = optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> resumed = optim.Adam([Parameter([0.9])], lr=0.5)
        >>> resumed.load_state_dict(opt.state_dict())
        >>> resumed.param_groups[0]["lr"], resumed.state_dict()["state"][0]["step"]
        (0.1, 1)
        """
        if "param_groups" not in state_dict:
            state_dict = _from_flat(state_dict)
        params, saved_groups = self._params(), list(state_dict["param_groups"])
        errors = []
        if len(saved_groups) != len(self.param_groups):
            errors.append(f"{len(saved_groups)} parameter groups in the state, {len(self.param_groups)} here")
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                counts = len(saved["params"]), len(group["params"])
                errors.append(f"group {i} has {counts[0]} parameters in the state, {counts[1]} here")
        state = {}
        for index, values in state_dict["state"].items():
            if not 0 <= int(index) < len(params):
                errors.append(f"state for parameter {index}, but there are {len(params)} parameters")
                continue
            p = params[int(index)]
            for name, value in values.items():
                value = np.asarray(value)
                if value.ndim and value.shape != p.shape:
                    errors.append(f"state.{index}.{name} has shape {value.shape} but parameter {index} has {p.shape}")
            state[p] = {name: _like(None, value) for name, value in values.items()}
        if errors:
            raise ValueError(f"{type(self).__name__}.load_state_dict: " + "; ".join(errors) + "; nothing was loaded")
        for group, saved in zip(self.param_groups, saved_groups):
            group.update((k, _like(group.get(k), v)) for k, v in saved.items() if k != "params")
        self.state = state


def _from_flat(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{'state.0.step': ..., 'param_groups.0.lr': ...}`` back into the nested form."""
    nested = unflatten(flat)
    unexpected = nested.keys() - {"state", "param_groups"}
    if unexpected:
        raise ValueError(
            f"Optimizer.load_state_dict: unexpected keys {sorted(unexpected)}; expected 'state.*' and 'param_groups.*'"
        )
    groups = nested.get("param_groups", {})
    return {
        "state": {int(i): values for i, values in nested.get("state", {}).items()},
        "param_groups": [groups[key] for key in sorted(groups, key=int)],
    }


def _like(current: Any, value: Any) -> Any:
    """A loaded value with the Python type the current one has: a file gives back arrays for
    numbers, tuples and flags. A 0-d array with no current value becomes a number."""
    if isinstance(value, np.ndarray):
        if isinstance(current, tuple):
            return tuple(value.tolist())
        if isinstance(current, (bool, int, float)):
            return type(current)(value.item())
        return value.item() if value.ndim == 0 else value.copy()
    return value


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value
