"""explore(root): one HTML page that steps through the backward pass of a graph, node by node.

The page is one self-contained file (it opens from disk, with nothing fetched): the Graphviz
picture of :func:`~minigrad.viz.draw_graph`, laid out once as SVG, the steps of
:mod:`minigrad.viz.steps` as JSON, and a small script (explore_script.py) that restyles the
picture for the step shown and shows that step's panel. Controls: previous / next, the arrow
keys, a slider, play / pause; the step shown is kept in the address (``#step=12``), so a link
opens that state.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from minigrad.analysis import stats
from minigrad.analysis.record import Recording
from minigrad.analysis.trace import walk
from minigrad.arguments import check_number
from minigrad.tensor import Tensor
from minigrad.viz import dot, layers, style
from minigrad.viz.explore_script import CSS, SCRIPT
from minigrad.viz.render import INSTALL_HINT, GraphvizNotFound
from minigrad.viz.steps import Send, Step, Steps, build_steps

MODES = ("auto", "ops", "layers")
SMALL = 16  # a tensor of up to this many elements is shown entry by entry, a bigger one summarised


class ExplorerPage(str):
    """The path of the page :func:`explore` wrote, as a ``str`` (``open(page)``, ``Path(page)``
    work); ``.path`` is the same as a ``Path``. In Jupyter it shows the page inline.

    Examples
    --------
    >>> page = ExplorerPage("graph.html")
    >>> page.path.suffix, page == "graph.html"
    ('.html', True)
    """

    @property
    def path(self) -> Path:
        """The page's path as a ``pathlib.Path``."""
        return Path(self)

    def _repr_html_(self) -> str:
        """The page itself, in an iframe (it needs nothing from outside the file)."""
        document = html.escape(self.path.read_text(encoding="utf-8"), quote=True)
        return f'<iframe srcdoc="{document}" style="width:100%;height:640px;border:1px solid #ccc"></iframe>'


def explore(
    root: Tensor,
    path: str | os.PathLike[str] | None = None,
    *,
    gradient: ArrayLike | None = None,
    recording: Recording | None = None,
    mode: str = "auto",
    threshold: float = 1e-6,
    max_nodes: int = 400,
    title: str | None = None,
) -> ExplorerPage:
    """Write a page that steps through the backward pass of ``root``'s graph; return its path.

    Step 0 shows every value of the forward pass; then one step per tensor in the order
    minigrad's reverse walk takes them: the gradient arriving (summed term by term where a
    value was used twice), the op's rule (f and f'), the local derivative and the product sent
    to each input, and why a gradient is zero, vanishing or NaN / inf. The graph must still be
    there (before ``root.backward()``); no ``.grad`` changes.

    Parameters
    ----------
    root : Tensor
        The output to differentiate, usually a scalar loss; it must require grad.
    path : str or PathLike, optional
        The page to write, ending in .html; by default ``explore.html`` in the current folder.
    gradient : array_like, optional
        d final / d root, needed when ``root`` has more than one element.
    recording : Recording, optional
        From ``with minigrad.viz.record(model) as recording:``: module clusters, and 'layers'.
    mode : {'auto', 'ops', 'layers'}
        'ops': a step per tensor; 'layers': a step per leaf module call; 'auto': 'ops' up to
        ``max_nodes`` nodes, 'layers' above (it needs ``recording``).
    threshold : float
        RMS gradient, relative to the root's, below which a gradient is flagged as vanishing.
    max_nodes : int
        The largest picture drawn one node per op.
    title : str, optional
        The page's heading; by default it names the root and the mode.

    Returns
    -------
    ExplorerPage
        The path written, as a str; in Jupyter it shows the page.

    Examples
    --------
    >>> import os, tempfile
    >>> x = Tensor([1.0, -1.0], requires_grad=True, name="x")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = explore((x.relu() * 2).sum(), os.path.join(folder, "relu.html"))
    ...     text = page.path.read_text(encoding="utf-8")
    >>> page.path.name, "<svg" in text, "http" in text.split("<svg")[0]
    ('relu.html', True, False)
    >>> explore(x, "x.svg")
    Traceback (most recent call last):
    ValueError: explore: path must end in .html, got 'x.svg'
    """
    page_path = _check(root, path, recording, mode, threshold, max_nodes)
    values, ops = walk(root)
    count = len(values) + len(ops)
    if mode == "auto":
        mode = "ops" if count <= max_nodes else "layers"
    if mode == "layers" and recording is None:
        raise ValueError(
            f"explore: the graph has {count} nodes, more than max_nodes={max_nodes}, and mode='layers' needs to "
            "know which module made each op: run the forward pass inside `with minigrad.viz.record(model) as "
            "recording:` and pass recording=recording, or raise max_nodes"
        )
    if mode == "ops" and count > max_nodes:
        raise ValueError(f"explore: the graph has {count} nodes, more than max_nodes={max_nodes}; raise max_nodes")
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(f"explore: Graphviz's `dot` program was not found; {INSTALL_HINT}")
    steps = build_steps(root, recording, mode, None if gradient is None else np.asarray(gradient), threshold)
    name = root.name or "root"
    heading = title if title is not None else f"backward through {name}: {mode} view of {count} values and ops"
    if mode == "ops":
        graph = dot.draw_ops(steps.trace, recording, heading, "LR", True)
    else:
        assert recording is not None  # checked above
        graph = layers.draw_layers(steps.trace, recording, heading, "TB", True, max_nodes)
    svg = graph.pipe(format="svg", encoding="utf-8")
    page_path.parent.mkdir(parents=True, exist_ok=True)
    page_path.write_text(page(heading, svg[svg.index("<svg") :], steps), encoding="utf-8")
    return ExplorerPage(page_path)


