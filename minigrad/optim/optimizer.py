"""Optimizer: what SGD, Adam, AdamW and RMSprop share: parameter groups, ``step``,
``zero_grad``, and saving and restoring their running state."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np

from minigrad.arguments import caller_stacklevel, check_choice
from minigrad.autograd import enable_grad, function, no_grad
from minigrad.optim.saved_state import check_state
from minigrad.tensor import Tensor, _HookHandle

# What an optimizer takes: parameters, or parameter groups ({'params': [...], 'lr': ...}), in order.
Params: TypeAlias = "Iterable[Tensor] | Iterable[dict[str, Any]]"
# What a step hook is called with: the optimizer, and the positional and keyword arguments of step().
StepHook: TypeAlias = "Callable[[Optimizer, tuple[Any, ...], dict[str, Any]], Any]"


class Optimizer:
    """Base class of the optimisers: a subclass writes ``_update(p, grad, state, group)``.

    ``_update`` changes one parameter ``p`` (in place, on its array) given its gradient array,
    its running ``state`` (a dict, empty at the first step) and the hyperparameters of its
    ``group``. ``params`` is an iterable of parameters, or of dicts ``{'params': [...], 'lr': ...}``
    (parameter groups), each of which may override the defaults. A subclass also says which
    hyperparameters are valid (``_check_hyperparameters``) and which running values its state
    holds (``_state_names``), so that bad settings and bad saved states are refused on entry.

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
        call = type(self).__name__
        self._check_hyperparameters(call, defaults)
        self.defaults = defaults
        # parameter -> its running values (momentum buffers, moments, step count)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._checked_values: list[tuple[Any, ...]] = []  # the hyperparameters step() last checked
        self._step_pre_hooks: list[StepHook] = []
        self._step_post_hooks: list[StepHook] = []
        if isinstance(params, Tensor) or not isinstance(params, Iterable):
            raise TypeError(
                f"{call}: params must be an iterable of Tensors or of dicts, got {type(params).__name__}"
                + (" (pass [tensor])" if isinstance(params, Tensor) else "")
            )
        given = _ordered(call, "params", params)
        if not given:
            raise ValueError(f"{call}: got an empty list of parameters")
        for group in given if isinstance(given[0], dict) else [{"params": given}]:
            self._add_group(call, group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add ``{'params': [...], **hyperparameters}``; missing hyperparameters take the defaults.

        The group is checked as the constructor checks its arguments; a parameter already in a
        group is refused, and one given twice in the group is kept once (with PyTorch's warning).

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([1.0])], lr=0.1)
        >>> opt.add_param_group({"params": [Parameter([0.0])], "lr": 0.01})
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.01]
        """
        self._add_group(f"{type(self).__name__}.add_param_group", param_group)

    def _add_group(self, call: str, param_group: dict[str, Any]) -> None:
        number = len(self.param_groups)
        if not isinstance(param_group, dict):
            raise TypeError(f"{call}: param_group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{call}: parameter group {number} has no 'params'")
        group = {**self.defaults, **param_group}
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else _ordered(call, f"params of group {number}", params)
        known = {id(p) for p in self._params()}
        for i, p in enumerate(params):
            where = f"{call}: params[{i}] of group {number}"
            if not isinstance(p, Tensor):
                hint = " (named parameters are not supported: pass model.parameters())" if isinstance(p, tuple) else ""
                raise TypeError(f"{where} must be a Tensor, got {type(p).__name__}{hint}")
            if not p.is_leaf:
                raise ValueError(f"{where}: can't optimize a non-leaf Tensor (pass the leaf it was computed from)")
            if id(p) in known:
                raise ValueError(f"{call}: some parameters appear in more than one parameter group")
        unique = list({id(p): p for p in params}.values())
        if len(unique) != len(params):
            # NOTE: PyTorch warns and then steps such a parameter twice; minigrad keeps it once.
            warnings.warn(
                f"{call}: optimizer contains a parameter group with duplicate parameters; each is kept once",
                stacklevel=caller_stacklevel(),
            )
        self._check_hyperparameters(call, group, f"param_groups.{number}.")
        self.param_groups.append({**group, "params": unique})

    def _check_hyperparameters(self, call: str, group: Mapping[str, Any], prefix: str = "") -> None:
        """Refuse a bad hyperparameter in ``group`` with an error naming ``prefix + name``; a
        subclass checks its own (the base class knows none)."""

    def _state_names(self, group: Mapping[str, Any]) -> dict[str, str]:
        """The running values a parameter's state holds under ``group``: name -> 'step' (a count)
        or 'array' (an array of the parameter's shape); a subclass lists its own."""
        return {}

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
        check_flag(f"{type(self).__name__}.zero_grad", "set_to_none", set_to_none)
        for p in self._params():
            p.grad = None if set_to_none or p.grad is None else Tensor(np.zeros_like(p.numpy()))

    def register_step_pre_hook(self, hook: StepHook) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each :meth:`step`; return a handle whose
        ``remove()`` unregisters it.

        As PyTorch's: ``args`` and ``kwargs`` are what ``step`` was called with, ``args`` starting
        with the optimizer itself; the hook returns None, or a pair ``(new_args, new_kwargs)`` that
        the step then runs with.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> opt = optim.SGD([Parameter([1.0])], lr=0.1)
        >>> handle = opt.register_step_pre_hook(lambda optimizer, args, kwargs: print("before", len(args), kwargs))
        >>> opt.step()
        before 1 {}
        >>> handle.remove(); opt.step()
        """
        return self._add_step_hook("register_step_pre_hook", self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook: StepHook) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each :meth:`step` (its return value is
        ignored); return a handle whose ``remove()`` unregisters it, as PyTorch's.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w = Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> handle = opt.register_step_post_hook(lambda optimizer, args, kwargs: print("after", w.numpy()))
        >>> opt.step()
        after [0.8]
        """
        return self._add_step_hook("register_step_post_hook", self._step_post_hooks, hook)

    def _add_step_hook(self, method: str, hooks: list[StepHook], hook: StepHook) -> _HookHandle:
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}.{method}: hook must be callable, got {type(hook).__name__}")
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, in place; return the closure's loss.

        ``closure``, if given, is called first with grad mode on (it should zero the gradients,
        compute the loss, call ``backward`` and return the loss), as PyTorch's ``step(closure)``.
        A parameter whose grad is None is skipped (its state does not move either). Every
        group's hyperparameters are checked first, so a bad value set by hand moves nothing.
        The step pre-hooks run before anything else, the post-hooks after the update.

        Examples
        --------
        >>> from minigrad.nn import Parameter
        >>> w, unused = Parameter([1.0]), Parameter([5.0])
        >>> opt = optim.SGD([w, unused], lr=0.1)
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()                 # dw = 2
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item()                 # the loss before the step
        1.0
        >>> w.numpy(), unused.numpy()
        (array([0.8]), array([5.]))
        """
        # NOTE: as PyTorch's, the hooks' args start with the optimizer itself (step's own ``self``).
        args: tuple[Any, ...] = (self,) if closure is None else (self, closure)
        kwargs: dict[str, Any] = {}
        for hook in list(self._step_pre_hooks):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{type(self).__name__}.step: a step pre-hook must return None or a tuple"
                        f" (new_args, new_kwargs), got {result!r}"
                    )
                args, kwargs = result
                closure = args[1] if len(args) > 1 else kwargs.get("closure")
        if closure is not None and not callable(closure):
            raise TypeError(f"{type(self).__name__}.step: closure must be callable, got {type(closure).__name__}")
        values = [tuple(group.get(name) for name in self.defaults) for group in self.param_groups]
        if values != self._checked_values:  # NOTE: checked once per change, not on every step
            call = f"{type(self).__name__}.step"
            for i, group in enumerate(self.param_groups):
                lacking = [repr(name) for name in self.defaults if name not in group]
                if lacking:
                    raise ValueError(f"{call}: param_groups.{i} lacks {', '.join(lacking)}")
                self._check_hyperparameters(call, group, f"param_groups.{i}.")
            self._checked_values = values
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        state = self.state.get(p)
                        if state is None:
                            state = self.state[p] = {}
                        self._step_parameter(p, state, group)
        if function.tracer is not None:  # NOTE: minigrad.compile writes this step down (see minigrad.tracing)
            function.tracer.stepped(self)
        for hook in list(self._step_post_hooks):
            hook(self, args, kwargs)
        return loss

    def _step_parameter(self, p: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """One parameter's step: its gradient, negated to ascend under ``maximize`` (every optimiser
        does that first, as PyTorch), then ``_update``."""
        grad = -p.grad.numpy() if group.get("maximize") else p.grad.numpy()  # type: ignore[union-attr]
        self._update(p, grad, state, group)

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

        Everything is checked first: the keys, the number of groups and of parameters in each,
        every hyperparameter (as the constructor checks it), and each parameter's state: its
        number, and each running value's presence, type and shape. A problem raises a
        ValueError naming each entry that is wrong, and then nothing has been changed.

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
        >>> resumed.load_state_dict({"state": {0: {"step": 1}}, "param_groups": opt.state_dict()["param_groups"]})
        Traceback (most recent call last):
        ValueError: Adam.load_state_dict: state.0 lacks 'exp_avg', 'exp_avg_sq'; nothing was loaded
        """
        call = f"{type(self).__name__}.load_state_dict"
        groups, state = check_state(self, call, state_dict)
        for group, saved in zip(self.param_groups, groups):
            group.update(saved)
        self.state = state


