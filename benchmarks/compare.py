"""Two minigrads side by side in one run: this checkout's ("after") and a git revision's ("before").

    python -m benchmarks --compare-with 53947bc            # W1, W3, W2, W4 at N = 1e3, 1e4, 1e5
    python -m benchmarks --compare-with 53947bc --only W1,W4 --quick --chain-lengths 1000

Two packages named minigrad cannot share a process, so each tree's runs in processes of its own.
W1, W3 and W4: one long-lived worker per tree (``benchmarks.worker --serve``) holds NumPy by
hand, that tree's minigrad, PyTorch and MyGrad; the runner asks the two workers for one
measurement at a time, every (engine, tree) in turn in each round, so that both trees see the same
drifts of the machine. W2: a process per engine, tree and round, as the full run does. Each tree's
ratios are to the NumPy baseline measured in its own processes of the same run; NumPy's own row
shows how far two measurements of the same code land apart.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import statistics
import subprocess
import sys

from benchmarks import compare_report, engines, measure, trees, workloads

WORKLOADS = ("W1", "W3", "W2", "W4")
ENGINES = (engines.NumPyByHand.name, engines.Minigrad.name, engines.PyTorch.name, engines.MyGrad.name)
CHAIN_ENGINES = (engines.Minigrad.name, engines.PyTorch.name)
CHAIN_LENGTHS = (1_000, 10_000, 100_000)


class TreeWorker:
    """A worker process serving one tree's engines (``benchmarks.worker --serve``)."""

    def __init__(self, tree: trees.Tree, names: list, threads: int) -> None:
        self.tree = tree
        options = {"minigrad_from": tree.path, "engines": names, "threads": threads}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", "--serve", json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **measure.thread_environment(threads)},
            cwd=trees.ROOT,
        )
        self.engines: list = []
        self.minigrad: str | None = None

    def greet(self) -> None:
        """Read the worker's hello: the engines it holds and the file its minigrad came from."""
        hello = self.receive()
        self.engines, self.minigrad = hello["engines"], hello["minigrad"]

    def send(self, do: str, **request) -> None:
        self.process.stdin.write(json.dumps({"do": do, **request}) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        """The worker's next answer (its hello first)."""
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"the {self.tree.label} worker ({self.tree.description}) exited with code "
                f"{self.process.wait()}; its error is above"
            )
        return json.loads(line)

    def ask(self, do: str, **request) -> dict:
        self.send(do, **request)
        return self.receive()


def _close(workers: list) -> None:
    """End the workers (stdin closed ends their loop) and wait for all of them together."""
    for worker in workers:
        worker.process.stdin.close()
    for worker in workers:
        worker.process.wait()


def training_step(workload: str, workers: list, repeats: int) -> list:
    """W1 or W3: median seconds per SGD step of every engine in both trees' workers, interleaved;
    rows ``{"tree", "engine", "seconds"}``, or ``"note"`` for an engine that cannot build it."""
    rows, built = [], {}
    for worker in workers:  # NOTE: both build at once (nothing is timed yet)
        worker.send("build", workload=workload)
    for worker in workers:
        answer = worker.receive()
        built[worker.tree.label] = answer["built"]
        rows += [{"tree": worker.tree.label, "engine": e, "note": note} for e, note in answer["notes"].items()]
    samplers = {}
    for engine in ENGINES:  # NOTE: engine by engine, so that a minigrad's two trees run next to each other
        for worker in workers:
            if engine in built[worker.tree.label]:
                calls = worker.ask("calibrate", engine=engine, block=0.02, warmup=2)["calls"]
                samplers[worker.tree.label, engine] = _timer(worker, engine, calls)
    medians = measure.interleaved_medians(samplers, repeats)
    return [{"tree": tree, "engine": engine, "seconds": s} for (tree, engine), s in medians.items()] + rows


def _timer(worker: TreeWorker, engine: str, calls: int):
    return lambda: worker.ask("time", engine=engine, calls=calls)["seconds"]


def scalar_chain(workers: list, lengths: tuple, repeats: int) -> list:
    """W4 at each N of ``lengths``: seconds per op of minigrad and PyTorch in both trees' workers,
    interleaved; rows ``{"tree", "engine", "n", "seconds"}``, or ``"note"`` where a chain failed."""
    slots = [(w, e) for e in CHAIN_ENGINES for w in workers if e in w.engines]
    rows = []
    for n in lengths:
        times, failures = {slot: [] for slot in slots}, {}
        for round_ in range(workloads.chain_repeats(n, repeats)):
            for worker, engine in measure.rotated(slots, round_):
                if (worker, engine) not in failures:
                    answer = worker.ask("chain", engine=engine, n=n)
                    if "error" in answer:
                        failures[worker, engine] = answer["error"]
                    else:
                        times[worker, engine].append(answer["seconds"])
        for worker, engine in slots:
            row = {"tree": worker.tree.label, "engine": engine, "n": n}
            if (worker, engine) in failures:
                row["note"] = failures[worker, engine]
            else:
                row["seconds"] = statistics.median(times[worker, engine]) / n
            rows.append(row)
    return rows


def run(options, argv: list) -> str:
    """Measure the workloads ``options.only`` for both trees; return the report (also written to
    ``options.out``)."""
    chosen = [w for w in WORKLOADS if w in options.only]
    repeats = options.repeats or (5 if options.quick else 15)
    available = [e.name for e in engines.available(ENGINES)]
    threads = (
        f"- Threads: {options.threads} in each tree's worker (W1, W3, W4); {options.w2_threads} in the W2 "
        "processes (threadpoolctl, torch.set_num_threads and OMP/OPENBLAS/MKL_NUM_THREADS)"
    )
    measure.limit_threads(options.threads)  # NOTE: as in each worker, so that the BLAS line describes theirs
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(trees.exported(options.compare_with))
        after = trees.current()
        results, workers = {}, []
        if set(chosen) & {"W1", "W3", "W4"}:
            workers = [TreeWorker(tree, available, options.threads) for tree in (before, after)]
            stack.callback(_close, workers)
            for worker in workers:  # NOTE: greeted after both started, so that they start up side by side
                worker.greet()
        head = compare_report.header(argv, before, after, workers, measure.machine_lines(threads, ENGINES))
        for workload in chosen:
            print(f"running {workload} for both trees ...", file=sys.stderr, flush=True)
            if workload in ("W1", "W3"):
                results[workload] = training_step(workload, workers, repeats)
            elif workload == "W2":
                rounds = 2 if options.quick else 3
                results[workload] = workloads.medium_network(
                    engines.available(ENGINES), options.w2_threads, rounds, {"default": 20}, 3, trees=(before, after)
                )
            else:
                results[workload] = scalar_chain(workers, options.chain_lengths, repeats)
    text = "\n".join(head + compare_report.sections(results)) + "\n"
    text += f"\nLoad average (1 min) at the end: {os.getloadavg()[0]:.2f}; finished {datetime.datetime.now():%H:%M}.\n"
    with open(options.out, "w") as f:
        f.write(text)
    return text
