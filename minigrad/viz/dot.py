"""From a :class:`~minigrad.viz.trace.Trace` to a ``graphviz.Digraph``: the 'ops' picture.

Value nodes are boxes (parameters drawn as 3-D boxes, inputs and constants as notes) holding
their values and gradients; op nodes are grey ellipses. Arrows point forward, input -> op ->
output; the gradient flows against them, and each input edge is labelled with the op's local
derivative in that input, so the chain rule reads along a path: the gradient at a node times the
edge's factor is what reaches the node behind it. :class:`Canvas` holds what both modes share:
node placement into nested module clusters, and the legend.
"""

from __future__ import annotations

import graphviz
import numpy as np

from minigrad.viz import stats, style
from minigrad.viz.style import text

SHAPES = {"param": "box3d", "input": "note", "const": "note", "root": "box", "value": "box"}
MAX_STRIP = 64
STRIP_WIDTH = 160
METER_WIDTH = 100


class Canvas:
    """A Digraph being drawn, with one cluster per module call (nested as the calls were)."""

    def __init__(self, title: str, rankdir: str):
        self.graph = graphviz.Digraph(
            "minigrad",
            graph_attr={
                "rankdir": rankdir,
                "label": title,
                "labelloc": "t",
                "fontname": style.FONT,
                "fontsize": "16",
                "nodesep": "0.25",
                "ranksep": "0.35",
            },
        )
        self.graph.attr("node", fontname=style.FONT, fontsize="11", margin="0.12,0.05")
        self.graph.attr("edge", fontname=style.FONT, fontsize="10", arrowsize="0.6")
        self._clusters: dict = {}

    def node(self, key: str, call, **attrs) -> None:
        """Add a node inside the cluster of module call ``call`` (None: outside every module)."""
        (self.graph if call is None else self._cluster(call)).node(key, **attrs)

    def edge(self, tail: str, head: str, **attrs) -> None:
        self.graph.edge(tail, head, **attrs)

    def same_rank(self, keys: list, call) -> None:
        """Lay the nodes ``keys`` (all in the cluster of ``call``) out side by side."""
        with (self.graph if call is None else self._cluster(call)).subgraph() as row:
            row.attr(rank="same")
            for key in keys:
                row.node(key)

    def _cluster(self, call):
        missing = call
        while missing is not None and missing not in self._clusters:
            kind = type(missing.module).__name__
            label = f"{missing.label} · {kind}" if missing.name else missing.label
            cluster = graphviz.Digraph(name=f"cluster_{len(self._clusters)}")
            cluster.attr(
                label=label, style="rounded", color="#9a9a9a", fontcolor="#555555", labeljust="l", fontsize="11"
            )
            self._clusters[missing] = cluster
            missing = missing.parent
        return self._clusters[call]

    def finish(self, threshold: float, legend: bool, root: str) -> graphviz.Digraph:
        """Put each cluster into its parent's, innermost first, add the legend, return the graph."""
        depth = {}
        for call in self._clusters:
            depth[call], parent = 0, call.parent
            while parent is not None:
                depth[call], parent = depth[call] + 1, parent.parent
        for call in sorted(self._clusters, key=lambda c: -depth[c]):
            outer = self.graph if call.parent is None else self._clusters[call.parent]
            outer.subgraph(self._clusters[call])
        if legend:
            style.add_legend(self.graph, threshold, after=root)
        return self.graph


def draw_ops(trace, recording, title: str, rankdir: str, legend: bool) -> graphviz.Digraph:
    """One node per value and per op of the trace."""
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


def consumers_of(trace) -> dict:
    """Each value's consumer ops, in traversal order."""
    consumers = {}
    for op in trace.ops:
        for edge in op.edges:
            consumers.setdefault(edge.source, []).append(op)
    return consumers


def op_node(op) -> dict:
    """An op: a small grey ellipse named by its Function class."""
    return {
        "label": op.name,
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "#eeeeee",
        "color": "#888888",
        "fontsize": "10",
        "height": "0.3",
    }


def placement(value, consumers):
    """The module call a value is drawn in: its op's, or (for a leaf) its consumers' if they agree."""
    if value.producer is not None:
        return value.producer.module
    calls = {op.module for op in consumers.get(value, ())}
    return calls.pop() if len(calls) == 1 and value.role in ("param", "const") else None


