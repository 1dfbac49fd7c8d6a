import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo } from '../../lib/backend';
import { resolveConfig, runId, type SearchConfig } from '../../lib/config/search_config';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import {
  appendEpoch,
  checkpointEpochs,
  checkpointFile,
  createRun,
  latestCheckpoint,
  listRuns,
  markDone,
  prepareResume,
  pruneCheckpoints,
  readEpochs,
  readRun,
  runDirFor,
  saveEpochCheckpoint,
  truncateEpochs,
} from '../../lib/runs/store';
import { Adam, Sgd } from '../../lib/nn/optim';
import type { EpochRecord } from '../../lib/runs/records';
import { genotype } from '../../lib/spaces/genotype';
import { SPACES } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';
import { assertNoTensorLeak, tempDir } from '../helpers';

/** A plausible record of `epoch` for S3: seeded alphas, their softmax and genotype. */
function makeRecord(epoch: number, seed = 0): EpochRecord {
  let s = seed * 1000 + epoch + 1;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const cell = (ops: readonly (readonly string[])[]) => ops.map((row) => row.map(() => rand() * 1e-3 * (epoch + 1)));
  const softmax = (rows: number[][]) =>
    rows.map((r) => {
      const e = r.map((v) => Math.exp(v - Math.max(...r)));
      return e.map((v) => v / e.reduce((a, b) => a + b, 0));
    });
  const alphas = { normal: cell(SPACES.s3.normal), reduce: cell(SPACES.s3.reduce) };
  const acc = 0.1 + 0.05 * epoch;
  return {
    epoch,
    lr: (0.025 * (1 + Math.cos((Math.PI * epoch) / 10))) / 2,
    steps: 4,
    train: { loss: 2.3 - 0.1 * epoch, accuracy: acc },
    search: { loss: 2.31 - 0.1 * epoch, accuracy: acc - 0.01 },
    valid: { loss: 2.32 - 0.1 * epoch, accuracy: acc - 0.02 },
    alphas,
    weights: { normal: softmax(alphas.normal), reduce: softmax(alphas.reduce) },
    genotype: genotype(alphas, SPACES.s3),
    seconds: { search: 1.5, valid: 0.25 },
    backend: 'cpu',
  };
}

const config = (over: { seed?: number; epochs?: number } = {}): SearchConfig => resolveConfig('smoke', { epochs: 6, ...over });
const touch = (file: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
};

