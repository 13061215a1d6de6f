"""minigrad's demos: vanishing gradients and dying ReLUs, measured, shown and fixed
Each demo below was run by this command, into a folder of its own here, and every number in it
comes from that run. Open each demo's index.html for all its pictures and tables.

    minigrad demo [all] [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from typing import Any

from minigrad.demos import NAMES
from minigrad.demos.harness import DemoRun
from minigrad.report import Table

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run every demo into a folder of its own, and write a page that links them and ``demos.md``
    (every demo's summary, for docs/demos.md); return each demo's results by its name.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     results = main(["--quick", "--seed", "1", "--out", folder])
    <BLANKLINE>
    ...
    seed 1, quick mode
    demo         wall time
    ...
    >>> list(results)
    ['vanishing', 'dying-relu', 'activations', 'micrograd', 'through-time']
    """
    demo = DemoRun("all", __doc__ or "", argv)
    options = ["--seed", str(demo.seed)] + (["--quick"] if demo.quick else [])
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    markdown = [f"# {demo.title}\n\n{demo.intro.strip()}\n"]
    for name in NAMES:
        started = time.perf_counter()
        module = importlib.import_module(f"minigrad.demos.{name.replace('-', '_')}")
        results[name] = module.main([*options, "--out", str(demo.out / name)])
        seconds[name] = time.perf_counter() - started
        demo.section(name, (module.__doc__ or "").strip().partition("\n")[0], key=False)
        demo.link(f"{name}/index.html", f"{name}/index.html")
        summary = (demo.out / name / "summary.md").read_text(encoding="utf-8")
        markdown.append(summary.replace("](", f"]({name}/"))
    seconds["total"] = time.perf_counter() - demo.started
    rows = [[name, f"{s:.1f} s"] for name, s in seconds.items()]
    table = Table(["demo", "wall time"], rows, title=f"seed {demo.seed}{', quick mode' if demo.quick else ''}")
    demo.section("Wall time", "On the machine that made this page.")
    demo.table(table)
    markdown.append(f"## Wall time\n\n{table.markdown()}\n")
    (demo.out / "demos.md").write_text("\n".join(markdown), encoding="utf-8")
    demo.finish({"seconds": seconds}, table)
    return results
