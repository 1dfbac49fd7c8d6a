import * as assert from 'assert';
import { seedSpreadFinding, seedSpreadSummary, spreadReading } from '../../lib/analysis/seed_spread';
import { seedSpread, spreadTrainConfig, type SeedSpreadRow } from '../../lib/measurements/seed_spread';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { evalId } from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { tempDir } from '../helpers';

const row = (seed: number, testErrorPct: number): SeedSpreadRow => ({ seed, evalId: `e${seed}`, testErrorPct, testImages: 10000 });

describe('seed spread', () => {
  it('summarises mean, sample sd, range and the binomial standard error (hand-worked)', () => {
    const s = seedSpreadSummary([row(0, 20), row(1, 22), row(2, 24)]);
    assert.deepStrictEqual(
      { ...s, binomialSePct: undefined },
      { n: 3, meanPct: 22, sdPct: 2, minPct: 20, maxPct: 24, binomialSePct: undefined },
    );
    assert.ok(Math.abs(s.binomialSePct - 100 * Math.sqrt((0.22 * 0.78) / 10000)) < 1e-12); // 0.414 points
    assert.ok(Number.isNaN(seedSpreadSummary([row(0, 20)]).sdPct));
    assert.throws(() => seedSpreadSummary([]), /no rows/);
    assert.match(
      seedSpreadFinding([row(0, 20), row(1, 22), row(2, 24)]),
      /3 evaluation seeds: test error 22\.00% on average, from 20\.00% to 24\.00% \(sd 2\.00 points; the binomial standard error on 10,000 test images alone is 0\.41\)/,
    );
  });

  it("evaluates one genotype at each seed under the preset's config with that seed, reading finished ones back", async () => {
    const { dir, cleanup } = tempDir();
    const before = process.env.RDARTS_RESULTS;
    process.env.RDARTS_RESULTS = dir;
    try {
      const source = { kind: 'name' as const, name: 'DARTS_V2' };
      const rows = await seedSpread(DARTS_V2, 'smoke', source, [0, 1]);
      assert.deepStrictEqual(
        rows.map((r) => [r.seed, r.evalId]),
        [
          [0, evalId(DARTS_V2, resolveTrainConfig('smoke'))],
          [1, evalId(DARTS_V2, spreadTrainConfig('smoke', 1))],
        ],
      );
      assert.strictEqual(spreadTrainConfig('smoke', 1).seed, 1);
      assert.notStrictEqual(rows[0].evalId, rows[1].evalId);
      assert.deepStrictEqual(await seedSpread(DARTS_V2, 'smoke', source, [0, 1]), rows);
      assert.ok(rows.every((r) => r.testImages > 0 && r.testErrorPct >= 0 && r.testErrorPct <= 100));
    } finally {
      if (before === undefined) delete process.env.RDARTS_RESULTS;
      else process.env.RDARTS_RESULTS = before;
      cleanup();
    }
  });
});

describe('spreadReading', () => {
  it('counts a difference only beyond the range; exactly the range is still inside', () => {
    assert.strictEqual(spreadReading(-1.83, 1.83), 'within the seed range');
    assert.strictEqual(spreadReading(1.83, 1.83), 'within the seed range');
    assert.strictEqual(spreadReading(-1.84, 1.83), 'lower, beyond the seed range');
    assert.strictEqual(spreadReading(2, 1.83), 'higher, beyond the seed range');
    assert.strictEqual(spreadReading(0, 0), 'within the seed range');
  });
});
