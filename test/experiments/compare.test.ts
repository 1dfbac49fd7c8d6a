import * as assert from 'assert';
import * as path from 'path';
import type { DatasetSplits } from '../../lib/data/dataset';
import { compareS3, compareS3Markdown } from '../../lib/experiments/compare';
import { searchPlan } from '../../lib/experiments/plan';
import { ensureRun } from '../../lib/problems/darts/run';
import { ensureEvaluation } from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';
import { blockImages } from '../train/data';

describe('compareS3', () => {
  it('sets the S3 methods side by side from the records, saying what is missing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const [runs, evals] = [path.join(dir, 'runs'), path.join(dir, 'evals')];
      const empty = compareS3('smoke', { runs, evals });
      assert.deepStrictEqual(
        empty.rows.map((r) => [r.method, r.how]),
        [
          ['DARTS', 'failure-s3 has not finished'],
          ['DARTS-ES', 'failure-s3 has not finished'],
          ['DARTS-ADA', 'ada-s3 has not finished'],
          ['R-DARTS(L2)', 'grid unfinished: failure-s3, l2-0.0009, l2-0.0027, l2-0.0081, l2-0.0243'],
          ['R-DARTS(DP)', 'grid unfinished: dp-0, dp-0.2, dp-0.4, dp-0.6'],
        ],
      );
      assert.deepStrictEqual(empty.spread, []);
      const plan = searchPlan('smoke');
      const darts = (
        await ensureRun(plan.find((p) => p.name === 'failure-s3')!.config, { root: runs, train: fakeDataset(64), progress: 'off' })
      ).run;
      const splits = (): DatasetSplits => ({ train: blockImages(64, 'train', 1), test: blockImages(64, 'test', 2) });
      const { evaluation } = await ensureEvaluation(darts.genotype!.genotype, resolveTrainConfig('smoke'), {
        root: evals,
        data: splits(),
        progress: 'off',
      });
      const { rows, spread } = compareS3('smoke', { runs, evals });
      assert.deepStrictEqual(
        rows.slice(0, 2).map((r) => [r.method, r.runId, r.epoch, r.testError]),
        [
          ['DARTS', darts.runId, 1, 100 * (evaluation.testError as number)],
          ['DARTS-ES', darts.runId, 1, 100 * (evaluation.testError as number)],
        ],
      );
      assert.match(rows[1].how, /^final genotype: the rule cannot fire before epoch 22/);
      assert.strictEqual(rows[0].eigenvalue, darts.epochs[1].hessian?.dominantEigenvalue);
      assert.deepStrictEqual(
        spread.map((s) => [s.seed, typeof s.testError]),
        [
          [0, 'number'],
          [1, 'string'],
          [2, 'string'],
        ],
      );
      assert.strictEqual(spread[1].testError, 'not evaluated');
      const md = compareS3Markdown('smoke', { runs, evals });
      assert.match(md, /^\| method \| how chosen \| run \|/);
      assert.match(md, /DARTS's genotype at evaluation seeds 0, 1, 2: \d+\.\d\d%, not evaluated, not evaluated\./);
    } finally {
      cleanup();
    }
  });
});
