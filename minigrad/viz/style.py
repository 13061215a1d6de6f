"""How the picture encodes gradients: the colour ramp, the flagged states, edge widths, the legend.

Colour. A value is filled by log10(RMS of its gradient / RMS of the root's), from pale yellow
(1e-8 and below) to deep orange (100 and above), white for exactly zero: a fading gradient fades
in the picture. The four states of :mod:`minigrad.analysis.stats` are also drawn so that they survive
greyscale: a border style and a mark in the text.

Edges. Width and colour follow the same log scale applied to the gradient sent back along the
edge; an edge that sends back exactly zero is dashed and grey.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import graphviz
import numpy as np

# ColorBrewer "YlOrBr" up to its middle, spread evenly over log10 of the relative gradient from
# LOW to HIGH, so that black text reads on every fill; the root's own gradient sits at 0.8.
RAMP = ("#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02")
EDGE_RAMP = ("#c8c8c8", "#8c2d04")
LOW, HIGH = -8.0, 2.0
NONFINITE_FILL = "#e7298a"
ZERO_FILL = "#ffffff"
FONT = "Helvetica"

STATE_STYLE = {
    "ok": {},
    "vanishing": {"style": "dotted", "penwidth": "2.5"},
    "zero": {"style": "dashed", "penwidth": "2.5"},
    "underflow": {"peripheries": "2", "penwidth": "1.5"},
    "nonfinite": {"penwidth": "5"},
}
STATE_MARK = {
    "vanishing": "↓ VANISHING",
    "zero": "⊘ ZERO by the op's rule",
    "underflow": "⚠ UNDERFLOW: rounded to 0",
    "nonfinite": "✖ NaN / inf",
}
STATE_MEANING = {
    "vanishing": "below the threshold, relative to the root",
    "zero": "exactly 0: a ReLU that is off, a max not taken",
    "underflow": "0 or denormal only by rounding; the true derivative is not 0",
    "nonfinite": "some entry is NaN or infinite",
}
UNIT_FILL = {"alive": "#a6d96a", "saturated": "#f46d43", "dead": "#1a1a1a"}


def node_style(state: str, shape_style: str = "") -> dict[str, str]:
    """Graphviz attributes for a filled node in ``state``; ``shape_style`` adds e.g. 'rounded'.

    Examples
    --------
    >>> node_style("ok"), node_style("vanishing", "rounded")
    ({'style': 'filled'}, {'style': 'filled,rounded,dotted', 'penwidth': '2.5'})
    """
    attrs = dict(STATE_STYLE[state])
    attrs["style"] = ",".join(filter(None, ("filled", shape_style, attrs.get("style"))))
    return attrs


def position(relative: float) -> float:
    """Where a relative gradient sits on the log scale: 0 at 1e-8 and below, 1 at 1e2 and above.

    Examples
    --------
    >>> position(1e-9), position(1e-3), position(1.0), position(0.0)
    (0.0, 0.5, 0.8, 0.0)
    """
    if not relative > 0:  # zero, or NaN
        return 0.0
    return float(np.clip((np.log10(relative) - LOW) / (HIGH - LOW), 0.0, 1.0))


def fill(relative: float, state: str) -> str:
    """The fill colour of a value whose gradient RMS is ``relative`` times the root's.

    Examples
    --------
    >>> fill(1.0, "ok"), fill(1e-9, "ok"), fill(0.0, "zero"), fill(1.0, "nonfinite")
    ('#f07818', '#ffffe5', '#ffffff', '#e7298a')
    """
    if state == "nonfinite":
        return NONFINITE_FILL
    if state in ("zero", "underflow") or relative <= 0:
        return ZERO_FILL
    return ramp(position(relative))


def ramp(t: float, stops: Sequence[str] = RAMP) -> str:
    """The colour at ``t`` in [0, 1] along ``stops``, interpolated in RGB.

    Examples
    --------
    >>> ramp(0.0), ramp(0.5), ramp(1.0)
    ('#ffffe5', '#fec44f', '#cc4c02')
    """
    x = t * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    low, high = (np.array([int(c[j : j + 2], 16) for j in (1, 3, 5)]) for c in stops[i : i + 2])
    red, green, blue = np.rint(low + (x - i) * (high - low)).astype(int)
    return f"#{red:02x}{green:02x}{blue:02x}"


def ink(fill_colour: str) -> str:
    """Black or white text, whichever reads on the fill.

    Examples
    --------
    >>> ink("#ffffe5"), ink("#e7298a")
    ('black', 'white')
    """
    red, green, blue = (int(fill_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def edge_attrs(relative: float, nonfinite: bool) -> dict[str, str]:
    """Width and colour of an edge that sends back a gradient ``relative`` times the root's.

    Examples
    --------
    >>> edge_attrs(1.0, nonfinite=False)
    {'color': '#984c2b', 'penwidth': '4.10'}
    >>> edge_attrs(0.0, nonfinite=False)
    {'color': '#999999', 'style': 'dashed', 'penwidth': '0.8'}
    """
    if nonfinite:
        return {"color": NONFINITE_FILL, "penwidth": "3"}
    if relative <= 0:
        return {"color": "#999999", "style": "dashed", "penwidth": "0.8"}
    t = position(relative)
    return {"color": ramp(t, EDGE_RAMP), "penwidth": f"{0.5 + 4.5 * t:.2f}"}


def text(value: object) -> str:
    """Text made safe for a Graphviz HTML-like label.

    Examples
    --------
    >>> text("x < 0 & y")
    'x &lt; 0 &amp; y'
    """
    return html.escape(str(value), quote=False)


def legend_label(threshold: float) -> str:
    """The legend as one HTML-like label.

    It shows the colour ramp by decade, the four states drawn with their borders, the unit
    colours, and how to read edges.

    Examples
    --------
    >>> label = legend_label(1e-6)
    >>> label.startswith("<<TABLE"), "below 1e-06 of the root" in label
    (True, True)
    """
    decades = range(int(HIGH), int(LOW) - 1, -1)
    swatches = "".join(f'<TD BGCOLOR="{fill(10.0**d, "ok")}" WIDTH="30" HEIGHT="14"> </TD>' for d in decades)
    swatches += f'<TD BGCOLOR="{ZERO_FILL}" WIDTH="30" HEIGHT="14"> </TD>'
    marks = "".join(f'<TD BORDER="0"><FONT POINT-SIZE="9">{"1" if d == 0 else f"1e{d}"}</FONT></TD>' for d in decades)
    marks += '<TD BORDER="0"><FONT POINT-SIZE="9">0</FONT></TD>'
    span = len(decades) + 1
    rows = [
        f'<TR><TD COLSPAN="{span}" BORDER="0"><B>fill: RMS gradient ÷ the root\'s</B></TD></TR>',
        f"<TR>{swatches}</TR><TR>{marks}</TR>",
    ]
    for state, mark in STATE_MARK.items():
        colour = fill(threshold / 10, state)
        cell = LEGEND_CELL[state].format(colour=colour, ink=ink(colour), mark=text(mark))
        rows.append(f'<TR><TD COLSPAN="{span}" BORDER="0" ALIGN="LEFT">{cell}</TD></TR>')
        rows.append(
            f'<TR><TD COLSPAN="{span}" BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="9">{text(STATE_MEANING[state])}</FONT></TD></TR>'
        )
    units = "".join(
        f'<TD BGCOLOR="{c}" WIDTH="12"> </TD><TD BORDER="0" ALIGN="LEFT">{name} </TD>' for name, c in UNIT_FILL.items()
    )
    rows.append(
        f'<TR><TD COLSPAN="{span}" BORDER="0" ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2">'
        f'<TR><TD BORDER="0">units over the batch:</TD>{units}</TR></TABLE></TD></TR>'
    )
    notes = (
        f"vanishing: below {threshold:g} of the root",
        "edge width and colour: the gradient sent back",
        "edge label: × local derivative, or rms gain",
    )
    rows += [
        f'<TR><TD COLSPAN="{span}" BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="10">{text(n)}</FONT></TD></TR>'
        for n in notes
    ]
    return f'<<TABLE BORDER="1" COLOR="#888888" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" STYLE="rounded">{"".join(rows)}</TABLE>>'


# Each state's border, drawn inside a legend cell: dotted, dashed, double, thick.
LEGEND_CELL = {
    "vanishing": '<TABLE BORDER="2" STYLE="dotted" CELLBORDER="0" BGCOLOR="{colour}"><TR><TD><FONT COLOR="{ink}"><B>{mark}</B></FONT></TD></TR></TABLE>',
    "zero": '<TABLE BORDER="2" STYLE="dashed" CELLBORDER="0" BGCOLOR="{colour}"><TR><TD><FONT COLOR="{ink}"><B>{mark}</B></FONT></TD></TR></TABLE>',
    "underflow": '<TABLE BORDER="1" CELLBORDER="1" CELLPADDING="2" BGCOLOR="{colour}"><TR><TD><FONT COLOR="{ink}"><B>{mark}</B></FONT></TD></TR></TABLE>',
    "nonfinite": '<TABLE BORDER="4" CELLBORDER="0" BGCOLOR="{colour}"><TR><TD><FONT COLOR="{ink}"><B>{mark}</B></FONT></TD></TR></TABLE>',
}


def add_legend(graph: graphviz.Digraph, threshold: float, after: str) -> None:
    """Draw the legend into ``graph`` as one node, laid out after node ``after`` (the root).

    Examples
    --------
    >>> import graphviz
    >>> graph = graphviz.Digraph()
    >>> graph.node("v0", "loss")
    >>> add_legend(graph, 1e-6, after="v0")
    >>> graph.body[-1].strip()                      # an invisible edge places it after the root
    'v0 -> legend [style=invis]'
    """
    graph.node("legend", legend_label(threshold), shape="plain")
    graph.edge(after, "legend", style="invis")
