import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import type { DatasetSplits } from '../../lib/data/dataset';
import { evalBatches } from '../../lib/data/batches';
import { ensureRun } from '../../lib/problems/darts/run';
import { DARTS_V2, type Genotype } from '../../lib/spaces/genotype';
import { evaluateCommand, resolveGenotype } from '../../lib/train/evaluate_command';
import {
  createEvalState,
  disposeEvalState,
  ensureEvaluation,
  evalId,
  evaluate,
  evaluationData,
  loadEvalCheckpoint,
  readEvaluation,
  saveEvalCheckpoint,
  trainEpoch,
  type EvalFile,
} from '../../lib/train/train';
import { resolveTrainConfig, type TrainConfig } from '../../lib/train/train_config';
import { assertNoTensorLeak, tempDir } from '../helpers';
import { blockImages } from './data';
import { fakeDataset, smokeConfig } from '../search/fixtures';

const splits = (): DatasetSplits => ({ train: blockImages(64, 'train', 1), test: blockImages(64, 'test', 2) });

/** The smoke evaluation config (2 epochs, 4 steps each, 64 test images), with overrides. */
const smoke = (overrides: Partial<TrainConfig> = {}): TrainConfig => resolveTrainConfig('smoke', overrides);

/** eval.json without its wall-clock fields. */
function timeless(e: EvalFile): unknown {
  const { seconds: _s, createdAt: _c, finishedAt: _f, dir: _d, ...rest } = e as EvalFile & { dir?: string };
  return { ...rest, epochs: rest.epochs.map(({ seconds: _t, ...r }) => r) };
}

describe('trainEpoch', () => {
  it('lowers the training loss over a few epochs of the smoke network', async () => {
    const config = smoke({ epochs: 5, lrMax: 0.1, cutout: null, dropPathProb: 0 });
    const data = evaluationData(config, splits());
    const state = createEvalState(DARTS_V2, config, data);
    const records = [];
    for (const e of [0, 1, 2, 3, 4]) records.push(await trainEpoch(config, data, state, e));
    disposeEvalState(state);
    assert.deepStrictEqual(
      records.map((r) => r.steps),
      [4, 4, 4, 4, 4],
    );
    assert.ok(records[4].trainLoss < 0.8 * records[0].trainLoss, `losses ${records.map((r) => r.trainLoss.toFixed(3))}`);
  });

  it('sets the cosine learning rate and drop path p e / epochs, and tests epochTestSubset images', async () => {
    const config = smoke({ epochs: 4 });
    const data = evaluationData(config, splits());
    const state = createEvalState(DARTS_V2, config, data);
    const r = await trainEpoch(config, data, state, 2);
    disposeEvalState(state);
    assert.strictEqual(r.lr, 0.0125);
    assert.strictEqual(r.dropPathProb, 0.1);
    assert.strictEqual(r.testImages, 32);
    assert.ok(r.testAccuracy !== undefined && r.testAccuracy >= 0 && r.testAccuracy <= 1);
  });

  it('leaves no tensor behind across epochs', async () => {
    const config = smoke();
    const data = evaluationData(config, splits());
    const state = createEvalState(DARTS_V2, config, data);
    let epoch = 0;
    await assertNoTensorLeak(() => trainEpoch(config, data, state, epoch++));
    disposeEvalState(state);
  });
});

describe('evaluate', () => {
  it('gives the numbers of one forward pass over all the images, whatever the batch size', async () => {
    const config = smoke();
    const data = evaluationData(config, splits());
    const state = createEvalState(DARTS_V2, config, data);
    await trainEpoch(config, data, state, 0);
    const [all] = [...evalBatches(data.test, 40, 0, 40)];
    const logits = state.net.forward(all.x, { training: false }).logits;
    const labels = all.y.arraySync() as number[];
    const predicted = logits.argMax(1).arraySync() as number[];
    const expected = predicted.filter((p, i) => p === labels[i]).length / 40;
    tf.dispose([all.x, all.y, logits]);
    for (const batchSize of [7, 40, 64]) assert.strictEqual(evaluate(state.net, data.test, batchSize, 40).accuracy, expected);
    disposeEvalState(state);
  });

  it('is reproducible for a genotype with the noise op (its draws are seeded)', async () => {
    const config = smoke();
    const data = evaluationData(config, splits());
    const noisy: Genotype = {
      ...DARTS_V2,
      normal: DARTS_V2.normal.map(([op, input], i) => [i < 4 ? 'noise' : op, input]) as Genotype['normal'],
    };
    const state = createEvalState(noisy, config, data);
    await trainEpoch(config, data, state, 0);
    const a = evaluate(state.net, data.test, 16, 40, 7);
    assert.deepStrictEqual(evaluate(state.net, data.test, 16, 40, 7), a);
    disposeEvalState(state);
  });
});

