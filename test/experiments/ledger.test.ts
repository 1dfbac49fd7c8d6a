import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { computeLedger, ledgerRows, ledgerTable, processHours } from '../../lib/experiments/ledger';
import { searchPlan } from '../../lib/experiments/plan';
import { ensureRun } from '../../lib/problems/darts/run';
import { readRun, runSeconds } from '../../lib/runs/store';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const write = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
};

describe('compute ledger', () => {
  it('counts a random-search baseline, which keeps samples.jsonl and no epochs.jsonl, once it is finished', () => {
    const { dir, cleanup } = tempDir();
    try {
      write(path.join(dir, 'nas-bench-201', 'baselines', 'r1', 'config.json'), { method: 'random-search' });
      write(path.join(dir, 'nas-bench-201', 'baselines', 'r1', 'samples.jsonl'), '');
      write(path.join(dir, 'nas-bench-201', 'baselines', 'r1', 'result.json'), { seconds: { total: 360 } });
      write(path.join(dir, 'nas-bench-201', 'baselines', 'r2', 'config.json'), { method: 'random-search' });
      write(path.join(dir, 'nas-bench-201', 'baselines', 'r2', 'samples.jsonl'), '');
      assert.deepStrictEqual(computeLedger(dir), [{ folder: 'nas-bench-201/baselines', id: 'r1', kind: 'baseline', seconds: 360 }]);
    } finally {
      cleanup();
    }
  });

  it("sums every record's own seconds by folder: searches, the three kinds of evaluation, baselines", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const [darts] = searchPlan('smoke', ['failure']);
      const run = (await ensureRun(darts.config, { root: path.join(dir, 'runs'), train: fakeDataset(64), progress: 'off' })).run;
      const searchSeconds = run.epochs.reduce((a, r) => a + r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0), 0);
      // Images: the total in `seconds`; language and disparity: in done.seconds.
      write(path.join(dir, 'evals', 'e1', 'eval.json'), { done: true, seconds: 1800, epochs: [{ seconds: 1 }] });
      write(path.join(dir, 'ptb', 'evals', 'l1', 'lm_eval.json'), { done: { seconds: 3600 }, epochs: [{ seconds: 5 }] });
      write(path.join(dir, 'ptb', 'evals', 'l1', 'checkpoint', 'x.json'), '{}');
      write(path.join(dir, 'disparity', 'evals', 'd1', 'disparity_eval.json'), { done: { seconds: 1800 }, epochs: [{ seconds: 600 }] });
      // Unfinished records are not counted yet: an evaluation without `done`, a baseline still training.
      write(path.join(dir, 'disparity', 'evals', 'd2', 'disparity_eval.json'), { done: null, epochs: [{ seconds: 600 }] });
      write(path.join(dir, 'baselines', 'b1', 'config.json'), { method: 'rs-ws' });
      write(path.join(dir, 'baselines', 'b1', 'epochs.jsonl'), '');
      write(path.join(dir, 'baselines', 'b1', 'result.json'), { seconds: { total: 720 } });
      write(path.join(dir, 'baselines', 'b2', 'config.json'), { method: 'rs-ws' });
      write(path.join(dir, 'baselines', 'b2', 'epochs.jsonl'), '');
      // A record beside folders of records is labelled by its own path.
      fs.cpSync(run.dir, path.join(dir, 'ptb', 'quick-run'), { recursive: true });
      // Another preset's outputs (the tests' smoke runs), tables, figures and checkpoints: not records of the report.
      write(path.join(dir, 'smoke', 'evals', 's1', 'eval.json'), { done: true, seconds: 99999 });
      write(path.join(dir, 'tables', 'x', 'eval.json'), { done: true, seconds: 99999 });
      write(path.join(dir, 'ptb', 'checkpoint', 'x', 'eval.json'), { done: true, seconds: 99999 });

      const entries = computeLedger(dir);
      assert.deepStrictEqual(
        // Rounded: the sums' order of additions differs in the last bit.
        entries.map((e) => [e.folder, e.id, e.kind, round(e.seconds)]),
        [
          ['baselines', 'b1', 'baseline', 720],
          ['disparity/evals', 'd1', 'evaluation', 1800],
          ['evals', 'e1', 'evaluation', 1800],
          ['ptb/evals', 'l1', 'evaluation', 3600],
          ['ptb', 'quick-run', 'search', round(searchSeconds)],
          ['runs', run.runId, 'search', round(searchSeconds)],
        ],
      );
      const rows = ledgerRows(entries);
      assert.deepStrictEqual(rows[0], { folder: 'baselines', searches: 0, evaluations: 0, baselines: 1, hours: 0.2 });
      assert.deepStrictEqual(
        rows.map((r) => r.folder),
        ['baselines', 'disparity/evals', 'evals', 'ptb/evals', 'ptb/quick-run', 'runs', 'total'],
      );
      assert.deepStrictEqual([rows[6].searches, rows[6].evaluations, rows[6].baselines], [2, 3, 1]);
      assert.ok(Math.abs(processHours(entries) - (720 + 1800 + 1800 + 3600 + 2 * searchSeconds) / 3600) < 1e-12);
      assert.ok(Math.abs(processHours(entries, ['ptb', 'evals']) - (searchSeconds + 3600 + 1800) / 3600) < 1e-12);
      // A prefix matches whole folder names only.
      assert.strictEqual(processHours(entries, ['ev']), 0);
      assert.match(ledgerTable(entries), /\| `ptb\/evals\/` \| {2}\| 1 \| {2}\| 1\.00 \|\n/);
      assert.match(ledgerTable(entries), /\| \*\*total\*\* \| 2 \| 3 \| 1 \| \d+\.\d\d \|$/);

      write(path.join(dir, 'evals', 'e2', 'eval.json'), '{ not json');
      assert.throws(() => computeLedger(dir), /compute ledger: cannot read .*e2.eval\.json/);
      // `accept` is asked before a record is read: a corrupt record it leaves out does not throw.
      assert.strictEqual(computeLedger(dir, (_folder, id) => id !== 'e2').length, entries.length);
      assert.throws(() => computeLedger(path.join(dir, 'nowhere')), /compute ledger: .*nowhere does not exist/);
    } finally {
      cleanup();
    }
  });

  it("times the epochs that DARTS-ADA's rollbacks undid at the run's mean epoch", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const [ada] = searchPlan('smoke', ['ada']);
      const stored = readRun((await ensureRun(ada.config, { root: dir, train: fakeDataset(64), progress: 'off' })).run.dir);
      const kept = stored.epochs.reduce((a, r) => a + r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0), 0);
      const plain = runSeconds({ epochs: stored.epochs, decisions: [] });
      assert.deepStrictEqual([round(plain.seconds), plain.undone], [round(kept), 0]);
      const undid = { action: 'rollback', discarded: [stored.epochs[0], stored.epochs[0], stored.epochs[0]] };
      const r = runSeconds({ epochs: stored.epochs, decisions: [undid as never] });
      assert.strictEqual(r.undone, 3);
      assert.ok(Math.abs(r.seconds - kept * (1 + 3 / stored.epochs.length)) < 1e-9);
      assert.deepStrictEqual(runSeconds({ epochs: [], decisions: [] }), { seconds: 0, undone: 0 });
    } finally {
      cleanup();
    }
  });
});
