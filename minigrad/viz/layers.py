"""The 'layers' picture: one node per call of a leaf module (Linear, a convolution, an activation, a norm).

Each leaf call's ops, their outputs, and the parameters only it uses fold into one node, which
shows the call's output (values, gradient, state, unit strip) and the gradient of each of its
parameters. Ops made outside leaf modules (a residual add, the loss) are drawn as in 'ops' mode.
The edge into a layer is labelled with what the layer does to the gradient on its way back: the
local derivative for an elementwise layer (an activation), else the RMS gain.
"""

from __future__ import annotations

from collections.abc import Callable

import graphviz

from minigrad.analysis import stats
from minigrad.analysis.record import ModuleCall, Recording
from minigrad.analysis.trace import Edge, Op, Trace, Value
from minigrad.nn.convolution import Conv1d, Conv2d
from minigrad.nn.layers import Linear
from minigrad.viz import dot, style
from minigrad.viz.canvas import Canvas
from minigrad.viz.style import text


def draw_layers(
    trace: Trace, recording: Recording, title: str, rankdir: str, legend: bool, max_nodes: int
) -> graphviz.Digraph:
    """Draw ``trace`` with each leaf module call folded into one node.

    Examples
    --------
    >>> from minigrad.viz import record
    >>> from minigrad.analysis.trace import trace
    >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    >>> with record(model) as recording:
    ...     loss = model(Tensor(np.ones((4, 2)))).sum()
    >>> graph = draw_layers(trace(loss, recording=recording), recording, "3 layers", "TB", False, 400)
    >>> [line.split("[")[0].strip() for line in graph.body if "->" in line]    # L0: the last layer
    ['L1 -> L0', 'L2 -> L1', 'v4 -> L2', 'f0 -> v0', 'L0 -> f0']
    """
    members, folded = fold(trace)
    consumers = dot.consumers_of(trace)
    keys = {call: f"L{i}" for i, call in enumerate(members)}
    loose_values = [v for v in trace.values if v not in folded]
    loose_ops = [op for op in trace.ops if op.output not in folded]
    count = len(members) + len(loose_values) + len(loose_ops)
    if count > max_nodes:
        raise ValueError(
            f"draw_graph: even mode='layers' gives {count} nodes, more than max_nodes={max_nodes}; raise max_nodes"
        )

    def key_of(value: Value) -> str:
        return keys[folded[value]] if value in folded else value.key

    canvas = Canvas(title, rankdir)
    outputs = {v.tensor: v for v in trace.values}
    for call, ops in members.items():
        output = outputs.get(call.output)
        output = output if output in folded else ops[0].output
        params = [v for v, c in folded.items() if c is call and v.role == "param"]
        canvas.node(keys[call], call.parent, **layer_node(call, output, params, trace, recording))
        _layer_edges(canvas, call, ops, output, keys[call], key_of, trace.scale)
    for row in _rows(members, keys, key_of, recording):
        canvas.same_rank([keys[call] for call in row], row[0].parent)
    for value in loose_values:
        canvas.node(value.key, dot.placement(value, consumers), **dot.value_node(value, trace, recording))
    for op in loose_ops:
        canvas.node(op.key, op.module, **dot.op_node(op))
        canvas.edge(op.key, op.output.key, **dot.flow_edge(op.output.grad, trace.scale))
        for edge in op.edges:
            canvas.edge(key_of(edge.source), op.key, **dot.edge_label(edge), **dot.flow_edge(edge.flow, trace.scale))
    return canvas.finish(trace.threshold, legend, key_of(trace.root))


def fold(trace: Trace) -> tuple[dict[ModuleCall, list[Op]], dict[Value, ModuleCall]]:
    """The ops of each leaf module call, and the values folded into its node: the outputs of
    those ops, and the parameters and constants only that call uses. The node of the i-th call is 'Li'.

    Examples
    --------
    >>> from minigrad.viz import record
    >>> from minigrad.analysis.trace import trace
    >>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU())
    >>> with record(model) as recording:
    ...     loss = model(Tensor(np.ones((4, 2)))).sum()
    >>> members, folded = fold(trace(loss, recording=recording))
    >>> [call.label for call in members], sorted((v.key, call.label) for v, call in folded.items())
    (['1', '0'], [('v1', '1'), ('v2', '0'), ('v4', '0'), ('v5', '0')])
    """
    members: dict[ModuleCall, list[Op]] = {}
    folded: dict[Value, ModuleCall] = {}
    for op in trace.ops:
        if op.module is not None and op.module.is_leaf:
            members.setdefault(op.module, []).append(op)
            folded[op.output] = op.module
    consumers = dot.consumers_of(trace)
    for value in trace.values:
        calls = {op.module for op in consumers.get(value, ())}
        if value.producer is None and value.role in ("param", "const") and len(calls) == 1 and calls <= members.keys():
            folded[value] = calls.pop()  # type: ignore[assignment]  # one of members: not None
    return members, folded


