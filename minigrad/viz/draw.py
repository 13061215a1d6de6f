"""draw_graph: the one entry point that turns a root tensor into a picture of its gradients."""

from __future__ import annotations

import graphviz
from numpy.typing import ArrayLike

from minigrad.analysis.record import Recording
from minigrad.analysis.trace import Trace, trace, walk
from minigrad.tensor import Tensor
from minigrad.viz import dot, layers

MODES = ("auto", "ops", "layers")


def draw_graph(
    root: Tensor,
    *,
    gradient: ArrayLike | None = None,
    recording: Recording | None = None,
    mode: str = "auto",
    threshold: float = 1e-6,
    max_nodes: int = 400,
    auto_nodes: int = 80,
    rankdir: str | None = None,
    legend: bool = True,
    title: str | None = None,
) -> graphviz.Digraph:
    """Draw everything that led to ``root``, coloured by where the gradient goes to zero.

    The graph must still be there (draw before ``root.backward()``, or after
    ``root.backward(retain_graph=True)``): draw_graph runs its own backward pass through it with
    :func:`minigrad.grad`, leaving every ``.grad`` as it was.

    Parameters
    ----------
    root : Tensor
        The output to differentiate, usually a scalar loss.
    gradient : array_like, optional
        d final / d root, needed when ``root`` has more than one element.
    recording : Recording, optional
        From ``with minigrad.viz.record(model) as recording:`` around the forward pass: groups
        ops into one cluster per module call and makes ``mode='layers'`` possible.
    mode : {'auto', 'ops', 'layers'}
        'ops' draws every op; 'layers' one node per leaf module call (Linear, convolution,
        recurrent layer or one step of a cell, activation, norm), filled and flagged by the
        gradient at its output, with its parameters' gradients;
        'auto' takes 'ops' up to ``auto_nodes`` nodes and 'layers' above, when it can.
    threshold : float
        RMS gradient, relative to the root's, below which a value is flagged as vanishing.
    max_nodes : int
        A bigger picture is refused with a message saying how to draw it.
    rankdir : {'LR', 'TB'}, optional
        Direction of the layout; by default left to right for ops, top to bottom for layers.
    legend : bool
        Draw the legend into the picture.
    title : str, optional
        The picture's caption; by default it says which mode and how many nodes.

    Returns
    -------
    graphviz.Digraph
        Shows itself in Jupyter; ``.source`` is the DOT text, ``.render()`` writes a file.

    Examples
    --------
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> loss = (x.relu() * 2).sum()
    >>> graph = draw_graph(loss)                 # before loss.backward(), which frees the graph
    >>> graph.graph_attr["label"]
    'gradient of root: ops view of 7 values and ops (threshold 1e-06)'
    >>> "ZERO by the op" in graph.source         # relu(-1) passes back nothing, by its rule
    True
    """
    if mode not in MODES:
        raise ValueError(f"draw_graph: mode must be one of {MODES}, got {mode!r}")
    values, ops = walk(root)
    count = len(values) + len(ops)
    if mode == "auto":
        mode = "layers" if count > auto_nodes and recording is not None else "ops"
    if mode == "layers" and recording is None:
        raise ValueError(
            "draw_graph: mode='layers' needs to know which module made each op; run the forward "
            "pass inside `with minigrad.viz.record(model) as recording:` and pass recording=recording"
        )
    if mode == "ops" and count > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {count} nodes in mode='ops', more than max_nodes={max_nodes}. "
            "Draw it with mode='layers' (one node per module: record the forward pass with "
            "`with minigrad.viz.record(model) as recording:` and pass recording=recording), "
            "or raise max_nodes."
        )
    traced = trace(root, gradient=gradient, threshold=threshold, recording=recording)
    caption = title if title is not None else _caption(traced, mode, count)
    if mode == "ops":
        return dot.draw_ops(traced, recording, caption, rankdir or "LR", legend)
    assert recording is not None  # checked above
    return layers.draw_layers(traced, recording, caption, rankdir or "TB", legend, max_nodes)


def _caption(traced: Trace, mode: str, count: int) -> str:
    name = traced.root.tensor.name or "root"
    return f"gradient of {name}: {mode} view of {count} values and ops (threshold {traced.threshold:g})"
