"""The steps of the explorer: the backward pass of one graph, one node at a time.

Step 0 is the forward pass (every value). Then one step per tensor, in the order minigrad's own
reverse walk (:func:`~minigrad.autograd.walk.run_backward`) takes them: the order is not
recomputed here but recorded, by a hook on every tensor during one backward pass of the walk
itself (with :func:`minigrad.grad`, so no ``.grad`` changes). Each step shows

- the gradient arriving at the node, d root / d node: for a value that several ops used, the
  sum of what each of them sent back, term by term;
- the rule of the op that made it, as its docstring writes it (f and f'), and for each input the
  op's local derivative and the product it sends back (gradient x local derivative);
- for a gradient that is zero, vanishing or NaN / inf (the four states of the pictures), what
  :func:`~minigrad.diagnostics.why_zero` says about why.

Every number comes from :func:`~minigrad.analysis.trace.trace`, the pictures' own pass. In
'layers' mode one step covers one leaf module call (its ops and the parameters only it uses
fold into one node, as in :func:`~minigrad.viz.layers.fold`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from minigrad.analysis import stats
from minigrad.analysis.record import ModuleCall, Recording
from minigrad.analysis.trace import Op, Trace, Value, trace
from minigrad.autograd import grad as autograd_grad
from minigrad.diagnostics.why import explain
from minigrad.tensor import Tensor
from minigrad.viz import dot
from minigrad.viz.layers import fold


@dataclass(eq=False)
class Send:
    """What a step sends back to one input: the local derivative (or RMS gain) and the product.

    ``local`` is set for an op elementwise in that input, ``gain`` for the others (a matmul, a
    sum); ``product`` is None where nothing flows back (an input that needs no gradient).

    Examples
    --------
    >>> x = Tensor(3.0, requires_grad=True, name="x")
    >>> send = build_steps(x * 2, recording=None).steps[0].sends[0]
    >>> send.title, float(send.local), float(send.product), send.state
    ('input x', 2.0, 2.0, 'ok')
    """

    key: str
    title: str
    product: np.ndarray | None
    local: np.ndarray | None = None
    gain: float | None = None
    state: str = "ok"


@dataclass(eq=False)
class Step:
    """One node of the backward walk.

    ``key`` is the node's name in the picture (v3, or L1 for a module call in 'layers' mode),
    ``nodes`` and ``edges`` what the picture highlights, ``grad`` the gradient arriving (d root /
    d node; None where no gradient reached it), ``terms`` the parts that summed to it (op key,
    op name, part) when more than one op used the value, ``rule`` the op's docstring line.

    Examples
    --------
    >>> x = Tensor(-1.0, requires_grad=True, name="x")
    >>> step = build_steps(x.relu(), recording=None).steps[0]
    >>> step.key, step.nodes, step.edges, step.op, float(step.grad)
    ('v0', ['v0', 'f0'], ['v1->f0', 'f0->v0'], 'ReLU', 1.0)
    """

    key: str
    title: str
    grad: np.ndarray | None
    nodes: list[str]
    edges: list[str] = field(default_factory=list)
    terms: list[tuple[str, str, np.ndarray]] = field(default_factory=list)
    op: str | None = None
    rule: str | None = None
    sends: list[Send] = field(default_factory=list)
    leaves: dict[str, np.ndarray] = field(default_factory=dict)  # node key -> gradient, for a leaf
    state: str = "ok"
    why: str | None = None
    see: tuple[str, str, str] | None = None  # (key, title, op) of the flagged value it comes from
    units: dict[str, int] = field(default_factory=dict)  # unit state -> count, for an activation


@dataclass(eq=False)
class Steps:
    """The forward values (key -> title, array) and the backward steps of one graph.

    ``leaf_grads()`` gathers the leaves' gradients (by node key) as the steps deliver them: after
    the last step, what ``backward()`` stores in ``.grad``.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> steps = build_steps(x.exp(), recording=None)
    >>> steps.mode, steps.forward["v1"][0], [step.key for step in steps.steps]
    ('ops', 'input x', ['v0', 'v1'])
    """

    trace: Trace
    mode: str
    forward: dict[str, tuple[str, np.ndarray]]
    steps: list[Step]

    def leaf_grads(self) -> dict[str, np.ndarray]:
        """Node key -> gradient of every leaf that needs one, from the steps that delivered it.

        Examples
        --------
        >>> x = Tensor([1.0, -2.0], requires_grad=True, name="x")
        >>> build_steps(x.relu().sum(), recording=None).leaf_grads()
        {'v2': array([1., 0.])}
        """
        grads: dict[str, np.ndarray] = {}
        for step in self.steps:
            grads.update(step.leaves)
        return grads


def build_steps(
    root: Tensor,
    recording: Recording | None,
    mode: str = "ops",
    gradient: np.ndarray | None = None,
    threshold: float = 1e-6,
) -> Steps:
    """The explorer's steps for the graph of ``root`` ('ops': one per tensor; 'layers': one per
    leaf module call, the others as in 'ops').

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> y = x * x
    >>> steps = build_steps(y + y, recording=None)
    >>> [(s.key, s.op, float(s.grad)) for s in steps.steps]
    [('v0', 'Add', 1.0), ('v1', 'Mul', 2.0), ('v2', None, 8.0)]
    >>> [(op, float(part)) for _, op, part in steps.steps[1].terms]   # y used twice by the Add
    [('Add', 1.0), ('Add', 1.0)]
    """
    traced = trace(root, gradient=gradient, threshold=threshold, recording=recording)
    titles = {v: dot.title_of(v, recording) for v in traced.values}
    forward = {v.key: (titles[v], v.tensor.numpy()) for v in traced.values}
    order = walk_order(traced, gradient)
    if mode == "layers":
        assert recording is not None  # explore() checks it
        steps = _layer_steps(traced, order, titles, recording)
    else:
        consumers = dot.consumers_of(traced)
        steps = [_value_step(traced, v, titles, recording, consumers) for v in order]
    return Steps(traced, mode, forward, steps)


def walk_order(traced: Trace, gradient: np.ndarray | None = None) -> list[Value]:
    """The values that need a gradient, in the order minigrad's reverse walk takes them.

    A hook on each tensor records when the walk hands it its complete gradient, during one
    backward pass through the retained graph (no ``.grad`` changes). NOTE: a value no gradient
    reached gets no hook call; those come last, root first.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> a, b = Tensor(1.0, requires_grad=True, name="a"), Tensor(2.0, requires_grad=True, name="b")
    >>> [v.tensor.name or v.producer.name for v in walk_order(trace((a * b).exp()))]
    ['Exp', 'Mul', 'b', 'a']
    """
    needing = [v for v in traced.values if v.tensor.requires_grad]
    of_tensor = {v.tensor: v for v in needing}
    taken: list[Value] = []

    def taking(tensor: Tensor) -> Callable[[Tensor], None]:
        return lambda _: taken.append(of_tensor[tensor])

    handles = [v.tensor.register_hook(taking(v.tensor)) for v in needing]
    root_grad = None if gradient is None else (Tensor(gradient, dtype=traced.root.tensor.dtype),)
    try:
        with np.errstate(all="ignore"):
            autograd_grad(
                traced.root.tensor, [v.tensor for v in needing], root_grad, retain_graph=True, allow_unused=True
            )
    finally:
        for handle in handles:
            handle.remove()
    reached = set(taken)
    return taken + [v for v in needing if v not in reached]


def rule_of(op: Op) -> str:
    """The first line of the op's docstring: its f and f', as the op's class writes them.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> rule_of(trace(Tensor(1.0, requires_grad=True).sigmoid()).ops[0])
    "sigmoid(x) = 1 / (1 + e^-x);  sigmoid'(x) = sigmoid(x) sigmoid(-x)"
    """
    doc = inspect.getdoc(op.ctx.function)
    return doc.splitlines()[0] if doc else op.name


def flow_state(flow: np.ndarray | None, scale: float, threshold: float, never_zero: bool = False) -> str:
    """How a gradient sent back looks: 'nonfinite', 'zero' (by the op's rule), 'underflow' (zero
    from an op whose derivative is never 0: rounding), 'vanishing' (relative RMS below
    ``threshold``) or 'ok'.

    Examples
    --------
    >>> flow_state(np.array([0.0, np.inf]), 1.0, 1e-6), flow_state(np.zeros(2), 1.0, 1e-6), flow_state(np.array([1e-9]), 1.0, 1e-6)
    ('nonfinite', 'zero', 'vanishing')
    >>> flow_state(np.zeros(2), 1.0, 1e-6, never_zero=True)        # a sigmoid far in its tail
    'underflow'
    """
    if flow is None:
        return "ok"
    if not np.all(np.isfinite(flow)):
        return "nonfinite"
    if not np.any(flow):
        return "underflow" if never_zero else "zero"
    return "vanishing" if stats.rms(flow) / scale < threshold else "ok"


def _consumer_terms(value: Value, consumers: dict[Value, list[Op]]) -> list[tuple[str, str, np.ndarray]]:
    """The parts of the value's gradient, one per use by an op (only when there are several)."""
    uses = dict.fromkeys(consumers.get(value, ()))  # NOTE: an op that used it twice is listed twice
    terms = [
        (op.key, op.name, edge.flow)
        for op in uses
        for edge in op.edges
        if edge.source is value and edge.flow is not None
    ]
    return terms if len(terms) > 1 else []