def _check(root: Tensor, path: object, recording: object, mode: object, threshold: float, max_nodes: int) -> Path:
    """Refuse a bad argument, naming it, before anything is computed or written; the page's path."""
    if not isinstance(root, Tensor):
        raise TypeError(f"explore: root must be a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError("explore: root does not require grad, so no graph led to it")
    if path is None:
        path = "explore.html"
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"explore: path must be a str or a PathLike, got {type(path).__name__}")
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"explore: path must end in .html, got {os.fspath(path)!r}")
    if recording is not None and not isinstance(recording, Recording):
        raise TypeError(
            f"explore: recording must be a Recording (from minigrad.viz.record), got {type(recording).__name__}"
        )
    if mode not in MODES:
        raise ValueError(f"explore: mode must be one of {MODES}, got {mode!r}")
    check_number("explore", "threshold", threshold, above=0, below=1)
    check_number("explore", "max_nodes", max_nodes, integer=True, at_least=1)
    return Path(path)


def page(title: str, svg: str, steps: Steps) -> str:
    """The whole page: the picture, the steps as JSON (each with its panel), the script.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> text = page("x squared", "<svg></svg>", build_steps(x * x, recording=None))
    >>> text.startswith("<!DOCTYPE html>"), '"key": "v1"' in text
    (True, True)
    """
    records: list[dict[str, Any]] = [{"key": "", "nodes": [], "edges": [], "grad": None, "html": forward_panel(steps)}]
    total = len(steps.steps)
    number_of = {step.key: i for i, step in enumerate(steps.steps, 1)}
    for i, step in enumerate(steps.steps, 1):
        record: dict[str, Any] = {"key": step.key, "nodes": step.nodes, "edges": step.edges, "grad": shown(step.grad)}
        record["html"] = step_panel(step, i, total, steps.trace.scale, number_of) + (
            leaf_table(steps) if i == total else ""
        )
        records.append(record)
    data = json.dumps(records, allow_nan=False).replace("</", "<\\/")
    controls = (
        '<button id="prev" title="previous step (←)">◀ previous</button>'
        '<button id="play" title="play / pause (space)">▶ play</button>'
        '<button id="next" title="next step (→)">next ▶</button>'
        f'<input id="slider" type="range" min="0" max="{total}" value="0" aria-label="step">'
        '<span id="counter"></span><label><input id="fit" type="checkbox" checked> fit to width</label>'
    )
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head>\n<body>\n<header><h1>{html.escape(title)}</h1>"
        f'<div id="controls">{controls}</div></header>\n<main><div id="graph" class="fit">{svg}</div>'
        f'<aside id="panel"></aside></main>\n<script id="steps" type="application/json">{data}</script>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )


