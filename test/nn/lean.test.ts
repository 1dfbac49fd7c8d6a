import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { concatChannels, sumN, weightedSum } from '../../lib/nn/lean';
import { assertClose, assertNoTensorLeak } from '../helpers';

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Value and gradients of sum(f(inputs) * dy), with our op and with tfjs's own as the independent answer. */
function compare(ours: (...t: tf.Tensor[]) => tf.Tensor, theirs: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): void {
  const [y1, y2] = [ours(...inputs), theirs(...inputs)];
  const dy = rand(y1.shape, 99);
  assertClose(y1.dataSync(), y2.dataSync(), 1e-6, 'value');
  const g1 = tf.grads(ours)(inputs, dy);
  const g2 = tf.grads(theirs)(inputs, dy);
  g1.forEach((g, i) => assertClose(g.dataSync(), g2[i].dataSync(), 1e-5, `gradient ${i}`));
  tf.dispose([y1, y2, dy, ...g1, ...g2]);
}

describe('sumN', () => {
  it("sums, with every input's gradient equal to dy (as tf.addN)", () => {
    const ts = [rand([2, 3, 3, 2], 1), rand([2, 3, 3, 2], 2), rand([2, 3, 3, 2], 3)];
    compare(
      (...t) => sumN(t),
      (...t) => tf.addN(t),
      ts,
    );
    assert.throws(() => sumN([ts[0], rand([2, 3, 3, 1], 4)]), /sumN: tensor 1 has shape \[2,3,3,1\]/);
    tf.dispose(ts);
  });
});

describe('weightedSum', () => {
  it('mixes by the weights, with gradients for the weights and the tensors (as mul and add)', () => {
    const w = tf.tensor1d([0.2, -0.5]);
    const ts = [rand([2, 3, 3, 2], 5), rand([2, 3, 3, 2], 6)];
    compare(
      (a, b, c) => weightedSum(a as tf.Tensor1D, [b, c]),
      (a, b, c) => b.mul(a.slice(0, 1)).add(c.mul(a.slice(1, 1))),
      [w, ...ts],
    );
    assert.throws(() => weightedSum(w, [ts[0]]), /2 weights for 1 tensors/);
    tf.dispose([w, ...ts]);
  });
});

describe('concatChannels', () => {
  it('concatenates channels, splitting the gradient back (as tf.concat)', () => {
    const ts = [rand([2, 3, 3, 2], 7), rand([2, 3, 3, 3], 8)];
    compare(
      (...t) => concatChannels(t as tf.Tensor4D[]),
      (...t) => tf.concat(t, 3),
      ts,
    );
    tf.dispose(ts);
  });

  it('leaks no tensor, nor do sumN and weightedSum', async () => {
    const ts = [rand([2, 3, 3, 2], 9), rand([2, 3, 3, 2], 10)];
    const w = tf.tensor1d([0.5, 0.5]);
    await assertNoTensorLeak(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        concatChannels([sumN([a, b]) as tf.Tensor4D, weightedSum(w, [a, b]) as tf.Tensor4D]).sum(),
      )(ts);
      tf.dispose(g);
    });
    tf.dispose([w, ...ts]);
  });
});
