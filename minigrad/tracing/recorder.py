"""Tracing: one eager call of a step, with every op it runs written down (see :mod:`minigrad.tracing`).

While :meth:`Recorder.run` calls the step, :data:`minigrad.autograd.function.tracer` is the
recorder, so :meth:`Function.apply` hands it each op as it runs: the forward ops, the ops of
every backward rule and the walk's sums. Each array an op reads is named by where it came
from (a *source*): an input of the step, a parameter (a leaf that requires grad, read by
reference), an earlier op's output, an attribute the op's forward saved on its ctx for its
backward, or a constant (an array made while the step ran, kept by value). A hook on each
leaf notes which value the walk hands to its ``.grad``, and ``Optimizer.step`` tells the
recorder when it has run (:meth:`Recorder.stepped`); both go to :mod:`.effects`.

What the record cannot hold is refused with a :class:`TracingError` naming it.
"""

from __future__ import annotations

import functools
import sys
import threading
import weakref
from typing import Any

import numpy as np

from minigrad.autograd import api, function
from minigrad.autograd.function import Context
from minigrad.autograd.grad_mode import grad_enabled
from minigrad.autograd.walk import Delivery
from minigrad.nn.module import Module
from minigrad.ops.arithmetic import Add
from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor
from minigrad.tracing.effects import Deliver, Effects
from minigrad.tracing.trace import Op, Saved, Slot, Trace, TracingError, refuse_module, refuse_op

__all__ = ["Recorder"]

_MODULE_CALL = Module.__call__.__code__
_GRAD_CALL = api.grad.__code__
_DELIVER = Delivery.deliver.__code__


