"""What a step does besides its ops: the gradients it puts into ``.grad``, the ``.grad`` it clears
(``zero_grad``), and the optimiser steps it takes (see :mod:`minigrad.tracing`).

A replay runs the ops first and then these *effects*, in the order the traced call had them. The
recorder hears of two of them as they happen: each gradient the walk hands to a leaf (a hook on
the leaf) and each ``optimizer.step()`` (which tells the tracer). A ``zero_grad`` (the
optimiser's or the module's: both are plain assignments to ``.grad``) is seen by looking: at
each of those moments, and at the start and the end of the call, every watched parameter's
``.grad`` is compared with what the effects so far leave there. Gone means cleared (``None``);
a new tensor of zeros means filled with zeros (``set_to_none=False``); anything else that
changed ``.grad`` is refused, as is a ``.grad`` changed in place (a replay would not).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor
from minigrad.tracing.symbolic import Update, trace_update
from minigrad.tracing.trace import TracingError

__all__ = ["Clear", "Deliver", "Effects", "Step"]


class _Walk:
    """What a leaf's ``.grad`` is after a backward has handed it a gradient: the walk's tensor, stored when
    the walk (``delivery``) finishes (until then the ``.grad`` is still ``before``), holding ``values``."""

    def __init__(self, delivery: object, before: Tensor | None, gradient: np.ndarray) -> None:
        self.delivery, self.before = delivery, before
        self.values = gradient if before is None else before._data + gradient

    def made(self, grad: Tensor) -> bool:
        """Whether ``grad`` is the walk's tensor: new (version 0) and holding the walk's values."""
        return grad._version == 0 and np.array_equal(grad._data, self.values, equal_nan=grad.dtype.kind == "f")


@dataclass(frozen=True)
class Deliver:
    """The walk's gradient ``deliveries[index]`` goes into its leaf's ``.grad`` (added to one already there).

    Examples
    --------
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> step = minigrad.compile(lambda x: (x * w).sum().backward())
    >>> step(Tensor([3.0, 4.0]))
    >>> step.program.trace.effects
    [Deliver(index=0)]
    """

    index: int


@dataclass(frozen=True)
class Clear:
    """``leaf.grad`` is set to None, or (``fill``) to zeros if it is not None: a ``zero_grad``.

    Examples
    --------
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> def forget(x):
    ...     (x * w).sum().backward()
    ...     w.grad = None                        # what zero_grad() does
    >>> step = minigrad.compile(forget)
    >>> step(Tensor([3.0, 4.0]))
    >>> step.program.trace.effects
    [Deliver(index=0), Clear(leaf=Tensor([1. 2.], requires_grad=True), fill=False)]
    """

    leaf: Tensor
    fill: bool = False


@dataclass
class Step:
    """``optimizer.step()`` on ``parameters`` (those that had a gradient), as the code of ``update``; a
    replay requires the optimiser's settings and its state's running values (``keys``) as they were.

    Examples
    --------
    >>> w = nn.Parameter([1.0, 2.0])
    >>> opt = optim.SGD([w], lr=0.1)
    >>> def train(x):
    ...     (x * w).sum().backward()
    ...     opt.step()
    >>> step = minigrad.compile(train)
    >>> step(Tensor([3.0, 4.0]))
    >>> taken = step.program.trace.effects[1]
    >>> taken.title, taken.update.lines
    ('SGD(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)', ['u0 = (-0.1) * p1_grad', 'p1 += u0'])
    """

    optimizer: Optimizer
    parameters: list[Tensor]
    names: list[str]
    update: Update
    hyperparameters: list[Any]
    keys: list[tuple[str, ...] | None]
    written: list[int]  # the positions of the parameters the update changed in place
    title: str  # ``SGD(lr=0.1, momentum=0.9, ...)``: the optimiser and its settings (those of each group)

    def ready(self) -> bool:
        """Whether the optimiser is still as the code was written for.

        Examples
        --------
        >>> w = nn.Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> w.grad = Tensor([2.0]); opt.step()
        >>> effects = Effects("step", [], [])
        >>> _ = effects.stepped(opt, lambda p: "w")
        >>> taken = effects.effects[0]
        >>> taken.ready()
        True
        >>> opt.param_groups[0]["lr"] = 0.05     # a scheduler's step, say: the next call traces again
        >>> taken.ready()
        False
        """
        optimizer = self.optimizer
        return (
            hyperparameters(optimizer) == self.hyperparameters and state_keys(optimizer, self.parameters) == self.keys
        )

    def compile(self, step_name: str) -> Any:
        """The update as a compiled Python function of the parameters ``P``, their state ``S`` and their
        gradients' arrays ``G``; it changes the parameters in place and counts the change, as ``step()`` does.

        Examples
        --------
        >>> w = nn.Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> w.grad = Tensor([2.0]); opt.step()     # w = 1 - 0.1 * 2
        >>> effects = Effects("step", [], [])
        >>> _ = effects.stepped(opt, lambda p: "w")
        >>> update = effects.effects[0].compile("demo")
        >>> update([w], opt.state, [np.array([3.0])])
        >>> w.numpy()
        array([0.5])
        """
        lines = ["def update(P, S, G):"]
        body = "\n".join(self.update.lines)
        for i, name in enumerate(self.names):
            lines.append(f"    {name}, {name}_grad = P[{i}]._data, G[{i}]")
            if f"{name}_state[" in body:  # NOTE: plain SGD keeps no running values
                lines.append(f"    {name}_state = S[P[{i}]]")
        lines += [f"    {line}" for line in self.update.lines]
        lines += [f"    P[{i}]._count_change()" for i in self.written]
        lines.append("    return")  # NOTE: a body even when no parameter had a gradient to step
        namespace: dict[str, Any] = {"np": np, **self.update.constants}
        exec(compile("\n".join(lines), f"<minigrad.compile {step_name}: optimiser step>", "exec"), namespace)
        return namespace["update"]


def hyperparameters(optimizer: Optimizer) -> list[Any]:
    """What a replay of ``optimizer``'s step takes as fixed: each group's settings and parameters, and the
    optimiser's step hooks."""
    groups = [{**g, "params": list(map(id, g["params"]))} for g in optimizer.param_groups]
    return [groups, len(optimizer._step_pre_hooks) + len(optimizer._step_post_hooks)]


