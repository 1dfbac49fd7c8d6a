"""The PyTorch reference benchmark (torch_darts_bench.py in PERF_DIR, an outside reference and never
a dependency of this project), run unchanged except that each timed iteration also records the
process's CPU time (user + system, every thread), beside the wall time, as `rdarts bench` does
(lib/bench/search_bench.ts): `cpu_median_ms` and `cpu_times_ms` in each phase. The wall time counts
the moments another process held the core; the CPU time does not, so rounds run beside other work
compare. Same arguments and output as the reference. Usage:
  /usr/bin/python3 lib/bench/torch_timed.py --threads 1 --phases abc [...] [--append FILE]
"""
import os
import statistics
import sys
import time


def threads_arg(argv):
    """`--threads N` (or `--threads=N`) from the command line, default 1: read before torch loads."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    # As the reference's own entry point: the thread variables before torch loads (the import below).
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = threads_arg(sys.argv[1:])

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
    if args.malloc == "tuned":
        ref.MALLOC_TUNED = ref.tune_glibc_malloc()
    ref.timed = timed
    ref.main(args)
