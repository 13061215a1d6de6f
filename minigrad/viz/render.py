"""render_graph: write the picture (SVG, PNG or PDF) and its DOT source next to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import graphviz

from minigrad.tensor import Tensor
from minigrad.viz.draw import draw_graph

FORMATS = ("svg", "png", "pdf")
INSTALL_HINT = (
    "install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install graphviz`"
)


class GraphvizNotFound(RuntimeError):
    """Graphviz's ``dot`` program is not installed; the .dot file was still written.

    A RuntimeError, whose message says how to install Graphviz and finish the picture by hand.

    Examples
    --------
    >>> issubclass(GraphvizNotFound, RuntimeError)
    True
    """


def render_graph(
    root: Tensor | graphviz.Digraph, path: str | os.PathLike[str], format: str | None = None, **options: Any
) -> Path:
    """Draw the graph of ``root`` and write it to ``path``, with the DOT source beside it.

    Parameters
    ----------
    root : Tensor or graphviz.Digraph
        What to draw (as :func:`~minigrad.viz.draw_graph` does), or a graph already drawn.
    path : str or Path
        Where the picture goes; ``loss.svg`` also writes ``loss.dot``.
    format : {'svg', 'png', 'pdf'}, optional
        Taken from the file's suffix when omitted; SVG when it has none.
    **options
        Passed on to :func:`~minigrad.viz.draw_graph` (``mode``, ``recording``, ``threshold``...).

    Returns
    -------
    Path
        The picture written.

    Raises
    ------
    GraphvizNotFound
        When the ``dot`` program is missing: the .dot file is written all the same.

    Examples
    --------
    >>> import os, tempfile
    >>> x = Tensor([1.0, -1.0], requires_grad=True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     render_graph(x.relu().sum(), os.path.join(folder, "relu.svg")).name
    ...     sorted(os.listdir(folder))
    'relu.svg'
    ['relu.dot', 'relu.svg']
    """
    path = Path(path)
    format = (format or path.suffix.lstrip(".") or "svg").lower()
    if format not in FORMATS:
        raise ValueError(f"render_graph: format must be one of {FORMATS}, got {format!r}")
    path = path.with_suffix(f".{format}")
    graph = root if isinstance(root, graphviz.Digraph) else draw_graph(root, **options)
    dot_path = path.with_suffix(".dot")
    path.parent.mkdir(parents=True, exist_ok=True)
    dot_path.write_text(graph.source, encoding="utf-8")
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(
            f"render_graph: Graphviz's `dot` program was not found, so {path.name} was not made; "
            f"the DOT source is in {dot_path}. To finish, {INSTALL_HINT}, then run "
            f"`dot -T{format} {dot_path} -o {path}`."
        )
    done = subprocess.run([program, f"-T{format}", str(dot_path), "-o", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"render_graph: dot failed on {dot_path} (exit {done.returncode}): {done.stderr.strip()}")
    return path
