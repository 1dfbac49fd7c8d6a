import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { evaluationPlan } from '../../lib/experiments/evaluations';
import { searchPlan } from '../../lib/experiments/plan';
import { NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { LOCK_FILE } from '../../lib/runs/lock';
import { runDirFor } from '../../lib/runs/store';
import { ensureRun } from '../../lib/search/run';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { ensureEvaluation, evalId } from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

/** Runs `fn` with RDARTS_NO_COMPUTE set, restoring the environment after. */
async function readOnly<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.env[NO_COMPUTE_ENV];
  process.env[NO_COMPUTE_ENV] = '1';
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[NO_COMPUTE_ENV];
    else process.env[NO_COMPUTE_ENV] = before;
  }
}

describe('evaluationPlan', () => {
  it("lists an unfinished search as waiting, then its final genotype under the preset's evalId", async () => {
    const { dir: root, cleanup } = tempDir();
    try {
      const [ada] = searchPlan('smoke', ['ada']);
      const before = evaluationPlan('smoke', ['ada'], root);
      assert.deepStrictEqual(before.ready, []);
      assert.deepStrictEqual(before.waiting, [{ name: 'ada-s3', runId: path.basename(runDirFor(ada.config, root)), epochs: 0, of: 2 }]);
      const { run } = await ensureRun(ada.config, { root, train: fakeDataset(ada.config.trainSubset ?? 64), progress: 'off' });
      const after = evaluationPlan('smoke', ['ada'], root);
      assert.deepStrictEqual(after.waiting, []);
      assert.strictEqual(after.ready.length, 1);
      const [e] = after.ready;
      assert.deepStrictEqual([e.name, e.runId, e.epoch, e.dir], ['ada-s3', run.runId, 1, run.dir]);
      assert.deepStrictEqual(e.genotype, run.genotype?.genotype);
      assert.strictEqual(e.evalId, evalId(e.genotype, resolveTrainConfig('smoke')));
    } finally {
      cleanup();
    }
  });
});

describe('read-only mode in ensureRun and ensureEvaluation', () => {
  it('refuses to start a search or an evaluation, writing nothing, and still reads a finished one back', async () => {
    const { dir: root, cleanup } = tempDir();
    try {
      const [ada] = searchPlan('smoke', ['ada']);
      const train = fakeDataset(ada.config.trainSubset ?? 64);
      await assert.rejects(readOnly(() => ensureRun(ada.config, { root, train, progress: 'off' })),
        /search run \w{12} \(s3, seed 1\) is not finished and RDARTS_NO_COMPUTE is set \(read-only\); compute it with `rdarts experiment/);
      assert.deepStrictEqual(fs.readdirSync(root), []);
      await ensureRun(ada.config, { root, train, progress: 'off' });
      assert.strictEqual((await readOnly(() => ensureRun(ada.config, { root, train, progress: 'off' }))).status, 'finished');
      const evals = path.join(root, 'evals');
      await assert.rejects(readOnly(() => ensureEvaluation(DARTS_V2, resolveTrainConfig('smoke'), { root: evals, progress: 'off' })),
        /evaluation \w{12} \(not started\) is not finished and RDARTS_NO_COMPUTE is set/);
      assert.ok(!fs.existsSync(evals));
      assert.ok(!fs.existsSync(path.join(runDirFor(ada.config, root), LOCK_FILE)), 'the lock is released');
    } finally {
      cleanup();
    }
  });
});