describe('run store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  let n = 0;
  /** A fresh run with `epochs` records and checkpoint files (empty) of `checkpoints`. */
  function run(epochs = 0, checkpoints: number[] = []): string {
    const dir = createRun(config({ seed: 100 + n++ }), root);
    for (let e = 0; e < epochs; e++) appendEpoch(dir, makeRecord(e));
    for (const e of checkpoints) touch(checkpointFile(dir, e));
    return dir;
  }
  beforeEach(() => {
    tmp = tempDir();
    root = path.join(tmp.dir, 'runs');
  });
  afterEach(() => tmp.cleanup());

  describe('createRun / readRun', () => {
    it('writes config.json and reads the run back with its epochs', () => {
      const c = config();
      const dir = createRun(c, root);
      assert.strictEqual(dir, runDirFor(c, root));
      assert.strictEqual(path.basename(dir), runId(c));
      const stored = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      assert.deepStrictEqual(Object.keys(stored), ['runId', 'config', 'createdAt', 'backend', 'versions']);
      assert.strictEqual(stored.backend, backendInfo()!.name);
      assert.strictEqual(stored.versions.node, process.version);
      const records = [0, 1, 2].map((e) => makeRecord(e));
      for (const r of records) appendEpoch(dir, r);
      const back = readRun(dir);
      assert.deepStrictEqual(back.config, c);
      assert.deepStrictEqual(back.epochs, JSON.parse(JSON.stringify(records)));
      assert.deepStrictEqual([back.runId, back.done, back.genotype, back.lastCheckpoint], [runId(c), false, undefined, undefined]);
    });

    it('returns an existing run of the same config unchanged, whatever its report settings', () => {
      const dir = createRun(config(), root);
      const before = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
      const again = createRun(resolveConfig('smoke', { epochs: 6, report: { progress: 'log' } }), root);
      assert.strictEqual(again, dir);
      assert.strictEqual(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'), before);
    });

    it('throws, naming the run directory, when it holds another config', () => {
      const dir = createRun(config(), root);
      const other = createRun(config({ seed: 9 }), root);
      fs.copyFileSync(path.join(other, 'config.json'), path.join(dir, 'config.json')); // a simulated collision
      assert.throws(
        () => createRun(config(), root),
        (e: Error) => e.message.includes(`run directory ${dir} holds another config`),
      );
    });

    it('names a missing directory, and a config.json that fails validation or was edited', () => {
      const missing = path.join(root, 'nope');
      assert.throws(
        () => readRun(missing),
        (e: Error) => e.message.includes(`run directory ${missing} does not exist`),
      );
      const dir = run();
      const file = path.join(dir, 'config.json');
      const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify({ ...stored, config: { ...stored.config, batchSize: -3 } }));
      assert.throws(
        () => readRun(dir),
        (e: Error) => e.message.includes(`search config (${file}): batchSize: must be a positive integer, got -3`),
      );
      fs.writeFileSync(file, JSON.stringify({ ...stored, config: { ...stored.config, batchSize: 16 } }));
      assert.throws(
        () => readRun(dir),
        (e: Error) => e.message.includes(`${file}: runId "${stored.runId}" does not match its config`),
      );
    });
  });

  describe('appendEpoch / readEpochs', () => {
    it('accepts only the next epoch and leaves whole lines, no temporary files', () => {
      const dir = run(3);
      assert.throws(() => appendEpoch(dir, makeRecord(5)), /epoch 5 after 3 stored epochs/);
      assert.throws(() => appendEpoch(dir, makeRecord(2)), /epoch 2 after 3 stored epochs/);
      const text = fs.readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(text.split('\n').length, 4);
      assert.ok(text.endsWith('}\n'));
      assert.deepStrictEqual(
        fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        [],
      );
    });

    it('names the file and line of a corrupt line or an epoch out of order', () => {
      const dir = run(3);
      const file = path.join(dir, 'epochs.jsonl');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      fs.writeFileSync(file, [lines[0], lines[1].slice(0, 40), lines[2]].join('\n'));
      assert.throws(
        () => readRun(dir),
        (e: Error) => e.message.includes(`${file}:2: not a valid JSON line`),
      );
      fs.writeFileSync(file, [lines[0], lines[2], ''].join('\n'));
      assert.throws(
        () => readEpochs(dir),
        (e: Error) => e.message.includes(`${file}:2: epoch 2, expected 1`),
      );
      fs.writeFileSync(file, [lines[0], '[1]', ''].join('\n'));
      assert.throws(
        () => readEpochs(dir),
        (e: Error) => e.message.includes(`${file}:2: not a JSON object`),
      );
    });
  });

  describe('latestCheckpoint / prepareResume', () => {
    it('ignores a checkpoint without its record; prepareResume deletes it and starts after the last pair', () => {
      const dir = run(2, [0, 1, 2]);
      assert.deepStrictEqual(latestCheckpoint(dir), { epoch: 1, file: checkpointFile(dir, 1) });
      assert.deepStrictEqual(readRun(dir).lastCheckpoint, { epoch: 1, file: checkpointFile(dir, 1) });
      assert.deepStrictEqual(checkpointEpochs(dir), [0, 1, 2], 'readers delete nothing');
      touch(path.join(dir, '.epochs.jsonl.123.0.tmp'));
      assert.deepStrictEqual(prepareResume(dir), { startEpoch: 2, checkpoint: { epoch: 1, file: checkpointFile(dir, 1) } });
      assert.deepStrictEqual(checkpointEpochs(dir), [0, 1]);
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['checkpoint', 'config.json', 'epochs.jsonl', 'timings.jsonl']);
      assert.strictEqual(readEpochs(dir).length, 2);
    });

    it('drops records after the latest checkpoint, or all of them without one', () => {
      const dir = run(4, [0, 1]);
      assert.deepStrictEqual(prepareResume(dir).startEpoch, 2);
      assert.deepStrictEqual(
        readEpochs(dir).map((r) => r.epoch),
        [0, 1],
      );
      const bare = run(3);
      assert.deepStrictEqual(prepareResume(bare), { startEpoch: 0, checkpoint: undefined });
      assert.deepStrictEqual(readEpochs(bare), []);
      const done = run(1, [0]);
      markDone(done, makeRecord(0).genotype, 0, 1);
      assert.throws(() => prepareResume(done), /is finished/);
    });
  });

  describe('pruneCheckpoints', () => {
    it('deletes the rejected ones but never the latest or a newer one', () => {
      const dir = run(4, [0, 1, 2, 3, 4]);
      assert.deepStrictEqual(
        pruneCheckpoints(dir, (e) => e % 2 === 0),
        [1],
      );
      assert.deepStrictEqual(
        pruneCheckpoints(dir, () => false),
        [0, 2],
      );
      assert.deepStrictEqual(checkpointEpochs(dir), [3, 4]);
    });
  });

  describe('truncateEpochs', () => {
    it('keeps the first records, deletes later checkpoints and un-finishes the run', () => {
      const dir = run(4, [0, 1, 2, 3]);
      markDone(dir, makeRecord(3).genotype, 3, 10);
      truncateEpochs(dir, 2);
      const back = readRun(dir);
      assert.deepStrictEqual(
        back.epochs.map((r) => r.epoch),
        [0, 1],
      );
      assert.deepStrictEqual([back.done, back.genotype, back.lastCheckpoint?.epoch], [false, undefined, 1]);
      assert.deepStrictEqual(checkpointEpochs(dir), [0, 1]);
      assert.throws(() => truncateEpochs(dir, 3), /count must be an integer in \[0, 2\], got 3/);
      truncateEpochs(dir, 0);
      assert.deepStrictEqual(readRun(dir).epochs, []);
    });
  });

  describe('markDone', () => {
    it('writes genotype.json then DONE, read back by readRun', () => {
      const dir = run(3);
      const g = makeRecord(1).genotype;
      assert.throws(() => markDone(dir, g, 3, 1), /epoch 3 is not one of the 3 stored epochs/);
      assert.throws(() => markDone(dir, g, 1, NaN), /seconds must be >= 0, got NaN/);
      markDone(dir, g, 1, 12.5);
      const back = readRun(dir);
      assert.deepStrictEqual([back.done, back.genotype], [true, { epoch: 1, genotype: JSON.parse(JSON.stringify(g)) }]);
      assert.strictEqual(back.finished!.seconds, 12.5);
      assert.ok(!Number.isNaN(Date.parse(back.finished!.finishedAt)));
      fs.rmSync(path.join(dir, 'genotype.json'));
      assert.throws(
        () => readRun(dir),
        (e: Error) => e.message.includes(path.join(dir, 'genotype.json')),
      );
    });
  });

  describe('saveEpochCheckpoint', () => {
    it('saves the state with meta { epoch, runId } and leaks no tensors', async () => {
      const dir = run(1);
      const net = new SearchNetwork({ space: SPACES.s2, C: 2, layers: 3, classes: 10, inChannels: 1, seed: 1 });
      const weightOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
      const alphaOpt = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
      const state = { net, weightOpt, alphaOpt, meta: { note: 'x' } };
      await assertNoTensorLeak(() => {
        assert.strictEqual(saveEpochCheckpoint(dir, 0, state), checkpointFile(dir, 0));
        assert.deepStrictEqual(loadCheckpoint(checkpointFile(dir, 0), state).meta, { note: 'x', epoch: 0, runId: path.basename(dir) });
      });
      assert.deepStrictEqual(readRun(dir).lastCheckpoint, { epoch: 0, file: checkpointFile(dir, 0) });
      weightOpt.dispose();
      alphaOpt.dispose();
      net.dispose();
    });
  });

  describe('listRuns', () => {
    it('lists done, partial, empty and invalid runs, oldest first, without throwing', () => {
      assert.deepStrictEqual(listRuns(path.join(tmp.dir, 'none')), []);
      const setCreated = (dir: string, at: string) => {
        const file = path.join(dir, 'config.json');
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), createdAt: at }));
      };
      const done = run(2);
      markDone(done, makeRecord(1).genotype, 1, 3);
      setCreated(done, '2024-01-03T00:00:00.000Z');
      const partial = run(3);
      setCreated(partial, '2024-01-01T00:00:00.000Z');
      const empty = run(0);
      setCreated(empty, '2024-01-02T00:00:00.000Z');
      const invalid = run(1);
      fs.writeFileSync(path.join(invalid, 'config.json'), '{ "runId": ');
      const runs = listRuns(root);
      assert.deepStrictEqual(
        runs.map((r) => [r.dir, r.status, r.epochs]),
        [
          [partial, 'partial', 3],
          [empty, 'empty', 0],
          [done, 'done', 2],
          [invalid, 'invalid', 0],
        ],
      );
      assert.match(runs[3].error!, /config\.json is not valid JSON/);
      const p = runs[0];
      assert.deepStrictEqual(
        [p.space, p.dataset, p.seed, p.plannedEpochs, p.lastValidAccuracy],
        ['s3', 'fashion-mnist', readRun(partial).config.seed, 6, makeRecord(2).valid.accuracy],
      );
      assert.strictEqual(runs[1].lastValidAccuracy, undefined);
    });
  });
});

describe('run store timings', () => {
  it('keeps wall-clock seconds out of epochs.jsonl, in timings.jsonl, and merges them on read', () => {
    const { dir: root, cleanup } = tempDir();
    try {
      const dir = createRun(resolveConfig('smoke', {}), root);
      appendEpoch(dir, { ...makeRecord(0), seconds: { search: 1.5, valid: 0.25 } });
      const line = fs.readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8');
      assert.ok(!line.includes('seconds'), 'epochs.jsonl holds no timing');
      assert.strictEqual(fs.readFileSync(path.join(dir, 'timings.jsonl'), 'utf8'), '{"epoch":0,"search":1.5,"valid":0.25}\n');
      assert.deepStrictEqual(readEpochs(dir)[0].seconds, { search: 1.5, valid: 0.25 });
      fs.rmSync(path.join(dir, 'timings.jsonl'));
      assert.throws(() => readEpochs(dir), /timings\.jsonl: no timing for epoch 0/);
    } finally {
      cleanup();
    }
  });
});
