import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DatasetSplits } from '../../lib/data/dataset';
import { searchPlan } from '../../lib/experiments/plan';
import { experimentRecords, recordGaps } from '../../lib/experiments/records';
import { ensureRun } from '../../lib/problems/darts/run';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { ensureEvaluation } from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';
import { blockImages } from '../train/data';

describe('experimentRecords', () => {
  it("lists a finished planned search and the preset's finished evaluations, without checkpoints, locks or other configs", async () => {
    const { dir: results, cleanup } = tempDir();
    try {
      const [ada] = searchPlan('smoke', ['ada']);
      const [l2] = searchPlan('smoke', ['l2']);
      const runs = path.join(results, 'runs');
      const { run } = await ensureRun(ada.config, { root: runs, train: fakeDataset(64), progress: 'off' });
      await ensureRun(l2.config, { root: runs, train: fakeDataset(64), progress: 'off', maxEpochs: 1 }); // unfinished: left out
      const splits = (): DatasetSplits => ({ train: blockImages(64, 'train', 1), test: blockImages(64, 'test', 2) });
      const evals = path.join(results, 'evals');
      const { evaluation } = await ensureEvaluation(DARTS_V2, resolveTrainConfig('smoke'), {
        root: evals,
        data: splits(),
        progress: 'off',
      });
      await ensureEvaluation(DARTS_V2, resolveTrainConfig('smoke', { epochs: 1 }), { root: evals, data: splits(), progress: 'off' });
      fs.writeFileSync(path.join(run.dir, '.lock'), '{}');
      const files = experimentRecords('smoke', results).map((f) => path.relative(results, f));
      assert.deepStrictEqual(files, [
        ...['DONE', 'config.json', 'decisions.jsonl', 'epochs.jsonl', 'genotype.json', 'timings.jsonl']
          .filter((f) => fs.existsSync(path.join(run.dir, f)))
          .map((f) => path.join('runs', run.runId, f)),
        path.join('evals', evaluation.evalId, 'eval.json'),
      ]);
      assert.ok(fs.readdirSync(path.join(run.dir, 'checkpoint')).length > 0, 'the run has a checkpoint, which is not a record');
      // ada-s3 is not measured by notebook 02 yet: a gap, named.
      assert.deepStrictEqual(
        recordGaps('smoke', results).map((g) => g.split(' (')[0]),
        ['ada-s3'],
      );
      fs.writeFileSync(path.join(run.dir, 'discretisation.json'), '{}');
      assert.deepStrictEqual(recordGaps('smoke', results), []);
    } finally {
      cleanup();
    }
  });
});
