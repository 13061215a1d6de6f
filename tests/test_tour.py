"""docs/tour.md stays true: its references point at the definitions they name, its Python sessions
run and print what it shows, its excerpts are verbatim, its quotes are docs/demos.md's."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TOUR_PATH = DOCS / "tour.md"
TOUR = TOUR_PATH.read_text(encoding="utf-8")
STALE = "docs/tour.md is stale: run .venv/bin/python docs/update_tour.py"


def _load_update_tour():
    spec = importlib.util.spec_from_file_location("update_tour", DOCS / "update_tour.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_tour = _load_update_tour()
REFERENCES = list(update_tour.REFERENCE.finditer(TOUR))
SOURCES = update_tour.Sources(ROOT)


def _ref_id(match) -> str:
    return f"{match['path']}:{match['name']}"


# --- fenced blocks -------------------------------------------------------------------------------
# ```python  runs; the sessions run in order in one namespace, like a notebook's cells
# ```text    right after a ```python block: exactly what that block prints
# ```py      an excerpt of the source, verbatim, from the definition named by the reference before it
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", flags=re.S | re.M)
BLOCKS = list(FENCE.finditer(TOUR))
PYTHON = [i for i, block in enumerate(BLOCKS) if block["lang"] == "python"]
EXCERPTS = [block for block in BLOCKS if block["lang"] == "py"]


def _output_of(i: int) -> str:
    """The ```text block right after block ``i``, or '' when none follows it."""
    if i + 1 < len(BLOCKS):
        following = BLOCKS[i + 1]
        if following["lang"] == "text" and not TOUR[BLOCKS[i].end() : following.start()].strip():
            return following["body"]
    return ""


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.fixture(scope="module")
def session():
    """Run every ```python block in order in one namespace; per block, what it printed or raised."""
    namespace = {"__name__": "tour"}
    results = {}
    for i in PYTHON:
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(BLOCKS[i]["body"], f"docs/tour.md, block {i}", "exec"), namespace)
        except Exception as error:  # reported by the test of that block
            results[i] = (printed.getvalue(), error)
        else:
            results[i] = (printed.getvalue(), None)
    return results


@pytest.mark.parametrize("i", PYTHON, ids=[f"block{i}" for i in PYTHON])
def test_python_session_runs_and_prints_the_output_shown_under_it(session, i):
    printed, error = session[i]
    if error is not None:
        raise AssertionError(f"block {i} of docs/tour.md raised {error!r}; it printed:\n{printed}") from error
    assert _normalised(printed) == _normalised(_output_of(i)), f"block {i} printed:\n{printed}"


def test_every_text_block_is_the_output_of_the_python_block_above_it():
    for i, block in enumerate(BLOCKS):
        if block["lang"] == "text":
            line = TOUR.count("\n", 0, block.start()) + 1
            assert i > 0 and BLOCKS[i - 1]["lang"] == "python" and _output_of(i - 1) == block["body"], (
                f"docs/tour.md line {line}: a ```text block must directly follow the ```python block it is the output of"
            )


def test_every_fence_is_python_text_py_or_sh():
    assert {block["lang"] for block in BLOCKS} <= {"python", "text", "py", "sh"}


def test_fences_are_balanced():
    assert sum(1 for line in TOUR.splitlines() if line.startswith("```")) == 2 * len(BLOCKS)


# --- references to the source ---------------------------------------------------------------------


def test_tour_has_references():
    assert len(REFERENCES) >= 20


def test_every_link_into_the_source_is_a_checked_reference():
    for link in update_tour.SOURCE_LINK.finditer(TOUR):
        line = TOUR.count("\n", 0, link.start()) + 1
        assert any(m.start() < link.start() < m.end() for m in REFERENCES), (
            f"docs/tour.md line {line}: {link[0]!r} is not written as [path#La-Lb](../path#La-Lb) `name`"
        )


@pytest.mark.parametrize("ref", REFERENCES, ids=_ref_id)
def test_reference_link_text_and_target_agree(ref):
    assert (ref["path"], ref["start"], ref["end"]) == (ref["target"], ref["target_start"], ref["target_end"]), (
        f"{ref[0]}: the link text and its target differ; {STALE}"
    )


@pytest.mark.parametrize("ref", REFERENCES, ids=_ref_id)
def test_referenced_file_exists(ref):
    assert (ROOT / ref["path"]).is_file(), f"{ref['path']} does not exist"


@pytest.mark.parametrize("ref", REFERENCES, ids=_ref_id)
def test_reference_range_is_within_its_file(ref):
    lines = SOURCES.text(ref["path"]).count("\n") + 1
    start, end = int(ref["start"]), int(ref["end"])
    assert 1 <= start <= end <= lines, f"{ref[0]}: L{start}-L{end} is not within the file's {lines} lines; {STALE}"


@pytest.mark.parametrize("ref", REFERENCES, ids=_ref_id)
def test_reference_range_starts_at_its_definition_and_holds_all_of_it(ref):
    start, end = SOURCES.span(ref["path"], ref["name"])
    got = (int(ref["start"]), int(ref["end"]))
    assert got[0] == start, f"`{ref['name']}` starts at line {start} of {ref['path']}, not {got[0]}; {STALE}"
    assert got[1] == end, f"`{ref['name']}` ends at line {end} of {ref['path']}, not {got[1]}; {STALE}"


def test_update_tour_would_change_nothing():
    new, changes, problems = update_tour.updated(TOUR, SOURCES)
    assert not problems
    assert not changes and new == TOUR, STALE + "\n" + "\n".join(changes)


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=[f"line{TOUR.count(chr(10), 0, b.start()) + 1}" for b in EXCERPTS])
def test_excerpt_is_verbatim_from_the_definition_named_before_it(excerpt):
    """Lines compared without their indentation; a line '...' stands for lines left out."""
    before = [m for m in REFERENCES if m.end() <= excerpt.start()]
    assert before, "an excerpt must follow a reference that names where it comes from"
    ref = before[-1]
    start, end = SOURCES.span(ref["path"], ref["name"])
    source = [line.strip() for line in SOURCES.text(ref["path"]).splitlines()[start - 1 : end]]
    chunks = [[]]
    for line in textwrap.dedent(excerpt["body"]).splitlines():
        if line.strip() == "...":
            chunks.append([])
        else:
            chunks[-1].append(line.strip())
    position = 0
    for chunk in filter(None, chunks):
        found = next((k for k in range(position, len(source)) if source[k : k + len(chunk)] == chunk), None)
        assert found is not None, (
            f"docs/tour.md: this excerpt is no longer in `{ref['name']}` ({ref['path']}); "
            f"copy it again from the source:\n" + "\n".join(chunk)
        )
        position = found + len(chunk)


# --- the tool that rewrites the references --------------------------------------------------------

MODULE = '''\
"""A module."""

LIMIT = 3


def helper():
    return 1


class Thing:
    size: int = 2

    @staticmethod
    @other
    def make(x):
        return x

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v

    def after(self):
        pass
'''


@pytest.mark.parametrize(
    "name, span",
    [
        ("LIMIT", (3, 3)),
        ("helper", (6, 7)),
        ("Thing", (10, 27)),
        ("Thing.size", (11, 11)),
        ("Thing.make", (13, 16)),  # from the first decorator
        ("Thing.value", (18, 24)),  # the property and its setter
        ("Thing.after", (26, 27)),
    ],
)
def test_definition_span_covers_decorators_and_the_whole_body(name, span):
    assert update_tour.definition_span(MODULE, name) == span


@pytest.mark.parametrize("name", ["missing", "Thing.missing", "helper.inner", "LIMIT.x"])
def test_definition_span_of_an_unknown_name_raises_naming_it(name):
    with pytest.raises(LookupError, match=re.escape(name)):
        update_tour.definition_span(MODULE, name)


def test_updated_rewrites_stale_ranges_and_reports_missing_definitions(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(MODULE)
    text = (
        "See [pkg/mod.py#L1-L2](../pkg/mod.py#L1-L2) `Thing.make` and "
        "[pkg/mod.py#L6-L7](../pkg/mod.py#L6-L7) `helper`, and "
        "[pkg/mod.py#L1-L1](../pkg/mod.py#L1-L1) `gone`, and "
        "[pkg/nothere.py#L1-L1](../pkg/nothere.py#L1-L1) `x`."
    )
    new, changes, problems = update_tour.updated(text, update_tour.Sources(tmp_path))
    assert "[pkg/mod.py#L13-L16](../pkg/mod.py#L13-L16) `Thing.make`" in new
    assert "[pkg/mod.py#L6-L7](../pkg/mod.py#L6-L7) `helper`" in new
    assert changes == ["pkg/mod.py `Thing.make`: L1-L2 -> L13-L16"]
    assert len(problems) == 2 and "'gone'" in problems[0] and "nothere.py" in problems[1]
    assert "`gone`" in new and "`x`" in new  # left as they were


def test_updated_fixes_a_link_whose_target_disagrees_with_its_text(tmp_path):
    (tmp_path / "mod.py").write_text(MODULE)
    text = "[mod.py#L6-L7](../mod.py#L1-L9) `helper`"
    new, changes, _ = update_tour.updated(text, update_tour.Sources(tmp_path))
    assert new == "[mod.py#L6-L7](../mod.py#L6-L7) `helper`" and changes


# --- the rest of the page -------------------------------------------------------------------------

LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def test_relative_links_and_images_exist():
    for link in LINK.finditer(TOUR):
        target = link["target"].split("#")[0]
        if target and not re.match(r"\w+://", target):
            assert (DOCS / target).exists(), f"docs/tour.md links to {link['target']}, which does not exist"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_within_the_tour_lead_to_its_headings():
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", TOUR, flags=re.M)}
    for target in re.findall(r"\]\(#([^)]+)\)", TOUR):
        assert target in anchors, f"docs/tour.md links to #{target}, which is no heading"


def test_quotes_are_verbatim_from_docs_demos_md():
    demos = (DOCS / "demos.md").read_text(encoding="utf-8")
    quoted = [line[2:] for line in TOUR.splitlines() if line.startswith("> ")]
    assert quoted
    for line in quoted:
        assert line in demos, f"docs/tour.md quotes {line!r}, which docs/demos.md does not say (any more)"


def test_readme_links_the_tour_on_its_first_screen():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = readme.split("\n## ", 1)[0]
    assert "](docs/tour.md)" in first_screen


def test_update_tour_check_passes_on_the_tour(capsys):
    assert update_tour.main(["--check"]) == 0, STALE
