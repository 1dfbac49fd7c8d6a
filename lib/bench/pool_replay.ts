/**
 * The replayed max pool of the Hessian-vector products (lib/nn/pool.ts, lib/nn/pattern.ts): time of
 * one forward pass and gradient at mini's feature-map sizes, for anyone who changes it. Measured
 * here (wasm, two other searches running, not niced): stride 2, [64, 14, 14, 16], 432 ms before
 * 4bc2aa8 (tfjs's stridedSlice and 6-D slices), 37 ms after; stride 1 about the same (23-41 ms).
 * Run: npx tsx lib/bench/pool_replay.ts (prints one JSON line per case).
 */
import { initBackend, tf } from '../backend';
import { ForwardContext } from '../nn/module';
import { ActivationPattern } from '../nn/pattern';
import { maxPool3x3 } from '../nn/pool';

const CASES: readonly { shape: [number, number, number, number]; stride: number }[] = [
  { shape: [64, 14, 14, 16], stride: 2 },
  { shape: [64, 7, 7, 32], stride: 1 },
  { shape: [64, 14, 14, 16], stride: 1 },
];

async function main(): Promise<void> {
  const backend = await initBackend();
  for (const { shape, stride } of CASES) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const pattern = new ActivationPattern();
    const pass = (xi: tf.Tensor4D) => {
      new ForwardContext({ training: true, pattern });
      return maxPool3x3(xi, stride, pattern);
    };
    pass(x).dispose(); // the recording pass
    const step = () =>
      tf
        .tidy(() =>
          tf.grad((a: tf.Tensor) =>
            pass(a as tf.Tensor4D)
              .square()
              .sum(),
          )(x),
        )
        .dataSync();
    step();
    const repeats = 5;
    const t0 = performance.now();
    for (let i = 0; i < repeats; i++) step();
    console.log(
      JSON.stringify({
        bench: 'pool_replay',
        backend: backend.name,
        shape,
        stride,
        msPerForwardAndGradient: (performance.now() - t0) / repeats,
      }),
    );
    pattern.dispose();
    x.dispose();
  }
}

void main();
