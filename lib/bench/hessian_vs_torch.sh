#!/usr/bin/env bash
# The Hessian phases of the benchmark (d: full alpha Hessian, e: dominant eigenvalue), ours with
# central and with forward differences, and the PyTorch reference's (exact double backward), back
# to back, one thread each, appended to one file (default results/bench/hessian_vs_torch.jsonl).
# Needs Debian's python3-torch and the reference folder (PERF_DIR, default ../shared/perf). Usage:
#   bash lib/bench/hessian_vs_torch.sh [ROUNDS] [extra flags for both, e.g. --space darts]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-1}"; shift || true
perf="${PERF_DIR:-../shared/perf}"
out="${OUT:-results/bench/hessian_vs_torch.jsonl}"
mkdir -p "$(dirname "$out")"
[ -f "$perf/torch_darts_bench.py" ] || { echo "no $perf/torch_darts_bench.py (set PERF_DIR)" >&2; exit 1; }
for ((r = 1; r <= rounds; r++)); do
  for scheme in central forward; do
    echo "round $r/$rounds: robust-darts-ts ($scheme) $*" >&2
    npx tsx lib/cli.ts bench --phases de --hvp-scheme "$scheme" "$@" --append "$out" > /dev/null
  done
  echo "round $r/$rounds: pytorch $*" >&2
  /usr/bin/python3 "$perf/torch_darts_bench.py" --threads 1 --phases de "$@" --append "$out" > /dev/null
done
python3 "$perf/summarize.py" "$out"
