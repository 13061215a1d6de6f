"""Canvas: a ``graphviz.Digraph`` being drawn, with one nested cluster per module call, and the legend.

Both pictures ('ops', dot.py, and 'layers', layers.py) place their nodes on one.
"""

from __future__ import annotations

import graphviz

from minigrad.analysis.record import ModuleCall
from minigrad.viz import style


class Canvas:
    """A Digraph being drawn, with one cluster per module call (nested as the calls were).

    Examples
    --------
    >>> canvas = Canvas("a title", "LR")
    >>> canvas.node("v0", None, label="loss")
    >>> canvas.node("v1", None, label="x")
    >>> canvas.edge("v1", "v0")
    >>> print(canvas.finish(1e-6, legend=False, root="v0").source)
    digraph minigrad {
        graph [fontname=Helvetica fontsize=16 label="a title" labelloc=t nodesep=0.25 rankdir=LR ranksep=0.35]
        node [fontname=Helvetica fontsize=11 margin="0.12,0.05"]
        edge [arrowsize=0.6 fontname=Helvetica fontsize=10]
        v0 [label=loss]
        v1 [label=x]
        v1 -> v0
    }
    <BLANKLINE>
    """

    def __init__(self, title: str, rankdir: str) -> None:
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
        self._clusters: dict[ModuleCall, graphviz.Digraph] = {}

    def node(self, key: str, call: ModuleCall | None, **attrs: str) -> None:
        """Add a node inside the cluster of module call ``call`` (None: outside every module).

        Examples
        --------
        >>> from minigrad.viz import record
        >>> layer = nn.Linear(2, 1, rng=0)
        >>> with record(layer) as recording:
        ...     _ = layer(Tensor([[1.0, 2.0]]))
        >>> canvas = Canvas("one layer", "LR")
        >>> canvas.node("f0", recording.calls[0], label="Linear")
        >>> "subgraph cluster_0" in canvas.finish(1e-6, legend=False, root="f0").source
        True
        """
        (self.graph if call is None else self._cluster(call)).node(key, **attrs)

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        """Add an arrow from node ``tail`` to node ``head`` (edges are never inside a cluster).

        Examples
        --------
        >>> canvas = Canvas("", "LR")
        >>> canvas.edge("v1", "f0", label="×2")
        >>> canvas.graph.body[-1].strip()
        'v1 -> f0 [label="×2"]'
        """
        self.graph.edge(tail, head, **attrs)

    def same_rank(self, keys: list[str], call: ModuleCall | None) -> None:
        """Lay the nodes ``keys`` (all in the cluster of ``call``) out side by side.

        Examples
        --------
        >>> canvas = Canvas("", "TB")
        >>> canvas.same_rank(["L0", "L1"], None)
        >>> "rank=same" in canvas.graph.source
        True
        """
        with (self.graph if call is None else self._cluster(call)).subgraph() as row:
            row.attr(rank="same")
            for key in keys:
                row.node(key)

    def _cluster(self, call: ModuleCall) -> graphviz.Digraph:
        missing: ModuleCall | None = call
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
        """Put each cluster into its parent's, innermost first, add the legend, return the graph.

        Examples
        --------
        >>> canvas = Canvas("", "LR")
        >>> canvas.node("v0", None, label="loss")
        >>> "legend" in canvas.finish(1e-6, legend=True, root="v0").source
        True
        """
        depth: dict[ModuleCall, int] = {}
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
