"""Timing, memory and thread control shared by the benchmark runner and its worker processes."""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time

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
    counts = {}
    for name, fn in candidates.items():
        for _ in range(warmup):
            fn()
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        counts[name] = max(1, int(block / once))
    samples = {name: [] for name in candidates}
    names = list(candidates)
    for round_ in range(repeats):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            fn, n = candidates[name], counts[name]
            gc.collect()
            if self_timed:
                samples[name].append(sum(fn() for _ in range(n)) / n)
                continue
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(values) for name, values in samples.items()}


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
