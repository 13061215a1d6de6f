"""Regenerate docs/demos.md and the README's demo section from a full run of every demo.

    .venv/bin/python docs/make_demos.py          (about a minute; needs Graphviz's dot)

runs ``minigrad demo all --out docs/demo-output`` (seed 0), writes docs/demos.md from the
Markdown summary that run wrote, its picture links pointing into docs/demo-output/, and copies
the sections named in README_SECTIONS into the README between its ``demos:start`` and
``demos:end`` markers. Every number and picture in both comes from that run.
"""

import re
from pathlib import Path

from minigrad.demos import all as all_demos
from minigrad.report import replace_section

DOCS = Path(__file__).resolve().parent
OUTPUT = DOCS / "demo-output"
README = DOCS.parent / "README.md"
README_SECTIONS = [
    "How the gradient falls layer by layer",
    "The compounding of sigmoid",
    "Dead units through training",
    "Final state",
    "Update-to-data ratios while training",
    "The activations collapsing onto 0",
    "On real images",
    "The gradient at every time step",
    "Which cells learn at T",
]


def readme_section(demos_md: str) -> str:
    """The README_SECTIONS of docs/demos.md, with their links made relative to the top level."""
    # NOTE: split at every heading, so that a section ends where the next demo's "## " title begins
    sections = re.split(r"^(?=##+ )", demos_md, flags=re.M)
    chosen = [s for s in sections if any(s.startswith(f"### {title}") for title in README_SECTIONS)]
    return "".join(chosen).replace("](demo-output/", "](docs/demo-output/")


def main() -> None:
    all_demos.main(["--out", str(OUTPUT)])
    text = (OUTPUT / "demos.md").read_text(encoding="utf-8").replace("](", f"]({OUTPUT.name}/")
    (DOCS / "demos.md").write_text(text, encoding="utf-8")
    readme = replace_section(README.read_text(encoding="utf-8"), "demos", readme_section(text))
    README.write_text(readme, encoding="utf-8")
    print(f"wrote {DOCS / 'demos.md'} and the demo section of {README}")


if __name__ == "__main__":
    main()
