import * as assert from 'assert';
import { tf } from '../../lib/backend';
import type { SearchConfig } from '../../lib/config/search_config';
import { cosineLr, dropPathAt, searchEpoch } from '../../lib/search/loop';
import { createSearchState, dartsProblem, disposeSearchState, epochAugment, searchData } from '../../lib/problems/darts/problem';
import type { EpochRecord } from '../../lib/runs/records';
import { fakeDataset, smokeConfig } from './fixtures';

/** Runs `epochs` epochs from scratch and returns the records without their timings. */
async function run(config: SearchConfig, epochs: number): Promise<Omit<EpochRecord, 'seconds'>[]> {
  const data = searchData(config, fakeDataset());
  const state = createSearchState(config, data);
  const out: Omit<EpochRecord, 'seconds'>[] = [];
  for (let e = 0; e < epochs; e++) {
    const { seconds, ...rest } = await searchEpoch(dartsProblem(config), data, state, e);
    assert.ok(seconds.search > 0);
    out.push(rest);
  }
  disposeSearchState(state);
  return out;
}

describe('cosineLr', () => {
  it("is PyTorch's CosineAnnealingLR: lrMax at epoch 0, the midpoint at half, towards lrMin", () => {
    assert.strictEqual(cosineLr(0, 50, 0.025, 0.001), 0.025);
    assert.ok(Math.abs(cosineLr(25, 50, 0.025, 0.001) - 0.013) < 1e-12);
    assert.ok(Math.abs(cosineLr(50, 50, 0.025, 0.001) - 0.001) < 1e-12);
  });
});

describe('searchEpoch', () => {
  it('records losses, accuracies, alphas, softmax weights and a genotype per epoch', async () => {
    const config = smokeConfig();
    const [r0, r1] = await run(config, 2);
    assert.deepStrictEqual([r0.epoch, r1.epoch, r0.steps], [0, 1, 3]); // 24 weight images / batch 8
    assert.strictEqual(r0.lr, 0.025);
    assert.ok(r1.lr < r0.lr);
    for (const r of [r0, r1]) {
      assert.ok(Number.isFinite(r.train.loss) && r.valid.accuracy >= 0 && r.valid.accuracy <= 1);
      assert.strictEqual(r.alphas.normal.length, 14);
      for (const row of r.weights.reduce) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.strictEqual(r.genotype.normal.length, 8);
    }
    assert.notDeepStrictEqual(r1.alphas, r0.alphas, 'the alphas moved');
  });

  it('is reproducible: the same seed gives identical records, another seed different ones', async () => {
    const config = smokeConfig();
    assert.deepStrictEqual(await run(config, 2), await run(config, 2));
    assert.notDeepStrictEqual((await run(smokeConfig({ seed: 9 }), 1))[0].alphas, (await run(config, 1))[0].alphas);
  });

  it('leaks no tensors across epochs (second order and curvature included)', async () => {
    const config = smokeConfig({ order: 'second', hessian: { evalEvery: 1 } });
    const data = searchData(config, fakeDataset());
    const state = createSearchState(config, data);
    await searchEpoch(dartsProblem(config), data, state, 0);
    const before = tf.memory().numTensors;
    const r = await searchEpoch(dartsProblem(config), data, state, 1);
    assert.ok(r.hessian);
    assert.strictEqual(tf.memory().numTensors, before);
    disposeSearchState(state);
  });

  it('measures the curvature at epochs 0, evalEvery, ... and the last, with its method and cost (docs/method.md §3)', async () => {
    const records = await run(smokeConfig({ epochs: 4, hessian: { evalEvery: 2, maxProducts: 4 } }), 4);
    assert.deepStrictEqual(
      records.map((r) => r.hessian !== undefined),
      [true, false, true, true],
    );
    const h = records[0].hessian!;
    assert.strictEqual(h.method, 'lanczos');
    // Forward differences (the scaled presets): one gradient a product, plus the one at the alphas.
    assert.ok(h.products >= 1 && h.products <= 4 && h.gradients === h.products + 1, `${h.products} products, ${h.gradients} gradients`);
    assert.ok(h.dominantEigenvalue >= 1e-3 - 1e-6, `${h.dominantEigenvalue} >= the 1e-3 weight-decay shift`);
    assert.strictEqual(h.vector.length, 2 * 14 * 3);
    assert.strictEqual(h.batchSize, 8);
    assert.deepStrictEqual(h.hvp, { scheme: 'forward', step: 1e-2, weightDecay: 1e-3, kinkSites: h.hvp.kinkSites });
    assert.ok(h.hvp.kinkSites > 0);
  });

  it('does not change the search: the records equal those of a run without it', async () => {
    const strip = (rs: Omit<EpochRecord, 'seconds'>[]) => rs.map(({ hessian: _h, ...rest }) => rest);
    const tracked = await run(smokeConfig({ hessian: { evalEvery: 1 } }), 2);
    assert.ok(tracked.every((r) => r.hessian));
    assert.deepStrictEqual(strip(tracked), await run(smokeConfig({ hessian: { method: 'off' } }), 2));
  });

  it("method 'full' records the spectrum, and the matrix with recordMatrix", async () => {
    const [r] = await run(smokeConfig({ epochs: 1, hessian: { method: 'full', recordMatrix: true, scheme: 'central' } }), 1);
    const h = r.hessian!;
    assert.strictEqual(h.products, 84);
    assert.strictEqual(h.spectrum!.length, 84);
    assert.strictEqual(h.dominantEigenvalue, h.spectrum![83]);
    assert.strictEqual(h.matrix!.length, 84);
    assert.ok(h.asymmetry! < 1e-2, `asymmetry ${h.asymmetry}`);
  });
});