describe('evalId', () => {
  it('is 12 hex digits that depend on the genotype and every config field, not on key order', () => {
    const config = smoke();
    const id = evalId(DARTS_V2, config);
    assert.match(id, /^[0-9a-f]{12}$/);
    const reordered = JSON.parse(
      JSON.stringify({
        reduceConcat: DARTS_V2.reduceConcat,
        reduce: DARTS_V2.reduce,
        normalConcat: DARTS_V2.normalConcat,
        normal: DARTS_V2.normal,
      }),
    );
    assert.strictEqual(evalId(reordered, { ...config }), id);
    assert.notStrictEqual(evalId(DARTS_V2, smoke({ seed: 1 })), id);
    const other: Genotype = { ...DARTS_V2, normal: [['max_pool_3x3', 0], ...DARTS_V2.normal.slice(1)] };
    assert.notStrictEqual(evalId(other, config), id);
  });

  it('rejects a bad genotype, naming the entry', () => {
    assert.throws(
      () => evalId({ ...DARTS_V2, normal: [['conv_9x9' as never, 0], ...DARTS_V2.normal.slice(1)] }, smoke()),
      /genotype\.normal\[0\]/,
    );
  });
});

describe('saveEvalCheckpoint / loadEvalCheckpoint', () => {
  it('restores weights, running statistics and momentum exactly, and refuses another network', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const config = smoke();
      const data = evaluationData(config, splits());
      const a = createEvalState(DARTS_V2, config, data);
      await trainEpoch(config, data, a, 0);
      const file = path.join(dir, 'a.safetensors');
      saveEvalCheckpoint(file, a, { evalId: 'x', epoch: 0 });
      const b = createEvalState(DARTS_V2, smoke({ seed: 5 }), data);
      loadEvalCheckpoint(file, b);
      for (const v of a.net.variables) {
        const w = b.net.variables.find((u) => u.name === v.name);
        assert.deepStrictEqual(w?.variable.dataSync(), v.variable.dataSync(), v.name);
      }
      const [sa, sb] = [a.opt.state(), b.opt.state()];
      assert.deepStrictEqual([...sb.keys()].sort(), [...sa.keys()].sort());
      for (const [k, t] of sa) assert.deepStrictEqual(sb.get(k)?.dataSync(), t.dataSync(), k);
      const c = createEvalState(DARTS_V2, smoke({ C: 6 }), data);
      assert.throws(
        () => loadEvalCheckpoint(file, c),
        /a\.safetensors: tensors do not match the model\n {2}misshapen: .*classifier\.weight \(expected F32\[10,96\], found F32\[10,64\]\)/,
      );
      [a, b, c].forEach(disposeEvalState);
    } finally {
      cleanup();
    }
  });
});

