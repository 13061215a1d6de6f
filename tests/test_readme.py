"""The README's Python examples run as written, and print what their comments say."""

import contextlib
import io
import re
import runpy
from pathlib import Path

import pytest

from benchmarks.report import readme_section
from minigrad.report import replace_section

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs_and_prints_what_it_says(code):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(README), "exec"), {})
    claimed = [line.split("#", 1)[1].strip() for line in code.splitlines() if line.startswith("print(") and "#" in line]
    lines = [" ".join(line.split()) for line in printed.getvalue().splitlines()]
    joined = " ".join(lines)
    for claim in claimed:
        assert " ".join(claim.split()) in joined, f"README claims {claim!r}; the example printed {joined!r}"


def test_readme_demo_section_is_the_one_docs_make_demos_writes():
    make_demos = runpy.run_path(str(ROOT / "docs" / "make_demos.py"))
    demos_md = (ROOT / "docs" / "demos.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    expected = replace_section(readme, "demos", make_demos["readme_section"](demos_md))
    assert readme == expected, "regenerate with .venv/bin/python docs/make_demos.py"


def test_readme_speed_section_is_the_one_the_benchmarks_wrote():
    results = (ROOT / "benchmarks" / "results.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    assert readme == replace_section(readme, "benchmarks", readme_section(results)), (
        "run .venv/bin/python -m benchmarks"
    )


def test_readme_reading_table_gives_each_file_its_true_length():
    rows = re.findall(r"^\| \d \| `(minigrad/[\w/]+\.py)` \| (\d+) \|", README.read_text(), flags=re.MULTILINE)
    assert len(rows) == 5
    for path, lines in rows:
        assert len((ROOT / path).read_text().splitlines()) == int(lines), f"README: {path} has changed length"