def number(x: float) -> float | str:
    """A float for JSON: itself, or 'nan', 'inf', '-inf' (which JSON cannot hold).

    Examples
    --------
    >>> number(0.5), number(float("-inf"))
    (0.5, '-inf')
    """
    return float(x) if np.isfinite(x) else str(float(x))


def shown(array: np.ndarray | None) -> dict[str, Any] | None:
    """An array as the page holds it: every entry for a small one, else norm, min, max and the
    share of zeros.

    Examples
    --------
    >>> shown(np.array([1.0, 0.0]))
    {'shape': [2], 'values': [1.0, 0.0]}
    >>> shown(np.arange(20.0))["max"], shown(np.zeros(20))["zeros"]
    (19.0, 1.0)
    """
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    if array.size <= SMALL:
        return {"shape": list(array.shape), "values": [number(x) for x in array.ravel()]}
    with np.errstate(all="ignore"):
        norm = float(np.linalg.norm(array.ravel()))
    known = array[~np.isnan(array)]
    low, high = (float(known.min()), float(known.max())) if known.size else (np.nan, np.nan)
    summary = {"norm": number(norm), "min": number(low), "max": number(high), "zeros": float(np.mean(array == 0))}
    return {"shape": list(array.shape), **summary}


def text_of(array: np.ndarray | None) -> str:
    """An array in words: a scalar as a number, a small tensor entry by entry, a large one summarised.

    Examples
    --------
    >>> text_of(np.array(0.25)), text_of(np.array([1.0, -2.0])), text_of(None)
    ('0.25', '[1, -2]', 'none')
    >>> text_of(np.zeros((5, 5)))
    '(5, 5): norm 0, min 0, max 0, zeros 100%'
    """
    if array is None:
        return "none"
    if array.size == 1:
        return stats.short(float(array.item()))
    if array.size <= SMALL:
        return "[" + ", ".join(stats.short(float(x)) for x in np.asarray(array).ravel()) + "]"
    s = shown(array)
    assert s is not None
    return f"{tuple(array.shape)}: norm {stats.short(float(s['norm']))}, min {stats.short(float(s['min']))}, max {stats.short(float(s['max']))}, zeros {s['zeros']:.0%}"


def forward_panel(steps: Steps) -> str:
    """Step 0: every value of the forward pass.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> "<td>input x</td><td><code>v1</code></td><td>2</td>" in forward_panel(build_steps(x * x, recording=None))
    True
    """
    rows = "".join(
        f"<tr><td>{html.escape(title)}</td><td><code>{key}</code></td><td>{html.escape(text_of(data))}</td></tr>"
        for key, (title, data) in steps.forward.items()
    )
    return (
        f"<h2>Step 0 of {len(steps.steps)}: the forward pass</h2><p>Every value, computed from the inputs "
        "forward. Next: the backward pass, from the root back to the leaves, in the order minigrad's walk "
        f"takes the nodes.</p><table><tr><th>value</th><th>node</th><th>data</th></tr>{rows}</table>"
    )


def _mark(step: Step, fill: str, number_of: dict[str, int]) -> str:
    state = step.state
    if state == "ok":
        return ""
    border = style.STATE_STYLE[state].get("style", "solid")
    detail = f"<pre>{html.escape(step.why)}</pre>" if step.why else ""
    if step.see is not None:  # further back along a flagged chain: a link to the step that says why
        key, title, op = step.see
        at = number_of.get(key, 0)
        detail = (
            f'<p>{state} already at <a href="#step={at}">{html.escape(title)} <code>{key}</code> (step {at})</a>, '
            f"which it comes from through {html.escape(op)}: that step says why.</p>"
        )
    return (
        f'<div class="state" style="background:{fill};color:{style.ink(fill)};border-style:{border}">'
        f"<b>{html.escape(style.STATE_MARK[state])}</b>: {html.escape(style.STATE_MEANING[state])}{detail}</div>"
    )


