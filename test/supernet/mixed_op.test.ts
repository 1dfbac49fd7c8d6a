import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { ForwardContext } from '../../lib/nn/module';
import { MixedOp, mixOutputs, mixingWeights } from '../../lib/problems/darts/supernet/mixed_op';
import { SPACES } from '../../lib/spaces/spaces';
import { assertClose, assertNoTensorLeak } from '../helpers';

const ctx = () => new ForwardContext({ training: true, updateRunningStats: false });

describe('mixingWeights', () => {
  it('matches a softmax computed by hand, row by row', () => {
    const a = tf.tensor2d([
      [0.1, -0.2, 0.3],
      [2, 2, 2],
    ]);
    const w = mixingWeights(a);
    const e = [0.1, -0.2, 0.3].map(Math.exp);
    const s = e.reduce((p, q) => p + q);
    assertClose(w.dataSync(), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3], 1e-6);
    tf.dispose([a, w]);
  });

  it('has the first derivative of a softmax, by central differences', () => {
    // d/da_j of c . softmax(a): compared with (f(a + h e_j) - f(a - h e_j)) / 2h in float64 by hand.
    const c = [1, -2, 0.5];
    const a = [0.1, -0.2, 0.3];
    const f = (v: number[]) => {
      const e = v.map(Math.exp);
      const s = e.reduce((p, q) => p + q);
      return e.reduce((p, q, i) => p + (c[i] * q) / s, 0);
    };
    const fd = a.map((_, j) => {
      const h = 1e-5;
      const up = [...a];
      const dn = [...a];
      up[j] += h;
      dn[j] -= h;
      return (f(up) - f(dn)) / (2 * h);
    });
    const ct = tf.tensor2d([c]);
    const at = tf.tensor2d([a]);
    const g = tf.grad((v: tf.Tensor) =>
      mixingWeights(v as tf.Tensor2D)
        .mul(ct)
        .sum(),
    )(at);
    assertClose(g.dataSync(), fd, 1e-5, 'gradient');
    tf.dispose([ct, at, g]);
  });
});

describe('mixOutputs', () => {
  it('is the weighted sum of the outputs', () => {
    const w = tf.tensor1d([0.25, 0.75]);
    const a = tf.fill([1, 1, 2, 1], 4) as tf.Tensor4D;
    const b = tf.tensor4d([0, 8], [1, 1, 2, 1]);
    const y = mixOutputs(w, [a, b]);
    assertClose(y.dataSync(), [1, 7], 1e-6);
    assert.throws(() => mixOutputs(w, [a]), /2 weights for 1 outputs/);
    tf.dispose([w, a, b, y]);
  });
});

describe('MixedOp', () => {
  it('appends an affine-free BN to the pools and names variables as the DARTS MixedOp', () => {
    const m = new MixedOp(SPACES.darts.normal[0], 4, 1);
    const names = m.variables.map((v) => v.name);
    assert.deepStrictEqual(names.slice(0, 4), [
      '_ops.1.1.running_mean',
      '_ops.1.1.running_var',
      '_ops.2.1.running_mean',
      '_ops.2.1.running_var',
    ]);
    assert.ok(names.includes('_ops.4.op.1.weight') && names.includes('_ops.7.op.3.running_var'));
    assert.ok(!names.some((n) => n.startsWith('_ops.0.') || n.startsWith('_ops.3.')));
    m.dispose();
  });

  it('computes every op, none included, and mixes them by the weights', () => {
    const m = new MixedOp(['none', 'skip_connect', 'max_pool_3x3'], 3, 1);
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.tensor1d([0.5, 0.3, 0.2]);
    const y = m.apply(x, w, ctx());
    // Independently: 0.3 x + 0.2 BN(maxpool(x)).
    const pool = m.ops[2].apply(x, ctx());
    const expected = x.mul(0.3).add(pool.mul(0.2));
    assertClose(y.dataSync(), expected.dataSync(), 1e-5);
    const dw = tf.grad((v: tf.Tensor) => m.apply(x, v as tf.Tensor1D, ctx()).sum())(w);
    assert.strictEqual(dw.dataSync()[0], 0, 'the none op contributes zeros');
    tf.dispose([x, w, y, pool, expected, dw]);
    m.dispose();
  });

  it('leaks no tensor', async () => {
    const m = new MixedOp(SPACES.darts.reduce[0], 4, 2);
    const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
    const w = tf.fill([8], 0.125) as tf.Tensor1D;
    await assertNoTensorLeak(() => m.apply(x, w, ctx()).dispose());
    tf.dispose([x, w]);
    m.dispose();
  });
});
