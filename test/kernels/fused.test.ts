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
      const expected = (joined.arraySync() as number[][][][]).map((a, n) => a.map((b, h) => b.map((_, w) =>
        flat.flatMap((p) => p[n][h][w]))));
      assert.deepStrictEqual(joined.arraySync(), expected);
      const back = tf.split(joined, [3, 1, 4], -1);
      back.forEach((b, i) => assert.deepStrictEqual(b.arraySync(), flat[i]));
      // Other axes still go to tfjs's kernels.
      assert.deepStrictEqual(tf.concat([tf.ones([1, 2]), tf.zeros([2, 2])], 0).arraySync(), [[1, 1], [0, 0], [0, 0]]);
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

  it('batch norm forward and backward equal the formulas of PAPER.md 2 in tfjs ops', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 5, 7, 6], 2, 3, 'float32', 5);
      const dy = tf.randomNormal([3, 5, 7, 6], 0, 1, 'float32', 6);
      const [y, mean, invstd] = tf.engine().runKernel('RdartsBatchNormTrain', { x }, { eps: 1e-5 }) as tf.Tensor[];
      const m = tf.moments(x, [0, 1, 2]);
      const inv = tf.rsqrt(tf.add(m.variance, 1e-5));
      assertClose(mean.dataSync(), m.mean.dataSync(), 1e-5, 'mean');
      assertClose(invstd.dataSync(), inv.dataSync(), 1e-4, 'invstd');
      const xhat = tf.mul(tf.sub(x, m.mean), inv);
      assertClose(y.dataSync(), xhat.dataSync(), 1e-4, 'y');
      const dx = tf.engine().runKernel('RdartsBatchNormTrainGrad', { x, dy, mean, invstd }, {}) as tf.Tensor;
      const ref = tf.grad((xi: tf.Tensor) => {
        const mm = tf.moments(xi, [0, 1, 2]);
        return tf.sum(tf.mul(tf.mul(tf.sub(xi, mm.mean), tf.rsqrt(tf.add(mm.variance, 1e-5))), dy));
      })(x);
      assertClose(dx.dataSync(), ref.dataSync(), 1e-4, 'dx');
    });
  });

  it('leak no tensors', async () => {
    const x = tf.randomNormal([2, 4, 4, 3]);
    await assertNoTensorLeak(() => tf.tidy(() => {
      const [y, mean, invstd] = tf.engine().runKernel('RdartsBatchNormTrain', { x }, { eps: 1e-5 }) as tf.Tensor[];
      tf.engine().runKernel('RdartsBatchNormTrainGrad', { x, dy: y, mean, invstd }, {});
      tf.split(tf.concat([x, y], 3), [3, 3], 3);
    }));
    x.dispose();
  });
});
