/**
 * Probe: would tfjs-backend-wasm's multi-threaded SIMD build speed up a search in Node? tfjs 4.22
 * does not load it in Node as shipped, so this probe patches four things at load (below), then
 * times a convolution (forward, and forward plus its input gradient; 64x32x32x16, 3x3, 16 filters)
 * and checks its outputs equal the single-threaded build's. Prints one JSON line per run.
 *   node lib/bench/wasm_threads_probe.cjs st       # the plain SIMD build (what the library uses)
 *   node lib/bench/wasm_threads_probe.cjs mt 2     # the threaded build with 2 threads
 * Our own kernels (lib/kernels) are not loaded: they import the backend's memory, which the
 * threaded build makes shared, so they would need a second build for shared memory
 * (environment.md, section 4). Not used by the library: a measurement only.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');

/** The four patches; returns what undoes the last one (call it once the backend is up). */
function enableThreadedBuild() {
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factory = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'));
  // 1. The pthread worker script as a file: Node's Worker cannot start a blob: URL. 2. Inside it,
  //    the standalone Emscripten factory by path instead of the blob that tfjs cut from its bundle.
  const worker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-threads-')), 'worker.cjs');
  fs.writeFileSync(
    worker,
    `${wasmWorkerContents.replace(/\n/g, '\\n')};URL.createObjectURL=()=>${JSON.stringify(factory)};URL.revokeObjectURL=()=>{};\n`,
  );
  const create = URL.createObjectURL;
  URL.createObjectURL = (b) => (b && b.type === 'application/javascript' ? worker : create.call(URL, b));
  // 3. tfjs says Node has no thread support (its flag's own comment); say it has.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  // 4. The backend caps its threads at half the logical cores (1 on 2 cores): report twice as many while it starts.
  const cpus = os.cpus;
  os.cpus = () => cpus.call(os).concat(cpus.call(os));
  return () => {
    os.cpus = cpus;
  };
}

function seeded(n, seed) {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

async function main() {
  const [mode = 'st', threads = '1', iters = '15'] = process.argv.slice(2);
  const restore = mode === 'mt' ? enableThreadedBuild() : () => undefined;
  if (mode === 'mt') wasm.setThreadsCount(Number(threads));
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  restore();
  const x = tf.tensor4d(seeded(64 * 32 * 32 * 16, 1), [64, 32, 32, 16]);
  const w = tf.tensor4d(seeded(3 * 3 * 16 * 16, 2), [3, 3, 16, 16]);
  const r = tf.tensor4d(seeded(64 * 32 * 32 * 16, 3), [64, 32, 32, 16]);
  const forward = () => tf.conv2d(x, w, 1, 'same');
  const withGrad = () => tf.tidy(() => [forward(), tf.grad((xx) => tf.sum(tf.mul(tf.conv2d(xx, w, 1, 'same'), r)))(x)]);
  const checksum = (await Promise.all(withGrad().map((t) => t.data()))).map((a) => a.reduce((s, v, i) => s + v * ((i % 7) + 1), 0));
  const time = async (fn) => {
    const ms = [];
    for (let i = 0; i < Number(iters) + 2; i++) {
      const t = process.hrtime.bigint();
      const out = [fn()].flat();
      await out[out.length - 1].data();
      tf.dispose(out);
      if (i >= 2) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { min: +ms[0].toFixed(1), median: +ms[ms.length >> 1].toFixed(1) };
  };
  const line = {
    mode,
    threads: wasm.getThreadsCount(),
    forward_ms: await time(forward),
    forward_and_dx_ms: await time(withGrad),
    checksum,
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(line));
  process.exit(0); // the threaded build's workers keep Node alive
}

main().catch((e) => {
  console.error(`wasm_threads_probe: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
