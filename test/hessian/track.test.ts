import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { hessianSpectrum } from '../../lib/hessian/eigen';
import { CURVATURE_DEFAULTS, measureCurvature, measureCurvatureMean, CurvatureSettings } from '../../lib/hessian/track';
import { mixSeed } from '../../lib/nn/random';
import { assertNoTensorLeak } from '../helpers';
import { smokeBatch, smokeSupernet } from './fixtures';

const smokeNet = () => smokeSupernet(4, 0.7, [11, 12]);
const batch = () => smokeBatch(3, (i) => (i * 3) % 10);
const base: CurvatureSettings = { ...CURVATURE_DEFAULTS, seed: 1 };

describe('measureCurvature', () => {
  it('Lanczos agrees with the top of the full spectrum within 1% using at most 20 products (S3 smoke supernet)', async () => {
    const net = smokeNet();
    const b = batch();
    const full = await measureCurvature(net, b, { ...base, method: 'full', recordMatrix: true });
    assert.strictEqual(full.products, 84);
    // The spectrum of the recorded matrix, by an independent routine, has the same top.
    const spectrum = hessianSpectrum(full.matrix as number[][]);
    assert.ok(Math.abs(spectrum[83] - full.dominantEigenvalue) < 1e-12);
    // The zero direction of each edge's softmax + the 1e-3 shift: 28 eigenvalues at 1e-3 (docs/method.md §3).
    assert.ok(spectrum.filter((v) => Math.abs(v - 1e-3) < 2e-4 * Math.max(...spectrum.map(Math.abs)) + 1e-5).length >= 28);
    assert.ok(full.asymmetry! < 1e-2, `asymmetry ${full.asymmetry}`);
    for (const seed of [1, 2, 3]) {
      for (const scheme of ['central', 'forward'] as const) {
        const top = await measureCurvature(net, b, { ...base, seed, scheme });
        const rel = Math.abs(top.dominantEigenvalue - full.dominantEigenvalue) / full.dominantEigenvalue;
        assert.ok(top.products <= 20, `${top.products} products`);
        assert.ok(rel < 1e-2, `seed ${seed} ${scheme}: ${top.dominantEigenvalue} vs full ${full.dominantEigenvalue} (${rel})`);
      }
    }
    net.dispose();
    tf.dispose([b.x, b.y]);
  });

  it('warm-started from the eigenvector, converges in fewer products', async () => {
    const net = smokeNet();
    const b = batch();
    const cold = await measureCurvature(net, b, base);
    const warm = await measureCurvature(net, b, { ...base, start: cold.vector });
    assert.ok(warm.products < cold.products, `${warm.products} < ${cold.products}`);
    assert.ok(Math.abs(warm.dominantEigenvalue - cold.dominantEigenvalue) < 1e-2 * cold.dominantEigenvalue);
    net.dispose();
    tf.dispose([b.x, b.y]);
  });

  it('fills the settings left out from CURVATURE_DEFAULTS', async () => {
    const net = smokeNet();
    const b = batch();
    const given = await measureCurvature(net, b, { ...CURVATURE_DEFAULTS, maxProducts: 4 });
    assert.deepStrictEqual(await measureCurvature(net, b, { maxProducts: 4 }), given);
    assert.strictEqual(given.method, 'lanczos');
    assert.strictEqual(given.products, 4);
    net.dispose();
    tf.dispose([b.x, b.y]);
  });

  it("over several batches, is the Hessian of their mean loss: the mean of each batch's matrix at its seed", async () => {
    const net = smokeNet();
    const [b0, b1] = [batch(), smokeBatch(3, (i) => (i * 7 + 2) % 10)];
    const full = { ...base, method: 'full' as const, recordMatrix: true };
    const one = await measureCurvature(net, b0, full);
    const other = await measureCurvature(net, b1, { ...full, seed: mixSeed(base.seed, 1) });
    const mean = await measureCurvatureMean(net, [b0, b1], full);
    assert.strictEqual(mean.batches, 2);
    assert.strictEqual(mean.batchSize, one.batchSize + other.batchSize);
    assert.strictEqual(one.batches, undefined);
    const scale = Math.max(...one.matrix!.flat().map(Math.abs));
    const worst = Math.max(
      ...mean.matrix!.flatMap((row, i) => row.map((v, j) => Math.abs(v - (one.matrix![i][j] + other.matrix![i][j]) / 2))),
    );
    assert.ok(worst < 1e-4 * scale, `largest difference ${worst} against entries up to ${scale}`);
    // One batch in a list is measureCurvature, record for record; tolerance 0 makes every product.
    assert.deepStrictEqual(
      await measureCurvatureMean(net, [b0], { ...base, maxProducts: 4 }),
      await measureCurvature(net, b0, { ...base, maxProducts: 4 }),
    );
    assert.strictEqual((await measureCurvature(net, b0, { ...base, maxProducts: 6, tolerance: 0 })).products, 6);
    await assert.rejects(measureCurvatureMean(net, [], base), /no batches/);
    net.dispose();
    tf.dispose([b0.x, b0.y, b1.x, b1.y]);
  });

  it('leaks no tensors and is deterministic', async () => {
    const net = smokeNet();
    const b = batch();
    const settings = { ...base, maxProducts: 3 };
    let first: number | undefined;
    await assertNoTensorLeak(async () => {
      const r = await measureCurvatureMean(net, [b, b], settings);
      first ??= r.dominantEigenvalue;
      assert.strictEqual(r.dominantEigenvalue, first);
    });
    net.dispose();
    tf.dispose([b.x, b.y]);
  });
});
