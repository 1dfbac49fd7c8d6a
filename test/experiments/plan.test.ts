import * as assert from 'assert';
import { runId } from '../../lib/config/search_config';
import { dpCutout, regularisationGrids, searchPlan } from '../../lib/experiments/plan';

describe('searchPlan', () => {
  it('plans DARTS on every space, DARTS-ADA, the L2 and the DP grids on S3 (docs/method.md §4, 6), all distinct runs', () => {
    const plan = searchPlan('mini');
    assert.deepStrictEqual(
      plan.map((e) => e.name),
      [
        'failure-s1',
        'failure-s2',
        'failure-s3',
        'failure-s4',
        'failure-darts',
        'ada-s3',
        'l2-0.0009',
        'l2-0.0027',
        'l2-0.0081',
        'l2-0.0243',
        'dp-0',
        'dp-0.2',
        'dp-0.4',
        'dp-0.6',
      ],
    );
    assert.strictEqual(new Set(plan.map((e) => runId(e.config))).size, plan.length);
    assert.ok(plan.every((e) => e.config.seed === 1 && (e.group === 'failure' || e.config.space === 's3')));
    assert.ok(plan.filter((e) => e.group !== 'ada').every((e) => e.config.earlyStop === 'simulate'));
    const dp = plan.filter((e) => e.group === 'dp');
    assert.deepStrictEqual(
      dp.map((e) => e.config.regularization.dropPathProb),
      [0, 0.2, 0.4, 0.6],
    );
    assert.ok(dp.every((e) => e.config.augment.cutout?.length === 14 && e.config.augment.cutout.prob === 1));
    assert.ok(plan.filter((e) => e.group !== 'dp').every((e) => e.config.augment.cutout === null));
  });

  it('keeps the preset sizes and filters by group', () => {
    assert.deepStrictEqual(
      searchPlan('smoke', ['ada']).map((e) => [e.name, e.config.layers, e.config.epochs]),
      [['ada-s3', 3, 2]],
    );
  });

  it("scales Cutout's length with the image: 16 on 32 x 32, 14 on 28 x 28", () => {
    assert.deepStrictEqual(dpCutout('paper'), { length: 16, prob: 1 });
    assert.deepStrictEqual(dpCutout('mini'), { length: 14, prob: 1 });
  });

  it('names the R-DARTS grids: L2 over failure-s3 and the l2 group, drop path over the dp group', () => {
    assert.deepStrictEqual(regularisationGrids('mini'), {
      l2: ['failure-s3', 'l2-0.0009', 'l2-0.0027', 'l2-0.0081', 'l2-0.0243'],
      dp: ['dp-0', 'dp-0.2', 'dp-0.4', 'dp-0.6'],
    });
  });
});
