import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { FactorizedReduce } from '../../lib/nn/factorized_reduce';
import { ForwardContext } from '../../lib/nn/module';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { EvalCell } from '../../lib/train/cell';
import { assertNoTensorLeak } from '../helpers';

const normal = { entries: DARTS_V2.normal, concat: DARTS_V2.normalConcat };
const reduce = { entries: DARTS_V2.reduce, concat: DARTS_V2.reduceConcat };

describe('EvalCell', () => {
  it('concatenates the concat nodes, halving the size in a reduction cell, stride 2 on s0 and s1 only', () => {
    const ctx = new ForwardContext({ training: true, updateRunningStats: false });
    const s0 = tf.randomNormal([2, 8, 8, 6], 0, 1, 'float32', 1) as tf.Tensor4D;
    const s1 = tf.randomNormal([2, 8, 8, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const n = new EvalCell(normal, { cPrevPrev: 6, cPrev: 5, C: 4, reduction: false, reductionPrev: false });
    const r = new EvalCell(reduce, { cPrevPrev: 6, cPrev: 5, C: 4, reduction: true, reductionPrev: false });
    const [yn, yr] = [n.apply(s0, s1, ctx), r.apply(s0, s1, ctx, 0.5)];
    assert.deepStrictEqual(yn.shape, [2, 8, 8, 16]);
    assert.deepStrictEqual(yr.shape, [2, 4, 4, 16]);
    // reduce: skip_connect on node 0 (input 2) is an identity; max pools on s0/s1 have no weights.
    assert.ok(!(r.ops[2] instanceof FactorizedReduce));
    assert.ok(r.variables.every((v) => /^preprocess[01]\./.test(v.name)));
    tf.dispose([s0, s1, yn, yr]);
    n.dispose();
    r.dispose();
  });

  it('preprocesses s0 with FactorizedReduce after a reduction cell; affine BNs named as the DARTS Cell', () => {
    const cell = new EvalCell(normal, { cPrevPrev: 8, cPrev: 16, C: 8, reduction: false, reductionPrev: true });
    const names = cell.variables.map((v) => v.name);
    assert.deepStrictEqual(names.slice(0, 5), [
      'preprocess0.conv_1.weight',
      'preprocess0.conv_2.weight',
      'preprocess0.bn.weight',
      'preprocess0.bn.bias',
      'preprocess0.bn.running_mean',
    ]);
    assert.ok(names.includes('_ops.0.op.7.bias') && names.includes('_ops.7.op.3.weight'));
    assert.ok(!names.some((name) => name.startsWith('_ops.5.')), 'skip_connect at stride 1 has no weights');
    cell.dispose();
  });

  it('leaks no tensors', async () => {
    const cell = new EvalCell(normal, { cPrevPrev: 4, cPrev: 4, C: 2, reduction: false, reductionPrev: false });
    const s = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    await assertNoTensorLeak(() => cell.apply(s, s, new ForwardContext({ training: true, seed: 1 }), 0.2).dispose());
    s.dispose();
    cell.dispose();
  });
});
