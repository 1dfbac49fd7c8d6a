/**
 * Probe: does tfjs-backend-wasm's multi-threaded SIMD build speed up one convolution in Node? Times a
 * convolution (forward, and forward plus its input gradient; 64x32x32x16, 3x3, 16 filters) on the
 * plain SIMD build or the threaded one (lib/backend_wasm_threads.ts), and prints a checksum of the
 * outputs, which must equal the plain build's. One JSON line per run:
 *   npx tsx lib/bench/wasm_threads_probe.ts st        # the plain SIMD build
 *   npx tsx lib/bench/wasm_threads_probe.ts mt 2      # the threaded build with 2 threads
 * tfjs's kernels only (our kernels are not registered): what threads give tfjs's convolution. A
 * whole search step on the threaded build: `RDARTS_WASM_THREADS=N rdarts bench`.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { enableThreadedWasm, releaseThreadWorkers } from '../backend_wasm_threads';

function seeded(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

async function main(): Promise<void> {
  const [mode = 'st', threads = '1', iters = '15'] = process.argv.slice(2);
  if (mode !== 'st' && mode !== 'mt') throw new Error(`mode must be st or mt, got ${mode}`);
  const restore = mode === 'mt' ? enableThreadedWasm(Number(threads)) : (): void => undefined;
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  restore();
  if (mode === 'mt') releaseThreadWorkers();
  const x = tf.tensor4d(seeded(64 * 32 * 32 * 16, 1), [64, 32, 32, 16]);
  const w = tf.tensor4d(seeded(3 * 3 * 16 * 16, 2), [3, 3, 16, 16]);
  const r = tf.tensor4d(seeded(64 * 32 * 32 * 16, 3), [64, 32, 32, 16]);
  const forward = (): tf.Tensor[] => [tf.conv2d(x, w, 1, 'same')];
  const withGrad = (): tf.Tensor[] =>
    tf.tidy(() => [
      tf.conv2d(x, w, 1, 'same'),
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, w, 1, 'same'), r)))(x),
    ]);
  const outputs = withGrad();
  const checksum = (await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>))).map((a) =>
    a.reduce((s, v, i) => s + v * ((i % 7) + 1), 0),
  );
  tf.dispose(outputs);
  const time = async (fn: () => tf.Tensor[]) => {
    const ms: number[] = [];
    for (let i = 0; i < Number(iters) + 2; i++) {
      const t = process.hrtime.bigint();
      const out = fn();
      await out[out.length - 1].data();
      tf.dispose(out);
      if (i >= 2) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { min: +ms[0].toFixed(1), median: +ms[ms.length >> 1].toFixed(1) };
  };
  const line = {
    mode,
    threads: getThreadsCount(),
    forward_ms: await time(forward),
    forward_and_dx_ms: await time(withGrad),
    checksum,
    date: new Date().toISOString(),
  };
  console.log(JSON.stringify(line));
  tf.dispose([x, w, r]);
}

main().catch((e: unknown) => {
  console.error(`wasm_threads_probe: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
