"""The PyTorch reference benchmark (torch_darts_bench.py in PERF_DIR, an outside reference and never
a dependency of this project), run unchanged except that each timed iteration also records the
process's CPU time (user + system, every thread), beside the wall time, as `rdarts bench` does
(lib/bench/search_bench.ts): `cpu_median_ms` and `cpu_times_ms` in each phase. The wall time counts
the moments another process held the core; the CPU time does not (though it still counts the core's
slowing under other load: results/bench/README.md). Same arguments and output as the reference. Usage:
  /usr/bin/python3 lib/bench/torch_timed.py --threads 1 --phases abc [...] [--append FILE]
"""
import argparse
import ctypes
import os
import statistics
import sys
import time


def early_args(argv):
    """`--threads` and `--malloc` as the reference's parser reads them (the last one wins, prefixes
    allowed), before torch loads: both act only if set before the import."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--malloc", default="tuned")
    return p.parse_known_args(argv)[0]


def keep_freed_blocks():
    """What the reference's `--malloc tuned` does before its import of torch: glibc keeps freed
    blocks of up to 32 MiB on its heap (mallopt M_MMAP_THRESHOLD -3, M_TRIM_THRESHOLD -1)."""
    libc = ctypes.CDLL("libc.so.6")
    return bool(libc.mallopt(-3, 32 * 1024 * 1024) and libc.mallopt(-1, 1 << 30))


MALLOC_TUNED = False
if __name__ == "__main__":
    # As the reference's own entry point, in its order: the thread variables and the allocator, then torch.
    EARLY = early_args(sys.argv[1:])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(EARLY.threads)
    if EARLY.malloc == "tuned":
        MALLOC_TUNED = keep_freed_blocks()

sys.path.insert(0, os.environ.get("PERF_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "perf")))
import torch_darts_bench as ref  # noqa: E402


def timed(fn, iters, warmup):
    """The reference's `timed`, with each iteration's CPU time too."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(iters):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - c0) * 1e3)
        wall.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(wall), "min_ms": min(wall),
            "mean_ms": statistics.fmean(wall), "n": len(wall),
            "times_ms": [round(t, 3) for t in wall],
            "cpu_median_ms": statistics.median(cpu), "cpu_times_ms": [round(t, 3) for t in cpu]}


if __name__ == "__main__":
    args = ref.build_arg_parser().parse_args()
    ref.MALLOC_TUNED = MALLOC_TUNED
    ref.timed = timed
    ref.main(args)
