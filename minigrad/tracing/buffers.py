"""Buffer reuse in a replay: the lines that write into the array they made at the previous call.

A replay makes arrays of the same shapes at every call. For a line whose op's forward is one
NumPy call that can write into an array (``Mul``'s is ``x * y``, that is ``np.multiply``), the
replay passes ``out=`` the array that line made at the previous call instead of asking NumPy
for a new one: the same loop on the same values, so the same bits. This pays only where a new
array is dear: a large one (``REUSE_BYTES`` or more) under glibc's default malloc, which hands
each freed block above its threshold back to the system, so that the next call's array costs
page faults (W2, by hand: 12.9 ms a step with new arrays, 9.1 ms writing into kept ones). A
small array comes from malloc's free lists for less than the ``out=`` keyword costs.

Never for an array the user can hold after the call: a value the step returns, a gradient put
into ``.grad`` or handed to an optimiser's update, nor any value that such an array may be a
view of (an op outside the table may return a view of its input, or of what its forward saved).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.ops.arithmetic import Add, Div, MatMul, Mul, Neg, Sub
from minigrad.ops.elementwise import Exp, Log, Sqrt
from minigrad.ops.sigmoid_family import Tanh
from minigrad.tracing.trace import Saved, Slot, Trace

__all__ = ["INTO", "REUSE_BYTES", "reused"]

# NOTE: the ops whose forward is exactly this NumPy call on its inputs (tests/test_tracing_buffers.py checks it)
INTO: dict[type, Any] = {
    Add: np.add,
    Sub: np.subtract,
    Mul: np.multiply,
    Div: np.divide,
    Neg: np.negative,
    MatMul: np.matmul,
    Exp: np.exp,
    Log: np.log,
    Sqrt: np.sqrt,
    Tanh: np.tanh,
}
REUSE_BYTES = 1 << 18  # NOTE: 256 KiB: above glibc's default mmap threshold (128 KiB), where new arrays fault


def reused(trace: Trace) -> list[int]:
    """The ops (their indices) whose output a replay writes into the array it made at the previous call.

    Examples
    --------
    >>> w = Tensor(np.ones((256, 256)), requires_grad=True)
    >>> step = minigrad.compile(lambda x: (x * w).tanh().sum().backward())
    >>> for _ in range(3):
    ...     step(Tensor(np.ones((256, 256))))
    >>> [step.program.trace.ops[i].function.__name__ for i in reused(step.program.trace)]
    ['Mul', 'Tanh']
    """
    escapes = set(_slots(trace.outputs)) | {g for _, g in trace.deliveries}
    for op in reversed(trace.ops):  # NOTE: a value escapes if what escapes may be a view of it
        if op.out in escapes and op.function not in INTO:
            escapes.update(op.args, _slots(op.params))
            for saved in _saved(op.params):
                escapes.update(trace.ops[saved.op].args, [trace.ops[saved.op].out])
    return [
        i
        for i, op in enumerate(trace.ops)
        if op.function in INTO
        and not op.params
        and op.out not in escapes
        and np.prod(trace.shapes[op.out]) * trace.dtypes[op.out].itemsize >= REUSE_BYTES
    ]


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
    """What an op's parameters read from another op's ctx."""
    found: list[Saved] = []
    for value in params.values():
        items = value if isinstance(value, (tuple, list)) else (value,)
        found += [v for v in items if isinstance(v, Saved)]
    return found