class Recorder:
    """Records the ops of one call of a step (see :meth:`run`); ``trace`` holds what it wrote down.

    Examples
    --------
    >>> w = Tensor([1.0, -1.0], requires_grad=True)
    >>> recorder = Recorder("step")
    >>> recorder.run(lambda x: (x * w).sum().backward(), (Tensor([3.0, 4.0]),), {})
    >>> [(op.function.__name__, op.kind) for op in recorder.trace.ops]
    [('Mul', 'forward'), ('Sum', 'forward'), ('BroadcastTo', 'rule'), ('Mul', 'rule')]
    >>> w.grad
    Tensor([3. 4.])
    """

    def __init__(
        self, step_name: str, known: list[Tensor] | None = None, optimizers: list[Optimizer] | None = None
    ) -> None:
        self.step_name = step_name
        self.trace = Trace()
        # NOTE: known: the parameters an earlier trace saw, whose .grad is compared from the start of the call
        self.effects = Effects(step_name, known or [], optimizers or [])
        self._stepped: set[int] = set()  # the ids of the parameters an optimiser step has changed
        self._step_names: dict[int, str] = {}  # a name for each parameter an optimiser step reads
        self.thread = threading.get_ident()
        self._slots: dict[int, int] = {}  # id(array) -> slot
        # NOTE: nothing seen is kept alive (memory as eager); an array's id leaves _slots when it dies.
        self._finalizers: list[weakref.finalize] = []
        self._contexts: list[Context | None] = []  # per op, a forward op's ctx (it may become a graph node)
        self._read: dict[int, tuple[weakref.ref[Tensor], int]] = {}  # each tensor an op read, and its version then
        self._mine: set[int] = set()  # the ids of this recorder's own hooks
        self._gradients: list[Tensor] = []  # the gradients handed to a leaf that had a .grad: kept until stored
        self._hooks: list[Any] = []  # (tensor, handle) of this recorder's own hooks on leaves
        self._stores: set[tuple[int, int]] = set()  # (id(old .grad), id(gradient)) of Delivery's sums
        self._gradient_slots: set[int] = set()  # values of the backward pass
        self._modules: dict[int, Module] = {}  # the modules seen running ops, by id
        self._rule_hint = 0

    # --- the run ------------------------------------------------------------------------------------

    def run(self, step: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call ``step(*args, **kwargs)`` eagerly, recording it; returns its result.

        Examples
        --------
        >>> recorder = Recorder("double")
        >>> recorder.run(lambda x: x * 2, (Tensor([1.0]),), {})
        Tensor([2.])
        >>> recorder.trace.outputs, recorder.trace.kinds
        (Slot(number=1), ['input', 'op'])
        """
        if function.tracer is not None:
            raise TracingError(f"{self.step_name}: a compiled step was called while another one is being traced")
        tensors = [x for x in (*args, *kwargs.values()) if isinstance(x, Tensor)]
        for position, x in enumerate(tensors):
            if x.grad_fn is not None:
                raise TracingError(
                    f"{self.step_name}: input {position} (shape {x.shape}) has a grad_fn ({x.grad_fn.name}); "
                    "pass a leaf, such as x.detach()"
                )
            if id(x._data) in self._slots:
                raise TracingError(
                    f"{self.step_name}: inputs {self.trace.inputs[self._slots[id(x._data)]]} and {position} share "
                    "one array; a replay would read the first for both. Pass each input once"
                )
            slot = self._new_slot("input", x._data)
            self._see_leaf(x, slot)
            self.trace.inputs[slot] = position
        self._top = sys._getframe()  # NOTE: where _check_modules stops looking up the call stack
        function.tracer = self
        try:
            result = step(*args, **kwargs)
        finally:
            function.tracer = None
            for _, handle in self._hooks:
                handle.remove()
            for finalizer in self._finalizers:
                finalizer.detach()
        self.effects.finish()
        self._check_after(result)
        self._name_parameters()
        self.trace.outputs = self._result_slots(result)
        self.trace.effects, self.trace.watched = self.effects.effects, list(self.effects.start_none.values())
        return result

    def record(self, ctx: Context, params: dict[str, Any], data: Any) -> np.ndarray:
        """Write down one op that has just run (called by :meth:`Function.apply` while tracing);
        returns the op's output array.

        Examples
        --------
        >>> recorder = Recorder("negate")
        >>> _ = recorder.run(lambda x: -x, (Tensor([1.0]),), {})
        >>> recorder.trace.ops[0].function.__name__, recorder.trace.ops[0].args
        ('Neg', (0,))
        """
        data = np.asarray(data)
        if threading.get_ident() != self.thread:
            return data  # NOTE: another thread's op, not the step's
        cls, tensors = ctx.function, ctx.inputs
        rule = self._running_rule()
        if rule is not None and grad_enabled():
            raise TracingError(
                f"{self.step_name}: backward(create_graph=True) records the backward pass as a graph; "
                "a compiled step replays first derivatives only"
            )
        if cls is Add and (id(tensors[0]), id(tensors[1]._data)) in self._stores:
            return data  # NOTE: the walk adding a gradient to an existing .grad: the replay does that itself
        self._check_modules()
        for x in tensors:
            if self._stepped and id(x) in self._stepped:
                raise TracingError(
                    f"{self.step_name}: an op reads a parameter of shape {x.shape} after an optimiser step changed it; "
                    "a replay runs the ops first. Step the optimiser last"
                )
            self._check_tensor(x)
        if rule is not None:
            self._check_tensor(self._contexts[rule].output)  # type: ignore[union-attr]
        args = tuple(self._source(x) for x in tensors)
        kept = {name: self._param(value, rule, cls.__name__) for name, value in params.items()}
        refuse_op(self.step_name, cls, args, kept, self.trace)
        out = self._new_slot("op", data)
        walk = rule is None and not grad_enabled() and any(a in self._gradient_slots for a in args)
        kind = "rule" if rule is not None else "walk" if walk else "forward"
        if kind != "forward":
            self._gradient_slots.add(out)
        self.trace.ops.append(Op(cls, args, kept, out, rule, kind))
        self._contexts.append(ctx if kind == "forward" else None)
        return data

    # --- where each array comes from -------------------------------------------------------------------

    def _new_slot(self, kind: str, array: np.ndarray) -> int:
        record = self.trace
        slot = len(record.kinds)
        record.kinds.append(kind)
        record.shapes.append(array.shape)
        record.dtypes.append(array.dtype)
        self._slots[id(array)] = slot
        self._finalizers.append(weakref.finalize(array, _forget, self._slots, id(array), slot))
        return slot

    def _source(self, x: Tensor) -> int:
        """The slot of the array of ``x``, an op's input."""
        array = x._data
        slot = self._slots.get(id(array))
        if slot is not None:
            return slot
        if x.grad_fn is None and x._requires_grad:
            slot = self._new_slot("parameter", array)
            self.trace.parameters[slot] = x
            self._see_leaf(x, slot)
            return slot
        return self._constant(array)

    def _constant(self, array: np.ndarray) -> int:
        if array.dtype == np.bool_ and array.ndim > 0:
            raise TracingError(
                f"{self.step_name}: an op reads a boolean mask of shape {array.shape} made outside the ops (a "
                "comparison such as x.numpy() > 0, or F.huber_loss's and F.smooth_l1_loss's); a replay would keep "
                "this call's mask. Compute it with an op, or leave this step eager"
            )
        slot = self._new_slot("constant", array)
        self.trace.constants[slot] = array
        return slot

    def _param(self, value: Any, rule: int | None, op_name: str) -> Any:
        """An op's parameter as the record keeps it: arrays become :class:`Slot` or :class:`Saved`."""
        if rule is not None:
            for name, saved in self._contexts[rule].__dict__.items():
                if saved is value and isinstance(value, (np.ndarray, tuple)):
                    return Saved(rule, name)
        if isinstance(value, np.ndarray):
            slot = self._slots.get(id(value))
            base = value.base
            if slot is None and isinstance(base, np.ndarray) and id(base) in self._slots and base.size == value.size:
                slot = self._slots[id(base)]  # NOTE: a view of a known value with its elements (reshape(-1))
                if self.trace.shapes[slot] != value.shape:
                    slot = None
            if slot is None and value.dtype.kind in "iu" and value.ndim > 0:
                raise TracingError(
                    f"{self.step_name}: {op_name} reads an index array of shape {value.shape} made outside the "
                    "ops (such as max(dim)'s argmax); a replay would keep this call's indices. Pass it in as an "
                    "input, or use amax/amin"
                )
            return Slot(slot if slot is not None else self._constant(value))
        if isinstance(value, (tuple, list)):
            return type(value)(self._param(v, rule, op_name) for v in value)
        if isinstance(value, Tensor):
            return Slot(self._source(value))
        return value

    def _see_leaf(self, x: Tensor, slot: int) -> None:
        """Hook a leaf, to learn which value the walk gives it."""
        if x._requires_grad:
            hook = functools.partial(self._delivered, x, slot)
            self._hooks.append((x, x.register_hook(hook)))
            self._mine.add(id(hook))

    def _delivered(self, leaf: Tensor, slot: int, grad: Tensor) -> None:
        """The hook on a leaf: the walk hands ``grad`` to it (for its ``.grad``)."""
        if threading.get_ident() != self.thread:
            return
        frame: Any = sys._getframe(1)
        delivery = None
        while frame is not None and frame is not self._top:
            if frame.f_code is _GRAD_CALL:
                raise TracingError(
                    f"{self.step_name}: minigrad.grad() inside the step returns gradients a replay cannot "
                    "give back; use loss.backward() (into .grad)"
                )
            if frame.f_code is _DELIVER:
                delivery = frame.f_locals["self"]
            frame = frame.f_back
        source = self._slots.get(id(grad._data))
        self.trace.deliveries.append((slot, self._constant(grad._data) if source is None else source))
        if slot in self.trace.parameters:
            self.effects.delivered(leaf, len(self.trace.deliveries) - 1, delivery, grad._data)
        else:  # NOTE: an input: a new tensor at each call, whose .grad the replay finds by position
            self.effects.effects.append(Deliver(len(self.trace.deliveries) - 1))
        if leaf.grad is not None:
            self._stores.add((id(leaf.grad), id(grad._data)))
            self._gradients.append(grad)

    def stepped(self, optimizer: Optimizer) -> None:
        """``optimizer.step()`` has just run (called by :meth:`Optimizer.step` while tracing): write it down.

        Examples
        --------
        >>> w = nn.Parameter([1.0])
        >>> opt = optim.SGD([w], lr=0.1)
        >>> def train(x):
        ...     (x * w).sum().backward()
        ...     opt.step()                       # which calls recorder.stepped(opt)
        >>> recorder = Recorder("train")
        >>> recorder.run(train, (Tensor([2.0]),), {})
        >>> [type(e).__name__ for e in recorder.trace.effects]
        ['Deliver', 'Step']
        """
        if threading.get_ident() != self.thread:
            return
        for p in self.effects.stepped(optimizer, self._step_name):
            self._stepped.add(id(p))
            if id(p) in self._read:  # NOTE: a change the replay makes too
                self._read[id(p)] = (weakref.ref(p), p._version)

    def _step_name(self, p: Tensor) -> str:
        """A parameter's name in an optimiser step's code: its value's (p2), or q0, q1, ... for one no op reads."""
        name = self._step_names.get(id(p))
        if name is None:
            slot = self._slots.get(id(p._data))
            known = slot is not None and self.trace.parameters.get(slot) is p
            name = self._step_names[id(p)] = f"p{slot}" if known else f"q{len(self._step_names)}"
        return name

    def refuse(self, message: str) -> None:
        """Refuse the step, for what it did that a replay would not do (called where that happens).

        Examples
        --------
        >>> Recorder("train").refuse("it did what a replay would not")
        Traceback (most recent call last):
        minigrad.tracing.trace.TracingError: train: it did what a replay would not
        """
        if threading.get_ident() == self.thread:
            raise TracingError(f"{self.step_name}: {message}")

    def _running_rule(self) -> int | None:
        """The forward op whose backward rule is running now, if any: the walk sets its ctx's ``output``
        only meanwhile (see :class:`Context`)."""
        contexts, hint = self._contexts, self._rule_hint
        if hint < len(contexts) and getattr(contexts[hint], "output", None) is not None:
            return hint
        # NOTE: the walk takes the nodes from the last towards the first: look below the last one first.
        for i in (*range(min(hint, len(contexts) - 1), -1, -1), *range(len(contexts) - 1, hint, -1)):
            context = contexts[i]
            if context is not None and context.output is not None:
                self._rule_hint = i
                return i
        return None

    # --- what cannot be replayed ------------------------------------------------------------------------

    def _check_modules(self) -> None:
        """Refuse the modules running this op that do what a replay would not: hooks, running
        statistics, random masks. NOTE: found on the call stack, in the frames of Module.__call__."""
        frame: Any = sys._getframe(2)
        while frame is not None and frame is not self._top:
            if frame.f_code is _MODULE_CALL:
                module = frame.f_locals["self"]
                if id(module) not in self._modules:
                    self._modules[id(module)] = module
                    refuse_module(self.step_name, module)
            frame = frame.f_back

    def _name_parameters(self) -> None:
        """Each parameter's name in the outermost module seen that holds it ('0.weight')."""
        for module in self._modules.values():
            for name, p in module.named_parameters():
                slot = self._slots.get(id(p._data))
                if slot in self.trace.parameters and len(name) > len(self.trace.names.get(slot, "")):
                    self.trace.names[slot] = name

    def _check_tensor(self, x: Tensor) -> None:
        """Refuse a tensor an op reads (or a rule's output) that a replay would not treat as eagerly:
        changed in place since an op first read it, hooked, or keeping its gradient."""
        first = self._read.get(id(x))
        if first is None or first[0]() is not x:  # NOTE: seen first now (or the id of a tensor that died)
            self._read[id(x)] = (weakref.ref(x), x._version)
        elif first[1] != x._version:
            raise TracingError(
                f"{self.step_name}: a tensor of shape {x.shape} was changed in place during the step (an "
                "optimiser step, x += ...); a replay would not; do it outside the compiled step"
            )
        if [h for h in x._hooks or () if id(h) not in self._mine]:
            raise TracingError(
                f"{self.step_name}: a tensor of shape {x.shape} has a hook, which a replay would not call"
            )
        if x._retains_grad:
            raise TracingError(
                f"{self.step_name}: retain_grad() on a tensor of shape {x.shape}: a replay keeps no "
                "intermediate gradients; return what you need from the step instead"
            )

    def _check_after(self, result: Any) -> None:
        for x in [ref() for ref, _ in self._read.values()] + _flat(result):
            if x is not None:
                self._check_tensor(x)

    def _result_slots(self, result: Any) -> Any:
        if result is None:
            return None
        if isinstance(result, Tensor):
            slot = self._slots.get(id(result._data))
            return Slot(self._constant(result._data) if slot is None else slot)
        if isinstance(result, (tuple, list)):
            return type(result)(self._result_slots(x) for x in result)
        raise TracingError(
            f"{self.step_name}: the step returned a {type(result).__name__}; a compiled step returns Tensors "
            "(or a tuple or list of them, or None); call .item() on them outside"
        )


def _forget(slots: dict[int, int], key: int, slot: int) -> None:
    """An array has died: its id may be another array's from now on."""
    if slots.get(key) == slot:
        del slots[key]


def _flat(result: Any) -> list[Tensor]:
    """The Tensors a step returned."""
    if isinstance(result, (tuple, list)):
        return [x for item in result for x in _flat(item)]
    return [result] if isinstance(result, Tensor) else []
