"""Recompute the line ranges of docs/tour.md's references to the source, from the names they give.

    .venv/bin/python docs/update_tour.py           # rewrite docs/tour.md in place
    .venv/bin/python docs/update_tour.py --check   # change nothing; exit 1 and list what is stale

A reference in the tour is a link to a file and a line range, followed by a space (or a line
break) and the name of the definition those lines hold, in backticks:

    [minigrad/autograd/function.py#L134-L169](../minigrad/autograd/function.py#L134-L169) `Function.apply`

The name is what counts: a class, function or method by its qualified name (``Function.apply``,
``Tensor.__mul__``), or a name assigned at module or class level (``SATURATION``,
``Tensor.__slots__``). The range is recomputed with :mod:`ast` as the definition's first line
(its first decorator, if it has any) to its last; a name defined twice in a row at the same level
(a property and its setter) gets one range over both. Line numbers shift whenever someone edits
the source above a definition; the names do not, so this script can always put them right.
tests/test_tour.py checks that it has been run.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
TOUR = DOCS / "tour.md"

# NOTE: the link text and the link target each carry the path and the range; both are rewritten.
REFERENCE = re.compile(
    r"\[(?P<path>[\w./-]+\.py)#L(?P<start>\d+)-L(?P<end>\d+)\]"
    r"\(\.\./(?P<target>[\w./-]+\.py)#L(?P<target_start>\d+)-L(?P<target_end>\d+)\)"
    r"(?P<sep>[ \n])`(?P<name>[\w.]+)`"
)
# Any link from docs/ into a Python file: each must be a whole REFERENCE (the tests check).
SOURCE_LINK = re.compile(r"\]\(\.\./[^)\s]*\.py[^)\s]*\)")


def reference(path: str, start: int, end: int, name: str, sep: str = " ") -> str:
    """The markdown of one reference (``sep``, a space or a line break, before the name)."""
    return f"[{path}#L{start}-L{end}](../{path}#L{start}-L{end}){sep}`{name}`"


def _defines(node: ast.AST, name: str) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _first_line(node: ast.AST) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def definition_span(source: str, qualname: str, where: str = "<source>") -> tuple[int, int]:
    """First and last line (1-based, inclusive, decorators included) of ``qualname`` in ``source``.

    Raises LookupError, naming ``where`` and the part of the name that is missing.
    """
    body = ast.parse(source).body
    parts = qualname.split(".")
    for depth, part in enumerate(parts):
        matches = [node for node in body if _defines(node, part)]
        if not matches:
            inside = ".".join(parts[:depth]) or "the module"
            raise LookupError(f"{where}: no definition of {part!r} in {inside} (looking for {qualname!r})")
        if depth < len(parts) - 1:
            if not isinstance(matches[0], ast.ClassDef):
                raise LookupError(
                    f"{where}: {'.'.join(parts[: depth + 1])!r} is not a class (looking for {qualname!r})"
                )
            body = matches[0].body
            continue
        # NOTE: a run of definitions of the same name (a property, then its setter) is one span.
        first = body.index(matches[0])
        run = [matches[0]]
        for node in body[first + 1 :]:
            if not _defines(node, part):
                break
            run.append(node)
        return _first_line(run[0]), run[-1].end_lineno
    raise LookupError(f"{where}: empty name")  # pragma: no cover - split always gives one part


class Sources:
    """Files under ``root``, read and parsed once each."""

    def __init__(self, root: Path = ROOT):
        self.root = Path(root)
        self._text: dict[str, str] = {}

    def text(self, path: str) -> str:
        if path not in self._text:
            file = self.root / path
            if not file.is_file():
                raise LookupError(f"{path}: no such file under {self.root}")
            self._text[path] = file.read_text(encoding="utf-8")
        return self._text[path]

    def span(self, path: str, name: str) -> tuple[int, int]:
        return definition_span(self.text(path), name, path)


def updated(text: str, sources: Sources | None = None) -> tuple[str, list[str], list[str]]:
    """``text`` with every reference's range recomputed.

    Returns the new text, the references that changed (as 'name: old -> new' lines) and the
    problems (missing files or definitions), which leave their references as they were.
    """
    sources = sources or Sources()
    changes, problems = [], []

    def fix(match: re.Match) -> str:
        path, name = match["path"], match["name"]
        try:
            start, end = sources.span(path, name)
        except LookupError as error:
            problems.append(str(error))
            return match[0]
        new = reference(path, start, end, name, match["sep"])
        if new != match[0]:
            changes.append(f"{path} `{name}`: L{match['start']}-L{match['end']} -> L{start}-L{end}")
        return new

    return REFERENCE.sub(fix, text), changes, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the tour is stale")
    parser.add_argument("tour", nargs="?", type=Path, default=TOUR, help="the markdown file (default: docs/tour.md)")
    args = parser.parse_args(argv)
    text = args.tour.read_text(encoding="utf-8")
    new, changes, problems = updated(text, Sources(ROOT))
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 2
    for change in changes:
        print(change)
    if args.check:
        if changes:
            print(f"{args.tour} is stale: run .venv/bin/python docs/update_tour.py", file=sys.stderr)
        return 1 if changes else 0
    if new != text:
        args.tour.write_text(new, encoding="utf-8")
    count = len(REFERENCE.findall(text))
    print(f"{args.tour.name}: {count} references, {len(changes)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
