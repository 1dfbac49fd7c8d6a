#!/usr/bin/env bash
# Profiles one search step of ours (`rdarts profile`) and of the PyTorch reference
# (lib/bench/torch_profile.py) back to back, one thread each, appending both JSON lines to one file
# (default results/bench/profile.jsonl) and printing both Markdown profiles. Needs Debian's
# python3-torch and the reference folder (PERF_DIR, default ../shared/perf). Usage:
#   bash lib/bench/profile_vs_torch.sh [ROUNDS] [flags for both, e.g. --space darts --iters 3 --warmup 2]
source "$(dirname "$0")/torch_reference.sh" 1 results/bench/profile.jsonl "$@"
shift || true
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: robust-darts-ts $*" >&2
  npx tsx lib/cli.ts profile "$@" --append "$out"
  echo "round $r/$rounds: pytorch $*" >&2
  PERF_DIR="$perf" /usr/bin/python3 lib/bench/torch_profile.py "$@" --append "$out"
done
