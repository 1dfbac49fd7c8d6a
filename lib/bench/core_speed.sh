#!/usr/bin/env bash
# Are this machine's cores equally fast? The pool's throughput (rdarts bench-pool) can only reach
# the sum of its cores' speeds. Times a loop that streams over 2 MB of float32 (past L2, memory-
# bound like a search step) and a loop that stays in registers, pinned to each core with taskset,
# then on every core at once. Prints one line per run: what, core, seconds.
# Usage: bash lib/bench/core_speed.sh [repeats]   (run on an otherwise idle machine)
set -euo pipefail
repeats=${1:-2}
cores=$(nproc)
stream='const n=256*1024,a=new Float32Array(n),b=new Float32Array(n).fill(1),t=Date.now();for(let r=0;r<5000;r++)for(let i=0;i<n;i++)a[i]=a[i]*0.5+b[i];console.log(((Date.now()-t)/1000).toFixed(2))'
spin='let x=0;const t=Date.now();for(let i=0;i<1e9;i++)x=(x*1664525+1013904223)|0;console.log(((Date.now()-t)/1000).toFixed(2),x===1?"":"")'
for what in stream spin; do
  code=${!what}
  for ((r = 0; r < repeats; r++)); do
    for ((c = 0; c < cores; c++)); do echo "$what alone core $c $(taskset -c "$c" node -e "$code")"; done
  done
  for ((c = 0; c < cores; c++)); do (echo "$what together core $c $(taskset -c "$c" node -e "$code")") & done
  wait
done
