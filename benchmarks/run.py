"""Run every workload for minigrad and the baselines, print the tables and write results.md.

    python -m benchmarks              # everything, ~10 minutes on 2 cores
    python -m benchmarks --quick      # fewer repetitions, ~3 minutes
    python -m benchmarks --only W1,W3
    python -m benchmarks --only cnn,lstm   # writes these two sections of results.md, keeps the others
    python -m benchmarks --compare-with 53947bc   # this checkout's minigrad and 53947bc's, side by side

Engines are interleaved within each measurement round and every number is a median; W2 and W6
run each engine in a process of its own (memory is measured per process).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import os
import sys
from pathlib import Path

from benchmarks import compare, engines, measure, problems, report, trees, workloads
from minigrad.report import replace_section

WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "walk", "cnn", "lstm")


def _drop_openblas_overrides(argv) -> None:
    """Re-run this process without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (see measure.py)."""
    present = [name for name in measure.OPENBLAS_OVERRIDES if name in os.environ]
    if present:
        env = {k: v for k, v in os.environ.items() if k not in present}
        env["MINIGRAD_BENCH_DROPPED"] = ",".join(f"{name}={os.environ[name]}" for name in present)
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *argv], env)


def _workloads(parser, only: str | None, choices: tuple) -> list:
    """The workloads named by ``--only`` (all of ``choices`` without it); a usage error for others."""
    chosen = [w.strip() for w in only.split(",")] if only else list(choices)
    unknown = set(chosen) - set(choices)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {choices}")
    return chosen


def _compare(parser, options, argv) -> None:
    """``--compare-with REV``: benchmarks/compare.py's report, printed and written to ``--out``."""
    options.only = _workloads(parser, options.only, compare.WORKLOADS)
    try:
        options.chain_lengths = tuple(int(n) for n in (options.chain_lengths or "").split(",") if n) or (
            compare.CHAIN_LENGTHS
        )
        trees.describe(options.compare_with)
    except ValueError as error:
        parser.error(f"--compare-with / --chain-lengths: {error}")
    options.out = options.out or os.path.join(os.path.dirname(__file__), "compare.md")
    print(compare.run(options, argv))


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--repeats",
        type=int,
        help="measurement rounds of W1, W3, W4, W5, walk, cnn and lstm (default 15; 5 with --quick)",
    )
    parser.add_argument(
        "--only", help=f"comma-separated subset of {','.join(WORKLOADS)} (compared: of {','.join(compare.WORKLOADS)})"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads in the shared process (default 1)")
    parser.add_argument("--w2-threads", type=int, default=os.cpu_count(), help="threads for W2 (default: all cores)")
    parser.add_argument("--out", help="the report (default: benchmarks/results.md, or compare.md)")
    parser.add_argument(
        "--compare-with",
        metavar="REV",
        help="measure this checkout's minigrad and git revision REV's side by side "
        f"({','.join(compare.WORKLOADS)}; see benchmarks/compare.py)",
    )
    parser.add_argument(
        "--chain-lengths",
        help="with --compare-with: W4's values of N (default " + ",".join(map(str, compare.CHAIN_LENGTHS)) + ")",
    )
    options = parser.parse_args(argv)
    _drop_openblas_overrides(argv)
    if options.compare_with is not None:
        _compare(parser, options, argv)
        return
    if options.chain_lengths is not None:
        parser.error("--chain-lengths goes with --compare-with")
    chosen = _workloads(parser, options.only, WORKLOADS)
    repeats = options.repeats or (5 if options.quick else 15)
    available = engines.available()
    load_at_start = os.getloadavg()[0]
    for engine in available:
        __import__(engine.module)
    measure.limit_threads(options.threads)

    lines = [
        "# minigrad benchmarks",
        "",
        f"`python -m benchmarks{' ' + ' '.join(argv) if argv else ''}`, "
        f'{datetime.datetime.now():%Y-%m-%d %H:%M}. Medians; "× NumPy" is the ratio to the same '
        "network written by hand in NumPy (benchmarks/numpy_mlp.py), the lower bound.",
        "",
    ]
    threads = (
        f"- Threads: {options.threads} for NumPy's BLAS and PyTorch in the shared process (W1, W3-W5, cnn, lstm); "
        f"{options.w2_threads} in the W2 worker processes (threadpoolctl, torch.set_num_threads and "
        "OMP/OPENBLAS/MKL_NUM_THREADS)"
    )
    lines += measure.machine_lines(threads) + [""]
    results = {}

    def section(name, compute, render):
        if name not in chosen:
            return
        print(f"running {name}: {report.TITLES[name]} ...", file=sys.stderr, flush=True)
        results[name] = compute()
        lines.extend(["", f"## {report.TITLES[name]}", ""] + render(results[name]))

    section(
        "W1",
        lambda: workloads.training_step(problems.W1, available, repeats),
        report.training_table,
    )
    section(
        "W3",
        lambda: workloads.training_step(problems.W3, available, repeats),
        report.training_table,
    )
    section(
        "W2",
        lambda: workloads.medium_network(
            available, options.w2_threads, 2 if options.quick else 3, {"default": 20, "autograd (HIPS)": 10}, 3
        ),
        report.medium_table,
    )
    section(
        "W4",
        lambda: workloads.scalar_chain(available, repeats),
        report.chain_table,
    )
    section(
        "W5",
        lambda: workloads.per_op(available, repeats),
        report.op_table,
    )
    section(
        "W6",
        lambda: workloads.steady_state(available, options.threads),
        report.steady_table,
    )
    section(
        "walk",
        lambda: workloads.backward_walk(repeats),
        report.walk_table,
    )
    for name in ("cnn", "lstm"):
        section(name, functools.partial(workloads.layer_training, name, available, repeats), report.layer_table)
    load_at_end = f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f}."
    lines += ["", load_at_end]
    lines += ["", "## Targets", ""] + report.targets(results)
    text = "\n".join(lines) + "\n"
    out = options.out or os.path.join(os.path.dirname(__file__), "results.md")
    if set(chosen) == set(WORKLOADS):
        _write(out, text)
    elif set(chosen) <= set(report.SECTION_WORKLOADS) and os.path.exists(out):
        run_line = (
            f"From its own run, `python -m benchmarks {' '.join(argv)}`, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
            f"on the machine above: {options.threads} thread(s) for NumPy's BLAS and PyTorch (threadpoolctl, "
            f"torch.set_num_threads); load average (1 min) {load_at_start:.2f} at the start and "
            f"{os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} cores: other processes stretch the "
            "wall-clock times far more than the CPU times."
        )
        sections = {name: report.layer_table(results[name]) for name in chosen}
        with open(out) as f:
            _write(out, report.merge_sections(f.read(), sections, run_line, report.targets(results)))
    else:
        print("(a partial run: results.md is written only by a run of every workload, or of cnn/lstm)", file=sys.stderr)
    print(text)


def _write(out: str, text: str) -> None:
    """``out``, and the README's part of it when ``out`` is benchmarks/results.md."""
    with open(out, "w") as f:
        f.write(text)
    if Path(out).resolve() == Path(__file__).resolve().parent / "results.md":
        readme = Path(__file__).resolve().parent.parent / "README.md"
        readme.write_text(replace_section(readme.read_text(), "benchmarks", report.readme_section(text)))


if __name__ == "__main__":
    main()