def _why(
    step: Step,
    traced: Trace,
    value: Value,
    recording: Recording | None,
    consumers: dict[Value, list[Op]],
    titles: dict[Value, str],
) -> None:
    """Where the gradient becomes flagged, why_zero's explanation of it (``step.why``); further
    back along a flagged chain, the value it comes from (``step.see``).

    NOTE: explaining every value of a long fading chain would walk the graph once per value.
    """
    if value.state in (None, "ok") or value is traced.root:
        return
    for op in consumers.get(value, ()):
        if op.output.state == value.state:
            step.see = (op.output.key, titles[op.output], op.name)
            return
    step.why = str(explain(traced, value, recording))


def _units(value: Value) -> dict[str, int]:
    """How many units of an activation's output are alive, saturated, dead (none: not an activation)."""
    if value.units is None:
        return {}
    return {
        state: int(np.sum(value.units == i)) for i, state in enumerate(stats.UNIT_STATES) if np.any(value.units == i)
    }


def _sends(traced: Trace, op: Op, titles: dict[Value, str], key_of: dict[Value, str]) -> list[Send]:
    return [
        Send(
            key_of.get(edge.source, edge.source.key),
            titles[edge.source],
            edge.flow,
            edge.local,
            edge.gain,
            flow_state(edge.flow, traced.scale, traced.threshold, stats.derivative_never_zero(op.ctx.function)),
        )
        for edge in op.edges
    ]