def state_keys(optimizer: Optimizer, parameters: list[Tensor]) -> list[tuple[str, ...] | None]:
    """Which running values each parameter's state holds (the update's code reads them by name)."""
    return [None if (s := optimizer.state.get(p)) is None else tuple(s) for p in parameters]


class Effects:
    """The effects of one traced call, in order (``effects``), and the ``.grad`` of each watched parameter
    at the start (``start_none``: whether it was None), which a replay requires again.

    Examples
    --------
    >>> w = Tensor([1.0], requires_grad=True)
    >>> w.grad = Tensor([5.0])
    >>> effects = Effects("step", [w], [])
    >>> w.grad = None                        # what zero_grad does
    >>> effects.look()
    >>> effects.effects
    [Clear(leaf=Tensor([1.], requires_grad=True), fill=False)]
    """

    def __init__(self, step_name: str, known: list[Tensor], optimizers: list[Optimizer]) -> None:
        self.step_name = step_name
        self.effects: list[Deliver | Clear | Step] = []
        self.start_none: dict[int, tuple[Tensor, bool]] = {}
        self._expected: dict[int, tuple[Tensor, Any, int]] = {}  # id(leaf) -> (leaf, .grad expected, its version)
        self._optimizers = {id(o): (o, hyperparameters(o)) for o in optimizers}
        for leaf in known:
            self._watch(leaf)

    def _watch(self, leaf: Tensor) -> None:
        """From now on compare ``leaf.grad`` with what the effects leave there."""
        if id(leaf) not in self._expected:
            grad = leaf.grad
            self._expected[id(leaf)] = (leaf, grad, -1 if grad is None else grad._version)
            self.start_none[id(leaf)] = (leaf, grad is None)

    def look(self, leaves: Any = None, running: object = None) -> None:
        """Compare each watched leaf's ``.grad`` (or those of ``leaves``) with what is expected there;
        a clear or a fill of zeros since becomes an effect, anything else is refused. ``running`` is a
        walk still handing out gradients: it stores them in ``.grad`` only at its end.

        Examples
        --------
        >>> w = Tensor([1.0], requires_grad=True)
        >>> w.grad = Tensor([5.0])
        >>> effects = Effects("step", [w], [])
        >>> w.grad = Tensor([7.0])
        >>> effects.look()
        Traceback (most recent call last):
        minigrad.tracing.trace.TracingError: step: the .grad of a parameter of shape (1,) was set by hand inside the step (gradient clipping?); a replay would not. Do it outside the compiled step
        """
        for leaf in leaves if leaves is not None else [e[0] for e in self._expected.values()]:
            self._watch(leaf)
            _, expected, version = self._expected[id(leaf)]
            grad = leaf.grad
            if grad is expected and (grad is None or grad._version == version):
                continue
            if isinstance(expected, _Walk) and expected.delivery is running and grad is expected.before:
                continue  # NOTE: the walk that delivered it is still running: .grad is stored at its end
            if grad is None:
                self.effects.append(Clear(leaf))
            elif isinstance(expected, _Walk) and expected.made(grad):  # NOTE: the walk's own tensor, seen first now
                pass
            elif expected is not None and grad._version == 0 and _zeros(grad, leaf):
                self.effects.append(Clear(leaf, fill=True))
            else:
                how = "changed in place" if grad is expected or grad._version else "set by hand"
                raise TracingError(
                    f"{self.step_name}: the .grad of a parameter of shape {leaf.shape} was {how} inside the step "
                    "(gradient clipping?); a replay would not. Do it outside the compiled step"
                )
            self._expected[id(leaf)] = (leaf, grad, -1 if grad is None else grad._version)

    def delivered(self, leaf: Tensor, index: int, delivery: object, gradient: np.ndarray) -> None:
        """The walk ``delivery`` hands gradient ``deliveries[index]`` to ``leaf`` (for its ``.grad``, stored at
        the walk's end).

        Examples
        --------
        >>> w = Tensor([1.0], requires_grad=True)
        >>> effects = Effects("step", [], [])
        >>> effects.delivered(w, 0, None, np.array([2.0]))
        >>> w.grad = Tensor([2.0])               # what the walk stores at its end
        >>> effects.look()
        >>> effects.effects
        [Deliver(index=0)]
        """
        self._watch(leaf)
        self.look(running=delivery)  # NOTE: every leaf, so that a zero_grad before the backward shows as one group
        self.effects.append(Deliver(index))
        self._expected[id(leaf)] = (leaf, _Walk(delivery, leaf.grad, gradient), 0)

    def stepped(self, optimizer: Optimizer, name_of: Any) -> list[Tensor]:
        """``optimizer.step()`` has just run: write its update down; returns the parameters it changed.

        Examples
        --------
        >>> w = nn.Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> w.grad = Tensor([2.0])
        >>> opt.step()
        >>> effects = Effects("step", [], [])
        >>> effects.stepped(opt, lambda p: "w") == [w]
        True
        >>> effects.effects[0].update.lines
        ['u0 = (-0.1) * w_grad', 'w += u0']
        """
        if optimizer._step_pre_hooks or optimizer._step_post_hooks:
            raise TracingError(
                f"{self.step_name}: {type(optimizer).__name__} has step hooks, which a replay would not call"
            )
        known = self._optimizers.get(id(optimizer))
        if known is not None and known[1] != hyperparameters(optimizer):
            raise TracingError(self._changed(optimizer))
        params = [p for group in optimizer.param_groups for p in group["params"]]
        self.look(params)
        stepped = [p for p in params if p.grad is not None]
        names = [name_of(p) for p in stepped]
        update = trace_update(optimizer, stepped, names, self.step_name)
        written = [i for i, w in enumerate(update.written) if w]
        settings, keys = hyperparameters(optimizer), state_keys(optimizer, stepped)
        groups = [", ".join(f"{k}={v!r}" for k, v in g.items() if k != "params") for g in optimizer.param_groups]
        title = f"{type(optimizer).__name__}({'; '.join(groups)})"
        self.effects.append(Step(optimizer, stepped, names, update, settings, keys, written, title))
        self._optimizers[id(optimizer)] = (optimizer, settings)
        return [stepped[i] for i in written]

    def finish(self) -> None:
        """At the end of the call: the last clears, and no optimiser changed since its step.

        Examples
        --------
        >>> w = nn.Parameter([1.0])
        >>> opt = optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> effects = Effects("step", [], [])
        >>> _ = effects.stepped(opt, lambda p: "w")
        >>> opt.param_groups[0]["lr"] = 0.05     # inside the step, after the optimiser's
        >>> effects.finish()
        Traceback (most recent call last):
        minigrad.tracing.trace.TracingError: step: Adam's settings (param_groups: a learning rate, ...) or step hooks changed inside the step; a replay would not change them. Change them outside the compiled step
        """
        self.look()
        for optimizer, settings in self._optimizers.values():
            if settings != hyperparameters(optimizer):
                raise TracingError(self._changed(optimizer))

    def _changed(self, optimizer: Optimizer) -> str:
        return (
            f"{self.step_name}: {type(optimizer).__name__}'s settings (param_groups: a learning rate, ...) or step "
            "hooks changed inside the step; a replay would not change them. Change them outside the compiled step"
        )


