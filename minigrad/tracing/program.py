"""Replay: a :class:`~minigrad.tracing.recorder.Trace` as straight-line code, to read and to run.

:class:`Program` writes the trace out as the Python function it is, one line per op
(``v7 = Tanh(v6)``), compiles it, and runs it on the arrays of new inputs: each op's own
``forward`` on plain arrays, with no Tensor, Context or walk in between, and then the step's
effects (:mod:`.effects`: the gradients into ``.grad``, the optimiser's update, ``zero_grad``).
Each value is deleted after its last use, so a replay holds no more than the eager step would.
Each op makes a new array, as eagerly: writing into the array a line made at the last call
(``out=``) was tried and measured, and did not pay: small arrays come from malloc's free lists
for less than the keyword costs, and with the arrays that escape left out (results, gradients),
too few lines of a training step remained.
``str(program)`` is the same code laid out for reading: the forward ops, then the backward ones
(each with the forward op whose rule made it, or "sum" where a value fans out), then the effects
in order, each kind under its heading.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor
from minigrad.tracing.effects import Clear, Deliver, Step, effects_code
from minigrad.tracing.trace import Op, Saved, Slot, Trace, TracingError

__all__ = ["Program"]

_PREFIX = {"input": "x", "parameter": "p", "constant": "c", "op": "v"}


class _Scratch:
    """What an op's forward gets as ``ctx`` in a replay: somewhere to leave what its backward reads."""


