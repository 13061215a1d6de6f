"""The workloads W1-W6, the CNN and LSTM training steps and the backward-walk comparison: each
returns rows for the report.

A row is a dict with ``engine`` and the measured numbers (seconds, bytes), or ``note`` saying why
an engine has none (not installed, fails, too slow to run at that size).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time

import numpy as np

from benchmarks import engines, layer_steps, measure, problems

NUMPY = engines.NumPyByHand.name
GLIBC_KEEP_MEMORY = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "1073741824"}
CHAIN_LENGTHS = (1_000, 10_000, 100_000, 1_000_000)
CHAIN_BUDGET = 20.0  # seconds: a chain projected to take longer is not run
# cnn and lstm: (the spec per dtype, its problem, each engine's step)
LAYER_WORKLOADS = {
    "cnn": (problems.CNN, problems.make_cnn_problem, layer_steps.CNN_STEPS),
    "lstm": (problems.LSTM, problems.make_lstm_problem, layer_steps.LSTM_STEPS),
}
# How far an engine's losses may be from the reference's (relative) for its steps to count as the same computation
LOSS_TOLERANCE = {"float32": 1e-4, "float64": 1e-9}


def training_step(spec, available, repeats) -> list:
    """W1 and W3: median seconds per SGD step, every engine in this process, interleaved."""
    params, x, target = problems.make_problem(spec)
    steps, rows = {}, []
    for engine in available:
        if engine.name == "micrograd" and spec is not problems.W1:
            rows.append({"engine": engine.name, "note": "not run: one Python object per scalar, minutes per step"})
            continue
        try:
            steps[engine.name] = engine.mlp_step(spec, params, x, target)
        except NotImplementedError as error:
            rows.append({"engine": engine.name, "note": str(error)})
    slow = {name: fn for name, fn in steps.items() if name == "micrograd"}
    fast = {name: fn for name, fn in steps.items() if name not in slow}
    medians = measure.time_interleaved(fast, repeats)
    medians.update(measure.time_interleaved(slow, 3, block=0, warmup=1) if slow else {})
    return [{"engine": name, "seconds": medians[name]} for name in steps] + rows


def layer_training(workload: str, available, repeats) -> list:
    """cnn and lstm: median seconds per SGD step (wall clock and CPU) in float32 and float64, every
    engine in this process, interleaved. First, outside the timing, the losses of two steps of each engine are
    checked against the reference's (PyTorch's when installed, else minigrad's): an engine whose
    losses differ is not timed, its row saying why."""
    specs, make_problem, makers = LAYER_WORKLOADS[workload]
    installed = {e.name for e in available}
    rows = []
    for dtype, spec in specs.items():
        params, x, target, source = make_problem(spec)
        steps, losses = {}, {}
        for name, make in makers.items():
            if name not in installed and name != layer_steps.MINIGRAD_TRACED:
                continue
            try:
                steps[name] = make(spec, params, x, target)
            except NotImplementedError as error:
                rows.append({"engine": name, "dtype": dtype, "note": str(error)})
                continue
            losses[name] = layer_steps.first_losses(steps[name])
        reference = engines.PyTorch.name if engines.PyTorch.name in losses else engines.Minigrad.name
        differences = {name: layer_steps.relative_difference(v, losses[reference]) for name, v in losses.items()}
        for name, difference in differences.items():
            if difference > LOSS_TOLERANCE[dtype]:
                del steps[name]
                rows.append(
                    {
                        "engine": name,
                        "dtype": dtype,
                        "note": f"not timed: losses {losses[name]} differ from {reference}'s {losses[reference]}",
                    }
                )
        medians = measure.time_interleaved_with_cpu(steps, repeats)
        rows += [
            {
                "engine": name,
                "dtype": dtype,
                "seconds": medians[name][0],
                "cpu_seconds": medians[name][1],
                "reference": reference,
                "difference": differences[name],
                "data": source,
                # NOTE: the traced step's first two calls, made before the timing (see layer_steps._minigrad_traced)
                "tracing_seconds": getattr(steps[name], "tracing_seconds", None),
            }
            for name in steps
        ]
    order = list(specs), list(makers)
    return sorted(rows, key=lambda r: (order[0].index(r["dtype"]), order[1].index(r["engine"])))


def _run_worker(options: dict, env_extra: dict) -> dict:
    env = {**os.environ, **measure.thread_environment(options["threads"]), **env_extra}
    command = [sys.executable, "-m", "benchmarks.worker", json.dumps(options)]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__))
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def medium_network(available, threads, rounds, steps, repeats, trees=(None,)) -> list:
    """W2 in float64 and float32, with glibc's default malloc and with one that keeps freed memory:
    every engine in a process of its own, the processes interleaved over ``rounds``. micrograd is
    left out: a Python object per scalar makes one step take hours. Given ``trees``
    (benchmarks.trees.Tree), minigrad runs once per tree, with that tree's minigrad, its rows saying
    which ``tree``; the other engines' processes import no minigrad, so they run once for both."""
    slots = [
        (engine, tree)
        for engine in available
        if engine.name != engines.Micrograd.name
        for tree in (trees if engine.name == engines.Minigrad.name else (None,))
    ]
    rows = []
    for dtype in ("float64", "float32"):
        for malloc, env_extra in (("default", {}), ("keep freed memory", GLIBC_KEEP_MEMORY)):
            results = {slot: [] for slot in slots}
            for round_ in range(rounds):
                for engine, tree in measure.rotated(slots, round_):
                    options = {
                        "workload": "W2",
                        "engine": engine.name,
                        "dtype": dtype,
                        "threads": threads,
                        "steps": steps.get(engine.name, steps["default"]),
                        "repeats": repeats,
                    }
                    if tree is not None:
                        options["minigrad_from"] = tree.path
                    results[engine, tree].append(_run_worker(options, env_extra))
            for engine, tree in slots:
                runs = results[engine, tree]
                row = {"engine": engine.name, "dtype": dtype, "malloc": malloc}
                if tree is not None:
                    row["tree"] = tree.label
                errors = [r["error"] for r in runs if "error" in r]
                if errors:
                    row["note"] = errors[0]
                else:
                    row["seconds"] = float(np.median([r["seconds"] for r in runs]))
                    peaks = [r["peak"] for r in runs if r["peak"] is not None]
                    row["peak"] = max(peaks) if peaks else None
                rows.append(row)
    return rows