def effects_code(trace: Any, shared: list[bool], name: Any, namespace: dict[str, Any], step_name: str) -> list[str]:
    """The effects of ``trace`` as lines of the replay's code, after its ops (``name(slot)`` names a value).

    Whether each watched ``.grad`` is None at each point is known (a replay requires the same ``.grad``
    to be None at its start as in the trace), so each effect is one line without a test, and a gradient
    that a clear would drop again is never put into ``.grad``: the optimiser step reads it as it is.
    """
    lines: list[str] = []
    none = {id(leaf): start for leaf, start in trace.watched}
    pending: dict[int, tuple[str, str, bool]] = {}  # id(leaf) -> (its name here, a gradient not yet stored, shared)
    leaf_names: dict[int, str] = {}

    def leaf_name(leaf: Tensor) -> str:
        if id(leaf) not in leaf_names:
            leaf_names[id(leaf)] = f"L{len(leaf_names)}"
            namespace[leaf_names[id(leaf)]] = leaf
        return leaf_names[id(leaf)]

    def store(key: int) -> None:
        leaf, grad, held = pending.pop(key)  # NOTE: as the walk: a gradient held elsewhere or a view is copied
        copied = f"{grad}.copy()" if held else f"{grad} if {grad}.base is None else {grad}.copy()"
        lines.append(f"    {leaf}.grad = make({copied})")

    for k, effect in enumerate(trace.effects):
        if isinstance(effect, Deliver):
            slot, g = trace.deliveries[effect.index]
            if slot in trace.inputs:  # NOTE: an input: a new tensor at each call, found by its position
                lines.append(f"    deliver(tensors[{trace.inputs[slot]}], {name(g)}, {shared[effect.index]})")
                continue
            leaf = trace.parameters[slot]
            if id(leaf) in pending:
                store(id(leaf))
            if none[id(leaf)]:
                pending[id(leaf)] = (leaf_name(leaf), name(g), shared[effect.index])
            else:
                lines.append(f"    {leaf_name(leaf)}.grad = make({leaf_name(leaf)}.grad._data + {name(g)})")
            none[id(leaf)] = False
        elif isinstance(effect, Clear):
            leaf = effect.leaf
            if effect.fill and not none[id(leaf)]:
                if id(leaf) in pending:
                    store(id(leaf))
                lines.append(f"    {leaf_name(leaf)}.grad = make(np.zeros_like({leaf_name(leaf)}._data))")
            elif not effect.fill:
                if pending.pop(id(leaf), None) is None and not none[id(leaf)]:
                    lines.append(f"    {leaf_name(leaf)}.grad = None")
                none[id(leaf)] = True
        else:
            namespace[f"update{k}"] = effect.compile(step_name)
            namespace[f"P{k}"], namespace[f"O{k}"] = effect.parameters, effect.optimizer
            grads = [
                pending[id(p)][1] if id(p) in pending else f"P{k}[{i}].grad._data"
                for i, p in enumerate(effect.parameters)
            ]
            lines.append(f"    update{k}(P{k}, O{k}.state, [{', '.join(grads)}])")
    for key in list(pending):
        store(key)
    namespace.update(make=Tensor._make, deliver=_deliver, np=np)
    return lines


def _deliver(leaf: Tensor, grad: np.ndarray, held: bool) -> None:
    """Put ``grad`` into an input's ``.grad`` as the walk does: added to one there, else the array itself
    (a copy if it is held elsewhere or is a view)."""
    if leaf.grad is not None:
        leaf.grad = leaf._make(leaf.grad._data + grad)
    else:
        leaf.grad = leaf._make(grad.copy() if held or grad.base is not None else grad)


def _zeros(grad: Tensor, leaf: Tensor) -> bool:
    """Whether ``grad`` is what ``zero_grad(set_to_none=False)`` leaves: zeros of the leaf's shape and dtype."""
    data = grad._data
    return data.shape == leaf.shape and data.dtype == leaf.dtype and not np.any(data)
