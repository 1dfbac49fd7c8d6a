import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { assertClose, assertNoTensorLeak } from '../helpers';

// The fused wasm kernels (lib/kernels/fused.ts) against tfjs ops composed on the same backend.
describe('fused wasm kernels', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  it('Concat along the last axis equals an element-by-element reference, and SplitV undoes it', () => {
    tf.tidy(() => {
      const parts = [3, 1, 4].map((c, i) => tf.randomNormal([2, 5, 3, c], 0, 1, 'float32', i));
      const joined = tf.concat(parts, 3);
      assert.deepStrictEqual(joined.shape, [2, 5, 3, 8]);
      const flat = parts.map((p) => p.arraySync() as number[][][][]);
      const expected = (joined.arraySync() as number[][][][]).map((a, n) =>
        a.map((b, h) => b.map((_, w) => flat.flatMap((p) => p[n][h][w]))),
      );
      assert.deepStrictEqual(joined.arraySync(), expected);
      const back = tf.split(joined, [3, 1, 4], -1);
      back.forEach((b, i) => assert.deepStrictEqual(b.arraySync(), flat[i]));
      // Other axes still go to tfjs's kernels.
      assert.deepStrictEqual(tf.concat([tf.ones([1, 2]), tf.zeros([2, 2])], 0).arraySync(), [
        [1, 1],
        [0, 0],
        [0, 0],
      ]);
    });
  });

  it('gradients through concat and split are right (sum of weighted parts)', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 9);
      const b = tf.randomNormal([2, 3, 3, 5], 0, 1, 'float32', 10);
      const w = tf.randomNormal([7], 0, 1, 'float32', 11);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y], 3), w)))([a, b]);
      const wv = w.dataSync();
      assertClose(ga.dataSync(), tf.mul(tf.onesLike(a), tf.tensor1d(wv.slice(0, 2))).dataSync(), 1e-6, 'da');
      assertClose(gb.dataSync(), tf.mul(tf.onesLike(b), tf.tensor1d(wv.slice(2))).dataSync(), 1e-6, 'db');
    });
  });

  it('batch norm forward and backward equal the formulas of docs/method.md §2 in tfjs ops, also for an odd float count (the kernel aligns its double scratch)', () => {
    for (const [shape, seed] of [
      [[3, 5, 7, 6], 5],
      [[3, 5, 7, 3], 7],
    ] as [[number, number, number, number], number][]) {
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 2, 3, 'float32', seed);
        const dy = tf.randomNormal(shape, 0, 1, 'float32', seed + 1);
        const [y, mean, invstd] = tf.engine().runKernel('RdartsBatchNormTrain', { x }, { eps: 1e-5 }) as tf.Tensor[];
        const m = tf.moments(x, [0, 1, 2]);
        const inv = tf.rsqrt(tf.add(m.variance, 1e-5));
        assertClose(mean.dataSync(), m.mean.dataSync(), 1e-5, 'mean');
        assertClose(invstd.dataSync(), inv.dataSync(), 1e-4, 'invstd');
        assertClose(y.dataSync(), tf.mul(tf.sub(x, m.mean), inv).dataSync(), 1e-4, 'y');
        const dx = tf.engine().runKernel('RdartsBatchNormTrainGrad', { x, dy, mean, invstd }, {}) as tf.Tensor;
        const ref = tf.grad((xi: tf.Tensor) => {
          const mm = tf.moments(xi, [0, 1, 2]);
          return tf.sum(tf.mul(tf.mul(tf.sub(xi, mm.mean), tf.rsqrt(tf.add(mm.variance, 1e-5))), dy));
        })(x);
        assertClose(dx.dataSync(), ref.dataSync(), 1e-4, 'dx');
      });
    }
  });

  it('Sum accumulates in double: 1e8 followed by 1,000 ones sums to 100,001,000 (float32 accumulation gives 1e8)', () => {
    tf.tidy(() => {
      // 100,001,000 is a float32 (a multiple of 8, the float32 spacing there); each +1 alone is lost.
      const values = new Float32Array(1001).fill(1);
      values[0] = 1e8;
      assert.strictEqual(tf.tensor1d(values).sum().dataSync()[0], 100001000);
      // Innermost axes of a [2, 1001] tensor, and the outermost axis of its transpose [1001, 2].
      const rows = tf.stack([tf.tensor1d(values), tf.tensor1d(values).mul(2)]);
      assert.deepStrictEqual(Array.from(rows.sum(1).dataSync()), [100001000, 200002000]);
      assert.deepStrictEqual(Array.from(rows.transpose().sum(0).dataSync()), [100001000, 200002000]);
      assert.deepStrictEqual(rows.transpose().sum(0, true).shape, [1, 2]);
      // keepDims and negative axes on the innermost axes; a [3, 5] full sum against the plain loop.
      assert.deepStrictEqual(rows.sum(-1, true).shape, [2, 1]);
      const x = tf.randomNormal([3, 5, 7], 0, 1, 'float32', 4);
      const v = x.dataSync();
      const inner = x.sum([-2, -1]).dataSync();
      for (let i = 0; i < 3; i++) {
        let acc = 0;
        for (let j = 0; j < 35; j++) acc += v[i * 35 + j];
        assert.strictEqual(inner[i], Math.fround(acc));
      }
      // Middle axes and int32 still go to tfjs's kernel.
      assert.deepStrictEqual(Array.from(tf.ones([2, 3, 4]).sum(1).dataSync()), new Array(8).fill(3));
      assert.deepStrictEqual(Array.from(tf.tensor1d([1, 2, 3], 'int32').sum().dataSync()), [6]);
    });
  });

  it('batch norm statistics are accumulated in double: a large common offset does not shift the mean', () => {
    tf.tidy(() => {
      // 4,096 rows of 1000 + 0.001 (i mod 7): the float32 running sum passes 2e6, where its spacing
      // is 0.25, so a float32 accumulation gives a mean of 1000.00012 instead of 1000.00299.
      const m = 4096;
      const v = new Float32Array(m);
      let exact = 0;
      for (let i = 0; i < m; i++) {
        v[i] = 1000 + Math.fround(0.001 * (i % 7));
        exact += v[i];
      }
      exact /= m;
      const x = tf.tensor4d(v, [m, 1, 1, 1]);
      const [, mean] = tf.engine().runKernel('RdartsBatchNormTrain', { x }, { eps: 1e-5 }) as tf.Tensor[];
      assert.strictEqual(mean.dataSync()[0], Math.fround(exact));
    });
  });

  it('leak no tensors', async () => {
    const x = tf.randomNormal([2, 4, 4, 3]);
    await assertNoTensorLeak(() =>
      tf.tidy(() => {
        const [y, mean, invstd] = tf.engine().runKernel('RdartsBatchNormTrain', { x }, { eps: 1e-5 }) as tf.Tensor[];
        tf.engine().runKernel('RdartsBatchNormTrainGrad', { x, dy: y, mean, invstd }, {});
        tf.split(tf.concat([x, y], 3), [3, 3], 3);
        tf.sum(y);
        tf.sum(y, [0, 1, 2]);
      }),
    );
    x.dispose();
  });
});