class Program:
    """A traced step, replayable on inputs of the same shapes and dtypes (see :mod:`minigrad.tracing`).

    Examples
    --------
    >>> w = Tensor([1.0, -1.0], requires_grad=True)
    >>> step = minigrad.compile(lambda x: (x * w).relu().sum().backward())
    >>> for i in range(3):
    ...     step(Tensor([1.0, float(i)]))
    >>> print(step.program)
    x0  input 0                                    # (2,)
    p1  parameter                                  # (2,)
    c5 = 1.0                                       # ()
    # forward
    v2 = Mul(x0, p1)                               # (2,)
    v3 = ReLU(v2)                                  # (2,)
    v4 = Sum(v3, axis=None, keepdims=False)          # ()
    # backward
    v6 = BroadcastTo(c5, shape=(2,))               # (2,)  Sum.backward of v4
    v7 = LocallyConstant(v2, rule=above, bound=0.0)  # (2,)  ReLU.backward of v3
    v8 = Mul(v6, v7)                               # (2,)  ReLU.backward of v3
    v9 = Mul(v8, x0)                               # (2,)  Mul.backward of v2
    # gradients, into .grad
    p1.grad += v9                                  # (2,)
    """

    def __init__(self, trace: Trace, step_name: str) -> None:
        self.trace, self.step_name = trace, step_name
        self._parameters = list(trace.parameters.values())
        self._guard = _parameter_facts(self._parameters)
        self._steps = [e for e in trace.effects if isinstance(e, Step)]
        self._watched = [leaf for leaf, _ in trace.watched]
        self._start_none = [none for _, none in trace.watched]
        self._run = self._compile()

    # --- names -------------------------------------------------------------------------------------

    def name(self, slot: int) -> str:
        """A value's name: x for an input, p a parameter, c a constant, v an op's output, and its number.

        Examples
        --------
        >>> step = minigrad.compile(lambda x: x * 2)
        >>> _ = step(Tensor([1.0]))
        >>> step.program.name(0), step.program.name(1)
        ('x0', 'v1')
        """
        return f"{_PREFIX[self.trace.kinds[slot]]}{slot}"

    # --- running -----------------------------------------------------------------------------------

    def _compile(self) -> Any:
        """The trace as a Python function of the inputs' and parameters' arrays, compiled."""
        trace, namespace = self.trace, dict[str, Any]()
        lines = ["def replay(inputs, parameters, tensors):"]
        inputs = sorted(trace.inputs, key=trace.inputs.__getitem__)
        if inputs:
            lines.append(f"    {', '.join(self.name(s) for s in inputs)}, = inputs")
        if trace.parameters:
            lines.append(f"    {', '.join(self.name(s) for s in trace.parameters)}, = parameters")
        for slot, array in trace.constants.items():
            namespace[self.name(slot)] = _frozen(array)
        freed: dict[int, list[str]] = {}  # op number -> the values last used by it
        for slot, last in self._last_uses().items():
            if trace.kinds[slot] == "op":
                freed.setdefault(last, []).append(self.name(slot))
        for i, op in enumerate(trace.ops):
            namespace[f"f{i}"], namespace[f"s{i}"] = op.function.forward, _Scratch()
            args = [f"s{i}", *map(self.name, op.args)]
            args += [f"{key}={self._code(value, namespace)}" for key, value in op.params.items()]
            lines.append(f"    {self.name(op.out)} = f{i}({', '.join(args)})")
            if i in freed:
                lines.append(f"    del {', '.join(freed[i])}")
        saved = sorted({value.op for op in trace.ops for value in _saved(op.params)})
        lines += [f"    s{op}.__dict__.clear()" for op in saved]  # NOTE: what forward saved, freed as eagerly
        given = [g for _, g in trace.deliveries]  # NOTE: a gradient held elsewhere goes into .grad as a copy
        shared = [g in trace.constants or g in given[:i] for i, g in enumerate(given)]
        lines += effects_code(trace, shared, self.name, namespace, self.step_name)
        lines.append(f"    return {self._code(trace.outputs, namespace)}")
        code = "\n".join(lines)
        exec(compile(code, f"<minigrad.compile {self.step_name}>", "exec"), namespace)
        self.code = code
        return namespace["replay"]

    def _code(self, value: Any, namespace: dict[str, Any]) -> str:
        if isinstance(value, Slot):
            return self.name(value.number)
        if isinstance(value, Saved):
            return f"s{value.op}.{value.name}"
        if isinstance(value, (tuple, list)):
            inner = "".join(f"{self._code(v, namespace)}, " for v in value)
            return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
        name = f"k{len(namespace)}"
        namespace[name] = value
        return name

    def _last_uses(self) -> dict[int, int]:
        last: dict[int, int] = {}
        for i, op in enumerate(self.trace.ops):
            for slot in (*op.args, *_slots(op.params)):
                last[slot] = i
        for slot in (*_slots(self.trace.outputs), *(g for _, g in self.trace.deliveries)):
            last[slot] = len(self.trace.ops)
        return last

    def ready(self) -> bool:
        """Whether the program still fits: the parameters are what the trace read (shapes, dtypes, leaves
        needing grad), each ``.grad`` it watched is None at the start if it was then, and each optimiser
        it stepped has the settings and running values it had.

        Examples
        --------
        >>> w = Tensor([1.0], requires_grad=True)
        >>> step = minigrad.compile(lambda x: (x * w).sum().backward())
        >>> step(Tensor([2.0]))
        >>> step.program.ready()         # w.grad is set now; at the start of the call it was None
        False
        >>> w.grad = None
        >>> step.program.ready()
        True
        >>> w.requires_grad = False
        >>> step.program.ready()
        False
        """
        return (
            _parameter_facts(self._parameters) == self._guard
            and [leaf.grad is None for leaf in self._watched] == self._start_none
            and all(step.ready() for step in self._steps)
        )

    def replay(self, tensors: list[Tensor]) -> Any:
        """Run the program on the arrays of ``tensors`` (the step's Tensor arguments, in order);
        the gradients go into ``.grad`` as ``backward`` puts them; returns the step's result.

        Examples
        --------
        >>> w = Tensor([1.0, -1.0], requires_grad=True)
        >>> step = minigrad.compile(lambda x: (x * w).sum().backward())
        >>> step(Tensor([1.0, 2.0]))
        >>> w.grad = None
        >>> step.program.replay([Tensor([5.0, 6.0])])
        >>> w.grad
        Tensor([5. 6.])
        """
        return _tensors(self._run([x._data for x in tensors], [p._data for p in self._parameters], tensors))

    def watched(self) -> tuple[list[Tensor], list[Any]]:
        """The parameters whose ``.grad`` the trace watched, and the optimisers it stepped: what the
        next trace watches from its start.

        Examples
        --------
        >>> w = Tensor([1.0], requires_grad=True)
        >>> step = minigrad.compile(lambda x: (x * w).sum().backward())
        >>> step(Tensor([2.0]))
        >>> step.program.watched() == ([w], [])
        True
        """
        return [*self._watched], list({id(s.optimizer): s.optimizer for s in self._steps}.values())

    # --- two traces of one step ---------------------------------------------------------------------

    @property
    def parameters(self) -> list[Tensor]:
        """The parameters the step read (leaves that require grad), read anew at every replay."""
        return self._parameters

    def check_same(self, other: Program) -> None:
        """Refuse, naming the difference, unless ``other`` (a later call's trace) is this program on other data.

        Examples
        --------
        >>> step = minigrad.compile(lambda x: x * 2 if x.item() > 0 else x * 3)
        >>> _ = step(Tensor(1.0))
        >>> first = step.program
        >>> _ = step(Tensor(-1.0))
        Traceback (most recent call last):
        minigrad.tracing.trace.TracingError: <lambda>: two calls ran different ops (op 0: v1 = MulScalar(x0, c=2) | v1 = MulScalar(x0, c=3)): the step branches on the data in Python, and a replay would follow one branch
        """
        a, b = self.trace, other.trace
        for i, (x, y) in enumerate(zip(a.ops, b.ops)):
            if (x.function, x.args, x.params, x.kind) != (y.function, y.args, y.params, y.kind):
                raise TracingError(
                    f"{self.step_name}: two calls ran different ops (op {i}: {self.line(x)} | {other.line(y)}): "
                    "the step branches on the data in Python, and a replay would follow one branch"
                )
        if (len(a.ops), a.kinds, a.shapes, a.deliveries, a.outputs) != (
            len(b.ops),
            b.kinds,
            b.shapes,
            b.deliveries,
            b.outputs,
        ):
            raise TracingError(
                f"{self.step_name}: two calls ran different programs ({len(a.ops)} and {len(b.ops)} ops): the step "
                "branches on the data in Python, and a replay would follow one branch"
            )
        if _shape_of_effects(a) != _shape_of_effects(b):
            raise TracingError(
                f"{self.step_name}: two calls took different optimiser steps or backward passes: the step branches "
                "in Python, and a replay would follow one branch"
            )
        if any(a.parameters[s] is not b.parameters[s] for s in a.parameters):
            raise TracingError(
                f"{self.step_name}: two calls read different parameter tensors: a leaf that requires grad made "
                "inside the step; make it once, outside"
            )
        for slot, first in a.constants.items():
            second = b.constants[slot]
            if first is second and first.flags.writeable:
                raise TracingError(
                    f"{self.step_name}: an op reads an array of shape {first.shape} from outside the step that is neither "
                    "an input nor a parameter; a replay would read its value of today. Pass it in as an input"
                )
            if not np.array_equal(first, second, equal_nan=first.dtype.kind == "f"):
                raise TracingError(
                    f"{self.step_name}: an array of shape {first.shape} made outside the ops changed between two calls "
                    "(computed from the data, such as a mask from x.numpy(), or drawn at random); a replay would "
                    "keep one call's value. Compute it with ops, or pass it in as an input"
                )

    # --- reading ------------------------------------------------------------------------------------

    def line(self, op: Op) -> str:
        """One op as code: ``v7 = Tanh(v6)``.

        Examples
        --------
        >>> step = minigrad.compile(lambda x: x.tanh())
        >>> _ = step(Tensor([1.0]))
        >>> step.program.line(step.program.trace.ops[0])
        'v1 = Tanh(x0)'
        """
        params = [f"{key}={self._shown(value)}" for key, value in op.params.items()]
        return f"{self.name(op.out)} = {op.function.__name__}({', '.join([*map(self.name, op.args), *params])})"

    def _shown(self, value: Any) -> str:
        if isinstance(value, Slot):
            return self.name(value.number)
        if isinstance(value, Saved):
            return f"{self.name(self.trace.ops[value.op].out)}.ctx.{value.name}"
        if isinstance(value, tuple):
            return "(" + ", ".join(map(self._shown, value)) + ("," if len(value) == 1 else "") + ")"
        return getattr(value, "__name__", None) or repr(value)

    def __str__(self) -> str:
        trace = self.trace
        rows: list[tuple[str, str]] = []
        for slot, position in sorted(trace.inputs.items(), key=lambda item: item[1]):
            rows.append((f"{self.name(slot)}  input {position}", self._type(slot)))
        for slot in trace.parameters:
            rows.append((f"{self.name(slot)}  parameter {trace.names.get(slot, '')}".rstrip(), self._type(slot)))
        for slot, array in trace.constants.items():
            value = f" = {array.item()!r}" if array.size == 1 else " (a constant, kept by value)"
            rows.append((f"{self.name(slot)}{value}", self._type(slot)))
        forward = [op for op in trace.ops if op.kind == "forward"]
        backward = [op for op in trace.ops if op.kind != "forward"]
        sections = [("# forward", forward), ("# backward", backward)]
        for title, ops in sections:
            rows.append((title, ""))
            rows += [(self.line(op), f"{self._type(op.out)}{self._why(op)}") for op in ops]
        rows += self._effect_rows()
        if trace.outputs is not None:
            rows.append((f"return {self._shown(trace.outputs)}", ""))
        width = max(len(text) for text, note in rows if note)
        return "\n".join(f"{text:<{width}}  # {note}" if note else text for text, note in rows)

    def _effect_rows(self) -> list[tuple[str, str]]:
        """The effects, in order, each kind under its heading: the gradients, the optimiser steps, the clears."""
        names = {id(p): self.name(slot) for slot, p in self.trace.parameters.items()}
        for step in self._steps:
            names.update((id(p), name) for p, name in zip(step.parameters, step.names))
        rows: list[tuple[str, str]] = []
        heading = None
        for effect in self.trace.effects:
            if isinstance(effect, Deliver):
                leaf, g = self.trace.deliveries[effect.index]
                title, row = "# gradients, into .grad", (f"{self.name(leaf)}.grad += {self.name(g)}", self._type(g))
            elif isinstance(effect, Clear):
                value = "zeros if it is not None" if effect.fill else "None"
                title, row = "# zero_grad", (f"{names[id(effect.leaf)]}.grad = {value}", "")
            else:
                rows.append((f"# optimiser step: {effect.title}", ""))
                rows += [(line, "") for line in effect.update.lines]
                heading = None
                continue
            if title != heading:
                rows.append((title, ""))
                heading = title
            rows.append(row)
        return rows

    def _type(self, slot: int) -> str:
        dtype = self.trace.dtypes[slot]
        return f"{self.trace.shapes[slot]}" + ("" if dtype == np.float64 else f" {dtype}")

    def _why(self, op: Op) -> str:
        if op.rule_of is not None:
            made = self.trace.ops[op.rule_of]
            return f"  {made.function.__name__}.backward of {self.name(made.out)}"
        if op.kind == "walk":
            return "  sum: a value used twice" if op.function.__name__ == "Add" else "  the walk"
        return ""


