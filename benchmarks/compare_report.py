"""The tables of a comparison of two minigrads (benchmarks/compare.py), and the checks that the
engine's second edition (issue 13) holds the "after" tree to, met or missed."""

from __future__ import annotations

import datetime

from benchmarks.report import MG, MIB, TITLES, TORCH, check, duration, markdown_table
from benchmarks.workloads import NUMPY

MYGRAD = "mygrad"
TREES = ("before", "after")
KEPT = 1.10  # "within 10 %": after's ratio to NumPy at most 1.10 times before's


def change(after, before) -> str:
    """after / before - 1 in percent (negative: after is smaller, i.e. faster)."""
    return "-" if after is None or not before else f"{(after / before - 1) * 100:+.1f} %"


def _times(x) -> str:
    return "-" if x is None else f"{x:.2f}x"


def header(argv: list, before, after, workers: list, machine: list) -> list:
    """The run's command, what each tree is and where its minigrad came from, and the machine."""
    imported = {w.tree.label: w.minigrad for w in workers}
    lines = [
        "# minigrad before and after, side by side",
        "",
        f"`python -m benchmarks {' '.join(argv)}`, {datetime.datetime.now():%Y-%m-%d %H:%M}. Medians. "
        "Each tree's minigrad runs in processes of its own, the two interleaved round by round. "
        '"× NumPy" is the ratio to the network written by hand in NumPy in this run: for W1 and W3 '
        "measured in the same tree's worker (so the baselines' own changes show how far two measurements "
        "of the same code land apart), for W2 in processes shared by both trees. "
        '"change" is after / before - 1 (negative: after is faster).',
        "",
    ]
    for tree in (before, after):
        where = f"minigrad imported from {imported[tree.label]}" if tree.label in imported else f"at {tree.path}"
        lines.append(f"- {tree.label}: {tree.description}; {where}")
    return lines + machine


def _cells(rows, *key) -> dict:
    """``{(tree, engine): row}`` of the rows whose first fields equal ``key`` (W2's dtype, malloc);
    a row of no tree (W2's baselines) is both trees'."""
    fields = ("dtype", "malloc")[: len(key)]
    chosen = [r for r in rows if tuple(r[f] for f in fields) == key]
    return {(tree, r["engine"]): r for r in chosen for tree in ([r["tree"]] if r.get("tree") else TREES)}


def _ratios(cells: dict, engine: str) -> tuple:
    """(before, after) seconds of ``engine`` over the same tree's NumPy; None where not measured."""
    out = []
    for tree in TREES:
        mine, numpy = (cells.get((tree, e), {}).get("seconds") for e in (engine, NUMPY))
        out.append(mine / numpy if mine is not None and numpy else None)
    return tuple(out)


def _engine_row(cells: dict, engine: str) -> list:
    before, after = (cells.get((tree, engine), {}) for tree in TREES)
    ratio_before, ratio_after = _ratios(cells, engine)
    note = before.get("note") or after.get("note")
    return [
        engine,
        duration(before.get("seconds")),
        _times(ratio_before),
        duration(after.get("seconds")),
        _times(ratio_after),
        change(after.get("seconds"), before.get("seconds")),
        note or change(ratio_after, ratio_before),
    ]


HEADER = ["engine", "before: per step", "× NumPy", "after: per step", "× NumPy", "change of time", "change of × NumPy"]


def training_table(rows) -> list:
    cells = _cells(rows)
    engines = dict.fromkeys(r["engine"] for r in rows)
    return markdown_table(HEADER, [_engine_row(cells, e) for e in engines])


def medium_table(rows) -> list:
    body = []
    for dtype, malloc in dict.fromkeys((r["dtype"], r["malloc"]) for r in rows):
        cells = _cells(rows, dtype, malloc)
        for engine in dict.fromkeys(r["engine"] for r in rows):
            peaks = [cells.get((tree, engine), {}).get("peak") for tree in TREES]
            body.append(
                [dtype, malloc]
                + _engine_row(cells, engine)
                + ["-" if p is None else f"{p / MIB:.1f} MiB" for p in peaks]
            )
    return markdown_table(["dtype", "malloc"] + HEADER + ["peak before", "peak after"], body) + [
        "",
        "A process per engine and round, and for minigrad per tree; the other engines' processes import no "
        "minigrad, so both trees share their numbers. Peak memory: above the process's resident memory after "
        "its imports.",
    ]