// The MixedOp's weighted sum and its gradient (RdartsWeightedSum, RdartsWeightedSumGrad) against
// sums in JavaScript doubles, at sizes below and above the kernel's 1024-float chunk, odd included.
describe('fused weighted sum on wasm', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  for (const [shape, K] of [
    [[1, 3, 1, 3], 1],
    [[2, 5, 7, 3], 3],
    [[4, 9, 9, 16], 8],
  ] as [number[], number][]) {
    it(`sums ${K} tensors of [${shape}] and returns dw and every dt (JavaScript doubles as the reference)`, async () => {
      const w = tf.randomNormal([K], 0, 1, 'float32', 1);
      const ts = Array.from({ length: K }, (_, k) => tf.randomNormal(shape, 0, 1, 'float32', 10 + k));
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 99);
      const inputs = Object.fromEntries(ts.map((t, k) => [`t${k}`, t]));
      const wv = w.dataSync();
      const tv = ts.map((t) => t.dataSync() as Float32Array);
      const dyv = dy.dataSync();
      const n = dyv.length;
      await assertNoTensorLeak(() => {
        const y = tf.engine().runKernel('RdartsWeightedSum', { w, ...inputs }, {}) as tf.Tensor;
        const expectY = Float64Array.from({ length: n }, (_, i) => tv.reduce((s, t, k) => s + wv[k] * t[i], 0));
        assertClose(y.dataSync(), expectY, 1e-5, 'y');
        const [dw, ...dts] = tf.engine().runKernel('RdartsWeightedSumGrad', { w, dy, ...inputs }, {}) as tf.Tensor[];
        const expectDw = tv.map((t) => t.reduce((s, v, i) => s + Math.fround(v * dyv[i]), 0));
        assertClose(dw.dataSync(), expectDw, 1e-6, 'dw');
        dts.forEach((d, k) =>
          assertClose(
            d.dataSync(),
            Float64Array.from(dyv, (v) => Math.fround(wv[k] * v)),
            0,
            `dt${k}`,
          ),
        );
        tf.dispose([y, dw, ...dts]);
      });
      tf.dispose([w, dy, ...ts]);
    });
  }
});

describe('fused ReLU gradient on wasm', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  for (const n of [7, 4099]) {
    it(`passes dy where y > 0 and 0 elsewhere, y = 0 included (${n} values)`, async () => {
      const yv = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -i : i) / 7);
      const y = tf.relu(tf.tensor1d(yv));
      const dy = tf.randomNormal([n], 0, 1, 'float32', 3);
      const dyv = dy.dataSync();
      await assertNoTensorLeak(() => {
        const dx = tf.engine().runKernel('RdartsReluGrad', { y, dy }, {}) as tf.Tensor;
        assert.deepStrictEqual(
          Array.from(dx.dataSync()),
          Array.from(yv, (v, i) => (v > 0 ? dyv[i] : 0)),
        );
        dx.dispose();
      });
      tf.dispose([y, dy]);
    });
  }
});
