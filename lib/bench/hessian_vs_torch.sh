#!/usr/bin/env bash
# The Hessian phases of the benchmark (d: full alpha Hessian, e: dominant eigenvalue), ours with
# central and with forward differences, and the PyTorch reference's (exact double backward), back
# to back, one thread each, appended to one file (default results/bench/hessian_vs_torch.jsonl).
# Needs Debian's python3-torch and the reference folder (PERF_DIR, default ../shared/perf). Usage:
#   bash lib/bench/hessian_vs_torch.sh [ROUNDS] [extra flags for both, e.g. --space darts]
source "$(dirname "$0")/torch_reference.sh" 1 results/bench/hessian_vs_torch.jsonl "$@"
shift || true
for ((r = 1; r <= rounds; r++)); do
  for scheme in central forward; do
    echo "round $r/$rounds: robust-darts-ts ($scheme) $*" >&2
    npx tsx lib/cli.ts bench --phases de --hvp-scheme "$scheme" "$@" --append "$out" > /dev/null
  done
  echo "round $r/$rounds: pytorch $*" >&2
  PERF_DIR="$perf" /usr/bin/python3 lib/bench/torch_timed.py --threads 1 --phases de "$@" --append "$out" > /dev/null
done
python3 "$perf/summarize.py" "$out"
