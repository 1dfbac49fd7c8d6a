import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { avgPool3x3, avgPoolCorrection, maxPool3x3 } from '../../lib/nn/pool';
import { assertClose, assertNoTensorLeak } from '../helpers';

/** PyTorch's output size for kernel 3, pad 1: floor((n + 2 - 3) / s) + 1. */
const outSize = (n: number, s: number) => Math.floor((n - 1) / s) + 1;

describe('maxPool3x3', () => {
  it('gives PyTorch output sizes for odd and even inputs at stride 1 and 2', () => {
    for (const [h, w] of [
      [7, 8],
      [8, 8],
      [5, 3],
      [1, 2],
    ]) {
      for (const s of [1, 2]) {
        const x = tf.zeros([2, h, w, 3]) as tf.Tensor4D;
        const y = maxPool3x3(x, s);
        assert.deepStrictEqual(y.shape, [2, outSize(h, s), outSize(w, s), 3]);
        tf.dispose([x, y]);
      }
    }
  });

  it('sends the gradient of a tied window to its first maximum in row-major order', () => {
    // All equal: every window's first real pixel gets its window's gradient (PyTorch's rule).
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    const dx = tf.grad((v: tf.Tensor) => maxPool3x3(v as tf.Tensor4D, 1).sum())(x);
    assertClose(dx.dataSync(), [4, 0, 0, 0], 0);
    tf.dispose([x, dx]);
  });

  it('handles all-negative windows next to the -inf padding (a wasm kernel gets these wrong)', () => {
    const x = tf.tensor4d([-1, -5, -2, -3, -9, -4, -7, -6, -8], [1, 3, 3, 1]);
    const dx = tf.grad((v: tf.Tensor) => maxPool3x3(v as tf.Tensor4D, 1).sum())(x);
    // Window maxima, by hand: -1 wins 4 windows, -2 two, -3 two, -4 one.
    assertClose(dx.dataSync(), [4, 0, 2, 2, 0, 1, 0, 0, 0], 0);
    tf.dispose([x, dx]);
  });

  it('rejects a stride other than 1 or 2', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    assert.throws(() => maxPool3x3(x, 3), /maxPool3x3: stride=3; use 1 or 2/);
    x.dispose();
  });

  it('leaks no tensor in forward and backward', async () => {
    const x = tf.randomNormal([2, 7, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    await assertNoTensorLeak(() =>
      tf
        .grad((v: tf.Tensor) => maxPool3x3(v as tf.Tensor4D, 2).sum())(x)
        .dispose(),
    );
    x.dispose();
  });
});

describe('avgPool3x3', () => {
  it('divides corners by 4, edges by 6 and the interior by 9 real pixels', () => {
    const k = avgPoolCorrection(3, 4, 1);
    const r = [9 / 4, 9 / 6, 9 / 6, 9 / 4];
    const m = [9 / 6, 1, 1, 9 / 6];
    assertClose(k.dataSync(), [...r, ...m, ...r], 1e-6);
    k.dispose();
  });

  it('averages a constant to the constant everywhere, at stride 1 and 2', () => {
    for (const s of [1, 2]) {
      const x = tf.fill([1, 5, 6, 2], 3) as tf.Tensor4D;
      const y = avgPool3x3(x, s);
      assert.deepStrictEqual(y.shape, [1, outSize(5, s), outSize(6, s), 2]);
      assertClose(y.dataSync(), new Array(y.size).fill(3), 1e-6);
      tf.dispose([x, y]);
    }
  });

  it('leaks no tensor in forward and backward', async () => {
    const x = tf.randomNormal([2, 7, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    await assertNoTensorLeak(() =>
      tf
        .grad((v: tf.Tensor) => avgPool3x3(v as tf.Tensor4D, 2).sum())(x)
        .dispose(),
    );
    x.dispose();
  });
});