def chain_table(rows) -> list:
    cells = {(r["tree"], r["engine"], r["n"]): r for r in rows}

    def per_op(tree, engine, n):
        row = cells.get((tree, engine, n), {})
        return row.get("seconds"), row.get("note")

    body = []
    for n in dict.fromkeys(r["n"] for r in rows):
        (before, note_b), (after, note_a) = per_op("before", MG, n), per_op("after", MG, n)
        torch_b, torch_a = per_op("before", TORCH, n)[0], per_op("after", TORCH, n)[0]
        body.append(
            [
                f"{n:,}",
                note_b or duration(before),
                note_a or duration(after),
                change(after, before),
                duration(torch_b),
                duration(torch_a),
                _times(None if after is None or not torch_a else after / torch_a),
            ]
        )
    header = ["N", "minigrad before", "minigrad after", "change", "pytorch (before's worker)"]
    header += ["pytorch (after's worker)", "after × PyTorch (same worker)"]
    return markdown_table(header, body) + [
        "",
        "Per op: forward and backward together, divided by N; Python's cyclic GC on, default recursion limit.",
    ]


def checks(results: dict) -> list:
    """Issue 13's speed criteria on the "after" tree, each MET or MISSED."""
    lines = []
    groups = [(w, _cells(results[w])) for w in ("W1", "W3") if w in results]
    if "W2" in results:
        for dtype, malloc in dict.fromkeys((r["dtype"], r["malloc"]) for r in results["W2"]):
            groups.append((f"W2 {dtype}, malloc {malloc}", _cells(results["W2"], dtype, malloc)))
    for name, cells in groups:
        before, after = _ratios(cells, MG)
        if before is None or after is None:
            lines.append(check(False, f"{name}: minigrad not measured in both trees"))
            continue
        lines.append(
            check(
                after <= KEPT * before,
                f"{name}: minigrad {before:.2f}x NumPy before, {after:.2f}x after, {change(after, before)} "
                f"(target: at most {(KEPT - 1) * 100:+.0f} %)",
            )
        )
    if "W1" in results:
        cells = _cells(results["W1"])
        mine = cells.get(("after", MG), {}).get("seconds")
        for other in (TORCH, MYGRAD):
            theirs = cells.get(("after", other), {}).get("seconds")
            if theirs is None:
                lines.append(f"- NOT CHECKED: W1 after vs {other}: {other} not measured (not installed?)")
            elif mine is not None:
                lines.append(
                    check(
                        mine < theirs,
                        f"W1 after: minigrad {duration(mine)} per step, {other} {duration(theirs)} "
                        "in the same worker (target: minigrad ahead)",
                    )
                )
    if "W4" in results:
        cells = {(r["tree"], r["engine"], r["n"]): r.get("seconds") for r in results["W4"]}
        for n in dict.fromkeys(r["n"] for r in results["W4"]):
            mine, torch = cells.get(("after", MG, n)), cells.get(("after", TORCH, n))
            if mine is None:
                lines.append(check(False, f"W4 N={n:,}: minigrad after did not complete"))
            elif torch is None:
                lines.append(f"- NOT CHECKED: W4 N={n:,}: pytorch not measured (not installed?)")
            else:
                lines.append(
                    check(
                        mine <= torch,
                        f"W4 N={n:,}: minigrad after {duration(mine)} per op, PyTorch {duration(torch)} "
                        "in the same worker (target <= PyTorch)",
                    )
                )
    return lines


RENDER = {"W1": training_table, "W3": training_table, "W2": medium_table, "W4": chain_table}


def sections(results: dict) -> list:
    """Each workload's table under its results.md heading, then the checks."""
    lines = []
    for workload, rows in results.items():
        lines += ["", f"## {TITLES[workload]}", ""] + RENDER[workload](rows)
    return lines + ["", "## Issue 13's criteria, on the after tree", ""] + checks(results)
