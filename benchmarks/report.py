"""The tables of results.md, and the targets each workload is held to (met or missed)."""

from __future__ import annotations

from benchmarks.problems import CNN, LSTM
from benchmarks.workloads import CHAIN_LENGTHS, NUMPY

MG, TORCH = "minigrad", "pytorch"
MIB = 2**20

# The heading of each workload's section in results.md (and in a comparison's report).
TITLES = {
    "W1": "W1 moons: MLP 2-16-16-1, batch 100, tanh, MSE, one SGD step",
    "W3": "W3 deep-narrow: 20 hidden layers of width 32, batch 32, sigmoid, MSE, one SGD step",
    "W2": "W2 medium: MLP 784-512-256-10, batch 128, ReLU, cross-entropy, one SGD step (a process per engine)",
    "W4": "W4 scalar chain: N scalar ops (alternately y * c and y + d), then backward",
    "W5": "W5 one elementwise op: forward, and forward + backward (gradient given)",
    "W6": "W6 steady state: 2,000 SGD steps of W1 in a fresh process",
    "walk": "The backward walk: Tensor-op backward rules vs rules calling NumPy directly (minigrad engine)",
    "cnn": f"CNN on 8x8 digits: conv {CNN['float32'].channels[0]} and {CNN['float32'].channels[1]} channels "
    f"3x3, ReLU, max pool 2, Linear; batch {CNN['float32'].batch}, cross-entropy, one SGD step",
    "lstm": f"LSTM: one layer, input {LSTM['float32'].input_size}, hidden {LSTM['float32'].hidden}, "
    f"T = {LSTM['float32'].steps}, batch {LSTM['float32'].batch}, Linear head on h_T, MSE, one SGD step",
}
# What each of them is held to: minigrad's time at most this many times PyTorch's (cnn: and below MyGrad's)
LAYER_TARGETS = {"cnn": 2.0, "lstm": 3.0}