def refuse_unsupported(call: str, **options: Any) -> None:
    """Refuse a PyTorch option minigrad does not implement when it is given a value that asks for
    something (anything but None or False), naming it: never silently ignore it.

    Examples
    --------
    >>> refuse_unsupported("SGD", foreach=None, fused=False)
    >>> refuse_unsupported("SGD", fused=True)
    Traceback (most recent call last):
    NotImplementedError: SGD: fused=True is not supported by minigrad (its one implementation is a loop over the parameters in NumPy); leave fused at its default
    """
    for name, value in options.items():
        if value is not None and value is not False:
            raise NotImplementedError(
                f"{call}: {name}={value!r} is not supported by minigrad (its one implementation is a loop over"
                f" the parameters in NumPy); leave {name} at its default"
            )


def check_flag(call: str, name: str, value: Any) -> bool:
    """``value`` if it is True or False (a flag such as ``nesterov``), else a ValueError naming it.

    Examples
    --------
    >>> check_flag("SGD", "nesterov", 5e-4)
    Traceback (most recent call last):
    ValueError: SGD: nesterov must be one of False, True, got 0.0005
    """
    return bool(check_choice(call, name, value, (False, True)))


def _ordered(call: str, name: str, params: Any) -> list[Any]:
    """``params`` as a list, refusing a set: its order changes between runs, and the saved state
    numbers the parameters in order."""
    if isinstance(params, (set, frozenset)) or not isinstance(params, Iterable):
        raise TypeError(f"{call}: {name} must be in an ordered collection (a list), got {type(params).__name__}")
    return list(params)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value
