import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { dropPath, dropPathScale } from '../../lib/nn/drop_path';
import { assertClose } from '../helpers';

describe('dropPath', () => {
  it('keeps each sample scaled by 1 / (1 - p) or zeroes it, the same for the same seed', () => {
    const x = tf.randomNormal([64, 2, 2, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = dropPath(x, 0.25, 9);
    const [xs, ys] = [x.arraySync(), y.arraySync()];
    let kept = 0;
    xs.forEach((sample, n) => {
      const scale = ys[n][0][0][0] === 0 ? 0 : 1 / 0.75;
      if (scale) kept++;
      assertClose(
        ys[n].flat(2),
        sample.flat(2).map((v) => v * scale),
        1e-6,
        `sample ${n}`,
      );
    });
    assert.ok(kept > 32 && kept < 64, `kept ${kept} of 64`);
    assert.deepStrictEqual(dropPath(x, 0.25, 9).arraySync(), ys);
    tf.dispose([x, y]);
  });

  it('returns a copy for p = 0 and rejects p outside [0, 1)', () => {
    const x = tf.ones([2, 1, 1, 1]) as tf.Tensor4D;
    const y = dropPath(x, 0, 1);
    assert.notStrictEqual(y, x);
    assert.deepStrictEqual(Array.from(y.dataSync()), [1, 1]);
    assert.throws(() => dropPath(x, 1, 1), /dropPath: p=1/);
    assert.throws(() => dropPath(x, -0.1, 1), /dropPath: p=-0.1/);
    tf.dispose([x, y]);
  });

  it('has the gradient dy times the same per-sample scale', () => {
    const x = tf.randomNormal([8, 2, 2, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dx = tf.grad((v: tf.Tensor) => dropPath(v as tf.Tensor4D, 0.5, 4).sum())(x);
    const scale = dropPathScale(8, 0.5, 4);
    assert.deepStrictEqual(Array.from(dx.dataSync()), Array.from(tf.onesLike(x).mul(scale).dataSync()));
    tf.dispose([x, dx, scale]);
  });
});
