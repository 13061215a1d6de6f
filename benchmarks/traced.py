"""minigrad.compile's speed (issue 17): CPU time per training step, side by side in one run.

    python -m benchmarks.traced              # W1 and W3 in this process, W2 float64 in two more
    python -m benchmarks.traced --repeats 5

Four steps of each network, from the same weights: written by hand in NumPy (the lower bound),
minigrad eager, minigrad traced with the SGD update outside the compiled step, and minigrad
traced whole (forward, backward, ``opt.step()`` and ``opt.zero_grad()`` inside). W1 and W3 run
interleaved in this process; W2 float64 in a process per malloc setting (glibc's default, and
one that keeps freed memory, as in benchmarks/workloads.py), the four steps interleaved there
too. The medians are of CPU time with one thread, which the other processes of
a busy machine stretch less than the wall clock; the load is printed with them. The first two
calls of the whole traced step (trace, then trace again and compare) are reported as its
tracing cost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks import engines, measure, problems, workloads

STEPS = ("numpy (by hand)", "minigrad", "minigrad (traced, update outside)", "minigrad (traced)")


def make_steps(spec) -> tuple[dict, list[float]]:
    """Each way's zero-argument step on ``spec``, and the CPU seconds of the whole traced step's two traced calls."""
    import minigrad

    params, x, target = problems.make_problem(spec)
    eager = engines.Minigrad().mlp_step(spec, params, x, target)
    outside, _ = engines.compiled_sgd_step(
        eager.model, eager.loss_fn, list(eager.model.parameters()), spec.lr, eager.x, minigrad.tensor(target)
    )
    steps = {
        STEPS[0]: engines.NumPyByHand().mlp_step(spec, params, x, target),
        STEPS[1]: engines.Minigrad().mlp_step(spec, params, x, target),
        STEPS[2]: outside,
        STEPS[3]: engines.MinigradTraced().mlp_step(spec, params, x, target),
    }
    tracing = []
    for _ in range(2):
        start = time.process_time()
        steps[STEPS[3]]()
        tracing.append(time.process_time() - start)
    return steps, tracing


def cpu_per_step(spec, repeats: int) -> dict:
    """``{way: CPU seconds per step}`` of ``spec``'s four steps, and the tracing cost, in this process."""
    measure.limit_threads(1)
    steps, tracing = make_steps(spec)
    medians = measure.time_interleaved_with_cpu(steps, repeats, block=0.05)
    return {"cpu": {name: cpu for name, (_, cpu) in medians.items()}, "tracing": tracing}


def w2(repeats: int) -> dict:
    """W2 float64 under both malloc settings, each in a process of its own."""
    results = {}
    for malloc, env in (("default", {}), ("keeps freed memory", workloads.GLIBC_KEEP_MEMORY)):
        command = [sys.executable, "-m", "benchmarks.traced", "--w2-here", "--repeats", str(repeats)]
        environment = {**os.environ, **measure.thread_environment(1), **env}
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
        results[malloc] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def table(title: str, result: dict) -> list[str]:
    numpy = result["cpu"][STEPS[0]]
    lines = [f"{title}", "", "| step | CPU per step | x NumPy |", "|---|---|---|"]
    lines += [f"| {name} | {cpu * 1e6:,.1f} us | {cpu / numpy:.2f}x |" for name, cpu in result["cpu"].items()]
    tracing = " and ".join(f"{s * 1e3:.1f} ms" for s in result["tracing"])
    return lines + ["", f"Tracing cost (the first two calls of the whole traced step): {tracing}.", ""]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.traced", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="measurement rounds (default 15)")
    parser.add_argument("--w2-here", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.w2_here:  # NOTE: the child process of w2(): one JSON line
        print(json.dumps(cpu_per_step(problems.W2.with_dtype("float64"), max(3, options.repeats // 3))))
        return
    print(f"load average (1 min) at the start: {os.getloadavg()[0]:.2f}\n")
    for spec in (problems.W1, problems.W3):
        print("\n".join(table(f"{spec.name}: {spec.sizes}, batch {spec.batch}", cpu_per_step(spec, options.repeats))))
    for malloc, result in w2(options.repeats).items():
        print("\n".join(table(f"W2 float64, malloc {malloc}", result)))
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
