#!/usr/bin/env bash
# The GPU check as one kit that runs on a machine with a GPU and no network (environment.md,
# section 3): the WebGPU backend's gradients against the cpu backend's and its time for a
# supernet's loss and gradients (lib/bench/webgpu_check.ts), beside PyTorch's on the same GPU
# (lib/bench/torch_grads_time.py).
#
#   bash lib/bench/gpu_kit.sh build   # here (npm registry and Debian's packages): writes .gpu-kit/ (31 MB)
#   bash lib/bench/gpu_kit.sh run OUT  # there, from the repository root with .gpu-kit/ beside it: JSON lines in OUT/
#
# The kit holds this machine's node binary (x86-64, glibc), Dawn's Node bindings (the `webgpu`
# package's linux-x64 build), the check bundled with tfjs and tfjs's WebGPU backend by esbuild, and
# Debian's Vulkan and EGL loaders (unpacked into the kit, and put on LD_LIBRARY_PATH, only where the
# machine has no Vulkan loader). `run` exits non-zero if a step failed or a gradient was off. Without a
# GPU adapter the check falls back to OpenGL ES in compatibility mode (Mesa's llvmpipe where Mesa
# is installed), and says which adapter it used.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.gpu-kit
WEBGPU_VERSION=0.6.2

build() {
  rm -rf "$kit" && mkdir -p "$kit/build" "$kit/node_modules/webgpu/dist/linux-x64" "$kit/debs"
  local tfjs
  tfjs=$(node -p "require('@tensorflow/tfjs-core/package.json').version")
  (cd "$kit/build" && echo '{"private":true}' > package.json &&
    npm install --no-save --legacy-peer-deps --no-audit --no-fund --ignore-scripts \
      "webgpu@$WEBGPU_VERSION" "@tensorflow/tfjs-backend-webgpu@$tfjs" > /dev/null)
  # One tfjs-core and one cpu backend in the bundle: the project's (the WebGPU backend's peers).
  rm -rf "$kit/build/node_modules/@tensorflow/tfjs-backend-cpu" "$kit/build/node_modules/@tensorflow/tfjs-core"
  NODE_PATH="$kit/build/node_modules:node_modules" npx esbuild lib/bench/webgpu_check.ts --bundle --platform=node \
    --target=node20 --format=cjs --minify --external:webgpu --external:@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm --log-level=warning --outfile="$kit/check.cjs"
  local w="$kit/build/node_modules/webgpu"
  cp "$w/package.json" "$w/index.js" "$kit/node_modules/webgpu/"
  xz -T0 -9 -c "$w/dist/linux-x64/dawn.node" > "$kit/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
  xz -T0 -6 -c "$(command -v node)" > "$kit/node.xz"
  # apt warns that it downloads as root; a failed download fails the build (pipefail).
  (cd "$kit/debs" && { apt-get download libvulkan1 libegl1 libglvnd0 libgles2 2>&1 >/dev/null; } | { grep -v 'unsandboxed' >&2 || true; })
  ls "$kit"/debs/*.deb > /dev/null
  echo "{\"@tensorflow/tfjs-core\": \"$tfjs\", \"@tensorflow/tfjs-backend-webgpu\": \"$tfjs\", \"webgpu\": \"$WEBGPU_VERSION\", \"node\": \"$(node --version)\"}" > "$kit/versions.json"
  rm -rf "$kit/build"
  du -sh "$kit"
}

run() {
  local out="${1:?usage: gpu_kit.sh run OUT}"
  [ -d "$kit" ] || { echo "gpu_kit.sh: no $kit here: build it first (bash lib/bench/gpu_kit.sh build) and carry it" >&2; exit 1; }
  mkdir -p "$out" /tmp/gpu-kit
  xz -dc "$kit/node.xz" > /tmp/gpu-kit/node && chmod +x /tmp/gpu-kit/node
  xz -dc "$kit/node_modules/webgpu/dist/linux-x64/dawn.node.xz" > "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
  local libs
  libs=$(ldconfig -p)
  if ! grep -q libvulkan.so.1 <<< "$libs"; then
    for f in "$kit"/debs/*.deb; do dpkg -x "$f" "$kit/sysroot"; done
    export LD_LIBRARY_PATH="$PWD/$kit/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  cp "$kit/versions.json" "$out/kit_versions.json"
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
  local egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
  { nvidia-smi 2>&1 || echo "no nvidia-smi"; } > "$out/nvidia-smi.txt"
  local failed=0 rc=0
  # KIT_ARGS: more options of webgpu_check.ts (e.g. --skip-check --sizes 0 --warmup 0 to try the kit quickly).
  # Dawn's notes on the limits it lowers are dropped; everything else is shown. Under pipefail the
  # pipeline's status is node's.
  # shellcheck disable=SC2086
  NODE_PATH="$kit/node_modules" /tmp/gpu-kit/node "$kit/check.cjs" --iters "${ITERS:-10}" --append "$out/webgpu_check.jsonl" \
    ${KIT_ARGS:-} 2>&1 | { grep -v 'artificially reduced' || true; } || rc=$?
  [ "$rc" -eq 0 ] || { echo "webgpu_check failed (exit $rc)" >&2; failed=1; }
  if [ -z "${SKIP_TORCH:-}" ]; then
    python3 lib/bench/torch_grads_time.py --iters "${ITERS:-10}" --append "$out/torch_grads_time.jsonl" ||
      { echo "torch_grads_time failed" >&2; failed=1; }
  fi
  return "$failed"
}

case "${1:-}" in
  build) build ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash lib/bench/gpu_kit.sh build | run OUT" >&2; exit 2 ;;
esac
