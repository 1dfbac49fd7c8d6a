import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { Identity, Zero } from '../../lib/nn/basic';
import { weightedSum } from '../../lib/nn/lean';
import { mixOps } from '../../lib/nn/mix';
import { ForwardContext, type Op } from '../../lib/nn/module';
import { assertNoTensorLeak } from '../helpers';

/** x -> x * c: a stand-in op with a gradient. */
const scaled = (c: number): Op => ({ apply: (x: tf.Tensor4D) => x.mul(c) as tf.Tensor4D }) as unknown as Op;

describe('mixOps', () => {
  const ctx = new ForwardContext({ training: true });
  const cases: [string, Op[]][] = [
    ['none first', [new Zero(1), new Identity(), scaled(2)]],
    ['none in the middle', [scaled(-1), new Zero(1), new Identity()]],
    ['none last and twice', [new Zero(1), scaled(3), new Zero(1)]],
    ['no none', [new Identity(), scaled(0.5)]],
  ];
  for (const [name, ops] of cases) {
    it(`${name}: the value and the gradients w.r.t. the weights and x equal the full weighted sum's, bit for bit`, async () => {
      const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.softmax(tf.randomNormal([ops.length], 0, 1, 'float32', 2)) as tf.Tensor1D;
      const dy = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 3);
      const full = (wi: tf.Tensor, xi: tf.Tensor) =>
        weightedSum(
          wi as tf.Tensor1D,
          ops.map((op) => op.apply(xi as tf.Tensor4D, ctx)),
        );
      const ours = (wi: tf.Tensor, xi: tf.Tensor) => mixOps(wi as tf.Tensor1D, ops, xi as tf.Tensor4D, ctx);
      await assertNoTensorLeak(() => {
        const [a, b] = [tf.grads(ours)([w, x], dy), tf.grads(full)([w, x], dy)];
        assert.deepStrictEqual(Array.from(a[0].dataSync()), Array.from(b[0].dataSync()), 'd/dw');
        assert.deepStrictEqual(Array.from(a[1].dataSync()), Array.from(b[1].dataSync()), 'd/dx');
        const [ya, yb] = [ours(w, x), tf.tidy(() => full(w, x))];
        assert.deepStrictEqual(Array.from(ya.dataSync()), Array.from(yb.dataSync()), 'value');
        tf.dispose([...a, ...b, ya, yb]);
      });
      tf.dispose([x, w, dy]);
    });
  }

  it('an edge of only none ops gives zeros of the strided shape; a wrong weight count is refused', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
      const y = mixOps(tf.tensor1d([0.5, 0.5]), [new Zero(2), new Zero(2)], x, ctx);
      assert.deepStrictEqual(y.shape, [1, 3, 3, 2]);
      assert.strictEqual(y.abs().sum().dataSync()[0], 0);
      assert.throws(() => mixOps(tf.tensor1d([1]), [new Zero(1), new Identity()], x, ctx), /1 weights for 2 ops/);
    });
  });
});
