"""Run every workload for minigrad and the baselines, print the tables and write results.md.

    python -m benchmarks              # everything, ~10 minutes on 2 cores
    python -m benchmarks --quick      # fewer repetitions, ~3 minutes
    python -m benchmarks --only W1,W3

Engines are interleaved within each measurement round and every number is a median; W2 and W6
run each engine in a process of its own (memory is measured per process).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

import numpy as np

from benchmarks import engines, measure, problems, report, workloads
from minigrad.report import replace_section

WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "walk")


def _drop_openblas_overrides(argv) -> None:
    """Re-run this process without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (see measure.py)."""
    present = [name for name in measure.OPENBLAS_OVERRIDES if name in os.environ]
    if present:
        env = {k: v for k, v in os.environ.items() if k not in present}
        env["MINIGRAD_BENCH_DROPPED"] = ",".join(f"{name}={os.environ[name]}" for name in present)
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *argv], env)


def _machine(threads: int, w2_threads: int) -> list:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"- Machine: {cpu}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, NumPy {np.__version__}; BLAS: {measure.blas_description()}",
    ]
    versions = []
    for engine in engines.available():
        if engine.module not in ("numpy", "minigrad"):
            versions.append(f"{engine.name} {importlib.metadata.version(engine.module)}")
    missing = [e.name for e in engines.ENGINES.values() if not engines.installed(e.module)]
    lines.append(
        "- Engines: "
        + ", ".join(versions or ["no optional engine installed"])
        + (f"; not installed (skipped): {', '.join(missing)}" if missing else "")
    )
    lines.append(
        f"- Threads: {threads} for NumPy's BLAS and PyTorch in the shared process (W1, W3-W5); "
        f"{w2_threads} in the W2 worker processes (threadpoolctl, torch.set_num_threads and "
        "OMP/OPENBLAS/MKL_NUM_THREADS)"
    )
    lines.append(
        f"- Load average (1 min) at the start: {os.getloadavg()[0]:.2f} (another busy process on the machine skews every number)"
    )
    dropped = os.environ.get("MINIGRAD_BENCH_DROPPED")
    lines.append(
        f"- Unset for this run only: {dropped}" if dropped else "- OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: not set"
    )
    return lines


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated subset of " + ",".join(WORKLOADS))
    parser.add_argument("--threads", type=int, default=1, help="threads in the shared process (default 1)")
    parser.add_argument("--w2-threads", type=int, default=os.cpu_count(), help="threads for W2 (default: all cores)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results.md"))
    options = parser.parse_args(argv)
    _drop_openblas_overrides(argv)
    chosen = [w.strip() for w in options.only.split(",")]
    unknown = set(chosen) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {WORKLOADS}")
    repeats = 5 if options.quick else 15
    available = engines.available()
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
    lines += _machine(options.threads, options.w2_threads) + [""]
    results = {}

    def section(name, title, compute, render):
        if name not in chosen:
            return
        print(f"running {name}: {title} ...", file=sys.stderr, flush=True)
        results[name] = compute()
        lines.extend(["", f"## {title}", ""] + render(results[name]))

    section(
        "W1",
        "W1 moons: MLP 2-16-16-1, batch 100, tanh, MSE, one SGD step",
        lambda: workloads.training_step(problems.W1, available, repeats),
        report.training_table,
    )
    section(
        "W3",
        "W3 deep-narrow: 20 hidden layers of width 32, batch 32, sigmoid, MSE, one SGD step",
        lambda: workloads.training_step(problems.W3, available, repeats),
        report.training_table,
    )
    section(
        "W2",
        "W2 medium: MLP 784-512-256-10, batch 128, ReLU, cross-entropy, one SGD step (a process per engine)",
        lambda: workloads.medium_network(
            available, options.w2_threads, 2 if options.quick else 3, {"default": 20, "autograd (HIPS)": 10}, 3
        ),
        report.medium_table,
    )
    section(
        "W4",
        "W4 scalar chain: N scalar ops (alternately y * c and y + d), then backward",
        lambda: workloads.scalar_chain(available, repeats),
        report.chain_table,
    )
    section(
        "W5",
        "W5 one elementwise op: forward, and forward + backward (gradient given)",
        lambda: workloads.per_op(available, repeats),
        report.op_table,
    )
    section(
        "W6",
        "W6 steady state: 2,000 SGD steps of W1 in a fresh process",
        lambda: workloads.steady_state(available, options.threads),
        report.steady_table,
    )
    section(
        "walk",
        "The backward walk: Tensor-op backward rules vs rules calling NumPy directly (minigrad engine)",
        lambda: workloads.backward_walk(repeats),
        report.walk_table,
    )
    lines += ["", f"Load average (1 min) at the end: {os.getloadavg()[0]:.2f}."]
    lines += ["", "## Targets", ""] + report.targets(results)
    text = "\n".join(lines) + "\n"
    if set(chosen) == set(WORKLOADS):
        with open(options.out, "w") as f:
            f.write(text)
        readme = Path(__file__).resolve().parent.parent / "README.md"
        readme.write_text(replace_section(readme.read_text(), "benchmarks", report.readme_section(text)))
    else:
        print("(a partial run: results.md is written only by a run of every workload)", file=sys.stderr)
    print(text)


if __name__ == "__main__":
    main()
