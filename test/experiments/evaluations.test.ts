import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { randomSearchTrainConfig } from '../../lib/measurements/baseline_settings';
import { randomSearchCandidate } from '../../lib/baselines/random_search';
import { ensureRsWs } from '../../lib/baselines/rs_ws';
import { evaluationPlan, plannedRsWs, randomSearchSourceName } from '../../lib/experiments/evaluations';
import { PLAN_SEED } from '../../lib/experiments/plan';
import { getSpace } from '../../lib/spaces/spaces';
import { searchPlan } from '../../lib/experiments/plan';
import { NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { LOCK_FILE } from '../../lib/runs/lock';
import { runDirFor } from '../../lib/runs/store';
import { ensureRun } from '../../lib/problems/darts/run';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { ensureEvaluation, evalId } from '../../lib/train/train';
import { resolveTrainConfig } from '../../lib/train/train_config';
import { withTempDir } from '../helpers';
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
  it("lists an unfinished search as waiting, then its final genotype under the preset's evalId", () =>
    withTempDir(async (root) => {
      const [ada] = searchPlan('smoke', ['ada']);
      const before = evaluationPlan('smoke', ['ada'], root);
      assert.deepStrictEqual(before.ready, []);
      assert.deepStrictEqual(before.waiting, [{ name: 'ada-s3', runId: path.basename(runDirFor(ada.config, root)), epochs: 0, of: 2 }]);
      const { run } = await ensureRun(ada.config, { root, train: fakeDataset(ada.config.trainSubset ?? 64), progress: 'off' });
      const after = evaluationPlan('smoke', ['ada'], root);
      assert.deepStrictEqual(after.waiting, []);
      assert.strictEqual(after.ready.length, 1);
      const [e] = after.ready;
      assert.deepStrictEqual([e.name, e.source], ['ada-s3', { kind: 'run', runId: run.runId, dir: run.dir, epoch: 1 }]);
      assert.deepStrictEqual(e.genotype, run.genotype?.genotype);
      assert.deepStrictEqual(e.trainConfig, resolveTrainConfig('smoke'));
      assert.strictEqual(e.evalId, evalId(e.genotype, resolveTrainConfig('smoke')));
    }));
});

describe('evaluationPlan with the failure group', () => {
  it("plans DARTS's S3 genotype at the spread's seeds, random search's candidates and, once run, RS-ws's genotype", () =>
    withTempDir(async (results) => {
      const runs = path.join(results, 'runs');
      const first = evaluationPlan('smoke', ['failure'], runs, undefined, results);
      assert.deepStrictEqual(
        first.waiting.map((w) => w.name),
        ['failure-s1', 'failure-s2', 'failure-s3', 'failure-s4', 'failure-darts'],
      );
      assert.deepStrictEqual(
        first.ready.map((e) => e.name),
        ['rs candidate 0', 'rs candidate 1', 'rs candidate 2'],
      );
      assert.deepStrictEqual(
        first.ready.map((e) => e.source),
        [0, 1, 2].map((i) => ({ kind: 'name', name: randomSearchSourceName(i) })),
      );
      assert.deepStrictEqual(first.ready[1].genotype, randomSearchCandidate(getSpace('s3'), PLAN_SEED, 1));
      assert.deepStrictEqual(first.ready[1].trainConfig, randomSearchTrainConfig('smoke'));
      const [s3] = searchPlan('smoke', ['failure']).filter((p) => p.config.space === 's3');
      const { run } = await ensureRun(s3.config, { root: runs, train: fakeDataset(64), progress: 'off' });
      const rsWs = plannedRsWs('smoke', results);
      assert.deepStrictEqual(rsWs.config, s3.config);
      await ensureRsWs(rsWs.config, { ...rsWs.parameters, root: results, train: fakeDataset(64), progress: 'off' });
      const second = evaluationPlan('smoke', ['failure'], runs, undefined, results);
      assert.deepStrictEqual(
        second.ready.map((e) => e.name),
        ['failure-s3', 'failure-s3 seed 1', 'failure-s3 seed 2', 'rs candidate 0', 'rs candidate 1', 'rs candidate 2', 'rs-ws'],
      );
      assert.deepStrictEqual(
        second.ready.map((e) => e.trainConfig.seed),
        [0, 1, 2, 0, 0, 0, 0],
      );
      assert.ok(second.ready.slice(0, 3).every((e) => JSON.stringify(e.genotype) === JSON.stringify(run.genotype?.genotype)));
      assert.strictEqual(new Set(second.ready.map((e) => e.evalId)).size, 7);
      assert.deepStrictEqual(
        evaluationPlan('smoke', ['failure'], runs, ['failure-s3'], results).ready.map((e) => e.name),
        ['failure-s3', 'failure-s3 seed 1', 'failure-s3 seed 2'],
        '--only leaves the baselines out',
      );
    }));
});

describe('read-only mode in ensureRun and ensureEvaluation', () => {
  it('refuses to start a search or an evaluation, writing nothing, and still reads a finished one back', () =>
    withTempDir(async (root) => {
      const [ada] = searchPlan('smoke', ['ada']);
      const train = fakeDataset(ada.config.trainSubset ?? 64);
      await assert.rejects(
        readOnly(() => ensureRun(ada.config, { root, train, progress: 'off' })),
        /search run \w{12} \(s3, seed 1\) is not finished and RDARTS_NO_COMPUTE is set \(read-only\); compute it with `rdarts experiment/,
      );
      assert.deepStrictEqual(fs.readdirSync(root), []);
      await ensureRun(ada.config, { root, train, progress: 'off' });
      assert.strictEqual((await readOnly(() => ensureRun(ada.config, { root, train, progress: 'off' }))).status, 'finished');
      const evals = path.join(root, 'evals');
      await assert.rejects(
        readOnly(() => ensureEvaluation(DARTS_V2, resolveTrainConfig('smoke'), { root: evals, progress: 'off' })),
        /evaluation \w{12} \(not started\) is not finished and RDARTS_NO_COMPUTE is set/,
      );
      assert.ok(!fs.existsSync(evals));
      assert.ok(!fs.existsSync(path.join(runDirFor(ada.config, root), LOCK_FILE)), 'the lock is released');
    }));
});
