import * as assert from 'assert';
import { mixSeed, permutation, Rng, sampleWithoutReplacement, SeedStream } from '../../lib/nn/random';

describe('mixSeed', () => {
  it('is a fixed function of the keys and their order', () => {
    assert.strictEqual(mixSeed(1, 2, 3), mixSeed(1, 2, 3));
    const seen = new Set([
      mixSeed(1, 2, 3),
      mixSeed(3, 2, 1),
      mixSeed(1, 2),
      mixSeed(1, 2, 4),
      mixSeed(-1, 2, 3),
      mixSeed(1 + 2 ** 32, 2, 3),
    ]);
    assert.strictEqual(seen.size, 6);
  });

  it('rejects a key that is not an integer', () => {
    assert.throws(() => mixSeed(1, 0.5), /seed key=0.5 is not an integer/);
  });
});

describe('Rng', () => {
  it('replays the mulberry32 stream of SeedStream', () => {
    const a = new Rng(42);
    const b = new SeedStream(42);
    for (let i = 0; i < 5; i++) assert.strictEqual(a.nextUint32(), b.next());
  });

  it('draws uniform floats in [0, 1) and integers in [0, n) with the right mean', () => {
    const r = new Rng(7);
    let sum = 0;
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      counts[r.int(3)]++;
    }
    assert.ok(Math.abs(sum / 30000 - 0.5) < 0.01, `mean ${sum / 30000}`);
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  });
});

describe('permutation', () => {
  it('is a seeded permutation of 0..n-1', () => {
    const p = permutation(100, new Rng(3));
    assert.deepStrictEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepStrictEqual(p, permutation(100, new Rng(3)));
    assert.notDeepStrictEqual(p, permutation(100, new Rng(4)));
  });
});

describe('sampleWithoutReplacement', () => {
  it('draws distinct values in range, by rejection or by permutation', () => {
    for (const [n, k] of [
      [1000, 64],
      [10, 8],
      [5, 5],
    ]) {
      const s = sampleWithoutReplacement(n, k, new Rng(n));
      assert.strictEqual(new Set(s).size, k);
      assert.ok(s.every((v) => v >= 0 && v < n));
    }
    assert.throws(() => sampleWithoutReplacement(3, 4, new Rng(0)), /k=4 distinct values from n=3/);
  });
});
