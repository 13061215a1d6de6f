"""Checking an optimiser's saved state before :meth:`Optimizer.load_state_dict` takes any of it:
the keys, the groups and their hyperparameters, and every parameter's running values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.arguments import check_number
from minigrad.serialization import unflatten
from minigrad.tensor import Tensor

if TYPE_CHECKING:
    from minigrad.optim.optimizer import Optimizer


def check_state(
    optimizer: Optimizer, call: str, state_dict: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], dict[Tensor, dict[str, Any]]]:
    """The groups' hyperparameters and the state to load, converted to the optimiser's types, or a
    ValueError naming every entry that is wrong (a TypeError when ``state_dict`` is no mapping).

    As PyTorch, the saved parameter numbers are matched to the parameters in group order.

    Examples
    --------
    >>> from minigrad.nn import Parameter
    >>> opt = optim.SGD([Parameter([1.0])], lr=0.1)
    >>> check_state(opt, "SGD.load_state_dict", {"state": {}, "param_groups": [{"params": [0]}]})
    Traceback (most recent call last):
    ValueError: SGD.load_state_dict: param_groups.0 lacks 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize'; nothing was loaded
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"{call}: state_dict must be a mapping, got {type(state_dict).__name__}")
    nested = state_dict if "param_groups" in state_dict or "state" in state_dict else _from_flat(state_dict)
    errors: list[str] = []
    groups = _check_groups(optimizer, call, nested, errors)
    state = _check_running_values(optimizer, call, nested, groups, errors) if not errors else {}
    if errors:
        raise ValueError(f"{call}: " + "; ".join(errors) + "; nothing was loaded")
    return [{k: v for k, v in group.items() if k != "params"} for group in groups], state


def _check_groups(
    optimizer: Optimizer, call: str, nested: Mapping[str, Any], errors: list[str]
) -> list[dict[str, Any]]:
    """The saved groups (a file's arrays turned back into numbers, flags and tuples), with the
    parameters they number as 'params' and the numbers as 'numbers'; each problem is appended to
    ``errors``."""
    missing = [key for key in ("state", "param_groups") if key not in nested]
    unexpected = sorted(str(key) for key in nested.keys() - {"state", "param_groups"})
    errors.extend(f"missing {key!r}" for key in missing)
    if unexpected:
        errors.append(f"unexpected keys {unexpected} (expected 'state' and 'param_groups')")
    if missing or unexpected:
        return []
    saved_groups = nested["param_groups"]
    if not isinstance(saved_groups, Sequence) or isinstance(saved_groups, str):
        errors.append(f"param_groups must be a list of dicts, got {type(saved_groups).__name__}")
        return []
    if len(saved_groups) != len(optimizer.param_groups):
        errors.append(f"{len(saved_groups)} parameter groups in the state, {len(optimizer.param_groups)} here")
        return []
    groups = []
    for i, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups)):
        if not isinstance(saved, Mapping):
            errors.append(f"param_groups.{i} must be a dict, got {type(saved).__name__}")
            continue
        lacking = [key for key in ("params", *optimizer.defaults) if key not in saved]
        if lacking:
            errors.append(f"param_groups.{i} lacks " + ", ".join(repr(key) for key in lacking))
            continue
        numbers = _like([0], saved["params"])
        if not isinstance(numbers, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            errors.append(f"param_groups.{i}.params must be a list of parameter numbers, got {numbers!r}")
            continue
        if len(numbers) != len(group["params"]):
            errors.append(f"group {i} has {len(numbers)} parameters in the state, {len(group['params'])} here")
            continue
        loaded = {key: _like(group.get(key), value) for key, value in saved.items()}
        try:
            optimizer._check_hyperparameters(call, loaded, f"param_groups.{i}.")
            if "initial_lr" in loaded:  # a scheduler's starting rate
                check_number(call, f"param_groups.{i}.initial_lr", loaded["initial_lr"], at_least=0)
        except (TypeError, ValueError) as error:
            errors.append(str(error).removeprefix(f"{call}: "))
        groups.append({**loaded, "numbers": numbers, "params": group["params"]})
    return groups


def _check_running_values(
    optimizer: Optimizer, call: str, nested: Mapping[str, Any], groups: list[dict[str, Any]], errors: list[str]
) -> dict[Tensor, dict[str, Any]]:
    """Each parameter's saved running values, checked against what its (loaded) group needs."""
    saved_state = nested["state"]
    if not isinstance(saved_state, Mapping):
        errors.append(f"state must be a dict of parameter numbers, got {type(saved_state).__name__}")
        return {}
    numbered = {n: (p, group) for group in groups for n, p in zip(group.pop("numbers"), group["params"])}
    if len(numbered) != sum(len(group["params"]) for group in groups):
        errors.append("param_groups number the same parameter twice")
        return {}
    state: dict[Tensor, dict[str, Any]] = {}
    for index, values in saved_state.items():
        number = index if isinstance(index, (int, np.integer)) else int(index) if str(index).isdigit() else None
        found = None if number is None else numbered.get(int(number))
        if found is None:
            errors.append(f"state.{index} is for no parameter (the groups number {sorted(numbered)})")
            continue
        p, group = found
        if not isinstance(values, Mapping):
            errors.append(f"state.{index} must be a dict of running values, got {type(values).__name__}")
            continue
        state[p] = {name: _like(None, value) for name, value in values.items()}
        if state[p]:  # NOTE: an empty state is a parameter not yet stepped, as after a fresh start
            names = optimizer._state_names(group)
            errors.extend(_entry_problems(call, index, state[p], names, p.shape))
    return state


def _entry_problems(
    call: str, index: Any, values: dict[str, Any], names: dict[str, str], shape: tuple[int, ...]
) -> list[str]:
    """What is wrong with one parameter's running values: missing, unexpected, wrong type or shape."""
    problems, where = [], f"state.{index}"
    lacking = [name for name in names if name not in values]
    if lacking:
        problems.append(f"{where} lacks " + ", ".join(repr(name) for name in lacking))
    for name, value in values.items():
        kind = names.get(name)
        if kind is None:
            problems.append(f"{where}.{name} is not a running value of this optimiser (expected {sorted(names)})")
        elif kind == "step":
            try:
                check_number(call, f"{where}.{name}", value, integer=True, at_least=0)
            except (TypeError, ValueError) as error:
                problems.append(str(error).removeprefix(f"{call}: "))
        elif not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            problems.append(f"{where}.{name} must be a float array of shape {shape}, got {_describe(value)}")
        elif value.shape != shape:
            problems.append(f"{where}.{name} has shape {value.shape} but parameter {index} has {shape}")
    return problems


def _describe(value: Any) -> str:
    return f"an array of {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__


def _from_flat(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{'state.0.step': ..., 'param_groups.0.lr': ...}`` back into the nested form."""
    nested = unflatten(flat)
    groups = nested.get("param_groups", {})
    return {
        **nested,
        "state": nested.get("state", {}),
        "param_groups": [groups[key] for key in sorted(groups, key=int)] if isinstance(groups, dict) else groups,
    }


def _like(current: Any, value: Any) -> Any:
    """A loaded value as Python holds it: a file gives back arrays for numbers, flags, lists and
    tuples (a tuple or list where the current value is one), NumPy scalars for numbers."""
    if isinstance(value, np.ndarray):
        if isinstance(current, (tuple, list)):
            return type(current)(value.tolist())
        return value.item() if value.ndim == 0 else value.copy()
    return value.item() if isinstance(value, np.generic) else value
