"""From a :class:`~minigrad.analysis.trace.Trace` to a ``graphviz.Digraph``: the 'ops' picture.

Value nodes are boxes (parameters drawn as 3-D boxes, inputs and constants as notes) holding
their values and gradients; op nodes are grey ellipses. Arrows point forward, input -> op ->
output; the gradient flows against them, and each input edge is labelled with the op's local
derivative in that input, so the chain rule reads along a path: the gradient at a node times the
edge's factor is what reaches the node behind it. The nodes, labels and edge attributes here
serve the 'layers' picture too; :class:`~minigrad.viz.canvas.Canvas` places them.
"""

from __future__ import annotations

import graphviz
import numpy as np

from minigrad.analysis import stats
from minigrad.analysis.record import ModuleCall, Recording
from minigrad.analysis.trace import Edge, Op, Trace, Value
from minigrad.viz import style
from minigrad.viz.canvas import Canvas
from minigrad.viz.style import text

SHAPES = {"param": "box3d", "input": "note", "const": "note", "root": "box", "value": "box"}
MAX_STRIP = 64
STRIP_WIDTH = 160
METER_WIDTH = 100


def draw_ops(trace: Trace, recording: Recording | None, title: str, rankdir: str, legend: bool) -> graphviz.Digraph:
    """One node per value and per op of the trace.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> graph = draw_ops(trace((x.relu() * 2).sum()), None, "relu", "LR", legend=False)
    >>> graph.source.count("->")                     # an edge into and out of each of the 3 ops
    6
    """
    canvas = Canvas(title, rankdir)
    consumers = consumers_of(trace)
    for value in trace.values:
        canvas.node(value.key, placement(value, consumers), **value_node(value, trace, recording))
    for op in trace.ops:
        canvas.node(op.key, op.module, **op_node(op))
        canvas.edge(op.key, op.output.key, **flow_edge(op.output.grad, trace.scale))
        for edge in op.edges:
            canvas.edge(edge.source.key, op.key, **edge_label(edge), **flow_edge(edge.flow, trace.scale))
    return canvas.finish(trace.threshold, legend, trace.root.key)


def consumers_of(trace: Trace) -> dict[Value, list[Op]]:
    """Each value's consumer ops, in traversal order.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> consumers = consumers_of(trace((x * x).sum()))
    >>> [(value.key, [op.name for op in ops]) for value, ops in consumers.items()]
    [('v1', ['Sum']), ('v2', ['Mul', 'Mul'])]
    """
    consumers: dict[Value, list[Op]] = {}
    for op in trace.ops:
        for edge in op.edges:
            consumers.setdefault(edge.source, []).append(op)
    return consumers


def op_node(op: Op) -> dict[str, str]:
    """An op: a small grey ellipse named by its Function class.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> op = trace(Tensor([1.0], requires_grad=True).exp().sum()).ops[-1]
    >>> op_node(op)["label"], op_node(op)["shape"]
    ('Exp', 'ellipse')
    """
    return {
        "label": op.name,
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "#eeeeee",
        "color": "#888888",
        "fontsize": "10",
        "height": "0.3",
    }


def placement(value: Value, consumers: dict[Value, list[Op]]) -> ModuleCall | None:
    """The module call a value is drawn in: its op's, or (for a leaf) its consumers' if they agree.

    Examples
    --------
    >>> from minigrad.viz import record
    >>> from minigrad.analysis.trace import trace
    >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
    >>> with record(model) as recording:
    ...     loss = model(Tensor([[1.0, 2.0]])).sum()
    >>> traced = trace(loss, recording=recording)
    >>> consumers = consumers_of(traced)
    >>> [(v.role, getattr(placement(v, consumers), "label", None)) for v in traced.values]
    [('root', None), ('value', '1'), ('value', '0'), ('input', None), ('param', '0'), ('param', '0')]
    """
    if value.producer is not None:
        return value.producer.module
    calls = {op.module for op in consumers.get(value, ())}
    return calls.pop() if len(calls) == 1 and value.role in ("param", "const") else None