class MinigradWithoutGC:
    """minigrad's chain with Python's cyclic garbage collector off: what the collector costs."""

    name = "minigrad, GC off"

    def chain(self, n):
        gc.disable()
        try:
            x, y, backward = engines.Minigrad().chain(n)
        except BaseException:
            gc.enable()
            raise

        def run():
            try:
                backward()
            finally:
                gc.enable()

        return x, y, run


def chain_seconds(engine, n: int) -> float:
    """Seconds to build ``engine``'s chain of ``n`` scalar ops and backpropagate through it (freeing
    the graph afterwards is not timed); RecursionError where the engine's walk recurses."""
    gc.collect()
    start = time.perf_counter()
    _, y, backward = engine.chain(n)
    backward()
    return time.perf_counter() - start


def chain_repeats(n: int, repeats: int) -> int:
    """How many chains of length ``n`` W4 times: fewer as they grow longer."""
    return max(1, repeats if n <= 10_000 else repeats // 2 if n <= 100_000 else 2)


def scalar_chain(available, repeats) -> list:
    """W4: N scalar ops (y * c, y + d alternately) then backward; seconds per op, and whether it completes."""
    rows, per_node = [], {}
    if any(e.name == engines.Minigrad.name for e in available):
        available = list(available) + [MinigradWithoutGC()]
    for n in CHAIN_LENGTHS:
        measured = {}
        for engine in available:
            if not hasattr(engine, "chain"):
                continue
            previous = per_node.get(engine.name)
            if previous == "failed":
                rows.append({"engine": engine.name, "n": n, "note": "not run: failed at a shorter chain"})
            elif previous is not None and previous * n > CHAIN_BUDGET:
                rows.append({"engine": engine.name, "n": n, "note": f"not run: projected {previous * n:.0f} s"})
            else:
                measured[engine.name] = engine
        times = {name: [] for name in measured}
        failures = {}
        for _ in range(chain_repeats(n, repeats)):
            for name, engine in measured.items():
                if name in failures:
                    continue
                try:
                    times[name].append(chain_seconds(engine, n))
                except RecursionError:
                    failures[name] = "fails: RecursionError"
        for name in measured:
            if name in failures:
                rows.append({"engine": name, "n": n, "note": failures[name]})
                per_node[name] = "failed"
            else:
                seconds = float(np.median(times[name])) / n
                per_node[name] = seconds
                rows.append({"engine": name, "n": n, "seconds": seconds})
    return rows


def per_op(available, repeats) -> list:
    """W5: one elementwise op on (4,) and (1000, 1000), forward alone and forward plus backward."""
    rows = []
    rng = np.random.default_rng(0)
    for shape in ((4,), (1000, 1000)):
        a, b, g = (rng.normal(size=shape) for _ in range(3))
        for op in ("add", "mul", "tanh", "relu"):
            for backward in (False, True):
                fns = {e.name: e.op(op, a, b, g, backward) for e in available if hasattr(e, "op")}
                medians = measure.time_interleaved(fns, repeats, block=0.02 if a.size < 100 else 0.05)
                rows += [
                    {"engine": name, "shape": shape, "op": op, "backward": backward, "seconds": s}
                    for name, s in medians.items()
                ]
    return rows


def steady_state(available, threads, steps=2000) -> list:
    """W6: W1 trained for ``steps`` steps in a process of its own; RSS after 100 and at the end."""
    rows = []
    for engine in available:
        if engine.name == "micrograd":
            continue
        result = _run_worker({"workload": "W6", "engine": engine.name, "threads": threads, "steps": steps}, {})
        rows.append({"engine": engine.name, **result})
    return rows


def backward_walk(repeats) -> list:
    """minigrad's ``loss.backward()`` on W1 and W3, with its Tensor-op rules and with rules that
    call NumPy directly (:mod:`benchmarks.direct_rules`): the cost of differentiable rules; and the
    hand-written NumPy backward, the cost of having a graph at all."""
    rows = []
    for spec in (problems.W1, problems.W3):
        medians = measure.time_interleaved(_walk_variants(spec), repeats, self_timed=True)
        rows += [{"workload": spec.name, "engine": name, "seconds": s} for name, s in medians.items()]
    return rows


def _walk_variants(spec) -> dict:
    """The two ways to build the graph of ``spec``'s loss, each timed on ``backward()`` only."""
    import minigrad.functional as F
    from benchmarks import direct_rules
    from minigrad import Tensor

    params, x, target = problems.make_problem(spec)
    tensors = [(Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)) for w, b in params]
    x, target = Tensor(x), Tensor(target)
    activation = {"tanh": Tensor.tanh, "sigmoid": Tensor.sigmoid, "relu": Tensor.relu}[spec.activation]

    def tensor_rules():
        h = x
        for i, (w, b) in enumerate(tensors):
            h = F.linear(h, w, b)
            h = activation(h) if i < len(tensors) - 1 else h
        return F.mse_loss(h, target)

    def direct():
        return direct_rules.forward(tensors, x, target, spec.activation)

    return {
        "Tensor-op rules (minigrad)": _backward_only(tensor_rules, tensors),
        "NumPy-direct rules": _backward_only(direct, tensors),
        "numpy (by hand)": _hand_backward_only(spec, params, x.numpy(), target.numpy()),
    }


def _hand_backward_only(spec, params, x, target):
    """A function returning the seconds of the hand-written NumPy backward (loss gradient included)."""
    from benchmarks import numpy_mlp

    def run():
        out, inputs, pre = numpy_mlp.forward(params, x, spec.activation)
        start = time.perf_counter()
        _, grad = numpy_mlp.loss_and_grad(spec.loss, out, target)
        numpy_mlp.backward(params, grad, inputs, pre, spec.activation)
        return time.perf_counter() - start

    return run


def _backward_only(build, tensors):
    """A function returning the seconds of ``backward()`` of a freshly built graph."""

    def run():
        loss = build()
        for w, b in tensors:
            w.grad = b.grad = None
        start = time.perf_counter()
        loss.backward()
        return time.perf_counter() - start

    return run
