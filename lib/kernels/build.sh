#!/usr/bin/env bash
# Builds lib/kernels/grad_kernels.wasm from grad_kernels.c (`npm run build:kernels`).
# Needs clang and wasm-ld (Debian: `apt-get install clang lld`). The .wasm is committed, so users
# and CI never need clang; test/kernels/build.test.ts rebuilds it where clang exists and checks that
# the committed binary is what this script makes from the committed source.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-grad_kernels.wasm}"
# -mbulk-memory lowers zeroing loops to memory.fill (there is no libc memset); memory is exported
# and grown from JS as the tensors require.
clang --target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -ffreestanding \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all \
  -o "$out" grad_kernels.c
