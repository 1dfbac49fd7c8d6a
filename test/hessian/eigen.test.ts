import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { dominantEigenvalue, hessianSpectrum } from '../../lib/hessian/eigen';
import { assertClose } from '../helpers';

// Matrices with spectra known by construction (test/fixtures/make_eigen_fixtures.ts).
interface Fixture {
  name: string;
  n: number;
  spectrum: number[];
  matrix: number[][];
}
const fixtures: Fixture[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'eigen_known_spectrum.json'), 'utf8'),
).fixtures;
const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

const matVec = (a: readonly number[][]) => (v: number[]) => a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
const top = (f: Fixture) => f.spectrum[f.n - 1];
const diag = (d: number[]) => d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));

/** ||A v - value v||. */
function residual(a: number[][], value: number, v: number[]): number {
  return Math.sqrt(matVec(a)(v).reduce((s, x, i) => s + (x - value * v[i]) ** 2, 0));
}

describe('hessianSpectrum', () => {
  it('returns the spectrum of each fixture to 1e-10, absolute and relative to max |lambda|', () => {
    for (const f of fixtures) {
      const got = hessianSpectrum(f.matrix);
      const scale = Math.max(...f.spectrum.map(Math.abs));
      assertClose(got, f.spectrum, 1e-10, f.name);
      got.forEach((x, i) => assert.ok(Math.abs(x - f.spectrum[i]) <= 1e-10 * scale, `${f.name}[${i}]: ${x} vs ${f.spectrum[i]}`));
    }
  });

  it('matches the closed form of a 2x2 matrix, ascending', () => {
    const [a, b, c] = [0.3, -1.2, -0.7];
    const r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
    assertClose(
      hessianSpectrum([
        [a, b],
        [b, c],
      ]),
      [(a + c) / 2 - r, (a + c) / 2 + r],
      1e-14,
      '2x2',
    );
  });

  it('decomposes the symmetric part of a matrix asymmetric below 1e-6 x max |entry|', () => {
    assertClose(
      hessianSpectrum([
        [2, 1 + 1e-8],
        [1 - 1e-8, 2],
      ]),
      [1, 3],
      1e-12,
      'near-symmetric',
    );
  });

  it('throws for empty, non-square, non-finite and asymmetric input, naming the problem', () => {
    assert.throws(() => hessianSpectrum([]), /matrix is empty/);
    assert.throws(() => hessianSpectrum([[1, 2], [3]]), /row 1 has 1 entries; expected 2/);
    assert.throws(
      () =>
        hessianSpectrum([
          [1, 2, 3],
          [2, 1, 0],
        ]),
      /row 0 has 3 entries; expected 2/,
    );
    assert.throws(
      () =>
        hessianSpectrum([
          [1, 0],
          [0, NaN],
        ]),
      /entry \(1, 1\) is NaN/,
    );
    assert.throws(
      () =>
        hessianSpectrum([
          [1, Infinity],
          [0, 1],
        ]),
      /entry \(0, 1\) is Infinity/,
    );
    assert.throws(
      () =>
        hessianSpectrum([
          [1, 0, 0],
          [0, 1, 0.5],
          [0, 0.2, 1],
        ]),
      /not symmetric: \|M\[1\]\[2\] - M\[2\]\[1\]\| = 0\.3/,
    );
  });
});

