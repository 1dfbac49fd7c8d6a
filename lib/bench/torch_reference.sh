# Sourced by the benchmarks that run ours and the PyTorch reference back to back (vs_torch.sh,
# hessian_vs_torch.sh): goes to the project root, reads ROUNDS (first argument, default $1) and
# sets $rounds, $perf (PERF_DIR, default ../shared/perf: the reference's folder) and $out (OUT,
# default the caller's file); fails, naming it, when the reference script is missing.
# Usage: source lib/bench/torch_reference.sh DEFAULT_ROUNDS DEFAULT_OUT "$@"; shift on return.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
default_rounds="$1"; default_out="$2"; shift 2
rounds="${1:-$default_rounds}"
perf="${PERF_DIR:-../shared/perf}"
out="${OUT:-$default_out}"
mkdir -p "$(dirname "$out")"
[ -f "$perf/torch_darts_bench.py" ] || { echo "no $perf/torch_darts_bench.py (set PERF_DIR)" >&2; exit 1; }