def _parameter_facts(parameters: list[Tensor]) -> list[tuple[Any, ...]]:
    # NOTE: a leaf stays a leaf; its array may be replaced (x.data = ...), or it may stop requiring grad
    return [(p._data.shape, p._data.dtype, p._requires_grad) for p in parameters]


def _shape_of_effects(trace: Trace) -> list[Any]:
    """The gradients and the optimiser steps of a trace, in order (the clears depend on what a call found)."""
    return [e.index if isinstance(e, Deliver) else id(e.optimizer) for e in trace.effects if not isinstance(e, Clear)]


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy of a constant: no replay may change it."""
    copy = np.array(array)
    copy.flags.writeable = False
    return copy


def _slots(value: Any) -> list[int]:
    """The slots a parameter (or the outputs) reads."""
    if isinstance(value, Slot):
        return [value.number]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _slots(v)]
    return []


def _saved(params: dict[str, Any]) -> list[Saved]:
    found: list[Saved] = []
    for value in params.values():
        items = value if isinstance(value, (tuple, list)) else (value,)
        found += [v for v in items if isinstance(v, Saved)]
    return found


def _tensors(outputs: Any) -> Any:
    if outputs is None:
        return None
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(_tensors(o) for o in outputs)
    return Tensor._make(np.asarray(outputs))  # NOTE: a full reduction gives a NumPy scalar, as in Function.apply