describe('ensureEvaluation', () => {
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: root, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('trains, tests and stores eval.json in <root>/<evalId>, then reads it back without training', async () => {
    const config = smoke();
    const epochs: number[] = [];
    const before = tf.memory().numTensors;
    const first = await ensureEvaluation(DARTS_V2, config, {
      root,
      data: splits(),
      progress: 'off',
      source: { kind: 'name', name: 'DARTS_V2' },
      hooks: { epoch: (r) => epochs.push(r.epoch) },
    });
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
    const e = first.evaluation;
    assert.strictEqual(first.status, 'started');
    assert.deepStrictEqual(epochs, [0, 1]);
    assert.strictEqual(e.dir, path.join(root, evalId(DARTS_V2, config)));
    assert.deepStrictEqual(Object.keys(e).sort(), [
      'backend',
      'config',
      'createdAt',
      'dir',
      'done',
      'epochs',
      'evalId',
      'finishedAt',
      'genotype',
      'params',
      'seconds',
      'source',
      'testAccuracy',
      'testError',
      'testImages',
      'testLoss',
      'versions',
    ]);
    assert.deepStrictEqual([e.done, e.testImages, e.epochs.length, e.source], [true, 64, 2, { kind: 'name', name: 'DARTS_V2' }]);
    assert.strictEqual(e.testError, 1 - (e.testAccuracy as number));
    assert.deepStrictEqual(e.config, config);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(e.genotype)), JSON.parse(JSON.stringify(DARTS_V2)));
    const state = createEvalState(DARTS_V2, config, evaluationData(config, splits()));
    assert.deepStrictEqual(e.params, {
      withoutAuxiliary: state.net.numParams({ auxiliary: false }),
      withAuxiliary: state.net.numParams({ auxiliary: true }),
    });
    assert.ok(e.params.withAuxiliary > e.params.withoutAuxiliary);
    // The stored checkpoint is the trained network: it reproduces the stored test error.
    loadEvalCheckpoint(path.join(e.dir, 'checkpoint', 'epoch-1.safetensors'), state);
    assert.strictEqual(1 - evaluate(state.net, splits().test, config.batchSize).accuracy, e.testError);
    disposeEvalState(state);
    assert.deepStrictEqual(fs.readdirSync(path.join(e.dir, 'checkpoint')), ['epoch-1.safetensors']);
    const again = await ensureEvaluation(DARTS_V2, config, { root, progress: 'off', hooks: { epoch: () => assert.fail('trained again') } });
    assert.strictEqual(again.status, 'finished');
    assert.deepStrictEqual(again.evaluation, e);
    const file = path.join(e.dir, 'eval.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"seed": 0', '"seed": 1'));
    assert.throws(() => readEvaluation(e.dir), /eval\.json: evalId "[0-9a-f]{12}" does not match its genotype and config; was it edited\?/);
  });

  describe('resume', () => {
    const config = smoke();
    let whole: EvalFile;
    beforeEach(async () => {
      whole = (await ensureEvaluation(DARTS_V2, config, { root: path.join(root, 'whole'), data: splits(), progress: 'off' })).evaluation;
    });

    it('resumes an interrupted evaluation and ends with the numbers of an uninterrupted one', async () => {
      const cut = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off', maxEpochs: 1 });
      assert.strictEqual(cut.status, 'interrupted');
      assert.deepStrictEqual([cut.evaluation.done, cut.evaluation.epochs.length, cut.evaluation.testError], [false, 1, undefined]);
      const resumed = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      assert.deepStrictEqual(timeless(resumed.evaluation), timeless(whole));
    });

    it('ignores a checkpoint without its record (killed between the two writes) and left-over temporary files', async () => {
      const cut = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off', maxEpochs: 1 });
      const folder = path.join(cut.evaluation.dir, 'checkpoint');
      fs.writeFileSync(path.join(folder, 'epoch-1.safetensors'), 'not a checkpoint');
      fs.writeFileSync(path.join(folder, '.epoch-1.safetensors.1.0.tmp'), 'half');
      const resumed = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      assert.deepStrictEqual(timeless(resumed.evaluation), timeless(whole));
      assert.deepStrictEqual(fs.readdirSync(folder), ['epoch-1.safetensors']);
    });
  });

  it('refuses a directory that holds another evaluation, and data smaller than the config, naming the field', async () => {
    const config = smoke();
    const { evaluation } = await ensureEvaluation(DARTS_V2, config, { root, data: splits(), progress: 'off', maxEpochs: 1 });
    await assert.rejects(
      ensureEvaluation(DARTS_V2, smoke({ seed: 9 }), { dir: evaluation.dir, data: splits(), progress: 'off' }),
      /holds evaluation [0-9a-f]{12}, not [0-9a-f]{12}/,
    );
    await assert.rejects(
      ensureEvaluation(DARTS_V2, smoke({ trainSubset: 65 }), { root, data: splits(), progress: 'off' }),
      /config\.trainSubset=65 exceeds the 64 train images/,
    );
    assert.strictEqual(fs.readdirSync(root).length, 1);
  });
});

