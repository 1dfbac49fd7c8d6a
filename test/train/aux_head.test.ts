import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { AuxiliaryHead, avgPoolCeil } from '../../lib/train/aux_head';
import { assertClose } from '../helpers';
import { EVAL_FIXTURE } from './fixture';

describe('avgPoolCeil', () => {
  it("averages the real pixels of windows that run past the edge, as PyTorch's ceil mode", () => {
    const x = tf.range(0, 49).reshape([1, 7, 7, 1]) as tf.Tensor4D; // x[h, w] = 7h + w
    const y = avgPoolCeil(x, 5, 3);
    assert.deepStrictEqual(y.shape, [1, 2, 2, 1]);
    assertClose(y.dataSync(), [16, 18.5, 33.5, 36], 1e-6, 'by hand');
    assertClose(y.dataSync(), EVAL_FIXTURE.aux_pool_7x7.flat(), 1e-6, 'PyTorch');
    tf.dispose([x, y]);
  });

  it('equals the plain 5x5 / 3 pool on 8x8 maps', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [a, b] = [avgPoolCeil(x, 5, 3), tf.avgPool(x, 5, 3, 'valid')];
    assertClose(a.dataSync(), b.dataSync(), 1e-6);
    tf.dispose([x, a, b]);
  });
});

describe('AuxiliaryHead', () => {
  it('maps 7x7 and 8x8 maps to [N, classes] and names its variables as AuxiliaryHeadCIFAR', () => {
    const head = new AuxiliaryHead(6, 5);
    assert.deepStrictEqual(
      head.variables.map((v) => v.name),
      [
        'features.2.weight',
        'features.3.weight',
        'features.3.bias',
        'features.3.running_mean',
        'features.3.running_var',
        'features.5.weight',
        'features.6.weight',
        'features.6.bias',
        'features.6.running_mean',
        'features.6.running_var',
        'classifier.weight',
        'classifier.bias',
      ],
    );
    for (const size of [7, 8]) {
      const x = tf.randomNormal([2, size, size, 6], 0, 1, 'float32', size) as tf.Tensor4D;
      const y = head.apply(x, { training: true, updateRunningStats: false });
      assert.deepStrictEqual(y.shape, [2, 5]);
      tf.dispose([x, y]);
    }
    const big = tf.zeros([2, 16, 16, 6]) as tf.Tensor4D;
    assert.throws(() => head.apply(big, { training: false, updateRunningStats: false }), /AuxiliaryHead: x is 16x16/);
    big.dispose();
    head.dispose();
  });
});
