"""PyTorch's profile of the same search steps as `rdarts profile` (lib/bench/profile.ts), for comparison.

Runs the PyTorch reference benchmark's network and steps (torch_darts_bench.py, found in PERF_DIR,
an outside reference and never a dependency of this project) under torch.profiler, one thread, and
sums each aten op's self time per part of the step: forward, backward (ops under an autograd
engine node), optimiser (ops under Optimizer.step) and other. Prints Markdown tables; with
--append, also appends one JSON line. Usage:
  python3 lib/bench/torch_profile.py [--space s3 --layers 5 --C 8 --image 28 --in-channels 1 --batch 64]
         [--phases ab] [--iters 3] [--warmup 2] [--append results/bench/profile.jsonl]
"""
import argparse
import collections
import datetime
import json
import os
import platform
import sys
import time

import torch

sys.path.insert(0, os.environ.get("PERF_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "perf")))
import torch_darts_bench as ref  # noqa: E402

# The kinds of lib/bench/profile.ts (kernelKind), for aten's op names; first match wins.
KINDS = [
    ("depthwise", "depthwise conv"),
    ("conv", "conv"),
    ("batch_norm", "batch norm"),
    ("pool", "pool"),
    ("addmm", "matmul"), ("mm", "matmul"), ("linear", "matmul"),
    ("sum", "reduction"), ("mean", "reduction"), ("norm", "reduction"),
    ("relu", "elementwise (unary)"), ("threshold", "elementwise (unary)"), ("sqrt", "elementwise (unary)"),
    ("softmax", "softmax / loss"), ("nll", "softmax / loss"), ("cross_entropy", "softmax / loss"),
    ("add", "elementwise (binary)"), ("mul", "elementwise (binary)"), ("div", "elementwise (binary)"),
    ("sub", "elementwise (binary)"), ("lerp", "elementwise (binary)"), ("fill", "elementwise (binary)"),
    ("zero", "elementwise (binary)"), ("copy", "copy / layout"), ("cat", "copy / layout"), ("slice", "copy / layout"),
    ("pad", "copy / layout"), ("empty", "allocation"), ("resize", "allocation"),
]


def kind(name):
    low = name.lower()
    for pat, k in KINDS:
        if pat in low:
            return k
    return "other"


def part_of(ev):
    p = ev.cpu_parent
    while p is not None:
        if p.name.startswith("autograd::engine::evaluate_function"):
            return "backward"
        if p.name.startswith("Optimizer.step"):
            return "optimiser"
        if p.name == "rdarts_forward":
            return "forward"
        p = p.cpu_parent
    return "other"


def profile_step(fn, iters, warmup):
    for _ in range(warmup):
        fn()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        wall = (time.perf_counter() - start) * 1000 / iters
    rows = collections.defaultdict(lambda: [0, 0.0])
    parts = collections.defaultdict(float)
    for ev in prof.profiler.function_events:
        if not ev.name.startswith("aten::") or ev.self_cpu_time_total <= 0:
            continue
        part = part_of(ev)
        r = rows[(ev.name, part)]
        r[0] += 1
        r[1] += ev.self_cpu_time_total / 1000
        parts[part] += ev.self_cpu_time_total / 1000
    kernels = sorted(({"kernel": k, "part": p, "calls": c / iters, "ms": ms / iters} for (k, p), (c, ms) in rows.items()),
                     key=lambda r: -r["ms"])
    return {"wallMs": wall, "parts": {p: v / iters for p, v in parts.items()}, "kernels": kernels}


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("--space", "s3"), ("--phases", "ab"), ("--append", None)]:
        ap.add_argument(name, default=default)
    for name, default in [("--layers", 5), ("--C", 8), ("--image", 28), ("--in-channels", 1), ("--batch", 64),
                          ("--classes", 10), ("--iters", 3), ("--warmup", 2), ("--seed", 0)]:
        ap.add_argument(name, type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    model = ref.SearchNetwork(a.C, a.classes, a.layers, ref.SEARCH_SPACES[a.space], a.in_channels)
    model.train()
    forward = model.forward

    def tagged(*args, **kw):
        with torch.profiler.record_function("rdarts_forward"):
            return forward(*args, **kw)
    model.forward = tagged
    weights, alphas = list(model.parameters()), model.arch_parameters()
    w_opt = torch.optim.SGD(weights, lr=ref.LR_W, momentum=ref.MOMENTUM, weight_decay=ref.WD_W)
    a_opt = torch.optim.Adam(alphas, lr=ref.LR_A, betas=ref.BETAS_A, weight_decay=ref.WD_A)
    shape = (a.batch, a.in_channels, a.image, a.image)
    xt, yt = torch.randn(shape), torch.randint(0, a.classes, (a.batch,))
    xv, yv = torch.randn(shape), torch.randint(0, a.classes, (a.batch,))
    steps = {}
    if "a" in a.phases:
        steps["a_weight_step"] = profile_step(lambda: ref.weight_step(model, weights, w_opt, xt, yt), a.iters, a.warmup)
    if "b" in a.phases:
        steps["b_arch_step_1st"] = profile_step(lambda: ref.arch_step_first_order(model, alphas, a_opt, xv, yv), a.iters, a.warmup)
    out = [f"PyTorch {torch.__version__}, 1 thread: {a.space}, {a.layers} cells, C {a.C}, {a.image}x{a.image}x{a.in_channels}, "
           f"batch {a.batch}; ms per iteration (aten ops' self time), mean of {a.iters} after {a.warmup} warm-up"]
    for key, s in steps.items():
        out += ["", f"### {key}: {s['wallMs']:.1f} ms", "", "| part | ms in aten ops |", "|---|---|"]
        out += [f"| {p} | {v:.1f} |" for p, v in sorted(s["parts"].items(), key=lambda kv: -kv[1])]
        kinds = collections.defaultdict(float)
        for r in s["kernels"]:
            kinds[(kind(r["kernel"]), r["part"])] += r["ms"]
        out += ["", "| kind | part | ms | share of step |", "|---|---|---|---|"]
        out += [f"| {k} | {p} | {v:.1f} | {100 * v / s['wallMs']:.1f} % |" for (k, p), v in sorted(kinds.items(), key=lambda kv: -kv[1])[:15]]
        out += ["", "| op | part | ms | share of step | calls |", "|---|---|---|---|---|"]
        out += [f"| {r['kernel']} | {r['part']} | {r['ms']:.1f} | {100 * r['ms'] / s['wallMs']:.1f} % | {r['calls']:.0f} |" for r in s["kernels"][:15]]
    print("\n".join(out))
    if a.append:
        rec = {"bench": "darts_step_profile", "impl": "pytorch", "torch": torch.__version__, "threads": 1,
               "machine": platform.machine(), "config": vars(a), "steps": steps,
               "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}
        with open(a.append, "a") as f:
            f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
