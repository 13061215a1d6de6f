"""``minigrad.compile(step)``: trace a training step once, print it as straight-line code, replay it.

The eager engine pays, for every op, for the machinery that makes it general: a Tensor, a
Context, a node for the walk to find, and the walk itself. A training step runs the same ops
on new data every time, so all of that can be done once. ``step = minigrad.compile(fn)``:

1. **Tracing.** The first call runs ``fn`` eagerly, exactly as without compile, while every op
   that runs is written down: the forward ops, and (``fn`` calls ``loss.backward()``) the ops
   of each backward rule, which are Tensor ops like any other, and the walk's sums where a
   value is used twice. The backward pass is just more code. (:mod:`.recorder`) An optimiser's
   ``step()`` inside ``fn`` is written down as its own update run once more on symbols, which
   gives it as lines of NumPy (:mod:`.symbolic`); a ``zero_grad`` is seen in what it does to
   ``.grad`` (:mod:`.effects`).
2. **Checking.** The second call traces again and compares the two records: different ops
   mean a Python branch on the data; a constant that changed means a mask or a random draw
   computed outside the ops. Either is refused, as is what no record can hold (hooks, changes
   in place, ``create_graph=True``): a :class:`TracingError` names it.
3. **Replay.** From then on, a call with inputs of the same shapes and dtypes runs the record
   as a compiled Python function of plain arrays: each op's own ``forward``, nothing else.
   The gradients go into ``.grad`` as ``backward`` puts them, and the optimiser's update and
   ``zero_grad`` follow in the order ``fn`` had them: parameters, ``.grad`` and the optimiser's
   state (momentum buffers, moments, step count) end as eagerly, bit for bit. (:mod:`.program`)

``print(step.program)`` shows the record. Inputs of other shapes, dtypes or Python values are
traced anew (a small cache of programs). A replay returns Tensors without a graph: the step's
backward has already run inside it. A replay requires what the trace found: the same ``.grad``
None at the start, and each optimiser with the settings (a learning rate) and running values it
had; otherwise the call traces again, so a scheduler stepping between calls is followed.

Refused, each because a replay would silently differ from the eager step: two calls running
different ops (a Python branch on the data); a boolean mask or an index array made outside the
ops (``x > 0`` for ``where``, ``max(dim)``'s argmax), or any array made outside them whose value
changes between calls (a random draw); an array read from outside that is neither an input nor
a parameter; hooks (tensor, module and optimiser step hooks); Dropout and BatchNorm in training
mode; a change in place during the step other than an optimiser's step (``p -= lr * p.grad``, a
``.grad`` clipped in place or set by hand), and an op reading a parameter after the step changed
it; a learning-rate scheduler's ``step()`` and any change of an optimiser's settings inside the
step (a replay would not make them); ``create_graph=True``, ``retain_grad()`` and ``minigrad.grad()``; ``Pow`` with a
tensor exponent and Embedding with ``padding_idx`` (their backward branches on the data); a
result that is not Tensors. Python numbers in the step are kept as constants (the listing shows them).
Not seen, as in any tracer: a branch on Python state that the two traced calls share (a step
counter deciding when to step or zero the gradients); such a step must stay eager.
"""

from __future__ import annotations

import functools
import gc
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.tensor import Tensor
from minigrad.tracing.program import Program
from minigrad.tracing.recorder import Recorder
from minigrad.tracing.trace import TracingError

__all__ = ["compile", "CompiledStep", "TracingError"]


def compile(step: Callable[..., Any], cache_size: int = 8) -> CompiledStep:
    """``step`` traced on its first calls and replayed as straight-line code after (see :mod:`minigrad.tracing`).

    Parameters
    ----------
    step : callable
        Takes Tensors (and hashable Python values), runs forward and ``loss.backward()`` (and
        may take an optimiser's ``step()`` and ``zero_grad()`` too), and returns Tensors (or None).
    cache_size : int
        How many programs (one per set of input shapes, dtypes and Python values) are kept.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    >>> @minigrad.compile
    ... def step(x, y):
    ...     loss = F.mse_loss(model(x), y)
    ...     loss.backward()
    ...     return loss
    >>> rng = np.random.default_rng(0)
    >>> for _ in range(3):              # traced, traced again and compared, then replayed
    ...     model.zero_grad()
    ...     loss = step(Tensor(rng.normal(size=(4, 2))), Tensor(rng.normal(size=(4, 1))))
    >>> model[0].weight.grad.shape, step.replays
    ((3, 2), 1)
    >>> print(step.program)              # doctest: +ELLIPSIS
    x0  input 0                          # (4, 2)
    ...
    # forward
    v4 = Linear(x0, p2, p3)              # (4, 3)
    ...
    """
    if not callable(step):
        raise TypeError(f"compile: step must be a callable, got {type(step).__name__} {step!r:.60}")
    if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
        raise ValueError(f"compile: cache_size must be an int >= 1, got {cache_size!r:.40}")
    return CompiledStep(step, cache_size)


