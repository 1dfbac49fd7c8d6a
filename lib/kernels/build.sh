#!/usr/bin/env bash
# Builds lib/kernels/grad_kernels.wasm from grad_kernels.c (`npm run build:kernels`), the same kernels
# linked for shared memory, grad_kernels_shared.wasm, which tfjs's threaded wasm build needs
# (RDARTS_WASM_THREADS), and of each a relaxed-SIMD build (*_relaxed.wasm: acc + a * b as one fused
# multiply-add, MADD in the C source); wasm_module.ts picks the one that matches tfjs's memory, and
# the relaxed one where RDARTS_WASM_RELAXED=1 asks for it.
# Needs clang 16 and its wasm-ld (Debian 12: `apt-get install clang-16 lld-16`): clang 14 emits
# relaxed SIMD's pre-standard opcodes, which no runtime accepts, and another version may emit other
# bytes than the committed ones. $CLANG names the compiler; else clang-16, or clang where it is 16.
# The .wasm files are committed, so users and CI never need clang; test/kernels/build.test.ts
# rebuilds them where clang 16 exists and checks that the committed binaries are what this script
# makes from the committed source.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-grad_kernels.wasm}"
shared="${2:-grad_kernels_shared.wasm}"
relaxed="${3:-grad_kernels_relaxed.wasm}"
shared_relaxed="${4:-grad_kernels_shared_relaxed.wasm}"

major() { { "$1" --version 2>/dev/null || true; } | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1; }
if [ -z "${CLANG:-}" ]; then
  for c in clang-16 clang; do
    if [ "$(major "$c")" = 16 ]; then CLANG="$c"; break; fi
  done
fi
# Exit status 3: no compiler to build with (the test that rebuilds the binaries skips then).
[ -n "${CLANG:-}" ] || { echo "build.sh: needs clang 16 (Debian 12: apt-get install clang-16 lld-16)" >&2; exit 3; }
command -v "$("$CLANG" --target=wasm32 -print-prog-name=wasm-ld)" >/dev/null ||
  { echo "build.sh: $CLANG finds no wasm-ld (Debian 12: apt-get install lld-16)" >&2; exit 3; }

# -mbulk-memory lowers zeroing loops and copies to memory.fill / memory.copy (there is no libc).
# The module imports tfjs-backend-wasm's memory (--import-memory) and works on its tensors in place;
# it has no static data, and its stack pointer is exported (-mmutable-globals) so that
# wasm_module.ts points it into a block it allocates on that heap.
common=(--target=wasm32 -O3 -msimd128 -mbulk-memory -mmutable-globals -nostdlib -ffreestanding -fuse-ld=lld
  -Wall -Wextra -Werror -Wl,--no-entry -Wl,--import-memory -Wl,--export=__stack_pointer -Wl,--strip-all)
# The shared-memory build: atomics (required to import a shared memory) and a maximum of 4 GiB, the
# most any tfjs build declares, so that the import matches whatever tfjs's memory's maximum is.
shared_flags=(-matomics -Wl,--shared-memory -Wl,--max-memory=4294967296)
relaxed_flags=(-mrelaxed-simd -DRDARTS_RELAXED)
"$CLANG" "${common[@]}" -o "$out" grad_kernels.c
"$CLANG" "${common[@]}" "${shared_flags[@]}" -o "$shared" grad_kernels.c
"$CLANG" "${common[@]}" "${relaxed_flags[@]}" -o "$relaxed" grad_kernels.c
"$CLANG" "${common[@]}" "${shared_flags[@]}" "${relaxed_flags[@]}" -o "$shared_relaxed" grad_kernels.c