describe('resolveGenotype', () => {
  let root: string;
  let cleanup: () => void;
  let runDir: string;
  let runGenotype: Genotype;
  before(async () => {
    ({ dir: root, cleanup } = tempDir());
    const { run } = await ensureRun(smokeConfig({ epochs: 1 }), { root: path.join(root, 'runs'), train: fakeDataset(), progress: 'off' });
    runDir = run.dir;
    runGenotype = run.genotype?.genotype as Genotype;
  });
  after(() => cleanup());

  it("resolves a name, a run directory, a runId, a genotype file and a run's genotype.json", () => {
    const runs = path.join(root, 'runs');
    assert.deepStrictEqual(resolveGenotype('DARTS_V2', runs), { genotype: DARTS_V2, source: { kind: 'name', name: 'DARTS_V2' } });
    const byDir = resolveGenotype(runDir, runs);
    assert.deepStrictEqual(byDir.genotype, runGenotype);
    assert.deepStrictEqual(byDir.source, { kind: 'run', runId: path.basename(runDir), dir: runDir, epoch: 0 });
    assert.deepStrictEqual(resolveGenotype(path.basename(runDir), runs), byDir);
    const file = path.join(root, 'g.json');
    fs.writeFileSync(file, JSON.stringify(DARTS_V2));
    assert.deepStrictEqual(resolveGenotype(file, runs), {
      genotype: JSON.parse(JSON.stringify(DARTS_V2)),
      source: { kind: 'file', path: file },
    });
    const stored = path.join(runDir, 'genotype.json');
    assert.deepStrictEqual(resolveGenotype(stored, runs).genotype, runGenotype);
  });

  it('says what it tried for a bad reference, and why a file or run does not do', async () => {
    const runs = path.join(root, 'runs');
    assert.throws(
      () => resolveGenotype('nope', runs),
      /"nope" is none of: a named genotype \(DARTS_V2\); a run directory or genotype JSON file \(no such path\); a runId under .*runs \(no .*runs\/nope\)/,
    );
    const file = path.join(root, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ normal: [] }));
    assert.throws(() => resolveGenotype(file, runs), /bad\.json does not hold a genotype: genotype\.normal = \[\]/);
    const cut = await ensureRun(smokeConfig({ epochs: 2 }), { root: runs, train: fakeDataset(), progress: 'off', maxEpochs: 1 });
    assert.throws(() => resolveGenotype(cut.run.dir, runs), new RegExp(`run ${cut.run.runId} .* is not finished \\(1/2 epochs\\)`));
  });

  it("with an epoch, takes that stored epoch's genotype (an unfinished run too), and refuses one that is not stored", async () => {
    const runs = path.join(root, 'runs');
    const cut = await ensureRun(smokeConfig({ epochs: 3 }), { root: runs, train: fakeDataset(), progress: 'off', maxEpochs: 2 });
    const first = resolveGenotype(cut.run.runId, runs, 0);
    assert.deepStrictEqual(first.genotype, cut.run.epochs[0].genotype);
    assert.deepStrictEqual(first.source, { kind: 'run', runId: cut.run.runId, dir: cut.run.dir, epoch: 0 });
    assert.deepStrictEqual(resolveGenotype(cut.run.dir, runs, 1).genotype, cut.run.epochs[1].genotype);
    assert.throws(
      () => resolveGenotype(cut.run.dir, runs, 2),
      new RegExp(`run ${cut.run.runId} in .* has no epoch 2 \\(stored: 0\\.\\.1\\)`),
    );
    assert.throws(
      () => resolveGenotype('DARTS_V2', runs, 0),
      /an epoch \(0\) picks a search run's genotype, but "DARTS_V2" is a named genotype/,
    );
  });
});

describe('evaluateCommand', () => {
  it('evaluates a genotype file, prints the test error and parameters, and reads the same evaluation back by name', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'darts_v2.json');
      fs.writeFileSync(file, JSON.stringify(DARTS_V2));
      const lines: string[] = [];
      const out = path.join(dir, 'evals');
      const first = await evaluateCommand(file, { preset: 'smoke', out, data: splits(), progress: 'off', log: (l) => lines.push(l) });
      assert.strictEqual(first.status, 'started');
      assert.deepStrictEqual(first.evaluation.source, { kind: 'file', path: file });
      const text = lines.join('\n');
      assert.match(text, /preset smoke: 3 cells, C 4, 2 epochs on fashion-mnist, seed 0/);
      assert.match(text, new RegExp(`parameters: [\\d,]+ \\(0\\.\\d{3} M; [\\d,]+ with the auxiliary head\\)`));
      assert.match(text, /test error \d+\.\d\d% on 64 test images after 2 epochs/);
      const byName = await evaluateCommand('DARTS_V2', { preset: 'smoke', out, progress: 'off', log: () => undefined });
      assert.strictEqual(byName.status, 'finished');
      assert.strictEqual(byName.evaluation.evalId, first.evaluation.evalId);
      const seeded = await evaluateCommand('DARTS_V2', {
        preset: 'smoke',
        out,
        seed: 2,
        data: splits(),
        progress: 'off',
        log: () => undefined,
      });
      assert.notStrictEqual(seeded.evaluation.evalId, first.evaluation.evalId);
      assert.strictEqual(readEvaluation(seeded.evaluation.dir).config.seed, 2);
    } finally {
      cleanup();
    }
  });
});
