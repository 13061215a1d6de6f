"""minigrad's demos: vanishing gradients and dying ReLUs, measured, shown and fixed
Each demo below was run by this command, into a folder of its own here, and every number in it
comes from that run. Open each demo's index.html for all its pictures and tables.

    minigrad demo [all] [--quick] [--seed N] [--out DIR]
"""

import runpy
import time
from pathlib import Path

from minigrad.report import DemoRun, Table

NAME = "all"
DEMOS = ["vanishing", "dying-relu", "activations", "micrograd"]
HERE = Path(__file__).resolve().parent


def load(name: str) -> dict:
    """A demo's functions, read from demos/ (its file name has '_' where the command has '-')."""
    return runpy.run_path(str(HERE / f"{name.replace('-', '_')}.py"))


def main(argv=None) -> dict:
    demo = DemoRun(NAME, __doc__, argv)
    options = ["--seed", str(demo.seed)] + (["--quick"] if demo.quick else [])
    results, seconds, markdown = {}, {}, [f"# {demo.title}\n\n{demo.intro.strip()}\n"]
    for name in DEMOS:
        started = time.perf_counter()
        module = load(name)
        results[name] = module["main"]([*options, "--out", str(demo.out / name)])
        seconds[name] = time.perf_counter() - started
        demo.section(name, module["__doc__"].strip().partition("\n")[0], key=False)
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


if __name__ == "__main__":
    main()
