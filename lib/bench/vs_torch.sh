#!/usr/bin/env bash
# Runs our search-step benchmark and the PyTorch reference back to back, interleaved, on this
# machine, one thread each, appending both JSON lines to one file (default
# results/bench/vs_torch.jsonl), then prints the reference's summary tables for both and our table
# of the pairs, wall and CPU time (lib/bench/vs_torch_pairs.ts). The reference runs through
# lib/bench/torch_timed.py, which records CPU times as ours does.
# Needs Debian's python3-torch (an outside reference, never a dependency of this project) and the
# reference folder (PERF_DIR, default ../shared/perf). Usage:
#   bash lib/bench/vs_torch.sh [ROUNDS] [extra flags for both, e.g. --space darts --iters 3 --warmup 1]
source "$(dirname "$0")/torch_reference.sh" 2 results/bench/vs_torch.jsonl "$@"
shift || true
since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: robust-darts-ts $*" >&2
  npx tsx lib/cli.ts bench --phases abc "$@" --append "$out" > /dev/null
  echo "round $r/$rounds: pytorch $*" >&2
  PERF_DIR="$perf" /usr/bin/python3 lib/bench/torch_timed.py --threads 1 --phases abc "$@" --append "$out" > /dev/null
done
python3 "$perf/summarize.py" "$out"
npx tsx lib/bench/vs_torch_pairs.ts "$out" --since "$since"
