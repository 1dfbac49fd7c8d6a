import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { ForwardContext } from '../../lib/nn/module';
import { SearchCell } from '../../lib/problems/darts/supernet/cell';
import { mixingWeights } from '../../lib/problems/darts/supernet/mixed_op';
import { SPACES } from '../../lib/spaces/spaces';
import { assertNoTensorLeak } from '../helpers';

describe('SearchCell', () => {
  it('concatenates 4 nodes of C channels, halving the size in a reduction cell', () => {
    const ctx = new ForwardContext({ training: true });
    const s0 = tf.randomNormal([2, 8, 8, 6], 0, 1, 'float32', 1) as tf.Tensor4D;
    const s1 = tf.randomNormal([2, 8, 8, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = tf.randomNormal([14, 3], 0, 1e-3, 'float32', 3) as tf.Tensor2D;
    const w = mixingWeights(a);
    const normal = new SearchCell(SPACES.s3, { cPrevPrev: 6, cPrev: 5, C: 4, reduction: false, reductionPrev: false });
    const reduce = new SearchCell(SPACES.s3, { cPrevPrev: 6, cPrev: 5, C: 4, reduction: true, reductionPrev: false });
    const yn = normal.apply(s0, s1, w, ctx);
    const yr = reduce.apply(s0, s1, w, ctx);
    assert.deepStrictEqual(yn.shape, [2, 8, 8, 16]);
    assert.deepStrictEqual(yr.shape, [2, 4, 4, 16]);
    assert.deepStrictEqual(
      reduce.edges.map((e) => e.stride),
      [2, 2, 2, 2, 1, 2, 2, 1, 1, 2, 2, 1, 1, 1],
    );
    tf.dispose([s0, s1, a, w, yn, yr]);
    normal.dispose();
    reduce.dispose();
  });

  it('preprocesses s0 with FactorizedReduce after a reduction cell, and names as the DARTS Cell', () => {
    const cell = new SearchCell(SPACES.s2, { cPrevPrev: 8, cPrev: 16, C: 8, reduction: false, reductionPrev: true });
    const names = cell.variables.map((v) => v.name);
    assert.deepStrictEqual(names.slice(0, 7), [
      'preprocess0.conv_1.weight',
      'preprocess0.conv_2.weight',
      'preprocess0.bn.running_mean',
      'preprocess0.bn.running_var',
      'preprocess1.op.1.weight',
      'preprocess1.op.2.running_mean',
      'preprocess1.op.2.running_var',
    ]);
    assert.ok(names.includes('_ops.13._ops.1.op.7.running_var'));
    const ctx = new ForwardContext({ training: true });
    const s0 = tf.randomNormal([2, 8, 8, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const s1 = tf.randomNormal([2, 4, 4, 16], 0, 1, 'float32', 2) as tf.Tensor4D;
    const w = tf.fill([14, 2], 0.5) as tf.Tensor2D;
    const y = cell.apply(s0, s1, w, ctx);
    assert.deepStrictEqual(y.shape, [2, 4, 4, 32]);
    tf.dispose([s0, s1, w, y]);
    cell.dispose();
  });

  it('uses the reduce lists of S1 in a reduction cell and leaks no tensor', async () => {
    const cell = new SearchCell(SPACES.s1, { cPrevPrev: 4, cPrev: 4, C: 4, reduction: true, reductionPrev: false });
    assert.deepStrictEqual(cell.edges[1].primitives, ['max_pool_3x3', 'dil_conv_3x3']);
    const ctx = new ForwardContext({ training: true });
    const s = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.fill([14, 2], 0.5) as tf.Tensor2D;
    await assertNoTensorLeak(() => cell.apply(s, s, w, ctx).dispose());
    tf.dispose([s, w]);
    cell.dispose();
  });
});
