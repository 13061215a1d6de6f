"""Regenerate docs/demos.md, the README's demo section, from a full run of every demo.

    .venv/bin/python docs/make_demos.py          (about a minute; needs Graphviz's dot)

runs ``minigrad demo all --out docs/demo-output`` (seed 0) and writes docs/demos.md from the
Markdown summary that run wrote, its picture links pointing into docs/demo-output/. Every number
and picture in it comes from that run.
"""

import runpy
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUTPUT = DOCS / "demo-output"


def main() -> None:
    runpy.run_path(str(DOCS.parent / "demos" / "all.py"))["main"](["--out", str(OUTPUT)])
    text = (OUTPUT / "demos.md").read_text(encoding="utf-8")
    (DOCS / "demos.md").write_text(text.replace("](", f"]({OUTPUT.name}/"), encoding="utf-8")
    print(f"wrote {DOCS / 'demos.md'}")


if __name__ == "__main__":
    main()
