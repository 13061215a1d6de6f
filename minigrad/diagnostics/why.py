"""why_zero(tensor, root): which ops stop the gradient on its way from ``root`` to ``tensor``.

It reads :func:`minigrad.analysis.trace.trace`, the drawing's own pass: one backward through
the graph with :func:`minigrad.grad` (``retain_graph=True``, no ``.grad`` changed) that gives
the gradient at every value and each op's local derivative along every edge. So the graph must
still be there: call why_zero before ``loss.backward()``, or after
``loss.backward(retain_graph=True)``.

From the root, along every path that leads to ``tensor`` (walked with
:func:`~minigrad.analysis.graph.walk_graph`), the first op whose local derivative is zero or tiny
(below 1 % of the largest derivative its class states: 0.0025 for a sigmoid; below 0.01 for an op
that states none) is named with its input and the regime it was in, and the walk stops there. An
op that blocks only some units (a ReLU layer with dead units) is named and the walk goes on
through the others. When nothing blocks, the gradient may still fade as a product of many
factors: the path that carries the most gradient is summarised op kind by op kind.

>>> from minigrad import Tensor
>>> x = Tensor([-2.0, -0.5], requires_grad=True)
>>> print(why_zero(x, (3 * x).relu().sum()))
gradient of the tensor: zero (rms 0 of the root's)
  - ReLU (2,): relu input at most -1.5: 2 of 2 units dead [stops all of it]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad.analysis import stats
from minigrad.analysis.graph import op_inputs, walk_graph
from minigrad.analysis.record import Recording
from minigrad.analysis.trace import Edge, Op, Trace, Value, trace
from minigrad.autograd import call_backward, no_grad
from minigrad.nn.activations import ACTIVATIONS
from minigrad.report import number
from minigrad.tensor import Tensor

ACTIVATION_OPS = frozenset(cls.__name__.lower() for cls in ACTIVATIONS.values())


@dataclass
class Cause:
    """One op that shrinks the gradient: ``kind`` is 'dead', 'saturated', 'tiny', 'zero' or 'product'.

    Examples
    --------
    >>> x = Tensor([-2.0, 1.0], requires_grad=True)
    >>> why_zero(x, (3 * x).relu().sum()).causes[0]
    Cause(where='ReLU (2,)', kind='dead', message='relu input -6: 1 of 2 units dead', blocking=False, numbers={'max_input': -6.0, 'units': 1, 'of': 2, 'examples': 1})
    """

    where: str
    kind: str
    message: str
    blocking: bool
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Explanation:
    """What why_zero found: the tensor's state (as the graph pictures flag it) and the causes.

    Examples
    --------
    >>> x = Tensor([0.5], requires_grad=True)
    >>> y = x
    >>> for _ in range(20):
    ...     y = y.sigmoid()
    >>> print(why_zero(x, y.sum()))
    gradient of the tensor: vanishing (rms 1.1e-13 of the root's)
      - path from the root: product of 20 Sigmoid derivatives, each at most 0.25 (measured max 0.235): together they scale the gradient by 1.1e-13, 0.225 per op
    """

    state: str
    relative: float
    causes: list[Cause]

    def __str__(self) -> str:
        lines = [f"gradient of the tensor: {self.state} (rms {number(self.relative)} of the root's)"]
        for cause in self.causes:
            lines.append(f"  - {cause.where}: {cause.message}" + (" [stops all of it]" if cause.blocking else ""))
        if not self.causes:
            lines.append("  - no op on the way has a zero or tiny derivative")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The state, the relative size and the causes as plain data, for a JSON file.

        Examples
        --------
        >>> x = Tensor([-2.0, -1.0], requires_grad=True)
        >>> report = why_zero(x, x.relu().sum()).to_dict()
        >>> report["state"], [cause["kind"] for cause in report["causes"]]
        ('zero', ['dead'])
        """
        return {"state": self.state, "relative": self.relative, "causes": [vars(c) for c in self.causes]}


def why_zero(
    tensor: Tensor,
    root: Tensor,
    recording: Recording | None = None,
    level: float = stats.SATURATION_LEVEL,
    threshold: float = 1e-6,
) -> Explanation:
    """Explain why the gradient of ``root`` with respect to ``tensor`` is zero or vanishing.

    Parameters
    ----------
    tensor : Tensor
        A parameter or an intermediate value that led to ``root``.
    root : Tensor
        Usually the loss; its graph must still be there (see the module docstring).
    recording : Recording, optional
        From ``with minigrad.analysis.record(model) as recording:`` around the forward pass: ops are
        then named by their module ('layers.4').
    level : float
        A derivative below ``level`` times the op's largest one counts as tiny.
    threshold : float
        Relative RMS gradient below which the tensor's gradient counts as vanishing.

    Returns
    -------
    Explanation
        Prints as a list of causes; ``.causes`` holds them with their numbers.

    Examples
    --------
    >>> from minigrad.analysis import record
    >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Sigmoid(), nn.Linear(2, 1, rng=1))
    >>> with record(model) as recording:
    ...     loss = model(Tensor([[100.0, -100.0]])).sum()
    >>> print(why_zero(model[0].weight, loss, recording=recording))
    gradient of the tensor: ok (rms 0.765 of the root's)
      - 1 (Sigmoid): sigmoid input 52.4: 1 of 2 units saturated
    """
    if any(t.grad_fn is not None and t.grad_fn.released for t in walk_graph([root], op_inputs)):
        raise RuntimeError(
            "why_zero: backward() already freed the graph; call why_zero before "
            "loss.backward(), or after loss.backward(retain_graph=True)"
        )
    traced = trace(root, threshold=threshold, recording=recording)
    values = {v.tensor: v for v in traced.values}
    if not tensor.requires_grad or tensor not in values:
        raise ValueError(f"why_zero: the tensor (shape {tensor.shape}) did not lead to the root, or needs no gradient")
    return explain(traced, values[tensor], recording, level)


def explain(
    traced: Trace, target: Value, recording: Recording | None, level: float = stats.SATURATION_LEVEL
) -> Explanation:
    """:func:`why_zero`'s explanation for the value ``target`` of a trace already made.

    Examples
    --------
    >>> x = Tensor([-2.0, -0.5], requires_grad=True)
    >>> traced = trace((3 * x).relu().sum())
    >>> explain(traced, traced.values[-1], None).state
    'zero'
    """
    leads = {target}  # the values on some path from the root to the target
    for value in walk_graph([traced.root], Value.inputs, inputs_first=True):
        if any(source in leads for source in value.inputs()):
            leads.add(value)
    causes: list[Cause] = []

    def inputs_to_follow(value: Value) -> list[Value]:
        """Judge the op that made ``value`` on each edge towards the target; go on past the
        edges it does not block entirely."""
        if value is target or value.producer is None:
            return []
        op, following = value.producer, []
        for edge in op.edges:
            if edge.source in leads:
                cause = _judge(op, edge, level, recording)
                if cause is not None:
                    causes.append(cause)
                if cause is None or not cause.blocking:
                    following.append(edge.source)
        # NOTE: the last input first: in a residual block, x + f(x), the branch f is judged before
        # the skip path x, so the causes read from the root back.
        return following[::-1]

    for _ in walk_graph([traced.root], inputs_to_follow):
        pass  # NOTE: the walk judges each op as it reaches it; `causes` keeps what it found.
    state = target.state or "zero"
    if state != "ok" and not any(c.blocking for c in causes):
        causes += _product(traced.root, target, leads)
    relative = 0.0 if target.grad is None else stats.rms(target.grad) / traced.scale
    return Explanation(state, relative, causes)


def _where(op: Op, recording: Recording | None) -> str:
    call = recording.module_of(op.ctx) if recording is not None else None
    return f"{call.label} ({op.name})" if call is not None else f"{op.name} {op.output.tensor.shape}"


def _judge(op: Op, edge: Edge, level: float, recording: Recording | None) -> Cause | None:
    """A Cause when this op's derivative along ``edge`` is zero or tiny on some units, else None."""
    where = _where(op, recording)
    if edge.local is None:  # a matmul or a reduction: only a zero gain blocks (a mean's 1/n is no fault)
        if edge.gain != 0 or not _passes_back_none(op, edge):
            return None
        return Cause(where, "zero", "passes back none of the gradient it receives", True)
    name, family, peak = op.name.lower(), stats.family(op.ctx.function), stats.derivative_peak(op.ctx.function)
    small = np.abs(edge.local) < level * (1.0 if peak is None else peak)
    blocked = np.all(small, axis=tuple(range(small.ndim - 1))) if small.ndim else small
    if not np.any(blocked):
        return None
    inputs = np.broadcast_to(edge.source.tensor.numpy(), small.shape)[..., blocked]
    count, units = int(np.sum(blocked)), blocked.size
    examples = small.size // units
    if family == "relu":
        kind, numbers = "dead", {"max_input": float(inputs.max())}
        regime = f"relu input {'at most ' if inputs.size > 1 else ''}{number(numbers['max_input'])}"
    elif family == "saturating":
        kind, numbers = "saturated", {"min_abs_input": float(np.abs(inputs).min())}
        regime = (
            f"{name} input {number(float(inputs.flat[0]))}"
            if inputs.size == 1
            else f"{name} input at least {number(numbers['min_abs_input'])} in size"
        )
    else:
        kind, numbers = "tiny", {"max_local": float(np.abs(edge.local[..., blocked]).max())}
        regime = f"{name} derivative at most {number(numbers['max_local'])}"
    if examples > 1:
        regime += f" on all {examples} examples"
    state = f"{count} of {units} units {kind}" if units > 1 else f"{kind} unit"
    numbers.update(units=count, of=units, examples=examples)
    return Cause(where, kind, f"{regime}: {state}", bool(np.all(blocked)), numbers)


def _passes_back_none(op: Op, edge: Edge) -> bool:
    """Whether the op sends nothing back along ``edge`` even for a gradient of ones (a zero weight
    matrix). NOTE: a zero flow the op would pass on is not its doing: the stack of an RNN's states
    sends h_t nothing when the loss reads only h_T, and h_t gets its gradient through h_{t+1}."""
    with no_grad(), np.errstate(all="ignore"):
        ones = Tensor(np.ones(op.output.tensor.shape, op.output.tensor.dtype))
        answer = call_backward(op.ctx, op.output.tensor, ones)[op.edges.index(edge)]
    return answer is None or not np.any(answer.numpy())


def _flow_rms(edge: Edge) -> float:
    """RMS of the gradient sent back along ``edge`` (0 when none was)."""
    return 0.0 if edge.flow is None else stats.rms(edge.flow)


def _heaviest_edge(value: Value, target: Value, leads: set[Value]) -> Edge | None:
    """The edge into the op that made ``value`` that carries the most gradient on towards
    ``target``; None at the target, at a leaf, or where no gradient arrived."""
    if value is target or value.producer is None or value.grad is None:
        return None
    edges = [e for e in value.producer.edges if e.source in leads and e.flow is not None]
    return max(edges, key=_flow_rms, default=None)


def _product(root: Value, target: Value, leads: set[Value]) -> list[Cause]:
    """Follow the edge carrying the most gradient from ``root`` to ``target`` and summarise, per
    activation kind, the factor it multiplies the gradient by (RMS gains, which telescope: their
    product over the path is the gradient at ``target`` over the root's)."""

    def heaviest_input(value: Value) -> list[Value]:
        edge = _heaviest_edge(value, target, leads)
        return [] if edge is None else [edge.source]

    groups: dict[str, dict[str, Any]] = {}
    for value in walk_graph([root], heaviest_input):
        edge = _heaviest_edge(value, target, leads)
        if edge is None:  # the target, a leaf, or no gradient: the path ends here
            break
        assert value.producer is not None and value.grad is not None  # as _heaviest_edge found an edge
        arriving = stats.rms(value.grad)
        if not arriving:  # NOTE: nothing is left to scale: the ops past here are not why it is zero
            break
        group = groups.setdefault(
            value.producer.name, {"op": value.producer.ctx.function, "count": 0, "product": 1.0, "max_local": 0.0}
        )
        group["count"] += 1
        group["product"] *= _flow_rms(edge) / arriving
        if edge.local is not None:
            group["max_local"] = max(group["max_local"], float(np.abs(edge.local).max(initial=0.0)))
    causes: list[Cause] = []
    for name, g in sorted(groups.items(), key=lambda item: item[1]["product"]):
        if name.lower() not in ACTIVATION_OPS or g["product"] >= 1:
            continue
        peak = stats.derivative_peak(g["op"])
        bound = f", each at most {number(peak)}" if peak is not None else ""
        message = (
            f"product of {g['count']} {name} derivatives{bound} (measured max {number(g['max_local'])}): "
            f"together they scale the gradient by {number(g['product'])}, "
            f"{number(g['product'] ** (1 / g['count']))} per op"
        )
        others = [
            f"{n} ×{number(o['product'])}" for n, o in groups.items() if n != name and abs(o["product"] - 1) > 1e-6
        ]
        if others:
            message += "; the other ops on the path: " + ", ".join(others)
        numbers = {"ops": g["count"], "product": g["product"], "max_local": g["max_local"], "bound": peak}
        causes.append(Cause("path from the root", "product", message, False, numbers))
    return causes
