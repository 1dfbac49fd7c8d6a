import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { BatchNorm, batchNorm } from '../../lib/nn/batchnorm';
import { assertClose, assertNoTensorLeak } from '../helpers';
import { goldenCases, stored, tensorOf } from './golden';

describe('BatchNorm', () => {
  it('owns weight and bias only when affine, and running statistics always, in state_dict order', () => {
    const affine = new BatchNorm(3, true);
    const plain = new BatchNorm(3, false);
    assert.deepStrictEqual(
      affine.variables.map((v) => [v.name, v.trainable]),
      [
        ['weight', true],
        ['bias', true],
        ['running_mean', false],
        ['running_var', false],
      ],
    );
    assert.deepStrictEqual(
      plain.variables.map((v) => v.name),
      ['running_mean', 'running_var'],
    );
    assertClose(affine.weight!.dataSync(), [1, 1, 1], 0);
    assertClose(plain.runningVar.dataSync(), [1, 1, 1], 0);
    assert.strictEqual(plain.runningMean.trainable, false);
    affine.dispose();
    plain.dispose();
    assert.ok(plain.runningMean.isDisposed);
  });
});

describe('batchNorm', () => {
  const c = goldenCases().bn_train_noaffine;
  const n = 2 * 7 * 9;

  it('moves the running mean and the UNBIASED running variance 10% towards the batch (PyTorch)', () => {
    const bn = new BatchNorm(3, false);
    const x = tensorOf(c, 'x') as tf.Tensor4D;
    batchNorm(x, bn, true).dispose();
    const mean = stored(c, 'batch_mean').data;
    const biased = stored(c, 'batch_var').data;
    assertClose(
      bn.runningMean.dataSync(),
      mean.map((m) => 0.1 * m),
      1e-5,
      'running_mean',
    );
    assertClose(
      bn.runningVar.dataSync(),
      biased.map((v) => 0.9 + (0.1 * v * n) / (n - 1)),
      1e-5,
      'running_var',
    );
    x.dispose();
    bn.dispose();
  });

  it('leaves the running statistics alone when asked not to update them', () => {
    const bn = new BatchNorm(3, false);
    const x = tensorOf(c, 'x') as tf.Tensor4D;
    batchNorm(x, bn, true, false).dispose();
    assertClose(bn.runningMean.dataSync(), [0, 0, 0], 0);
    assertClose(bn.runningVar.dataSync(), [1, 1, 1], 0);
    x.dispose();
    bn.dispose();
  });

  it('normalises with the running statistics in eval mode', () => {
    const bn = new BatchNorm(2, true);
    bn.runningMean.assign(tf.tensor1d([1, -2]));
    bn.runningVar.assign(tf.tensor1d([4, 0.25]));
    bn.weight!.assign(tf.tensor1d([2, 1]));
    bn.bias!.assign(tf.tensor1d([0.5, 0]));
    const x = tf.tensor4d([3, -2, 1, -1.5], [1, 2, 1, 2]);
    const y = batchNorm(x, bn, false);
    // By hand: (x - mean) / sqrt(var + 1e-5) * weight + bias.
    const expected = [((3 - 1) / Math.sqrt(4 + 1e-5)) * 2 + 0.5, 0, 0.5, 0.5 / Math.sqrt(0.25 + 1e-5)];
    assertClose(y.dataSync(), expected, 1e-6);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('rejects a channel mismatch, a single value per channel in training, and updates in eval mode', () => {
    const bn = new BatchNorm(3, false);
    const x = tf.zeros([1, 1, 1, 3]) as tf.Tensor4D;
    const wrong = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    assert.throws(() => batchNorm(wrong, bn, true), /x has shape \[1,2,2,4\]; expected \[N, H, W, 3\]/);
    assert.throws(() => batchNorm(x, bn, true), /more than 1 value per channel/);
    assert.throws(() => batchNorm(x, bn, false, true), /updateRunningStats needs training=true/);
    tf.dispose([x, wrong]);
    bn.dispose();
  });

  it('leaks no tensor, running-statistics update included', async () => {
    const bn = new BatchNorm(3, true);
    const x = tensorOf(c, 'x') as tf.Tensor4D;
    await assertNoTensorLeak(() => {
      const g = tf.grad((v: tf.Tensor) =>
        batchNorm(v as tf.Tensor4D, bn, true)
          .square()
          .sum(),
      )(x);
      g.dispose();
    });
    x.dispose();
    bn.dispose();
  });
});
