import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import {
  checkRsWsParameters,
  ensureRsWs,
  rsWsEpoch,
  scoreArchitecture,
  scoreBatchesOf,
  selectionArchitecture,
  trainingArchitecture,
} from '../../lib/baselines/rs_ws';
import { dartsRsWs } from '../../lib/baselines/rs_ws_spaces';
import { baselineDir, baselineId } from '../../lib/baselines/store';
import { cosineLr } from '../../lib/search/loop';
import { createSearchState, disposeSearchState, searchData } from '../../lib/problems/darts/problem';
import { SPACES } from '../../lib/spaces/spaces';
import { checkArchitecture } from '../../lib/problems/darts/supernet/network';
import { assertNoTensorLeak, tempDir, withoutSeconds } from '../helpers';
import { fakeDataset, smokeConfig } from '../search/fixtures';

const PARAMS = { samples: 6, scoreBatches: 2, topK: 3 };

/** What a run stored, without wall-clock times (the rest must repeat exactly). */
describe('ensureRsWs', () => {
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: root, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it("trains for the DARTS search's steps, scores the samples, re-scores the top k and stores the result", async () => {
    const config = smokeConfig();
    const steps: string[] = [];
    const run = await ensureRsWs(config, {
      root,
      train: fakeDataset(),
      progress: 'off',
      ...PARAMS,
      onStep: (i) => steps.push(`${i.epoch}.${i.step}`),
    });
    assert.strictEqual(run.status, 'started');
    assert.strictEqual(run.dir, path.join(root, 'baselines', baselineId(config, 'rs-ws', PARAMS)));
    // 24 weight images / batch 8: 3 steps an epoch, as the DARTS search of this config.
    assert.deepStrictEqual(steps, ['0.1', '0.2', '0.3', '1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
    assert.deepStrictEqual(
      run.epochs.map((r) => [r.epoch, r.steps, r.lr]),
      [0, 1, 2].map((e) => [e, 3, cosineLr(e, 3, 0.025, 0.001)]),
    );
    assert.ok(run.epochs.every((r) => r.train.loss > 0 && r.train.accuracy >= 0 && r.train.accuracy <= 1));
    assert.deepStrictEqual(
      run.samples.map((s) => s.index),
      [0, 1, 2, 3, 4, 5],
    );
    const result = run.result;
    assert.ok(result);
    assert.strictEqual(result.method, 'rs-ws');
    assert.deepStrictEqual(result.parameters, PARAMS);
    assert.strictEqual(result.scoreImages, 16);
    assert.strictEqual(result.top.length, 3);
    const ranked = [...run.samples].sort((a, b) => b.accuracy - a.accuracy || a.loss - b.loss || a.index - b.index).slice(0, 3);
    assert.deepStrictEqual(
      result.top.map((c) => c.index),
      ranked.map((s) => s.index),
    );
    const best = result.top.find((c) => c.index === result.best);
    assert.ok(best && result.top.every((c) => c.valid.accuracy <= best.valid.accuracy));
    assert.deepStrictEqual(result.genotype, best.genotype);
    checkArchitecture(result.genotype, SPACES.s3);
    assert.deepStrictEqual(fs.readdirSync(run.dir).sort(), ['checkpoint', 'config.json', 'epochs.jsonl', 'result.json', 'samples.jsonl']);
    assert.deepStrictEqual(fs.readdirSync(path.join(run.dir, 'checkpoint')), ['epoch-2.safetensors']);
    const again = await ensureRsWs(config, { root, train: fakeDataset(), ...PARAMS });
    assert.strictEqual(again.status, 'finished');
    assert.deepStrictEqual(again.result, result);
  });

  it('repeats exactly for a seed, and differs for another', async () => {
    const config = smokeConfig();
    const a = await ensureRsWs(config, { root: path.join(root, 'a'), train: fakeDataset(), progress: 'off', ...PARAMS });
    const b = await ensureRsWs(config, { root: path.join(root, 'b'), train: fakeDataset(), progress: 'off', ...PARAMS });
    assert.deepStrictEqual(withoutSeconds([b.epochs, b.samples, b.result]), withoutSeconds([a.epochs, a.samples, a.result]));
    const c = await ensureRsWs(smokeConfig({ seed: 1 }), { root, train: fakeDataset(), progress: 'off', ...PARAMS });
    assert.notDeepStrictEqual(
      c.samples.map((s) => s.genotype),
      a.samples.map((s) => s.genotype),
    );
  });

  it('resumes after an interruption in training and in scoring with the results of an uninterrupted run', async () => {
    const config = smokeConfig();
    const opts = { train: fakeDataset(), progress: 'off' as const, ...PARAMS };
    const whole = await ensureRsWs(config, { root: path.join(root, 'whole'), ...opts });
    const cut = path.join(root, 'cut');
    const first = await ensureRsWs(config, { root: cut, ...opts, maxEpochs: 1 });
    assert.strictEqual(first.status, 'interrupted');
    assert.strictEqual(first.epochs.length, 1);
    const second = await ensureRsWs(config, { root: cut, ...opts, maxSamples: 4 });
    assert.deepStrictEqual([second.status, second.epochs.length, second.samples.length], ['interrupted', 3, 4]);
    const last = await ensureRsWs(config, { root: cut, ...opts });
    assert.strictEqual(last.status, 'resumed');
    assert.deepStrictEqual(
      withoutSeconds([last.epochs, last.samples, last.result]),
      withoutSeconds([whole.epochs, whole.samples, whole.result]),
    );
  });

  it('drops a checkpoint without its record (a crash between the two) and still ends as an uninterrupted run', async () => {
    const config = smokeConfig();
    const opts = { train: fakeDataset(), progress: 'off' as const, ...PARAMS };
    const whole = await ensureRsWs(config, { root: path.join(root, 'whole'), ...opts });
    const cut = await ensureRsWs(config, { root, ...opts, maxEpochs: 2 });
    const epochs = path.join(cut.dir, 'epochs.jsonl');
    fs.writeFileSync(epochs, fs.readFileSync(epochs, 'utf8').split('\n').slice(0, 1).join('\n') + '\n');
    const resumed = await ensureRsWs(config, { root, ...opts });
    assert.deepStrictEqual(
      withoutSeconds([resumed.epochs, resumed.samples, resumed.result]),
      withoutSeconds([whole.epochs, whole.samples, whole.result]),
    );
  });

  it('checks its parameters, naming them, and gives each parameter set its own directory', () => {
    assert.throws(() => checkRsWsParameters({ samples: 5, scoreBatches: 2, topK: 6 }), /topK \(6\) must be <= samples \(5\)/);
    assert.throws(() => checkRsWsParameters({ samples: 5, scoreBatches: 0, topK: 1 }), /scoreBatches must be a positive integer, got 0/);
    const config = smokeConfig();
    assert.notStrictEqual(baselineDir(config, 'rs-ws', PARAMS, root), baselineDir(config, 'rs-ws', { ...PARAMS, samples: 7 }, root));
    assert.notStrictEqual(baselineId(config, 'rs-ws', PARAMS), baselineId(smokeConfig({ seed: 3 }), 'rs-ws', PARAMS));
    const reported = smokeConfig({ report: { progress: 'bar', logEvery: 9 } });
    assert.strictEqual(baselineId(config, 'rs-ws', PARAMS), baselineId(reported, 'rs-ws', PARAMS), 'report is not part of the id');
  });
});

describe('rsWsEpoch and scoreArchitecture', () => {
  it('draw their architectures from (seed, epoch, step) and (seed, index)', () => {
    const space = dartsRsWs(smokeConfig());
    assert.deepStrictEqual(trainingArchitecture(space, 1, 2), trainingArchitecture(space, 1, 2));
    assert.notDeepStrictEqual(trainingArchitecture(space, 1, 2), trainingArchitecture(space, 2, 1));
    assert.notDeepStrictEqual(selectionArchitecture(space, 0), selectionArchitecture(space, 1));
  });

  it('leak no tensor per step (besides the momentum buffers of newly used weights) or per score', async () => {
    const config = smokeConfig();
    const space = dartsRsWs(config);
    const data = searchData(config, fakeDataset());
    const before = tf.memory().numTensors;
    const state = createSearchState(config, data);
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    rsWsEpoch(space, data, state, 0, () => counts.push(tf.memory().numTensors - state.weightOpt.state().size));
    rsWsEpoch(space, data, state, 1, () => counts.push(tf.memory().numTensors - state.weightOpt.state().size));
    assert.deepStrictEqual(
      counts,
      counts.map(() => start),
      'tensors per step',
    );
    const batches = scoreBatchesOf(data.split.val, config.batchSize, 2, config.seed);
    await assertNoTensorLeak(() => scoreArchitecture(space, state.net, selectionArchitecture(space, 0), batches, 1));
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    disposeSearchState(state);
    assert.strictEqual(tf.memory().numTensors, before, 'all disposed');
  });
});
