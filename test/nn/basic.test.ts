import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { Identity, noise, stridedShape, zero } from '../../lib/nn/basic';
import { ForwardContext } from '../../lib/nn/module';
import { dilateFilter } from '../../lib/nn/conv';
import { checkInteger, Init, SeedStream } from '../../lib/nn/random';
import { assertClose } from '../helpers';

describe('zero', () => {
  it('gives zeros of the shape of x[:, ::s, ::s, :]', () => {
    const x = tf.ones([2, 7, 8, 3]) as tf.Tensor4D;
    assert.deepStrictEqual(stridedShape(x, 2), [2, 4, 4, 3]);
    const z = zero(x, 2);
    assert.deepStrictEqual(z.shape, [2, 4, 4, 3]);
    assert.strictEqual(z.abs().sum().dataSync()[0], 0);
    assert.throws(() => zero(x, 3), /stride=3; use 1 or 2/);
    tf.dispose([x, z]);
  });
});

describe('noise', () => {
  it('depends on the seed only, not on the input', () => {
    const a = tf.ones([2, 5, 5, 3]) as tf.Tensor4D;
    const b = tf.randomNormal([2, 5, 5, 3], 0, 5, 'float32', 9) as tf.Tensor4D;
    const [n1, n2, n3] = [noise(a, 2, 7), noise(b, 2, 7), noise(a, 2, 8)];
    assert.deepStrictEqual(n1.shape, [2, 3, 3, 3]);
    assert.deepStrictEqual(Array.from(n1.dataSync()), Array.from(n2.dataSync()));
    assert.notDeepStrictEqual(Array.from(n1.dataSync()), Array.from(n3.dataSync()));
    tf.dispose([a, b, n1, n2, n3]);
  });

  it('draws N(0, 1) samples', () => {
    const x = tf.zeros([4, 32, 32, 8]) as tf.Tensor4D;
    const n = noise(x, 1, 3);
    const { mean, variance } = tf.moments(n);
    assert.ok(Math.abs(mean.dataSync()[0]) < 0.02, `mean ${mean.dataSync()[0]}`);
    assert.ok(Math.abs(variance.dataSync()[0] - 1) < 0.03, `variance ${variance.dataSync()[0]}`);
    tf.dispose([x, n, mean, variance]);
  });
});

describe('Identity', () => {
  it('returns its input and owns no variable', () => {
    const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const op = new Identity();
    assert.strictEqual(op.apply(x), x);
    assert.strictEqual(op.variables.length, 0);
    x.dispose();
  });
});

describe('ForwardContext', () => {
  it('replays the same seeds for the same forward seed, and defaults updateRunningStats to training', () => {
    const a = new ForwardContext({ training: true, seed: 5 });
    const b = new ForwardContext({ training: true, seed: 5 });
    assert.deepStrictEqual([a.nextSeed(), a.nextSeed()], [b.nextSeed(), b.nextSeed()]);
    assert.strictEqual(a.updateRunningStats, true);
    assert.strictEqual(new ForwardContext({ training: false }).updateRunningStats, false);
    assert.throws(() => new ForwardContext({ training: false, updateRunningStats: true }), /updateRunningStats=true/);
    assert.throws(() => new ForwardContext({ training: true, seed: 1.5 }), /options.seed=1.5 is not an integer/);
  });
});

describe('SeedStream', () => {
  it('is deterministic, and different seeds give different streams', () => {
    const take = (s: number) => {
      const st = new SeedStream(s);
      return [st.next(), st.next(), st.next()];
    };
    assert.deepStrictEqual(take(1), take(1));
    assert.notDeepStrictEqual(take(1), take(2));
    assert.ok(take(0).every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32));
    assert.throws(() => checkInteger(0, 'config.C', 1), /config.C=0 is not an integer >= 1/);
  });
});

describe('Init', () => {
  it("draws conv weights in PyTorch's default bound 1/sqrt(fan_in)", () => {
    const w = new Init(0).conv(3, 3, 16, 32);
    const bound = 1 / Math.sqrt(3 * 3 * 16);
    const v = w.dataSync();
    assert.ok(v.every((e) => Math.abs(e) <= bound));
    assert.ok(Math.max(...v) > 0.9 * bound && Math.min(...v) < -0.9 * bound);
    w.dispose();
  });
});

describe('dilateFilter', () => {
  it('spreads the taps d pixels apart with zeros between', () => {
    const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const d = dilateFilter(w, 2);
    assert.deepStrictEqual(d.shape, [3, 3, 1, 1]);
    assertClose(d.dataSync(), [1, 0, 2, 0, 0, 0, 3, 0, 4], 0);
    tf.dispose([w, d]);
  });

  it('keeps every channel and multiplier of a non-square filter in place, at dilation 3', () => {
    const [kh, kw, c, m, dil] = [2, 3, 2, 3, 3];
    const values = Array.from({ length: kh * kw * c * m }, (_, i) => i + 1);
    const w = tf.tensor4d(values, [kh, kw, c, m]);
    const d = dilateFilter(w, dil);
    const [H, W] = [(kh - 1) * dil + 1, (kw - 1) * dil + 1];
    assert.deepStrictEqual(d.shape, [H, W, c, m]);
    // Tap (a, b) lands at (a d, b d); every other position is zero.
    const expected = new Array<number>(H * W * c * m).fill(0);
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++)
        for (let k = 0; k < c * m; k++) expected[(a * dil * W + b * dil) * c * m + k] = values[(a * kw + b) * c * m + k];
    assertClose(d.dataSync(), expected, 0);
    tf.dispose([w, d]);
  });
});
