#!/usr/bin/env bash
# The GPU check as one kit that runs on a machine with a GPU and no network (environment.md,
# section 3): the WebGPU backend's gradients against the cpu backend's and its time for a
# supernet's loss and gradients (lib/bench/webgpu_check.ts), beside PyTorch's on the same GPU
# (lib/bench/torch_grads_time.py).
#
#   bash lib/bench/gpu_kit.sh build   # here (npm registry and Debian's packages): writes .gpu-kit/ (about 35 MB)
#   bash lib/bench/gpu_kit.sh run OUT  # there, from the repository root with .gpu-kit/ beside it: JSON lines in OUT/
#
# The kit holds this machine's node binary (x86-64, glibc), Dawn's Node bindings (the `webgpu`
# package's linux-x64 build), the check bundled with tfjs and tfjs's WebGPU backend by esbuild, and
# Debian's Vulkan and EGL loaders (unpacked there only where the machine lacks them). Without a
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
  (cd "$kit/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libgles2 2>&1 >/dev/null | grep -v 'unsandboxed' >&2 || true)
  rm -rf "$kit/build"
  du -sh "$kit"
}

run() {
  local out="${1:?usage: gpu_kit.sh run OUT}"
  [ -d "$kit" ] || { echo "gpu_kit.sh: no $kit here: build it first (bash lib/bench/gpu_kit.sh build) and carry it" >&2; exit 1; }
  mkdir -p "$out" /tmp/gpu-kit
  xz -dc "$kit/node.xz" > /tmp/gpu-kit/node && chmod +x /tmp/gpu-kit/node
  xz -dc "$kit/node_modules/webgpu/dist/linux-x64/dawn.node.xz" > "$kit/node_modules/webgpu/dist/linux-x64/dawn.node"
  if ! ldconfig -p | grep -q libvulkan.so.1; then
    for f in "$kit"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
  local egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
  { nvidia-smi 2>&1 || echo "no nvidia-smi"; } > "$out/nvidia-smi.txt"
  # KIT_ARGS: more options of webgpu_check.ts (e.g. --skip-check --sizes 0 --warmup 0 to try the kit quickly).
  # shellcheck disable=SC2086
  NODE_PATH="$kit/node_modules" /tmp/gpu-kit/node "$kit/check.cjs" --iters "${ITERS:-10}" --append "$out/webgpu_check.jsonl" ${KIT_ARGS:-} \
    2> >(grep -v 'artificially reduced' >&2) || echo "webgpu_check failed (exit $?)" >&2
  [ -n "${SKIP_TORCH:-}" ] || python3 lib/bench/torch_grads_time.py --iters "${ITERS:-10}" --append "$out/torch_grads_time.jsonl" ||
    echo "torch_grads_time failed (exit $?)" >&2
}

case "${1:-}" in
  build) build ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash lib/bench/gpu_kit.sh build | run OUT" >&2; exit 2 ;;
esac
