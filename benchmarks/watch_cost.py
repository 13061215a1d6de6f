"""What diagnostics.watch costs: the W1 training step plain, watched every step and every 10 steps.

    python -m benchmarks.watch_cost [--repeats N]

Three copies of minigrad's W1 step (benchmarks/engines.py, the same weights and data), two of them
watched through an optimiser step hook, timed interleaved in one process (benchmarks/measure.py):
the medians of wall-clock and CPU time and their ratios to the plain step, against the targets
(every step: at most 1.25x; every 10 steps: at most 1.03x), judged on CPU time, which the other
processes of a busy machine stretch less. Reported, never asserted in tests.
"""

from __future__ import annotations

import argparse

from benchmarks import engines, measure, problems
from benchmarks.report import duration, markdown_table

TARGETS = {"every step": 1.25, "every 10 steps": 1.03}
EVERY = {"every step": 1, "every 10 steps": 10}


def measure_cost(repeats: int) -> list:
    """Rows {'variant', 'seconds', 'cpu'} for the plain W1 step and the two watched ones."""
    from minigrad.diagnostics import watch

    spec = problems.W1
    params, x, target = problems.make_problem(spec)
    steps = {"plain": engines.Minigrad().mlp_step(spec, params, x, target)}
    watches = []
    for variant, every in EVERY.items():
        step = steps[variant] = engines.Minigrad().mlp_step(spec, params, x, target)
        watches.append(watch(step.model, every=every, optimizer=step.optimizer))
    # NOTE: blocks of a quarter second, so that even a watched step is timed over many calls per block
    medians = measure.time_interleaved_with_cpu(steps, repeats, block=0.25, warmup=20)
    for recording in watches:
        recording.close()
    return [{"variant": name, "seconds": medians[name][0], "cpu": medians[name][1]} for name in steps]


def table(rows) -> list:
    plain = next(r for r in rows if r["variant"] == "plain")
    body = [
        [
            r["variant"],
            duration(r["seconds"]),
            f"{r['seconds'] / plain['seconds']:.3f}x",
            duration(r["cpu"]),
            f"{r['cpu'] / plain['cpu']:.3f}x",
        ]
        for r in rows
    ]
    return markdown_table(["W1 step", "wall clock", "× plain", "CPU time", "× plain (CPU)"], body)


def targets(rows) -> list:
    plain = next(r["cpu"] for r in rows if r["variant"] == "plain")
    lines = []
    for r in rows:
        if r["variant"] in TARGETS:
            limit, got = TARGETS[r["variant"]], r["cpu"] / plain
            mark = "met" if got <= limit else "MISSED"
            lines.append(
                f"- {mark}: W1 watched {r['variant']} {got:.3f}x the plain step in CPU time (target <= {limit}x)"
            )
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="measurement rounds (default 15)")
    options = parser.parse_args(argv)
    measure.limit_threads(1)
    rows = measure_cost(options.repeats)
    print("\n".join(table(rows) + [""] + targets(rows)))


if __name__ == "__main__":
    main()
