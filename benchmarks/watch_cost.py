"""What diagnostics.watch costs: the W1 training step plain, watched every step and every 10 steps.

    python -m benchmarks.watch_cost [--repeats N]

Three copies of minigrad's W1 step (benchmarks/engines.py, the same weights and data), two of them
watched through an optimiser step hook, timed interleaved in one process (benchmarks/measure.py):
the medians and their ratios to the plain step, against the targets (every step: at most 1.25x;
every 10 steps: at most 1.03x). Reported, never asserted in tests.
"""

from __future__ import annotations

import argparse

from benchmarks import engines, measure, problems
from benchmarks.report import duration, markdown_table

TARGETS = {"every step": 1.25, "every 10 steps": 1.03}
EVERY = {"every step": 1, "every 10 steps": 10}


def measure_cost(repeats: int) -> list:
    """Rows {'variant', 'seconds'} for the plain W1 step and the two watched ones."""
    from minigrad.diagnostics import watch

    spec = problems.W1
    params, x, target = problems.make_problem(spec)
    steps = {"plain": engines.Minigrad().mlp_step(spec, params, x, target)}
    watches = []
    for variant, every in EVERY.items():
        step = steps[variant] = engines.Minigrad().mlp_step(spec, params, x, target)
        watches.append(watch(step.model, every=every, optimizer=step.optimizer))
    # NOTE: blocks of a quarter second, so that even a watched step is timed over many calls per block
    medians = measure.time_interleaved(steps, repeats, block=0.25, warmup=20)
    for recording in watches:
        recording.close()
    return [{"variant": name, "seconds": medians[name]} for name in steps]


def table(rows) -> list:
    plain = next(r["seconds"] for r in rows if r["variant"] == "plain")
    body = [[r["variant"], duration(r["seconds"]), f"{r['seconds'] / plain:.3f}x"] for r in rows]
    return markdown_table(["W1 step", "per step", "× plain"], body)


def targets(rows) -> list:
    plain = next(r["seconds"] for r in rows if r["variant"] == "plain")
    lines = []
    for r in rows:
        if r["variant"] in TARGETS:
            limit, got = TARGETS[r["variant"]], r["seconds"] / plain
            mark = "met" if got <= limit else "MISSED"
            lines.append(f"- {mark}: W1 watched {r['variant']} {got:.3f}x the plain step (target <= {limit}x)")
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