def title_of(value: Value, recording: Recording | None) -> str:
    """A value's name: its own, its parameter name, or the op that made it; with its role.

    Examples
    --------
    >>> from minigrad.viz import record
    >>> from minigrad.analysis.trace import trace
    >>> model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.ReLU())
    >>> with record(model) as recording:
    ...     loss = model(Tensor([[1.0, 2.0]], name="x")).sum()
    >>> [title_of(v, recording) for v in trace(loss, recording=recording).values]
    ['root sum', 'relu', 'linear', 'input x', 'param 0.weight', 'param 0.bias']
    """
    tensor = value.tensor
    name = tensor.name or (recording.param_names.get(tensor) if recording is not None else None)
    if name is None:
        name = value.producer.name.lower() if value.producer is not None else ""
    tag = {"param": "param", "input": "input", "const": "const", "root": "root"}.get(value.role, "")
    return " ".join(filter(None, (tag, name))) or "value"


def value_node(value: Value, trace: Trace, recording: Recording | None) -> dict[str, str]:
    """The Graphviz attributes of a value node: shape, fill, border and its HTML-like label.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> traced = trace(Tensor(2.0, requires_grad=True).tanh())
    >>> {key: value for key, value in value_node(traced.root, traced, None).items() if key != "label"}
    {'shape': 'box', 'fillcolor': '#f07818', 'fontcolor': 'black', 'style': 'filled,rounded'}
    """
    relative = stats.rms(value.grad) / trace.scale if value.grad is not None else 0.0
    state = value.state or "ok"
    colour = style.fill(relative, state) if value.grad is not None else "#fafafa"
    label = scalar_label(value, recording) if value.tensor.numel() == 1 else tensor_label(value, trace, recording)
    return {
        "label": label,
        "shape": SHAPES[value.role],
        "fillcolor": colour,
        "fontcolor": style.ink(colour),
        **style.node_style(state, "rounded" if SHAPES[value.role] == "box" else ""),
    }


def _mark_row(value: Value, colspan: int = 1) -> str:
    mark = style.STATE_MARK.get(value.state or "ok")
    return f'<TR><TD COLSPAN="{colspan}"><B>{text(mark)}</B></TD></TR>' if mark else ""


def scalar_label(value: Value, recording: Recording | None) -> str:
    """micrograd's node: name | data | grad, in one row, and the state's mark under it.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor(0.5, requires_grad=True, name="x")
    >>> scalar_label(trace(x * 3).values[1], None)
    '<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD><B>input x</B></TD><TD> | </TD><TD>data 0.5000</TD><TD> | </TD><TD>grad 3.0000</TD></TR></TABLE>>'
    """
    grad = "grad (none)" if value.grad is None else f"grad {_number(value.grad.item())}"
    cells = [f"<B>{text(title_of(value, recording))}</B>", f"data {_number(value.tensor.numpy().item())}", grad]
    row = "<TD> | </TD>".join(f"<TD>{c}</TD>" for c in cells)
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{row}</TR>{_mark_row(value, 5)}</TABLE>>'


def _number(x: float) -> str:
    """Four decimals as micrograd prints them, unless that would hide a small or huge number."""
    return f"{x:.4f}" if x == 0 or 1e-3 <= abs(x) < 1e6 else f"{x:.3g}"


def tensor_label(value: Value, trace: Trace, recording: Recording | None) -> str:
    """Name, shape and dtype; summaries of data and gradient; the state's mark; the unit strip.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> traced = trace((x.relu() * 2).sum())
    >>> label = tensor_label(traced.values[3], traced, None)
    >>> "(2,) float64" in label, "grad rms 1.4  zero 50%" in label
    (True, True)
    """
    tensor = value.tensor
    rows = [
        f"<B>{text(title_of(value, recording))}</B>",
        f"{text(tensor.shape)} {tensor.dtype}",
        "data " + text(stats.data_summary(tensor.numpy())),
        text(stats.grad_summary(value.grad)),
    ]
    if value.grad is not None:
        rows.append(meter(stats.rms(value.grad) / trace.scale))
    body = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows) + _mark_row(value)
    if value.units is not None:
        body += f"<TR><TD>{unit_row(value.units)}</TD></TR>"
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>>'


