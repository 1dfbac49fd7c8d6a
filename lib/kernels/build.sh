#!/usr/bin/env bash
# Builds lib/kernels/grad_kernels.wasm from grad_kernels.c (`npm run build:kernels`), and the same
# kernels linked for shared memory, grad_kernels_shared.wasm, which tfjs's threaded wasm build needs
# (RDARTS_WASM_THREADS; wasm_module.ts picks the one that matches tfjs's memory).
# Needs clang and wasm-ld (Debian: `apt-get install clang lld`). The .wasm is committed, so users
# and CI never need clang; test/kernels/build.test.ts rebuilds it where clang exists and checks that
# the committed binary is what this script makes from the committed source.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-grad_kernels.wasm}"
shared="${2:-grad_kernels_shared.wasm}"
# -mbulk-memory lowers zeroing loops and copies to memory.fill / memory.copy (there is no libc).
# The module imports tfjs-backend-wasm's memory (--import-memory) and works on its tensors in place;
# it has no static data, and its stack pointer is exported (-mmutable-globals) so that
# wasm_module.ts points it into a block it allocates on that heap.
clang --target=wasm32 -O3 -msimd128 -mbulk-memory -mmutable-globals -nostdlib -ffreestanding \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--export=__stack_pointer -Wl,--strip-all \
  -o "$out" grad_kernels.c
# The shared-memory build: atomics (required to import a shared memory) and a maximum of 4 GiB, the
# most any tfjs build declares, so that the import matches whatever tfjs's memory's maximum is.
clang --target=wasm32 -O3 -msimd128 -mbulk-memory -matomics -mmutable-globals -nostdlib -ffreestanding \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory -Wl,--max-memory=4294967296 \
  -Wl,--export=__stack_pointer -Wl,--strip-all \
  -o "$shared" grad_kernels.c