def _value_step(
    traced: Trace,
    value: Value,
    titles: dict[Value, str],
    recording: Recording | None,
    consumers: dict[Value, list[Op]],
    key_of: dict[Value, str] | None = None,
) -> Step:
    """The step of one tensor: its gradient arriving, and what its op sends back to each input."""
    key_of = key_of or {}
    key = value.key
    step = Step(key, titles[value], value.grad, [key], state=value.state or "ok")
    step.terms = _consumer_terms(value, consumers)
    _why(step, traced, value, recording, consumers, titles)
    step.units = _units(value)
    op = value.producer
    if op is None:
        if value.grad is not None:
            step.leaves[value.key] = value.grad
        return step
    step.nodes.append(op.key)
    step.op, step.rule = op.name, rule_of(op)
    step.sends = _sends(traced, op, titles, key_of)
    step.edges = [f"{key_of.get(edge.source, edge.source.key)}->{op.key}" for edge in op.edges if edge.flow is not None]
    step.edges.append(f"{op.key}->{key}")
    return step


def _layer_steps(traced: Trace, order: list[Value], titles: dict[Value, str], recording: Recording) -> list[Step]:
    """One step per leaf module call (at the first of its tensors the walk takes), the values
    outside every leaf call one step each, as in 'ops' mode."""
    members, folded = fold(traced)
    keys = {call: f"L{i}" for i, call in enumerate(members)}
    key_of = {value: keys[call] for value, call in folded.items()}
    outputs = {v.tensor: v for v in traced.values}
    consumers = dot.consumers_of(traced)
    steps: list[Step] = []
    done: set[ModuleCall] = set()
    for value in order:
        call = folded.get(value)
        if call is None:
            steps.append(_value_step(traced, value, titles, recording, consumers, key_of))
        elif call not in done:
            done.add(call)
            output = outputs.get(call.output)
            output = output if output in folded else members[call][0].output
            steps.append(
                _call_step(traced, call, members[call], output, keys[call], key_of, titles, recording, consumers)
            )
    return steps


def _call_step(
    traced: Trace,
    call: ModuleCall,
    ops: list[Op],
    output: Value,
    key: str,
    key_of: dict[Value, str],
    titles: dict[Value, str],
    recording: Recording,
    consumers: dict[Value, list[Op]],
) -> Step:
    """The step of one leaf module call: the gradient at its output, its parameters' gradients,
    and what it sends back to each value it read from outside (summed over its ops)."""
    doc = inspect.getdoc(type(call.module))
    kind = type(call.module).__name__
    step = Step(key, f"{call.label} · {kind}", output.grad, [key], state=output.state or "ok")
    step.op, step.rule = kind, doc.splitlines()[0] if doc else kind
    _why(step, traced, output, recording, consumers, titles)
    step.units = _units(output)
    incoming: dict[Value, list[np.ndarray]] = {}
    single: dict[Value, Send] = {}
    for op in ops:
        for send, edge in zip(_sends(traced, op, titles, key_of), op.edges):
            if key_of.get(edge.source) != key:
                incoming.setdefault(edge.source, [])
                if edge.flow is not None:
                    incoming[edge.source].append(edge.flow)
                single[edge.source] = send
    for source, flows in incoming.items():
        total = sum(flows[1:], flows[0]) if flows else None
        send = (
            single[source]
            if len(ops) == 1 and len(flows) <= 1
            else Send(key_of.get(source, source.key), titles[source], total)
        )
        if send.local is None and total is not None and output.grad is not None and stats.rms(output.grad):
            send.gain = stats.rms(total) / stats.rms(output.grad)
        send.state = flow_state(total, traced.scale, traced.threshold)
        step.sends.append(send)
        if total is not None:
            step.edges.append(f"{send.key}->{key}")
    for value, owner in key_of.items():
        if owner == key and value.role == "param" and value.grad is not None:
            step.leaves[value.key] = value.grad
    return step