def meter(relative: float) -> str:
    """A bar as long as the gradient's place on the log scale: it shrinks as the gradient fades.

    It reads without colour, in greyscale print.

    Examples
    --------
    >>> 'WIDTH="80"' in meter(1.0), 'WIDTH="1"' in meter(1e-9)          # out of 100 cells
    (True, True)
    """
    filled = max(1, round(METER_WIDTH * style.position(relative)))
    empty = f'<TD WIDTH="{METER_WIDTH - filled}" HEIGHT="5" FIXEDSIZE="TRUE"></TD>' if filled < METER_WIDTH else ""
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" COLOR="#555555"><TR>'
        f'<TD BGCOLOR="#333333" WIDTH="{filled}" HEIGHT="5" FIXEDSIZE="TRUE"></TD>{empty}</TR></TABLE>'
    )


def unit_row(units: np.ndarray) -> str:
    """One cell per unit coloured by its state (up to 64 units), or a bar of the three shares.

    The counts are written beside it.

    Examples
    --------
    >>> row = unit_row(np.array([0, 2, 0]))                     # alive, dead, alive
    >>> row.count("<TD BGCOLOR"), "2 alive<BR/><B>1 dead</B>" in row
    (3, True)
    """
    counts = {state: int(np.sum(units == i)) for i, state in enumerate(stats.UNIT_STATES)}
    if len(units) <= MAX_STRIP:
        width = max(4, min(14, STRIP_WIDTH // len(units)))
        cells = [(stats.UNIT_STATES[i], width) for i in units]
    else:
        cells = [(state, max(2, round(STRIP_WIDTH * n / len(units)))) for state, n in counts.items() if n]
    strip = "".join(
        f'<TD BGCOLOR="{style.UNIT_FILL[s]}" WIDTH="{w}" HEIGHT="12" FIXEDSIZE="TRUE"></TD>' for s, w in cells
    )
    summary = "<BR/>".join(
        f"{n} {state}" if state == "alive" else f"<B>{n} {state}</B>" for state, n in counts.items() if n
    )
    return (
        f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR><TD>'
        f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="0" COLOR="#555555"><TR>{strip}</TR></TABLE>'
        f'</TD><TD> </TD><TD><FONT POINT-SIZE="10">{summary}</FONT></TD></TR></TABLE>'
    )


def local_label(edge: Edge) -> str:
    """The op's local derivative in this input, as an edge's label.

    The number for a scalar, min … max (and the share of zeros) for an elementwise tensor op,
    else the RMS gain of the gradient.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor([1.0, 3.0], requires_grad=True)
    >>> traced = trace((x * Tensor(2.0)).sum())      # Sum: a gain; Mul by 2: x2; the constant 2: none
    >>> [local_label(edge) for op in traced.ops for edge in op.edges]
    ['rms ×1', '×2', '']
    """
    if edge.local is not None:
        d = edge.local
        if d.size == 1:
            return f"×{d.item():.4g}"
        known = d[~np.isnan(d)]
        if known.size == 0:
            return "×nan"
        low, high = float(known.min()), float(known.max())
        label = f"×{stats.short(low)}" if low == high else f"×{stats.short(low)} … {stats.short(high)}"
        zeros = np.mean(d == 0)
        return label + (f"\\n{zeros:.0%} ×0" if 0 < zeros < 1 else "")
    return "" if edge.gain is None else f"rms ×{stats.short(edge.gain)}"


def edge_label(edge: Edge) -> dict[str, str]:
    """The ``label`` attribute with :func:`local_label`, or nothing when there is none.

    Examples
    --------
    >>> from minigrad.analysis.trace import trace
    >>> x = Tensor(3.0, requires_grad=True)
    >>> [edge_label(edge) for edge in trace(x * Tensor(2.0)).ops[0].edges]
    [{'label': '×2'}, {}]
    """
    label = local_label(edge)
    return {"label": label} if label else {}


def flow_edge(flow: np.ndarray | None, scale: float) -> dict[str, str]:
    """Edge attributes for a gradient ``flow`` sent back along it (None: no gradient at all).

    Examples
    --------
    >>> flow_edge(np.array([1.0]), scale=1.0), flow_edge(None, scale=1.0)
    ({'color': '#984c2b', 'penwidth': '4.10'}, {'color': '#bbbbbb', 'penwidth': '0.6'})
    """
    if flow is None:
        return {"color": "#bbbbbb", "penwidth": "0.6"}
    nonfinite = not np.all(np.isfinite(flow))
    return style.edge_attrs(stats.rms(flow) / scale, nonfinite)
