"""One engine in a process of its own, for the workloads that measure memory (W2, W6).

``python -m benchmarks.worker '{"workload": "W2", "engine": "minigrad", ...}'`` prints one line
of JSON. The runner starts it with the thread and malloc environment it wants to compare.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from benchmarks import engines, measure, problems


def _import_engine(engine) -> None:
    """Load the engine's package before measuring the baseline memory."""
    __import__(engine.module)
    if engine.module == "minigrad":
        import minigrad.nn  # noqa: F401
        import minigrad.optim  # noqa: F401


def w2(engine, options: dict) -> dict:
    """Median seconds per SGD step of W2 in ``dtype``, and peak memory above the post-import RSS."""
    _import_engine(engine)
    measure.limit_threads(options["threads"])
    before = measure.rss_bytes()
    peak_reset = measure.reset_peak_rss()
    spec = problems.W2.with_dtype(options["dtype"])
    params, x, target = problems.make_problem(spec)
    step = engine.mlp_step(spec, params, x, target)
    losses = [step() for _ in range(3)]
    times = []
    for _ in range(options["repeats"]):
        start = time.perf_counter()
        for _ in range(options["steps"]):
            step()
        times.append((time.perf_counter() - start) / options["steps"])
    peak = measure.peak_rss_bytes() - before if peak_reset else None
    return {"seconds": statistics.median(times), "peak": peak, "first_loss": float(losses[0])}


def w6(engine, options: dict) -> dict:
    """Resident memory after 100 and after ``steps`` SGD steps of W1 (the graph freed each step?)."""
    _import_engine(engine)
    measure.limit_threads(options["threads"])
    params, x, target = problems.make_problem(problems.W1)
    step = engine.mlp_step(problems.W1, params, x, target)
    for _ in range(100):
        step()
    start_rss = measure.rss_bytes()
    start = time.perf_counter()
    for _ in range(options["steps"] - 100):
        step()
    seconds = (time.perf_counter() - start) / (options["steps"] - 100)
    return {"rss_100": start_rss, "rss_end": measure.rss_bytes(), "seconds": seconds}


def main(argv=None) -> None:
    options = json.loads((argv or sys.argv[1:])[0])
    engine = engines.ENGINES[options["engine"]]
    result = {"W2": w2, "W6": w6}[options["workload"]](engine, options)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
