import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureRun } from '../../lib/problems/darts/run';
import { runDirFor } from '../../lib/runs/store';
import { repoRoot, tempDir } from '../helpers';
import { fakeDataset, smokeConfig } from './fixtures';

/** The bytes of a run's epochs.jsonl (wall-clock times live in timings.jsonl). */
function records(dir: string): string {
  return fs.readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8');
}

describe('ensureRun', () => {
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: root, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('starts a run, then reads it back finished without searching again', async () => {
    const config = smokeConfig();
    const seen: string[] = [];
    const first = await ensureRun(config, {
      root,
      train: fakeDataset(),
      progress: 'off',
      hooks: { step: (i) => seen.push(`s${i.epoch}.${i.step}`), epoch: (r) => seen.push(`e${r.epoch}`) },
    });
    assert.strictEqual(first.status, 'started');
    assert.deepStrictEqual(seen, ['s0.1', 's0.2', 's0.3', 'e0', 's1.1', 's1.2', 's1.3', 'e1', 's2.1', 's2.2', 's2.3', 'e2']);
    assert.ok(first.run.done && first.run.genotype);
    assert.strictEqual(first.run.epochs.length, 3);
    assert.deepStrictEqual(fs.readdirSync(path.join(first.run.dir, 'checkpoint')), ['epoch-2.safetensors']);
    const again = await ensureRun(config, { root, train: fakeDataset(), progress: 'off' });
    assert.strictEqual(again.status, 'finished');
    assert.deepStrictEqual(again.run.epochs, first.run.epochs);
  });

  it('names a corrupt checkpoint with the remedy, changes nothing, and resumes as told once it is deleted', async () => {
    const config = smokeConfig();
    const cut = await ensureRun(config, { root, train: fakeDataset(), progress: 'off', maxEpochs: 2 });
    const file = path.join(cut.run.dir, 'checkpoint', 'epoch-1.safetensors');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100)); // truncated
    const before = records(cut.run.dir);
    await assert.rejects(ensureRun(config, { root, train: fakeDataset(), progress: 'off' }), (e: Error) => {
      assert.match(e.message, /safetensors .*epoch-1\.safetensors/);
      assert.ok(
        e.message.includes(
          `Remedy: delete ${file} and run the same command again; the run then resumes from epoch 0 (the 2 stored epochs are discarded`,
        ),
        e.message,
      );
      return true;
    });
    assert.strictEqual(records(cut.run.dir), before);
    fs.rmSync(file);
    const again = await ensureRun(config, { root, train: fakeDataset(), progress: 'off' });
    assert.strictEqual(again.status, 'started');
    assert.ok(again.run.done);
  });

  it('resumes an interrupted run and ends with the records of an uninterrupted one', async () => {
    const config = smokeConfig({ order: 'second' });
    const whole = await ensureRun(config, { root: path.join(root, 'a'), train: fakeDataset(), progress: 'off' });
    const cut = await ensureRun(config, { root: path.join(root, 'b'), train: fakeDataset(), progress: 'off', maxEpochs: 1 });
    assert.strictEqual(cut.status, 'interrupted');
    assert.strictEqual(cut.run.epochs.length, 1);
    const resumed = await ensureRun(config, { root: path.join(root, 'b'), train: fakeDataset(), progress: 'off' });
    assert.strictEqual(resumed.status, 'resumed');
    assert.deepStrictEqual(records(resumed.run.dir), records(whole.run.dir));
  });

  it('survives a process killed in the middle of an epoch (SIGKILL), resuming to the same records', async function () {
    // A child process runs the smoke search on the real Fashion-MNIST; we kill it once its first
    // epoch is on disk, resume here, and compare with an uninterrupted run.
    if (!fs.existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz') && !process.env.RDARTS_DATA) this.skip();
    const config = smokeConfig({ trainSubset: 64, epochs: 4, dataset: 'fashion-mnist' });
    const dir = runDirFor(config, path.join(root, 'killed'));
    const script = `const { resolveConfig } = require(${JSON.stringify(path.join(repoRoot, 'lib/config/search_config'))});
      const { ensureRun } = require(${JSON.stringify(path.join(repoRoot, 'lib/problems/darts/run'))});
      const { initBackend } = require(${JSON.stringify(path.join(repoRoot, 'lib/backend'))});
      initBackend().then(() => ensureRun(resolveConfig('smoke', ${JSON.stringify({ trainSubset: 64, epochs: 4, batchSize: 8, dataset: 'fashion-mnist' })}),
        { root: ${JSON.stringify(path.join(root, 'killed'))}, progress: 'off' }));`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: repoRoot, stdio: 'ignore' });
    const epochsFile = path.join(dir, 'epochs.jsonl');
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(epochsFile) && fs.readFileSync(epochsFile, 'utf8').trim().split('\n').length >= 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 150)); // into the next epoch
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const stored = records(dir).trim().split('\n').length;
    assert.ok(stored >= 1 && stored < 4, `killed after ${stored} epochs`);
    const resumed = await ensureRun(config, { root: path.join(root, 'killed'), progress: 'off' });
    assert.strictEqual(resumed.status, 'resumed');
    const whole = await ensureRun(config, { root: path.join(root, 'whole'), progress: 'off' });
    assert.deepStrictEqual(records(resumed.run.dir), records(whole.run.dir));
  });
});

describe('ensureRun with bad data', () => {
  it('fails naming the data problem and leaves no run directory', async () => {
    const { dir: root, cleanup } = tempDir();
    const { dir: data, cleanup: cleanData } = tempDir();
    try {
      fs.mkdirSync(path.join(data, 'fashion-mnist'));
      for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        fs.writeFileSync(path.join(data, 'fashion-mnist', f), Buffer.from([0, 0, 8, 3, 0, 0])); // truncated header
      }
      const saved = process.env.RDARTS_DATA;
      process.env.RDARTS_DATA = data;
      try {
        await assert.rejects(ensureRun(smokeConfig({ trainSubset: null }), { root, progress: 'off' }), /idx3-ubyte/);
      } finally {
        if (saved === undefined) delete process.env.RDARTS_DATA;
        else process.env.RDARTS_DATA = saved;
      }
      assert.deepStrictEqual(fs.readdirSync(root), []);
    } finally {
      cleanup();
      cleanData();
    }
  });
});
