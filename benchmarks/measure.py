"""Timing, memory and thread control shared by the benchmark runner and its worker processes, and
the description of the machine a run is on."""

from __future__ import annotations

import functools
import gc
import importlib.metadata
import os
import platform
import statistics
import sys
import time

import numpy as np

from benchmarks import engines

# NOTE: these two pick OpenBLAS kernels at load time; set on some machines, they slow a current
# NumPy. The runner drops them from its own environment only (never from tests or CI).
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_environment(threads: int) -> dict:
    """Environment variables that fix the BLAS and OpenMP pools of a process not yet started."""
    return {name: str(threads) for name in THREAD_VARIABLES}


def limit_threads(threads: int) -> None:
    """Set NumPy's BLAS pool (threadpoolctl) and, if it is loaded, PyTorch's intra-op pool."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except ImportError:  # the environment variables set for worker processes still apply
        pass
    torch = sys.modules.get("torch")  # set only where it is loaded: importing it costs ~200 MB
    if torch is not None:
        torch.set_num_threads(threads)


def blas_description() -> str:
    """Which BLAS NumPy runs, its kernel (architecture) and threads, as threadpoolctl reports it."""
    try:
        import numpy  # noqa: F401  (loads its BLAS so that threadpoolctl can see it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl)"
    parts = []
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            parts.append(
                f"{pool['internal_api']} {pool.get('version')} kernel {pool.get('architecture')}, "
                f"{pool['num_threads']} thread(s), {os.path.basename(pool['filepath'])}"
            )
    return "; ".join(parts) or "none found"


def time_interleaved(
    candidates: dict, repeats: int, block: float = 0.02, warmup: int = 2, self_timed: bool = False
) -> dict:
    """Median seconds per call of each zero-argument function, measured in rounds that take every
    candidate in turn (starting one further along each round), so slow drifts of the machine hit
    all of them alike. Each measurement times enough calls to last about ``block`` seconds.
    ``self_timed``: each call returns the seconds of the part it measured itself."""
    counts = {name: calls_per_block(fn, block, warmup) for name, fn in candidates.items()}
    samplers = {name: functools.partial(time_block, fn, counts[name], self_timed) for name, fn in candidates.items()}
    return interleaved_medians(samplers, repeats)


def calls_per_block(fn, block: float, warmup: int) -> int:
    """How many calls of ``fn`` last about ``block`` seconds (after ``warmup`` calls)."""
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(block / once))


def time_block(fn, calls: int, self_timed: bool = False) -> float:
    """One measurement: seconds per call over ``calls`` calls of ``fn``, after a garbage collection."""
    gc.collect()
    if self_timed:
        return sum(fn() for _ in range(calls)) / calls
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def time_interleaved_with_cpu(candidates: dict, repeats: int, block: float = 0.02, warmup: int = 2) -> dict:
    """As :func:`time_interleaved`, but each median a pair (wall-clock seconds, CPU seconds of this
    process) per call. With the thread pools pinned to one thread the CPU time is the work of the
    call alone, which the other processes of a busy machine do not stretch as they stretch the wall clock."""
    counts = {name: calls_per_block(fn, block, warmup) for name, fn in candidates.items()}
    cpu = {name: [] for name in candidates}

    def sampler(name, fn, calls):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            fn()
        cpu[name].append((time.process_time() - start_cpu) / calls)
        return (time.perf_counter() - start) / calls

    samplers = {name: functools.partial(sampler, name, fn, counts[name]) for name, fn in candidates.items()}
    wall = interleaved_medians(samplers, repeats)
    return {name: (wall[name], statistics.median(cpu[name])) for name in candidates}


def interleaved_medians(samplers: dict, repeats: int) -> dict:
    """Median of ``repeats`` samples of each zero-argument function returning one number, taken in
    rounds that call every sampler in turn, starting one further along each round."""
    samples = {name: [] for name in samplers}
    for round_ in range(repeats):
        for name in rotated(list(samplers), round_):
            samples[name].append(samplers[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def rotated(items: list, round_: int) -> list:
    """``items`` in the order of round ``round_``: starting ``round_`` places along, wrapping around."""
    k = round_ % len(items) if items else 0
    return items[k:] + items[:k]


def rss_bytes() -> int:
    """Resident memory of this process now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak_rss() -> bool:
    """Start VmHWM (peak resident memory) afresh from the current RSS; False where Linux refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def machine_lines(threads_line: str, names=None) -> list:
    """The run's conditions for the report: CPU, Python, NumPy's BLAS, the engines (all installed, or
    those named), ``threads_line``, the load and the environment variables dropped."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"- Machine: {cpu}, {os.cpu_count()} logical cores; {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, NumPy {np.__version__}; BLAS: {blas_description()}",
    ]
    versions = []
    for engine in engines.available(names):
        if engine.module not in ("numpy", "minigrad"):
            versions.append(f"{engine.name} {importlib.metadata.version(engine.module)}")
    wanted = [e for name, e in engines.ENGINES.items() if names is None or name in names]
    missing = [e.name for e in wanted if not engines.installed(e.module)]
    lines.append(
        "- Engines: "
        + ", ".join(versions or ["no optional engine installed"])
        + (f"; not installed (skipped): {', '.join(missing)}" if missing else "")
    )
    lines.append(threads_line)
    lines.append(
        f"- Load average (1 min) at the start: {os.getloadavg()[0]:.2f} (another busy process on the machine skews every number)"
    )
    dropped = os.environ.get("MINIGRAD_BENCH_DROPPED")
    lines.append(
        f"- Unset for this run only: {dropped}" if dropped else "- OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: not set"
    )
    return lines
