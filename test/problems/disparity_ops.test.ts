/**
 * The pieces of the disparity supernet (lib/problems/disparity/ops.ts, layers.ts): the 1-D
 * correlation against a direct loop; the composed bilinear resize against tfjs's forward and finite
 * differences, on wasm and cpu (both backends' own ResizeBilinearGrad are wrong with half-pixel
 * centres, hence the composition: ops.ts);
 * the gradients of the other ops the supernet differentiates, the active backend against cpu; the
 * kink patterns; the multi-scale loss and the full-size EPE on cases with known answers.
 */
import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { depthwiseConv2d } from '../../lib/nn/conv';
import { ActivationPattern } from '../../lib/nn/pattern';
import { defaultLossWeights, predictionLevels } from '../../lib/problems/disparity/network';
import {
  absolute,
  correlation1d,
  fullSizeEpe,
  leakyRelu,
  multiScaleEpe,
  resizeBilinear,
  scaledGroundTruth,
} from '../../lib/problems/disparity/ops';
import { assertClose, assertNoTensorLeak } from '../helpers';

const normal = (shape: [number, number, number, number], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;

/** out[n, y, x, k] = max(0, mean_c left[n, y, x, c] right[n, y, x + k - R, c]), right zero outside: the definition, as loops. */
function correlationLoop(left: tf.Tensor4D, right: tf.Tensor4D, R: number): Float32Array {
  const [N, H, W, C] = left.shape;
  const l = left.dataSync();
  const r = right.dataSync();
  const out = new Float32Array(N * H * W * (2 * R + 1));
  for (let n = 0; n < N; n++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let k = 0; k <= 2 * R; k++) {
          const xr = x + k - R;
          let s = 0;
          if (xr >= 0 && xr < W) for (let c = 0; c < C; c++) s += l[((n * H + y) * W + x) * C + c] * r[((n * H + y) * W + xr) * C + c];
          out[((n * H + y) * W + x) * (2 * R + 1) + k] = Math.max(0, s / C);
        }
  return out;
}

/** Runs `fn` on the cpu backend and comes back to the active one (the tensors move between backends by themselves). */
async function onCpu<T>(fn: () => T): Promise<T> {
  const active = (await initBackend()).name;
  await initBackend({ force: 'cpu' });
  try {
    return fn();
  } finally {
    await initBackend({ force: active });
  }
}

describe('the disparity supernet ops (lib/problems/disparity/ops.ts)', function () {
  this.timeout(60_000);

  it('correlates left and right features as the direct loop does, for R = 0, 1 and 3', () => {
    for (const R of [0, 1, 3]) {
      tf.tidy(() => {
        const left = normal([2, 3, 7, 5], 10 + R);
        const right = normal([2, 3, 7, 5], 20 + R);
        const out = correlation1d(left, right, R);
        assert.deepStrictEqual(out.shape, [2, 3, 7, 2 * R + 1]);
        assertClose(out.dataSync(), correlationLoop(left, right, R), 1e-5, `R=${R}`);
      });
    }
  });

  it('finds a left pixel of disparity d at channel R - d (its match sits at x - d in the right view)', () => {
    tf.tidy(() => {
      const R = 3;
      const d = 2;
      const left = tf.randomUniform([1, 2, 12, 4], 0.1, 1, 'float32', 5) as tf.Tensor4D;
      // right(x) = left(x + d): a surface at disparity d everywhere.
      const right = left.slice([0, 0, d, 0], [1, 2, 12 - d, 4]).pad([
        [0, 0],
        [0, 0],
        [0, d],
        [0, 0],
      ]) as tf.Tensor4D;
      // Left pixel x (x >= d) sees itself at channel R - d: the mean of its squared features.
      const corr = correlation1d(left, right, R).slice([0, 0, d, R - d], [1, 2, 12 - d, 1]);
      const energy = left
        .square()
        .mean(3, true)
        .slice([0, 0, d, 0], [1, 2, 12 - d, 1]);
      assertClose(corr.dataSync(), energy.dataSync(), 1e-6, 'channel R - d');
    });
  });

  it("resizes bilinearly with half-pixel centres as tfjs's resizeBilinear(x, size, false, true), up and down", () => {
    for (const [h, w] of [
      [6, 10],
      [12, 20],
      [2, 3],
      [7, 9],
      [3, 5],
    ]) {
      tf.tidy(() => {
        const x = normal([2, 3, 5, 4], 1);
        const ours = resizeBilinear(x, h, w);
        assert.deepStrictEqual(ours.shape, [2, h, w, 4]);
        assertClose(ours.dataSync(), tf.image.resizeBilinear(x, [h, w], false, true).dataSync(), 1e-5, `${h}x${w}`);
      });
    }
  });

  it('differentiates the resize as finite differences do, with the same numbers on the cpu backend', async () => {
    const x = normal([2, 3, 5, 2], 2);
    const dy = normal([2, 6, 10, 2], 3);
    const f = (t: tf.Tensor) =>
      resizeBilinear(t as tf.Tensor4D, 6, 10)
        .mul(dy)
        .sum();
    const ours = tf.tidy(() => tf.grad(f)(x).dataSync().slice());
    // f is linear in x: central differences are exact up to rounding.
    const xs = x.dataSync();
    const fd = Array.from({ length: xs.length }, (_, i) =>
      tf.tidy(() => {
        const e = tf.oneHot(i, xs.length).reshape(x.shape).mul(0.5);
        return f(x.add(e)).dataSync()[0] - f(x.sub(e)).dataSync()[0];
      }),
    );
    assertClose(ours, fd, 1e-3, 'finite differences');
    const cpu = await onCpu(() => tf.tidy(() => tf.grad(f)(x).dataSync().slice()));
    assertClose(cpu, ours, 1e-5, 'ours on the cpu backend');
    tf.dispose([x, dy]);
  });

  it("has, on the active backend, the cpu backend's gradients of the transposed conv, the dilated depthwise conv at stride 2 and the leaky ReLU", async () => {
    const x = normal([2, 4, 6, 3], 4);
    const wt = normal([4, 4, 5, 3], 5);
    const wd = normal([3, 3, 3, 1], 6);
    const dyT = normal([2, 8, 12, 5], 7);
    const grads = () =>
      tf.tidy(() => {
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 12, 5], 2, 1)
            .mul(dyT)
            .sum(),
        )([x, wt]);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 2, 2)
            .square()
            .sum(),
        )([x, wd]);
        const lx = tf.grad((a: tf.Tensor) =>
          leakyRelu(a as tf.Tensor4D)
            .mul(x.square())
            .sum(),
        )(x);
        return [gx, gw, dx, dw, lx].map((t) => t.dataSync().slice());
      });
    const active = grads();
    const cpu = await onCpu(grads);
    active.forEach((g, i) => assertClose(g, cpu[i], 1e-4, `gradient ${i}`));
    tf.dispose([x, wt, wd, dyT]);
  });

  it('replays the kinks of the leaky ReLU and of the absolute value as recorded', () => {
    tf.tidy(() => {
      const x = normal([1, 2, 3, 4], 8);
      const pattern = new ActivationPattern();
      pattern.beginPass();
      const a0 = leakyRelu(x, pattern);
      const b0 = absolute(x, pattern);
      assertClose(a0.dataSync(), tf.leakyRelu(x, 0.1).dataSync(), 1e-6, 'recording: the plain leaky ReLU');
      assertClose(b0.dataSync(), x.abs().dataSync(), 1e-6, 'recording: |x|');
      // Replayed on -x: the recorded signs, so the functions are linear: leaky(-x) = -leaky(x), abs(-x) = -|x|.
      pattern.beginPass();
      assertClose(leakyRelu(x.neg() as tf.Tensor4D, pattern).dataSync(), a0.neg().dataSync(), 1e-6, 'replayed leaky ReLU');
      assertClose(absolute(x.neg(), pattern).dataSync(), b0.neg().dataSync(), 1e-6, 'replayed |x|');
      pattern.dispose();
    });
  });

  it('has the ground truth at each scale as block means of the known pixels times 1 / factor', () => {
    tf.tidy(() => {
      // 4 x 4: block (0, 0) holds 1, 2, 3, NaN; block (0, 1) only NaN; the others 8.
      const d = tf.tensor4d([1, 2, NaN, NaN, 3, NaN, NaN, NaN, 8, 8, 8, 8, 8, 8, 8, 8], [1, 4, 4, 1]);
      const { target, valid } = scaledGroundTruth(d, 2);
      assertClose(target.dataSync(), [1, 0, 4, 4], 1e-6, 'target');
      assert.deepStrictEqual([...valid.dataSync()], [1, 0, 1, 1]);
    });
  });

  it('weighs the EPE of each scale in the multi-scale loss, and takes the EPE at full size with disparities rescaled', () => {
    tf.tidy(() => {
      // An 8 x 16 ground truth of 4 px everywhere but one unknown pixel.
      const values = new Float32Array(8 * 16).fill(4);
      values[5] = NaN;
      const d = tf.tensor4d(values, [1, 8, 16, 1]);
      // At 1/4 the truth is 1 px: predicting 1 costs 0. At 1/2 it is 2 px: predicting 3 costs 1.
      const coarse = tf.fill([1, 2, 4, 1], 1) as tf.Tensor4D;
      const fine = tf.fill([1, 4, 8, 1], 3) as tf.Tensor4D;
      assertClose([multiScaleEpe([coarse, fine], d, [0.5, 0.25]).dataSync()[0]], [0.25], 1e-6, 'multi-scale');
      assertClose([multiScaleEpe([coarse.add(1) as tf.Tensor4D, fine], d, [0.5, 0.25]).dataSync()[0]], [0.75], 1e-6, 'coarse off by 1');
      // At full size the fine prediction means 6 px against 4: EPE 2 over the known pixels.
      assertClose([fullSizeEpe(fine, d)], [2], 1e-6, 'full size');
      assert.throws(
        () => multiScaleEpe([tf.zeros([1, 3, 5, 1]) as tf.Tensor4D], d, [1]),
        /not the \[8, 16\] ground truth divided by an integer/,
      );
    });
    // netdef's weights by level: the miniature's predictions at 1/16, 1/8, 1/4.
    const mini = { featureDepth: 1, encoderDepth: 2, decoderDepth: 2 };
    assert.deepStrictEqual(predictionLevels(mini), [4, 3, 2]);
    assert.deepStrictEqual(defaultLossWeights(mini), [1 / 16, 1 / 8, 1 / 4]);
    assert.deepStrictEqual(defaultLossWeights({ featureDepth: 1, encoderDepth: 6, decoderDepth: 4 }), [
      1 / 16,
      1 / 16,
      1 / 16,
      1 / 8,
      1 / 4,
    ]);
  });

  it('leaks no tensors', async () => {
    const x = normal([1, 2, 5, 3], 9);
    const d = tf.fill([1, 8, 20, 1], 2) as tf.Tensor4D;
    await assertNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => resizeBilinear(t as tf.Tensor4D, 4, 10).sum())(x);
        correlation1d(x, x, 2);
        multiScaleEpe([x.slice([0, 0, 0, 0], [1, 2, 5, 1]) as tf.Tensor4D], d, [1]);
      }),
    );
    tf.dispose([x, d]);
  });
});
