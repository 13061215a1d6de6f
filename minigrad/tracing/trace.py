"""What a trace holds: the values of one call of a step (slots), the ops between them, and the
error for what it cannot hold. :mod:`.recorder` writes a :class:`Trace`; :mod:`.program` runs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad.autograd.function import Function
from minigrad.nn.module import Module
from minigrad.ops.arithmetic import Pow
from minigrad.ops.embedding import Embedding
from minigrad.tensor import Tensor

__all__ = ["TracingError", "refuse_module", "refuse_op"]


class TracingError(RuntimeError):
    """A step that :func:`minigrad.compile` cannot replay faithfully, and why.

    Examples
    --------
    >>> w = Tensor([1.0, -1.0], requires_grad=True)
    >>> step = minigrad.compile(lambda x: (x * w).sum().backward(create_graph=True))
    >>> step(Tensor([1.0, 2.0]))
    Traceback (most recent call last):
    minigrad.tracing.trace.TracingError: <lambda>: backward(create_graph=True) records the backward pass as a graph; a compiled step replays first derivatives only
    """


@dataclass(frozen=True)
class Saved:
    """What forward op number ``op`` saved on its ctx as ``name``, for its backward rule."""

    op: int
    name: str


@dataclass
class Op:
    """One op of the record: ``function``'s forward on the values ``args`` (slot numbers) with
    ``params`` (Python values; a slot number in a ``Slot``; a :class:`Saved`), giving slot ``out``.
    ``rule_of`` is the forward op (its index) whose backward rule ran it, if any; ``kind`` is
    'forward', 'rule' or 'walk' (a sum where a value fans out, or a cast, done by the walk)."""

    function: type[Function]
    args: tuple[int, ...]
    params: dict[str, Any]
    out: int
    rule_of: int | None
    kind: str


@dataclass(frozen=True)
class Slot:
    """A value of the record, where an op's parameter (an index array, a condition) reads one."""

    number: int


@dataclass
class Trace:
    """What one traced call did: the values (slots) and the ops between them."""

    kinds: list[str] = field(default_factory=list)  # per slot: 'input', 'parameter', 'constant' or 'op'
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    dtypes: list[np.dtype] = field(default_factory=list)
    inputs: dict[int, int] = field(default_factory=dict)  # slot -> position among the step's Tensor arguments
    parameters: dict[int, Tensor] = field(default_factory=dict)  # slot -> the leaf, read at each call
    names: dict[int, str] = field(default_factory=dict)  # slot -> a parameter's name in its module
    constants: dict[int, np.ndarray] = field(default_factory=dict)  # slot -> the array as the op read it
    ops: list[Op] = field(default_factory=list)
    deliveries: list[tuple[int, int]] = field(default_factory=list)  # (leaf's slot, gradient's slot), in order
    effects: list[Any] = field(default_factory=list)  # what the step does besides its ops, in order (see .effects)
    watched: list[tuple[Tensor, bool]] = field(
        default_factory=list
    )  # parameters whose .grad was watched, None at the start?
    outputs: Any = None  # the step's result: None, a Slot, or a tuple or list of them


def refuse_op(
    step_name: str, cls: type[Function], args: tuple[int, ...], params: dict[str, Any], record: Trace
) -> None:
    """Refuse, by name, the ops whose backward branches on the data in Python.

    Examples
    --------
    >>> from minigrad.ops.arithmetic import Pow
    >>> refuse_op("step", Pow, (0, 1), {}, Trace())
    Traceback (most recent call last):
    minigrad.tracing.trace.TracingError: step: Pow with an exponent that is a tensor or holds a 0: its backward chooses a formula by the data (0^0); use a nonzero number as the exponent
    """
    if cls is Pow:
        exponent = record.constants.get(args[1])
        if exponent is None or not exponent.all():
            raise TracingError(
                f"{step_name}: Pow with an exponent that is a tensor or holds a 0: its backward chooses a "
                "formula by the data (0^0); use a nonzero number as the exponent"
            )
    if cls is Embedding and params.get("padding_idx") is not None:
        raise TracingError(
            f"{step_name}: Embedding with padding_idx picks the rows to skip by the data in its backward; "
            "leave this step eager"
        )


def refuse_module(step_name: str, module: Module) -> None:
    """Refuse a module running an op of the step that does what a replay would not: call hooks, update
    running statistics, draw a random mask.

    Examples
    --------
    >>> refuse_module("step", nn.Dropout(0.5))
    Traceback (most recent call last):
    minigrad.tracing.trace.TracingError: step: Dropout in training mode draws a random mask at each call, which a replay would repeat; pass the mask in as an input, or call .eval()
    """
    name = type(module).__name__
    if module._forward_hooks or module._backward_hooks:
        raise TracingError(f"{step_name}: {name} has hooks, which a replay would not call")
    if module.training and getattr(module, "running_mean", None) is not None:
        raise TracingError(
            f"{step_name}: {name} in training mode updates its running statistics outside the ops; "
            "a replay would not (call .eval(), or leave this step eager)"
        )
    if module.training and name == "Dropout" and getattr(module, "p", 0) > 0:
        raise TracingError(
            f"{step_name}: Dropout in training mode draws a random mask at each call, which a replay "
            "would repeat; pass the mask in as an input, or call .eval()"
        )