describe('ScheduledDropPath in the search (docs/method.md §4)', () => {
  it('uses p e / (epochs - 1) per epoch, records it, changes the search and stays reproducible', async () => {
    assert.deepStrictEqual(
      [0, 1, 2].map((e) => dropPathAt(smokeConfig({ regularization: { dropPathProb: 0.4 } }), e)),
      [0, 0.2, 0.4],
    );
    const dp = smokeConfig({ regularization: { dropPathProb: 0.4 } });
    const a = await run(dp, 3);
    assert.deepStrictEqual(
      a.map((r) => r.regularization),
      [0, 0.2, 0.4].map((p) => ({ l2: 3e-4, dropPathProb: p })),
    );
    assert.deepStrictEqual(a, await run(dp, 3));
    const plain = await run(smokeConfig(), 3);
    assert.deepStrictEqual(a[0].alphas, plain[0].alphas, 'epoch 0: p = 0, the same search');
    assert.notDeepStrictEqual(a[2].alphas, plain[2].alphas);
  });
});

describe('epochAugment', () => {
  it("raises Cutout's probability linearly from 0 at the first epoch to its maximum at the last (docs/method.md §4)", () => {
    const a = { pad: 4, flip: true, cutout: { length: 16, prob: 0.8 } };
    assert.strictEqual(epochAugment(a, 0, 5).cutout?.prob, 0);
    assert.strictEqual(epochAugment(a, 2, 5).cutout?.prob, 0.4);
    assert.strictEqual(epochAugment(a, 4, 5).cutout?.prob, 0.8);
    assert.strictEqual(epochAugment({ pad: 4, flip: true }, 3, 5).cutout, undefined);
  });
});

describe('searchEpoch on S4 (the noise op)', () => {
  it('records the same validation numbers and curvature in two identical runs (noise is seeded)', async () => {
    const config = smokeConfig({ space: 's4', epochs: 1 });
    const [a, b] = [(await run(config, 1))[0], (await run(config, 1))[0]];
    assert.deepStrictEqual(a.valid, b.valid);
    assert.deepStrictEqual(a.hessian, b.hessian);
  });
});