def _rows(
    members: dict[ModuleCall, list[Op]],
    keys: dict[ModuleCall, str],
    key_of: Callable[[Value], str],
    recording: Recording,
) -> list[list[ModuleCall]]:
    """Each Linear or convolution with the layers right after it that read its output (a norm, an
    activation, a pooling): laid out side by side, they make a deep stack read one hidden layer per row."""
    order = {call: i for i, call in enumerate(recording.calls)}
    rows: list[list[ModuleCall]] = []
    for call in sorted(members, key=order.__getitem__):
        reads = {key_of(edge.source) for op in members[call] for edge in op.edges}
        previous = rows[-1][-1] if rows else None
        joins = previous is not None and keys[previous] in reads and previous.parent is call.parent
        # NOTE: only a row that starts with a Linear or a convolution takes more layers: the steps of a
        # recurrent cell, each reading the last, stay one per row.
        starts = rows and isinstance(rows[-1][0].module, (Linear, Conv1d, Conv2d))
        if joins and starts and not isinstance(call.module, (Linear, Conv1d, Conv2d)):
            rows[-1].append(call)
        else:
            rows.append([call])
    return [row for row in rows if len(row) > 1]


def _layer_edges(
    canvas: Canvas,
    call: ModuleCall,
    ops: list[Op],
    output: Value,
    key: str,
    key_of: Callable[[Value], str],
    scale: float,
) -> None:
    """One edge into the layer per value it reads from outside, carrying all it sends back."""
    incoming: dict[Value, list[Edge]] = {}
    for op in ops:
        for edge in op.edges:
            if key_of(edge.source) != key:
                incoming.setdefault(edge.source, []).append(edge)
    for source, edges in incoming.items():
        flows = [e.flow for e in edges if e.flow is not None]
        total = sum(flows[1:], flows[0]) if flows else None
        if len(ops) == 1 and len(edges) == 1 and edges[0].local is not None:
            label = dot.local_label(edges[0])
        elif total is not None and output.grad is not None and stats.rms(output.grad):
            label = f"rms ×{stats.short(stats.rms(total) / stats.rms(output.grad))}"
        else:
            label = ""
        canvas.edge(key_of(source), key, **({"label": label} if label else {}), **dot.flow_edge(total, scale))


def layer_node(
    call: ModuleCall, output: Value, params: list[Value], trace: Trace, recording: Recording
) -> dict[str, str]:
    """A leaf module call as one node: its output and its state, its parameters' gradients, its units.

    Examples
    --------
    >>> from minigrad.viz import record
    >>> from minigrad.analysis.trace import trace
    >>> layer = nn.Linear(2, 3, rng=0)
    >>> with record(layer) as recording:
    ...     loss = layer(Tensor(np.ones((4, 2)))).sum()
    >>> traced = trace(loss, recording=recording)
    >>> linear = traced.values[1]                       # the Linear op's output
    >>> params = [v for v in traced.values if v.role == "param"]
    >>> node = layer_node(recording.calls[0], linear, params, traced, recording)
    >>> node["shape"], "weight: grad rms" in node["label"], "bias: grad rms" in node["label"]
    ('box', True, True)
    """
    relative = stats.rms(output.grad) / trace.scale if output.grad is not None else 0.0
    state = output.state or "ok"
    colour = style.fill(relative, state)
    kind = type(call.module).__name__
    rows = [
        f"<B>{text(call.label)}</B> · {kind}",
        f"out {text(output.tensor.shape)} {text(stats.data_summary(output.tensor.numpy()))}",
        text(stats.grad_summary(output.grad)),
    ]
    for param in params:
        name = recording.param_names.get(param.tensor, "param").rpartition(".")[2]
        rows.append(f"{text(name)}: {text(stats.grad_summary(param.grad))}")
    if output.grad is not None:
        rows.append(dot.meter(relative))
    mark = style.STATE_MARK.get(state)
    if mark:
        rows.append(f"<B>{text(mark)}</B>")
    if output.units is not None:
        rows.append(dot.unit_row(output.units))
    body = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    label = f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>>'
    return {
        "label": label,
        "shape": "box",
        "fillcolor": colour,
        "fontcolor": style.ink(colour),
        **style.node_style(state, "rounded"),
    }
