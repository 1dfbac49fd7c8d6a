import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { ForwardContext } from '../../lib/nn/module';
import { ActivationPattern } from '../../lib/nn/pattern';
import { assertNoTensorLeak } from '../helpers';
import { maxPool3x3, relu } from '../../lib/nn/pool';

/** A pass of `fn` under the pattern (ForwardContext starts each pass). */
function pass<T>(p: ActivationPattern, fn: () => T): T {
  new ForwardContext({ training: true, pattern: p });
  return fn();
}
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('ActivationPattern', () => {
  it('replays max pooling with the recorded window choices: same values and gradients at the recorded point', () => {
    for (const [h, s] of [
      [7, 2],
      [8, 2],
      [6, 1],
      [5, 2],
    ]) {
      const x = tf.randomNormal([2, h, h, 3], 0, 1, 'float32', h) as tf.Tensor4D;
      const dy = tf.randomNormal(maxPool3x3(x, s).shape, 0, 1, 'float32', 2);
      const p = new ActivationPattern();
      const y0 = pass(p, () => maxPool3x3(x, s, p));
      const g0 = tf.grad((a: tf.Tensor) =>
        maxPool3x3(a as tf.Tensor4D, s)
          .mul(dy)
          .sum(),
      )(x);
      const g1 = tf.grad((a: tf.Tensor) =>
        pass(p, () => maxPool3x3(a as tf.Tensor4D, s, p))
          .mul(dy)
          .sum(),
      )(x);
      assert.strictEqual(
        maxDiff(
          y0,
          pass(p, () => maxPool3x3(x, s, p)),
        ),
        0,
        `size ${h} stride ${s}`,
      );
      assert.ok(maxDiff(g0, g1) < 1e-6, `gradient, size ${h} stride ${s}`); // overlapping windows: summation order
      p.dispose();
    }
  });

  it('replays max pooling at a moved input as the element each window chose at the recorded point (a plain-loop reference)', () => {
    for (const [h, s] of [
      [7, 2],
      [6, 2],
      [5, 1],
    ]) {
      const x = tf.randomNormal([1, h, h, 2], 0, 1, 'float32', 10 + h) as tf.Tensor4D;
      const moved = tf.randomNormal([1, h, h, 2], 0, 1, 'float32', 20 + h) as tf.Tensor4D;
      const p = new ActivationPattern();
      pass(p, () => maxPool3x3(x, s, p));
      const got = pass(p, () => maxPool3x3(moved, s, p));
      const [xv, mv] = [x.dataSync(), moved.dataSync()];
      const at = (v: ArrayLike<number>, r: number, c: number, k: number) => v[(r * h + c) * 2 + k];
      const out = Math.floor((h - 1) / s) + 1;
      const want: number[] = [];
      for (let a = 0; a < out; a++)
        for (let b = 0; b < out; b++)
          for (let k = 0; k < 2; k++) {
            // PyTorch's choice: the first maximum in row-major order over the window's real pixels (pad 1).
            let best: [number, number] | undefined;
            for (let i = 0; i < 3; i++)
              for (let j = 0; j < 3; j++) {
                const [r, c] = [a * s + i - 1, b * s + j - 1];
                if (r < 0 || c < 0 || r >= h || c >= h) continue;
                if (!best || at(xv, r, c, k) > at(xv, best[0], best[1], k)) best = [r, c];
              }
            want.push(at(mv, best![0], best![1], k));
          }
      assert.deepStrictEqual(Array.from(got.dataSync()), want, `size ${h} stride ${s}`);
      p.dispose();
    }
  });

  it('replays max pooling, value and gradient, without leaving tensors behind (strides 1 and 2)', async () => {
    for (const s of [1, 2]) {
      const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const p = new ActivationPattern();
      pass(p, () => maxPool3x3(x, s, p)).dispose(); // the recording keeps one index tensor, owned by p
      await assertNoTensorLeak(() => {
        pass(p, () => maxPool3x3(x, s, p)).dispose();
        tf.grad((a: tf.Tensor) => pass(p, () => maxPool3x3(a as tf.Tensor4D, s, p)).sum())(x).dispose();
      });
      const before = tf.memory().numTensors;
      p.dispose();
      assert.strictEqual(tf.memory().numTensors, before - 1, 'dispose() frees the recorded index');
      x.dispose();
    }
  });

  it('replays ReLU as x times the recorded mask: linear in x away from the recorded point', () => {
    const x = tf.tensor4d([-1, 2, -3, 4], [1, 2, 2, 1]);
    const p = new ActivationPattern();
    assert.deepStrictEqual(Array.from(pass(p, () => relu(x, p)).dataSync()), [0, 2, 0, 4]);
    // Replayed at another input: the recorded mask (units 1 and 3) applies, not the new signs.
    const moved = tf.tensor4d([1, -2, 3, 5], [1, 2, 2, 1]);
    assert.deepStrictEqual(Array.from(pass(p, () => relu(moved, p)).dataSync()), [0, -2, 0, 5]);
    assert.strictEqual(p.sites, 1);
    p.dispose();
  });

  it('names a replay that does not match the recording', () => {
    const p = new ActivationPattern();
    pass(p, () => relu(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, p));
    assert.throws(
      () => pass(p, () => relu(tf.zeros([1, 3, 3, 1]) as tf.Tensor4D, p)),
      /site 0 was recorded with shape \[1,2,2,1\], replayed with \[1,3,3,1\]/,
    );
    pass(p, () => relu(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, p));
    assert.throws(() => relu(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, p), /more kink sites than the 1 recorded/);
    p.dispose();
  });
});