class CompiledStep:
    """A step that :func:`compile` traces and then replays; call it as the step itself.

    ``program`` is the latest traced :class:`~minigrad.tracing.program.Program` (print it);
    ``traces`` and ``replays`` count the calls of each kind.

    Examples
    --------
    >>> w = Tensor([1.0, -1.0], requires_grad=True)
    >>> step = minigrad.compile(lambda x: (x * w).sum().backward())
    >>> for i in range(4):
    ...     step(Tensor([1.0, float(i)]))
    >>> step.traces, step.replays, w.grad
    (2, 2, Tensor([4. 6.]))
    """

    def __init__(self, step: Callable[..., Any], cache_size: int) -> None:
        self.step, self.cache_size = step, cache_size
        self.name = getattr(step, "__name__", type(step).__name__)
        self._programs: OrderedDict[tuple[Any, ...], Program] = OrderedDict()
        self._first: dict[tuple[Any, ...], tuple[Program, list[bytes]]] = {}  # traced once, not yet checked
        self._latest: Program | None = None
        self.traces = self.replays = 0
        functools.update_wrapper(self, step)

    @property
    def program(self) -> Program:
        """The latest traced program: ``print(step.program)`` shows it as code."""
        if self._latest is None:
            raise RuntimeError(f"{self.name}: not traced yet; call the step first")
        return self._latest

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = _key(self.name, args, kwargs)
        tensors = [x for x in (*args, *kwargs.values()) if isinstance(x, Tensor)]
        program = self._programs.get(key)
        if program is not None:
            if program.ready():
                self.replays += 1
                return program.replay(tensors)
            del self._programs[key]  # NOTE: a parameter was replaced or frozen: trace again
        inputs = _fingerprints(x._data for x in tensors)  # NOTE: before the call, which may change them
        collecting = gc.isenabled()
        gc.disable()  # NOTE: a trace makes many small objects, and Python's collector would scan them again and again
        try:
            latest = self._latest  # NOTE: its parameters' .grad is watched from the start, its optimisers' settings
            recorder = Recorder(self.name, *(latest.watched() if latest is not None else ([], [])))
            result = recorder.run(self.step, args, kwargs)
            program = self._latest = Program(recorder.trace, self.name)
        finally:
            if collecting:
                gc.enable()
        self.traces += 1
        first, read = self._first.get(key), _fingerprints(p._data for p in program.parameters) + inputs
        if first is None:
            self._first[key] = (program, read)
        elif read != first[1]:
            # NOTE: only new data can show a branch on the data: the same data again waits for the next call
            first[0].check_same(program)
            del self._first[key]
            self._programs[key] = program
            if len(self._programs) > self.cache_size:  # NOTE: the program traced longest ago goes
                self._programs.popitem(last=False)
        return result


def _fingerprints(arrays: Iterable[np.ndarray]) -> list[bytes]:
    """A digest of each array's values: whether a second call read other data than the first, without
    keeping a copy of every parameter."""
    return [hashlib.blake2b(np.ascontiguousarray(a).data, digest_size=16).digest() for a in arrays]


def _key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """What a program is for: each Tensor argument's shape, dtype and requires_grad, each other
    argument's value, and the grad mode."""
    try:  # NOTE: the common case first, quickly: Tensors only, by position
        if not kwargs:
            return (is_grad_enabled(), *[(x._data.shape, x._data.dtype, x._requires_grad) for x in args])
    except AttributeError:
        pass
    key: list[Any] = [is_grad_enabled(), "by name"]
    for where, value in [*enumerate(args), *sorted(kwargs.items())]:
        if isinstance(value, Tensor):
            key.append((where, value.shape, value.dtype, value.requires_grad))
            continue
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"{name}: argument {where!r} is a {type(value).__name__}; a compiled step takes Tensors and "
                "hashable Python values (numbers, strings, tuples)"
            ) from None
        if isinstance(value, (tuple, frozenset)) and any(isinstance(v, Tensor) for v in value):
            raise TypeError(f"{name}: argument {where!r} holds Tensors; pass each Tensor as an argument of its own")
        key.append((where, type(value), value))
    return tuple(key)