def title_of(value, recording) -> str:
    """A value's name: its own, its parameter name, or the op that made it; with its role."""
    tensor = value.tensor
    name = tensor.name or (recording.param_names.get(tensor) if recording is not None else None)
    if name is None:
        name = value.producer.name.lower() if value.producer is not None else ""
    tag = {"param": "param", "input": "input", "const": "const", "root": "root"}.get(value.role, "")
    return " ".join(filter(None, (tag, name))) or "value"


def value_node(value, trace, recording) -> dict:
    """The Graphviz attributes of a value node: shape, fill, border and its HTML-like label."""
    relative = stats.rms(value.grad) / trace.scale if value.grad is not None else 0.0
    state = value.state or "ok"
    colour = style.fill(relative, state) if value.grad is not None else "#fafafa"
    label = scalar_label(value, recording) if value.tensor.size == 1 else tensor_label(value, trace, recording)
    return {
        "label": label,
        "shape": SHAPES[value.role],
        "fillcolor": colour,
        "fontcolor": style.ink(colour),
        **style.node_style(state, "rounded" if SHAPES[value.role] == "box" else ""),
    }


def _mark_row(value, colspan: int = 1) -> str:
    mark = style.STATE_MARK.get(value.state)
    return f'<TR><TD COLSPAN="{colspan}"><B>{text(mark)}</B></TD></TR>' if mark else ""


def scalar_label(value, recording) -> str:
    """micrograd's node: name | data | grad, in one row, and the state's mark under it."""
    grad = "grad (none)" if value.grad is None else f"grad {_number(value.grad.item())}"
    cells = [f"<B>{text(title_of(value, recording))}</B>", f"data {_number(value.tensor.data.item())}", grad]
    row = "<TD> | </TD>".join(f"<TD>{c}</TD>" for c in cells)
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{row}</TR>{_mark_row(value, 5)}</TABLE>>'


def _number(x: float) -> str:
    """Four decimals as micrograd prints them, unless that would hide a small or huge number."""
    return f"{x:.4f}" if x == 0 or 1e-3 <= abs(x) < 1e6 else f"{x:.3g}"


def tensor_label(value, trace, recording) -> str:
    """Name, shape and dtype; summaries of data and gradient; the state's mark; the unit strip."""
    tensor = value.tensor
    rows = [
        f"<B>{text(title_of(value, recording))}</B>",
        f"{text(tensor.shape)} {tensor.dtype}",
        "data " + text(stats.data_summary(tensor.data)),
        text(stats.grad_summary(value.grad)),
    ]
    if value.grad is not None:
        rows.append(meter(stats.rms(value.grad) / trace.scale))
    body = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows) + _mark_row(value)
    if value.units is not None:
        body += f"<TR><TD>{unit_row(value.units)}</TD></TR>"
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{body}</TABLE>>'


def meter(relative: float) -> str:
    """A bar as long as the gradient's place on the log scale: it shrinks as the gradient fades,
    readable without colour."""
    filled = max(1, round(METER_WIDTH * style.position(relative)))
    empty = f'<TD WIDTH="{METER_WIDTH - filled}" HEIGHT="5" FIXEDSIZE="TRUE"></TD>' if filled < METER_WIDTH else ""
    return (
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" COLOR="#555555"><TR>'
        f'<TD BGCOLOR="#333333" WIDTH="{filled}" HEIGHT="5" FIXEDSIZE="TRUE"></TD>{empty}</TR></TABLE>'
    )


def unit_row(units: np.ndarray) -> str:
    """One cell per unit coloured by its state (up to 64 units), or else a bar of the three
    shares; the counts beside it."""
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


def local_label(edge) -> str:
    """The op's local derivative in this input: the number for a scalar, min … max (and the
    share of zeros) for an elementwise tensor op, else the RMS gain of the gradient."""
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


def edge_label(edge) -> dict:
    """The ``label`` attribute with :func:`local_label`, or nothing when there is none."""
    label = local_label(edge)
    return {"label": label} if label else {}


def flow_edge(flow, scale: float) -> dict:
    """Edge attributes for a gradient ``flow`` sent back along it (None: no gradient at all)."""
    if flow is None:
        return {"color": "#bbbbbb", "penwidth": "0.6"}
    nonfinite = not np.all(np.isfinite(flow))
    return style.edge_attrs(stats.rms(flow) / scale, nonfinite)
