#!/usr/bin/env bash
# Our alpha curvature of a language-modelling search at a checkpoint against PyTorch's exact float64
# Hessian (docs/method.md §9): ./ptb_curvature_point.ts writes the point and our products and
# Lanczos values at each finite-difference step; ./ptb_curvature_oracle.py compares them with
# autograd. Appends the oracle's JSON lines to OUT (default results/ptb/curvature_oracle.jsonl).
# Needs Debian's python3-torch and RDARTS_DATA. Usage:
#   bash lib/bench/ptb_curvature_oracle.sh RUN_DIR [WINDOW=0] [OUT] [PASSES=train|eval]
set -euo pipefail
dir=${1:?usage: bash lib/bench/ptb_curvature_oracle.sh RUN_DIR [WINDOW] [OUT] [PASSES]}
window=${2:-0}
out=${3:-results/ptb/curvature_oracle.jsonl}
passes=${4:-train}
point=$(mktemp --suffix .json)
trap 'rm -f "$point"' EXIT
npx tsx "$(dirname "$0")/ptb_curvature_point.ts" "$dir" "$point" "$window" "$passes"
/usr/bin/python3 "$(dirname "$0")/ptb_curvature_oracle.py" "$point" | tee -a "$out"
