"""The two minigrads a comparison runs: the package in this checkout, and a git revision's.

A revision's ``minigrad/`` is exported with ``git archive`` into a temporary directory (no
worktree, no change to the repository); a process whose ``sys.path`` starts with that directory
imports it instead of this checkout's (benchmarks/worker.py checks which one it got).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tree:
    """A directory holding a ``minigrad/`` package, and what it is (for the report)."""

    label: str  # "before" or "after"
    path: str
    description: str


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise ValueError(f"git {' '.join(args)}: {done.stderr.strip() or f'exit {done.returncode}'}")
    return done.stdout.strip()


def describe(rev: str) -> str:
    """Commit ``rev`` as its short hash, date and subject's start, e.g. ``53947bc (2026-11-29:
    Benchmarks: …)``. Raises ValueError naming ``rev`` if git does not know it."""
    try:
        log = _git("log", "-1", "--format=%h%n%cs%n%s", rev + "^{commit}", "--")
    except (ValueError, FileNotFoundError) as error:
        raise ValueError(f"{rev!r} is not a commit of the git checkout {ROOT} ({error})") from None
    short, date, subject = log.split("\n", 2)
    return f"{short} ({date}: {subject[:60]}{'…' if len(subject) > 60 else ''})"


def current() -> Tree:
    """This checkout's minigrad, as it is on disk (uncommitted changes included, and said so)."""
    description = "this checkout"
    with contextlib.suppress(ValueError, FileNotFoundError):  # not a git checkout: no revision to name
        description = "HEAD " + describe("HEAD")
        if _git("status", "--porcelain", "--", "minigrad"):
            description += ", with uncommitted changes to minigrad/"
    return Tree("after", str(ROOT), description)


@contextlib.contextmanager
def exported(rev: str):
    """Yield the Tree of revision ``rev``'s ``minigrad/`` exported to a temporary directory,
    removed afterwards. Raises ValueError naming ``rev`` if git does not know it."""
    description = describe(rev)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "minigrad"], capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory(prefix=f"minigrad-{rev.replace('/', '_')}-") as directory:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(directory, filter="data")
        yield Tree("before", directory, description)
