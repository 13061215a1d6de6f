"""DemoRun: one run of a demo, its options, its output folder and the page it writes there.

Every demo in this package builds its page with it, so a demo holds only its experiment.
Matplotlib is imported only by the demos that draw with it.
"""

from __future__ import annotations

import argparse
import html
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from tqdm.auto import tqdm

from minigrad.arguments import check_number
from minigrad.report import Table
from minigrad.viz import explore, render_graph

if TYPE_CHECKING:
    import graphviz
    from matplotlib.figure import Figure

    from minigrad.viz.examples import Example


class ArgumentParser(argparse.ArgumentParser):
    """The parser of the ``minigrad`` command and of every demo: a bad flag is one line on stderr.

    The line names the flag and the value (argparse's own words, or :func:`check_number`'s), and
    the exit status is argparse's 2; never a usage dump, never a traceback.

    Examples
    --------
    >>> parser = ArgumentParser(prog="minigrad demo vanishing")
    >>> _ = parser.add_argument("--seed", type=int, default=0)
    >>> parser.parse_args(["--seed", "x"])
    Traceback (most recent call last):
    SystemExit: 2
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")

    def check(self, flag: str, value: Any, **bounds: Any) -> Any:
        """``value`` of ``flag`` if :func:`check_number` accepts it within ``bounds``, else exit 2.

        Examples
        --------
        >>> parser = ArgumentParser(prog="minigrad demo vanishing")
        >>> parser.check("--seed", 3, integer=True, at_least=0)
        3
        >>> parser.check("--seed", -1, integer=True, at_least=0)
        Traceback (most recent call last):
        SystemExit: 2
        """
        try:
            return check_number(self.prog, flag, value, **bounds)
        except (TypeError, ValueError) as error:
            self.exit(2, f"{error}\n")


class DemoRun:
    """One run of a demo: its options, its output folder, and the page it writes there.

    Each part of the page is a section (a heading, a short explanation, pictures, tables). At
    the end, :meth:`finish` writes ``index.html``, ``summary.md`` (its key sections in Markdown,
    for docs/demos.md) and ``results.json`` (the measured numbers), and prints the main table.

    Parameters
    ----------
    name : str
        The demo's command name, e.g. 'dying-relu'.
    description : str
        Its docstring: the first line is the page's title, the rest its introduction.
    argv : list of str, optional
        The command line (``--seed``, ``--out``, ``--quick``); None reads ``sys.argv``.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> run = DemoRun("demo", "A demo", ["--out", folder.name, "--seed", "3"])
    >>> run.seed, run.quick
    (3, False)
    >>> run.section("Dead units", "The share of dead units after training.")
    >>> run.table(Table(["activation", "dead"], [["relu", 0.91]]))
    >>> results = run.finish({"dead": 0.91}, Table(["dead"], [[0.91]]))
    <BLANKLINE>
    A demo
    dead
    ----
    0.91
    <BLANKLINE>
    wrote .../index.html (... s)
    >>> sorted(os.listdir(folder.name))
    ['index.html', 'results.json', 'summary.md']
    >>> folder.cleanup()
    """

    def __init__(self, name: str, description: str, argv: Sequence[str] | None = None) -> None:
        parser = ArgumentParser(
            prog=f"minigrad demo {name}", description=description, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the data and the models, >= 0 (default 0)")
        parser.add_argument(
            "--out", default=str(Path("minigrad-out") / name), help=f"output folder (default ./minigrad-out/{name})"
        )
        parser.add_argument("--quick", action="store_true", help="a few seconds' version, for smoke tests")
        options = parser.parse_args(argv)
        parser.check("--seed", options.seed, integer=True, at_least=0)
        if not options.out:
            parser.error("--out must name a folder, got ''")
        self.name, self.seed, self.quick, self.out = name, options.seed, options.quick, Path(options.out)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a run-time failure: exit status 1
            parser.exit(1, f"{parser.prog}: cannot write to --out {str(self.out)!r}: {error.strerror}\n")
        self.title, _, self.intro = description.strip().partition("\n")
        self.sections: list[dict] = []
        self.started = time.perf_counter()

    def progress(self, total: int, label: str) -> tqdm:
        """A tqdm progress bar on stderr (a widget in a notebook) labelled with the demo's name.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     DemoRun("vanishing", "A demo", ["--out", folder]).progress(10, "training").desc
        'vanishing: training'
        """
        return tqdm(total=total, desc=f"{self.name}: {label}", leave=True)

    def section(self, heading: str, text: str, key: bool = True) -> None:
        """Start a section of the page; pictures and tables added next go into it.

        Only ``key`` sections go into the Markdown summary.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        >>> run.section("Setup", "How the data was made.", key=False)
        >>> run.section("Results", "What came out.")
        >>> [(s["heading"], s["key"]) for s in run.sections]
        [('Setup', False), ('Results', True)]
        """
        self.sections.append({"heading": heading, "text": text, "items": [], "key": key})

    def figure(self, fig: Figure, filename: str) -> Path:
        """Save a Matplotlib figure as a PNG into the current section (Agg renders it).

        Examples
        --------
        >>> import tempfile
        >>> from matplotlib.figure import Figure
        >>> fig = Figure(figsize=(2, 2))
        >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        ...     run.section("A line", "It falls.")
        ...     run.figure(fig, "line.png").name
        'line.png'
        """
        path = self.out / filename
        fig.savefig(path, dpi=90, bbox_inches="tight")
        self.sections[-1]["items"].append(("image", filename))
        return path

    def graph(self, digraph: graphviz.Digraph, filename: str) -> Path:
        """Render a ``graphviz.Digraph`` (from :func:`minigrad.viz.draw_graph`) as SVG into the section.

        Examples
        --------
        >>> import tempfile
        >>> from minigrad.viz import draw_graph
        >>> x = Tensor([1.0, -1.0], requires_grad=True)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        ...     run.section("A graph", "relu, then a sum.")
        ...     run.graph(draw_graph(x.relu().sum()), "graph.svg").name
        'graph.svg'
        """
        path = render_graph(digraph, self.out / filename)
        self.sections[-1]["items"].append(("image", path.name))
        return path

    def explorer(self, example: Example, filename: str, text: str) -> Path:
        """Write the explorer's page of ``example`` (:func:`minigrad.viz.explore`) and link it in the section.

        Examples
        --------
        >>> import tempfile
        >>> from minigrad.viz.examples import neuron
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        ...     run.section("Step through it", "One node at a time.", key=False)
        ...     run.explorer(neuron(), "neuron.html", "the neuron's backward pass").name
        'neuron.html'
        >>> run.sections[-1]["items"]
        [('link', ('neuron.html', "the neuron's backward pass"))]
        """
        path = explore(example.root, self.out / filename, recording=example.recording, title=example.title)
        self.link(filename, text)
        return path.path

    def table(self, table: Table) -> None:
        """Add a :class:`Table` to the current section.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        >>> run.section("Numbers", "Two of them.")
        >>> run.table(Table(["x", "y"], [[1, 2]]))
        >>> print(run.markdown())
        ## A demo
        <BLANKLINE>
        <BLANKLINE>
        ### Numbers
        <BLANKLINE>
        Two of them.
        <BLANKLINE>
        | x | y |
        |---|---|
        | 1 | 2 |
        <BLANKLINE>
        """
        self.sections[-1]["items"].append(("table", table))

    def link(self, href: str, text: str) -> None:
        """A link (to another page of the run) in the current section.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("all", "Every demo", ["--out", folder])
        >>> run.section("Demos", "One page each.")
        >>> run.link("vanishing/index.html", "vanishing gradients")
        >>> run.markdown().splitlines()[-1]
        '[vanishing gradients](vanishing/index.html)'
        """
        self.sections[-1]["items"].append(("link", (href, text)))

    def preformatted(self, text: str) -> None:
        """Terminal output (a diagnosis, an explanation) shown as it prints.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        >>> run.section("Diagnosis", "What diagnose() printed.")
        >>> run.preformatted("loss 0.69")
        >>> run.markdown().splitlines()[-3:]
        ['```text', 'loss 0.69', '```']
        """
        self.sections[-1]["items"].append(("pre", text))

    def finish(self, results: dict[str, Any], summary: Table) -> dict[str, Any]:
        """Write the page, the Markdown summary and the numbers; print the summary table.

        Returns ``results``, as written to ``results.json``.

        Examples
        --------
        >>> import json, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        ...     _ = run.finish({"accuracy": 0.99}, Table(["accuracy"], [[0.99]]))
        ...     json.loads((run.out / "results.json").read_text())
        <BLANKLINE>
        A demo
        accuracy
        --------
        0.99
        <BLANKLINE>
        wrote .../index.html (... s)
        {'accuracy': 0.99}
        """
        (self.out / "index.html").write_text(self._html(), encoding="utf-8")
        (self.out / "summary.md").write_text(self.markdown(), encoding="utf-8")
        (self.out / "results.json").write_text(json.dumps(results, indent=1, default=float), encoding="utf-8")
        print(f"\n{self.title}\n{summary.text()}")
        print(f"\nwrote {self.out}/index.html ({time.perf_counter() - self.started:.1f} s)")
        return results

    def markdown(self) -> str:
        """The key sections of the page in Markdown, pictures linked by file name.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     run = DemoRun("demo", "A demo", ["--out", folder])
        >>> run.section("Aside", "Left out of the summary.", key=False)
        >>> run.section("Result", "Kept.")
        >>> [line for line in run.markdown().splitlines() if line.startswith("#")]
        ['## A demo', '### Result']
        """
        parts = [f"## {self.title}\n\n{self.intro.strip()}\n"]
        for section in filter(lambda s: s["key"], self.sections):
            parts.append(f"### {section['heading']}\n\n{section['text']}\n")
            for kind, item in section["items"]:
                if kind == "image":
                    parts.append(f"![{item}]({item})\n")
                elif kind == "table":
                    parts.append(item.markdown() + "\n")
                elif kind == "link":
                    parts.append(f"[{item[1]}]({item[0]})\n")
                else:
                    parts.append(f"```text\n{item}\n```\n")
        return "\n".join(parts)

    def _html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for paragraph in self.intro.strip().split("\n\n"):  # an indented paragraph is a command line
            tag = "pre" if paragraph.startswith("    ") else "p"
            body.append(f"<{tag}>{html.escape(paragraph.strip())}</{tag}>")
        for section in self.sections:
            body += [f"<h2>{html.escape(section['heading'])}</h2>", f"<p>{html.escape(section['text'])}</p>"]
            for kind, item in section["items"]:
                if kind == "image":
                    body.append(f'<p><a href="{item}"><img src="{item}" alt="{item}"></a></p>')
                elif kind == "table":
                    body.append(item.html())
                elif kind == "link":
                    body.append(f'<p><a href="{html.escape(item[0])}">{html.escape(item[1])}</a></p>')
                else:
                    body.append(f"<pre>{html.escape(item)}</pre>")
        return page(self.title, "\n".join(body))


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "img{max-width:100%;border:1px solid #ddd}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f3f3f3}"
    "pre{background:#f6f6f6;padding:.8em;overflow-x:auto}"
)


def page(title: str, body: str) -> str:
    """A self-contained HTML page.

    Examples
    --------
    >>> page("Results", "<p>done</p>").splitlines()[0]
    '<!DOCTYPE html>'
    """
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
