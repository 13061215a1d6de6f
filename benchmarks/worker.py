"""One engine in a process of its own, for the workloads that measure memory (W2, W6); and the
engines of one minigrad tree in a process of its own, for a comparison of two trees.

``python -m benchmarks.worker '{"workload": "W2", "engine": "minigrad", ...}'`` prints one line
of JSON. The runner starts it with the thread and malloc environment it wants to compare.
``"minigrad_from": directory`` imports the ``minigrad/`` package in that directory.

``python -m benchmarks.worker --serve '{"minigrad_from": ..., "engines": [...], "threads": 1}'``
answers requests (one JSON line each, on stdin) with one JSON line each, until stdin closes: the
runner interleaves the measurements of two such processes (benchmarks/compare.py).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks import engines, measure, problems, workloads


def _import_engine(engine, minigrad_from: str | None = None) -> str | None:
    """Load the engine's package before measuring the baseline memory; for minigrad, return the
    file it came from, and refuse one not from ``minigrad_from`` (when given)."""
    __import__(engine.module)
    if engine.module != "minigrad":
        return None
    import minigrad.nn
    import minigrad.optim  # noqa: F401

    where = Path(minigrad.__file__).resolve()
    if minigrad_from is not None and not where.is_relative_to(Path(minigrad_from).resolve()):
        raise RuntimeError(f"minigrad_from {minigrad_from}: minigrad was imported from {where} instead")
    return str(where)


def w2(engine, options: dict) -> dict:
    """Median seconds per SGD step of W2 in ``dtype``, and peak memory above the post-import RSS."""
    imported = _import_engine(engine, options.get("minigrad_from"))
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
    result = {"seconds": statistics.median(times), "peak": peak, "first_loss": float(losses[0])}
    return result | ({"minigrad": imported} if imported else {})


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


class Server:
    """The engines named, in this process, measured one request at a time (see :func:`serve`)."""

    def __init__(self, names: list, minigrad_from: str | None) -> None:
        self.engines = {name: engines.ENGINES[name] for name in names}
        imported = [_import_engine(e, minigrad_from) for e in self.engines.values()]
        self.minigrad = next((file for file in imported if file), None)  # the file minigrad came from
        self.steps: dict = {}

    def hello(self) -> dict:
        return {"engines": list(self.engines), "minigrad": self.minigrad}

    def build(self, workload: str) -> dict:
        """Each engine's SGD step of W1 or W3 (the ones it can build), replacing the previous ones."""
        spec = {"W1": problems.W1, "W3": problems.W3}[workload]
        params, x, target = problems.make_problem(spec)
        self.steps, notes = {}, {}
        for name, engine in self.engines.items():
            try:
                self.steps[name] = engine.mlp_step(spec, params, x, target)
            except NotImplementedError as error:
                notes[name] = str(error)
        return {"built": list(self.steps), "notes": notes}

    def calibrate(self, engine: str, block: float, warmup: int) -> dict:
        return {"calls": measure.calls_per_block(self.steps[engine], block, warmup)}

    def time(self, engine: str, calls: int) -> dict:
        return {"seconds": measure.time_block(self.steps[engine], calls)}

    def chain(self, engine: str, n: int) -> dict:
        try:
            return {"seconds": workloads.chain_seconds(self.engines[engine], n)}
        except RecursionError:
            return {"error": "fails: RecursionError"}


def serve(options: dict) -> None:
    """Say hello (the engines, and the file minigrad came from), then answer each request on stdin,
    ``{"do": "build" | "calibrate" | "time" | "chain", ...}``. An unexpected error ends the process."""
    replies, sys.stdout = sys.stdout, sys.stderr  # NOTE: an engine's prints must not mix with the replies
    server = Server(options["engines"], options["minigrad_from"])
    measure.limit_threads(options["threads"])

    def reply(answer: dict) -> None:
        replies.write(json.dumps(answer) + "\n")
        replies.flush()

    reply(server.hello())
    for line in sys.stdin:
        request = json.loads(line)
        do = request.pop("do")
        if do not in ("build", "calibrate", "time", "chain"):
            raise ValueError(f"unknown request {do!r}")
        reply(getattr(server, do)(**request))


def main(argv=None) -> None:
    argv = argv or sys.argv[1:]
    serving = argv[0] == "--serve"
    options = json.loads(argv[-1])
    if options.get("minigrad_from"):
        sys.path.insert(0, options["minigrad_from"])  # before anything imports minigrad
    if serving:
        serve(options)
        return
    engine = engines.ENGINES[options["engine"]]
    result = {"W2": w2, "W6": w6}[options["workload"]](engine, options)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