describe('dominantEigenvalue', () => {
  it('finds the largest eigenvalue of each fixture within 1% in at most 20 products, sync and async', async () => {
    for (const f of fixtures) {
      const sync = await dominantEigenvalue(matVec(f.matrix), f.n);
      const async_ = await dominantEigenvalue(async (v) => matVec(f.matrix)(v), f.n);
      assert.deepStrictEqual(async_, sync, `${f.name}: async differs from sync`);
      assert.ok(sync.products <= 20, `${f.name}: ${sync.products} products`);
      assert.ok(Math.abs(sync.value - top(f)) <= 0.01 * top(f), `${f.name}: ${sync.value} vs ${top(f)}`);
      assert.strictEqual(sync.vector.length, f.n);
      assertClose([Math.hypot(...sync.vector)], [1], 1e-12, `${f.name} |vector|`);
      const r = residual(f.matrix, sync.value, sync.vector);
      assert.ok(Math.abs(r - sync.residual) <= 1e-9 * Math.abs(sync.value), `${f.name}: residual ${r}, bound ${sync.residual}`);
      assert.ok(r <= 0.01 * Math.abs(sync.value), `${f.name}: residual ${r}`);
    }
  });

  it('reaches tolerance 1e-3 in 18 products on alpha84 and 26 on cluster56 (seed 0)', async () => {
    const a = await dominantEigenvalue(matVec(fixture('alpha84').matrix), 84, { maxProducts: 40 });
    const c = await dominantEigenvalue(matVec(fixture('cluster56').matrix), 56, { maxProducts: 40 });
    assert.deepStrictEqual([a.products, a.converged, c.products, c.converged], [18, true, 26, true]);
    assert.ok(a.residual <= 1e-3 * a.value && c.residual <= 1e-3 * c.value);
    assert.ok(Math.abs(a.value / 0.0336 - 1) < 1e-5 && Math.abs(c.value - 1) < 1e-5, `${a.value}, ${c.value}`);
  });

  it('matches the largest eigenvalue to 1e-9 with maxProducts = n and tolerance 0', async () => {
    for (const f of fixtures) {
      const r = await dominantEigenvalue(matVec(f.matrix), f.n, { maxProducts: f.n, tolerance: 0 });
      assert.ok(r.converged && r.products <= f.n, `${f.name}: ${r.products} products`);
      assertClose([r.value], [top(f)], 1e-9, f.name);
      assert.ok(residual(f.matrix, r.value, r.vector) < 1e-9, f.name);
    }
  });

  it('returns the largest algebraic eigenvalue of alpha84, where power iteration finds the negative end', async () => {
    const f = fixture('alpha84');
    const byMagnitude = [...f.spectrum].sort((x, y) => Math.abs(y) - Math.abs(x));
    assert.strictEqual(byMagnitude[0], -0.0514);
    // Plain power iteration with Rayleigh quotients converges to the eigenvalue of largest magnitude.
    let v = f.matrix.map((_, i) => Math.cos(i + 1));
    let rayleigh = 0;
    for (let k = 0; k < 300; k++) {
      const w = matVec(f.matrix)(v);
      rayleigh = w.reduce((s, x, i) => s + x * v[i], 0) / v.reduce((s, x) => s + x * x, 0);
      const n = Math.hypot(...w);
      v = w.map((x) => x / n);
    }
    assertClose([rayleigh], [-0.0514], 1e-6, 'power iteration');
    const r = await dominantEigenvalue(matVec(f.matrix), f.n);
    assert.ok(Math.abs(r.value - 0.0336) < 1e-6, `Lanczos: ${r.value}`);
    assert.ok(r.ritzValues[0] < -0.05, `the Ritz values also approach the negative end: ${r.ritzValues[0]}`);
  });

  it('returns the repeated 1e-3 when it is the largest eigenvalue', async () => {
    const d = [-0.05, -0.03, -0.02, -0.01, -0.002, ...new Array(10).fill(1e-3)];
    const r = await dominantEigenvalue(matVec(diag(d)), d.length);
    assertClose([r.value], [1e-3], 1e-12, 'value');
    assert.ok(r.converged && r.products === 6, `${r.products} products (6 distinct eigenvalues)`);
    assert.ok(
      r.vector.slice(0, 5).every((x) => Math.abs(x) < 1e-12),
      'the vector lies in the 1e-3 eigenspace',
    );
  });

  it('restarts after a breakdown from a start vector that is an eigenvector', async () => {
    const d = [-1, 0.5, 3, 2, -4, 0.25, 1, 1];
    for (const j of [0, 2, 4]) {
      const start = d.map((_, i) => (i === j ? 1 : 0));
      const r = await dominantEigenvalue(matVec(diag(d)), d.length, { start, tolerance: 1e-8 });
      assertClose([r.value], [3], 1e-10, `start e${j}`);
      assert.ok(r.converged && r.products <= 20, `start e${j}: ${r.products} products`);
    }
  });

  it('stops exactly at the breakdown of a random start on a diagonal matrix with few distinct values', async () => {
    const d = Array.from({ length: 30 }, (_, i) => [-2, 0.5, 1.5][i % 3]);
    const r = await dominantEigenvalue(matVec(diag(d)), 30);
    assert.deepStrictEqual([r.products, r.converged, r.residual], [3, true, 0]);
    assertClose(r.ritzValues, [-2, 0.5, 1.5], 1e-12, 'Ritz values');
  });

  it('handles dim 1 and the zero matrix', async () => {
    const one = await dominantEigenvalue((v) => [-2.5 * v[0]], 1);
    assert.deepStrictEqual([one.value, one.products, one.converged], [-2.5, 1, true]);
    const zero = await dominantEigenvalue((v) => v.map(() => 0), 5);
    assert.deepStrictEqual([zero.value, zero.products, zero.converged], [0, 1, true]);
  });

  it('is deterministic for a seed, and other seeds agree on the value', async () => {
    const f = fixture('alpha84');
    const a = await dominantEigenvalue(matVec(f.matrix), f.n, { seed: 7 });
    assert.deepStrictEqual(await dominantEigenvalue(matVec(f.matrix), f.n, { seed: 7 }), a);
    const b = await dominantEigenvalue(matVec(f.matrix), f.n, { seed: 8 });
    assert.notDeepStrictEqual(b.vector, a.vector);
    assertClose([b.value], [a.value], 1e-4, 'seeds 7 and 8');
  });

  it('never makes more than maxProducts products, and flags every wrong answer as not converged', async () => {
    const f = fixture('cluster56');
    for (let seed = 0; seed < 30; seed++) {
      for (const maxProducts of [1, 2, 5, 20]) {
        let calls = 0;
        const r = await dominantEigenvalue((v) => (calls++, matVec(f.matrix)(v)), f.n, { seed, maxProducts });
        assert.ok(r.products === calls && calls <= maxProducts, `seed ${seed}: ${calls} calls, maxProducts ${maxProducts}`);
        if (r.converged) assert.ok(Math.abs(r.value - 1) <= 1e-3, `seed ${seed}, ${maxProducts} products: converged at ${r.value}`);
      }
    }
  });

  it('throws for bad output of matVec, naming the product', async () => {
    const f = fixture('alpha84');
    const good = matVec(f.matrix);
    let k = 0;
    const short = (v: number[]) => (++k === 3 ? good(v).slice(1) : good(v));
    await assert.rejects(dominantEigenvalue(short, 84), /product 3 returned 83 values; expected 84/);
    await assert.rejects(
      dominantEigenvalue((v) => v.map((x, i) => (i === 5 ? NaN : x)), 84),
      /product 1 returned NaN at index 5/,
    );
    await assert.rejects(
      dominantEigenvalue(() => undefined as unknown as number[], 84),
      /product 1 returned undefined; expected an array of 84 numbers/,
    );
    await assert.rejects(
      dominantEigenvalue(() => Promise.reject(new Error('hvp failed')), 84),
      /hvp failed/,
    );
  });

  it('throws for bad arguments, naming them', async () => {
    const id = (v: number[]) => v;
    await assert.rejects(dominantEigenvalue(id, 0), /dim=0 is not an integer >= 1/);
    await assert.rejects(dominantEigenvalue(id, 2.5), /dim=2.5/);
    await assert.rejects(dominantEigenvalue(id, 4, { maxProducts: 0 }), /maxProducts=0/);
    await assert.rejects(dominantEigenvalue(id, 4, { tolerance: -1 }), /tolerance=-1/);
    await assert.rejects(dominantEigenvalue(id, 4, { seed: 0.5 }), /seed=0.5/);
    await assert.rejects(dominantEigenvalue(id, 4, { start: [1, 2, 3] }), /start must hold 4 finite numbers/);
    await assert.rejects(dominantEigenvalue(id, 2, { start: [0, 0] }), /start has norm 0/);
  });
});
