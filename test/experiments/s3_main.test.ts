import * as assert from 'assert';
import { S3_MAIN_DARTS, s3MainRuns } from '../../lib/experiments/s3_main';

describe('the main grid on S3 (results/s3-main)', () => {
  it("takes the pilot's S3 searches at 1,000 steps, every seed, as its DARTS", () => {
    const names = ['s3-steps1000', 's3-steps1000-s2', 's3-steps3950', 's2-steps1000', 's3-steps1000-x'];
    assert.deepStrictEqual(
      names.filter((n) => S3_MAIN_DARTS.test(n)),
      ['s3-steps1000', 's3-steps1000-s2'],
    );
  });

  it("reads the committed records: the pilot's DARTS seeds first, then the grid's own entries, finished or pending", () => {
    const { runs, pending } = s3MainRuns();
    const names = [...runs.map((r) => r.name), ...pending.map((p) => p.name)];
    // 3 DARTS seeds of the pilot's grid, 9 entries of the S3 grid (DARTS-ADA, R-DARTS(L2), the alpha warm-up), each once.
    assert.strictEqual(names.length, 12, names.join());
    assert.strictEqual(new Set(names).size, 12);
    assert.ok(runs.some((r) => r.name === 's3-steps1000' && r.run.runId === '47215bb98af1'));
    for (const r of runs) assert.ok(r.run.done && r.run.config.space === 's3', r.name);
  });
});