def step_panel(step: Step, index: int, total: int, scale: float, number_of: dict[str, int]) -> str:
    """The panel of one step: the gradient arriving, its terms, the op's rule, what goes to each input.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> steps = build_steps(x * x, recording=None)
    >>> panel = step_panel(steps.steps[1], 2, 2, 1.0, {"v0": 1, "v1": 2})
    >>> "d root / d input x: <b>4</b>" in panel, "the sum of the paths" in panel
    (True, True)
    """
    relative = stats.rms(step.grad) / scale if step.grad is not None else 0.0
    fill = style.fill(relative, step.state) if step.grad is not None else "#fafafa"
    name = html.escape(step.title)
    parts = [
        f"<h2>Step {index} of {total}: {name} <code>{step.key}</code></h2>",
        f'<p class="grad" style="background:{fill};color:{style.ink(fill)}">gradient arriving, d root / d {name}: '
        f"<b>{html.escape(text_of(step.grad))}</b></p>",
    ]
    if step.terms:
        items = "".join(
            f"<li>from {html.escape(op)} <code>{key}</code>: {html.escape(text_of(part))}</li>"
            for key, op, part in step.terms
        )
        parts.append(f"<p>It was used {len(step.terms)} times: the sum of the paths, term by term</p><ol>{items}</ol>")
    parts.append(_mark(step, fill, number_of))
    if step.units:
        counts = ", ".join(
            f'<span style="background:{style.UNIT_FILL[s]};color:{style.ink(style.UNIT_FILL[s])}">&nbsp;{n} {s}&nbsp;</span>'
            for s, n in step.units.items()
        )
        parts.append(
            f"<p>Its units over the batch: {counts}. A dead or saturated unit passes back (almost) nothing.</p>"
        )
    if step.op is not None:
        parts.append(f"<p>made by <b>{html.escape(step.op)}</b>: <code>{html.escape(step.rule or '')}</code></p>")
        parts.append(send_table(step.sends))
    if step.leaves:
        names = ", ".join(f"<code>{key}</code>" for key in step.leaves)
        parts.append(f"<p>A leaf: <code>backward()</code> adds its gradient into <code>.grad</code> ({names}).</p>")
    return "".join(parts)


def send_table(sends: list[Send]) -> str:
    """One row per input: its local derivative (or RMS gain) and what is sent back to it.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> step = build_steps((x * 3).sum(), recording=None).steps[1]
    >>> "<td>[3, 3]</td><td>[3, 3]</td>" in send_table(step.sends)
    True
    """
    rows = []
    for send in sends:
        if send.local is not None:
            local = text_of(send.local)
        elif send.gain is not None:
            local = f"not elementwise: rms gain ×{stats.short(send.gain)}"
        else:
            local = "-"
        product = "no gradient (needs none)" if send.product is None else text_of(send.product)
        mark = f" <b>{html.escape(style.STATE_MARK[send.state])}</b>" if send.state != "ok" else ""
        rows.append(
            f"<tr><td>{html.escape(send.title)} <code>{send.key}</code></td><td>{html.escape(local)}</td>"
            f"<td>{html.escape(product)}{mark}</td></tr>"
        )
    return (
        "<table><tr><th>input</th><th>local derivative</th><th>sent back = gradient × local</th></tr>"
        f"{''.join(rows)}</table>"
    )


def leaf_table(steps: Steps) -> str:
    """After the last step: every leaf's gradient, as ``backward()`` stores it in ``.grad``.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True, name="x")
    >>> 'data-leaf="v1"' in leaf_table(build_steps(x * x, recording=None))
    True
    """
    rows = "".join(
        f'<tr data-leaf="{key}" data-grad="{html.escape(json.dumps(shown(grad), allow_nan=False))}">'
        f"<td>{html.escape(steps.forward[key][0])} <code>{key}</code></td><td>{html.escape(text_of(grad))}</td></tr>"
        for key, grad in steps.leaf_grads().items()
    )
    return (
        f"<h3>The leaves' gradients (.grad after backward)</h3><table><tr><th>leaf</th><th>grad</th></tr>{rows}</table>"
    )