def duration(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def ratio(a, b) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def markdown_table(header: list, rows: list) -> list:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _by_engine(rows) -> dict:
    return {r["engine"]: r for r in rows}


def training_table(rows) -> list:
    numpy = _by_engine(rows).get(NUMPY, {}).get("seconds")
    body = [
        [r["engine"], duration(r.get("seconds")), ratio(r.get("seconds"), numpy) if "seconds" in r else r["note"]]
        for r in rows
    ]
    return markdown_table(["engine", "per step", "× NumPy"], body)


def layer_table(rows) -> list:
    """cnn and lstm: each engine's wall-clock and CPU time per step and their ratios to PyTorch's, per dtype."""
    torch = {r["dtype"]: r for r in rows if r["engine"] == TORCH and "seconds" in r}
    body = []
    for r in rows:
        if "note" in r:
            body.append([r["dtype"], r["engine"], "-", "-", "-", "-", r["note"]])
            continue
        base = torch.get(r["dtype"], {})
        agrees = "reference" if r["engine"] == r["reference"] else f"{r['difference']:.1e}"
        body.append(
            [
                r["dtype"],
                r["engine"],
                duration(r["seconds"]),
                ratio(r["seconds"], base.get("seconds")),
                duration(r["cpu_seconds"]),
                ratio(r["cpu_seconds"], base.get("cpu_seconds")),
                agrees,
            ]
        )
    header = ["dtype", "engine", "per step", "× PyTorch", "CPU per step", "× PyTorch (CPU)", "losses vs reference"]
    data = dict.fromkeys(r["data"] for r in rows if "data" in r)
    tracing = [
        f"{r['dtype']} {' and '.join(duration(s) for s in r['tracing_seconds'])}"
        for r in rows
        if r.get("tracing_seconds")
    ]
    traced = (
        [
            "",
            "minigrad (traced): forward, loss and backward traced by `minigrad.compile`, the SGD update outside "
            "it; before timing, its first three calls (two traces, then a replay) give the eager step's losses "
            "and every .grad to the bit. Tracing cost, the CPU time of the first two calls (trace; trace again "
            f"and compare): {'; '.join(tracing)}.",
        ]
        if tracing
        else []
    )
    return (
        markdown_table(header, body)
        + [
            "",
            f"Data: {'; '.join(data)}. Every engine starts from the same weights (PyTorch's default init, drawn "
            "once in NumPy); before timing, its losses over two steps are checked against the reference's "
            "(the last column: their largest relative difference). CPU per step: the process's CPU time, "
            "which other processes on a busy machine do not stretch (one thread); the targets are judged on it.",
        ]
        + traced
    )


def medium_table(rows) -> list:
    body = []
    groups = {}
    for r in rows:
        groups.setdefault((r["dtype"], r["malloc"]), []).append(r)
    for (dtype, malloc), group in groups.items():
        numpy = _by_engine(group).get(NUMPY, {})
        for r in group:
            if "note" in r:
                body.append([dtype, malloc, r["engine"], "-", "-", "-", r["note"]])
                continue
            peak = "-" if r.get("peak") is None else f"{r['peak'] / MIB:.1f} MiB"
            body.append(
                [
                    dtype,
                    malloc,
                    r["engine"],
                    duration(r["seconds"]),
                    ratio(r["seconds"], numpy.get("seconds")),
                    peak,
                    ratio(r.get("peak"), numpy.get("peak")),
                ]
            )
    notes = [
        "",
        "micrograd is not run on W2: one Python object per scalar makes a step take hours.",
        "",
        "Peak memory: the highest resident memory while building and training, above the process's "
        'resident memory after importing the engine. "keep freed memory": the worker runs with '
        "MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824, so glibc keeps freed "
        "multi-MB arrays instead of returning them to the OS (each fresh one page-faults).",
    ]
    return (
        markdown_table(["dtype", "malloc", "engine", "per step", "× NumPy", "peak memory", "× NumPy's peak"], body)
        + notes
    )


def chain_table(rows) -> list:
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    cells = {(r["engine"], r["n"]): (duration(r["seconds"]) if "seconds" in r else r["note"]) for r in rows}
    body = [[f"{n:,}"] + [cells.get((e, n), "-") for e in engines] for n in CHAIN_LENGTHS]
    return markdown_table(["N"] + [f"{e} (per op)" for e in engines], body) + [
        "",
        "Forward and backward together, divided by N; Python's cyclic GC on, default recursion limit.",
    ]


def op_table(rows) -> list:
    engines = list(dict.fromkeys(r["engine"] for r in rows))
    cells, keys = {}, []
    for r in rows:
        key = (r["shape"], r["op"], r["backward"])
        keys += [key] if key not in keys else []
        cells[key + (r["engine"],)] = r["seconds"]
    body = []
    for shape, op, backward in keys:
        numpy = cells.get((shape, op, backward, NUMPY))
        mine = cells.get((shape, op, backward, MG))
        body.append(
            [str(shape), op, "fwd+bwd" if backward else "fwd"]
            + [duration(cells.get((shape, op, backward, e))) for e in engines]
            + [ratio(mine, numpy)]
        )
    return markdown_table(["shape", "op", "pass"] + engines + ["minigrad × NumPy"], body)


def steady_table(rows) -> list:
    body = []
    for r in rows:
        if "error" in r:
            body.append([r["engine"], "-", "-", "-", r["error"]])
            continue
        growth = (r["rss_end"] - r["rss_100"]) / MIB
        body.append(
            [
                r["engine"],
                f"{r['rss_100'] / MIB:.1f} MiB",
                f"{r['rss_end'] / MIB:.1f} MiB",
                f"{growth:+.2f} MiB",
                duration(r["seconds"]),
            ]
        )
    return markdown_table(["engine", "RSS after 100 steps", "after 2,000", "growth", "per step"], body)


def walk_table(rows) -> list:
    body = []
    for workload in dict.fromkeys(r["workload"] for r in rows):
        group = {r["engine"]: r["seconds"] for r in rows if r["workload"] == workload}
        tensor_ops, direct = group["Tensor-op rules (minigrad)"], group["NumPy-direct rules"]
        hand = group["numpy (by hand)"]
        body.append(
            [
                workload,
                duration(tensor_ops),
                duration(direct),
                ratio(tensor_ops, direct),
                duration(hand),
                ratio(direct, hand),
            ]
        )
    header = ["workload", "Tensor-op rules", "NumPy-direct rules", "ratio", "numpy (by hand)", "direct × by hand"]
    return markdown_table(header, body) + [
        "",
        "Only the backward is timed: `loss.backward()` on minigrad's engine, with its own rules and with rules "
        "that call NumPy directly (benchmarks/direct_rules.py); and the hand-written NumPy backward "
        "(benchmarks/numpy_mlp.py, the loss's gradient included). The last column is what the graph and its walk "
        "cost even when no rule builds a Tensor.",
    ]


def check(ok, text) -> str:
    return f"- {'MET' if ok else 'MISSED'}: {text}"


def targets(results: dict) -> list:
    lines = []
    for name, limit, torch_limit in (("W1", 2.5, 0.5), ("W3", 2.0, 0.65)):
        if name in results:
            by = _by_engine(results[name])
            mine, numpy, torch = (by.get(e, {}).get("seconds") for e in (MG, NUMPY, TORCH))
            lines.append(
                check(mine / numpy <= limit, f"{name} minigrad {mine / numpy:.2f}x NumPy (target <= {limit}x)")
            )
            if torch:
                lines.append(
                    check(
                        mine / torch <= torch_limit,
                        f"{name} minigrad {mine / torch:.2f}x PyTorch (target <= {torch_limit}x)",
                    )
                )
    if "W2" in results:
        for r in results["W2"]:
            if r["engine"] != MG or "seconds" not in r:
                continue
            numpy = next(
                n
                for n in results["W2"]
                if n["engine"] == NUMPY and n["dtype"] == r["dtype"] and n["malloc"] == r["malloc"]
            )
            where = f"W2 {r['dtype']}, malloc {r['malloc']}"
            lines.append(
                check(
                    r["seconds"] / numpy["seconds"] <= 1.10,
                    f"{where}: {r['seconds'] / numpy['seconds']:.2f}x NumPy's time (target <= 1.10x)",
                )
            )
            if r.get("peak") and numpy.get("peak"):
                lines.append(
                    check(
                        r["peak"] / numpy["peak"] <= 1.3,
                        f"{where}: {r['peak'] / numpy['peak']:.2f}x NumPy's peak memory (target <= 1.3x)",
                    )
                )
    if "W4" in results:
        cells = {(r["engine"], r["n"]): r.get("seconds") for r in results["W4"]}
        for n in CHAIN_LENGTHS:
            mine, torch = cells.get((MG, n)), cells.get((TORCH, n))
            if mine is None:
                lines.append(check(False, f"W4 N={n:,}: minigrad did not complete"))
            elif torch:
                lines.append(
                    check(
                        mine <= torch,
                        f"W4 N={n:,}: minigrad {duration(mine)} per op, PyTorch {duration(torch)} (target <= PyTorch)",
                    )
                )
        done = cells.get((MG, CHAIN_LENGTHS[-1])) is not None
        lines.append(
            check(
                done,
                f"W4: minigrad {'completes' if done else 'does not complete'} a chain of {CHAIN_LENGTHS[-1]:,} ops with the default recursion limit",
            )
        )
    if "W5" in results:
        cells = {(r["shape"], r["op"], r["backward"], r["engine"]): r["seconds"] for r in results["W5"]}
        for (shape, op, backward, engine), seconds in cells.items():
            if engine != MG:
                continue
            what = f"W5 {op} on {shape}, {'forward + backward' if backward else 'forward'}"
            if shape == (4,):
                limit = 12e-6 if backward else 3e-6
                lines.append(check(seconds <= limit, f"{what}: {duration(seconds)} (target <= {duration(limit)})"))
            else:
                numpy = cells[(shape, op, backward, NUMPY)]
                lines.append(check(seconds / numpy <= 1.15, f"{what}: {seconds / numpy:.2f}x NumPy (target <= 1.15x)"))
    if "W6" in results:
        for r in results["W6"]:
            if r["engine"] == MG and "rss_end" in r:
                growth = (r["rss_end"] - r["rss_100"]) / MIB
                lines.append(
                    check(growth <= 2, f"W6: RSS grew {growth:+.2f} MiB from step 100 to step 2,000 (target <= 2 MiB)")
                )
    for workload, limit in LAYER_TARGETS.items():
        lines += _layer_targets(workload, limit, results.get(workload, ()))
    if "walk" in results:
        for workload in dict.fromkeys(r["workload"] for r in results["walk"]):
            group = {r["engine"]: r["seconds"] for r in results["walk"] if r["workload"] == workload}
            share = group["Tensor-op rules (minigrad)"] / group["NumPy-direct rules"]
            lines.append(
                check(
                    share <= 1.2, f"backward walk of {workload}: {share:.2f}x the NumPy-direct rules (target <= 1.20x)"
                )
            )
    return lines


def _layer_targets(workload: str, limit: float, rows) -> list:
    """cnn and lstm: minigrad within ``limit`` times PyTorch (and for cnn faster than MyGrad), per dtype."""
    lines = []
    for dtype in dict.fromkeys(r["dtype"] for r in rows):
        by = {r["engine"]: r.get("cpu_seconds") for r in rows if r["dtype"] == dtype}
        mine, torch, mygrad = by.get(MG), by.get(TORCH), by.get("mygrad")
        what = f"{workload.upper()} {dtype}: minigrad"
        if mine is None:
            lines.append(check(False, f"{what} was not timed"))
            continue
        if torch:
            lines.append(
                check(mine / torch <= limit, f"{what} {mine / torch:.2f}x PyTorch's CPU time (target <= {limit}x)")
            )
        if workload == "cnn" and mygrad:
            lines.append(
                check(
                    mine < mygrad,
                    f"{what} {duration(mine)} CPU per step, MyGrad {duration(mygrad)} (target < MyGrad)",
                )
            )
    return lines


README_SECTIONS = ("W1 moons", "W3 deep-narrow", "W2 medium", "CNN on", "LSTM:", "Targets")
# The workloads whose sections a partial run (--only) may write into results.md, each section with
# the line of its own run; the other sections keep the numbers of the run that wrote them.
SECTION_WORKLOADS = ("cnn", "lstm")


def merge_sections(results_md: str, sections: dict, run_line: str, targets_lines: list) -> str:
    """``results_md`` with the sections of ``sections`` (workload -> its table lines) replaced (or
    added before Targets), each opening with ``run_line``, and the workloads' lines of Targets
    replaced by ``targets_lines``."""
    head, *rest = results_md.split("\n## ")
    blocks = {block.split("\n", 1)[0]: block for block in rest}
    targets = blocks.pop("Targets", "Targets\n")
    for name, lines in sections.items():
        blocks[TITLES[name]] = "\n".join([TITLES[name], "", run_line, ""] + lines) + "\n"
    prefixes = tuple(f"- {state}: {name.upper()} " for name in sections for state in ("MET", "MISSED"))
    kept = [line for line in targets.rstrip("\n").split("\n") if not line.startswith(prefixes)]
    blocks["Targets"] = "\n".join(kept + targets_lines) + "\n"
    return "\n## ".join([head, *blocks.values()])


def readme_section(results_md: str) -> str:
    """What the README shows of results.md: the run's machine, W1, W3, W2 and the targets."""
    head, *sections = results_md.split("\n## ")
    chosen = [s for s in sections if s.startswith(README_SECTIONS)]
    lines = head.splitlines()
    run = [line for line in lines if line.startswith("`python -m benchmarks`")]
    machine = [line for line in lines if line.startswith("- ")]
    return "\n\n".join(["\n".join(run), "\n".join(machine)] + ["#### " + s.strip() for s in chosen])
