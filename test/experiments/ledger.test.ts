import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { computeLedger, ledgerRows, ledgerTable, processHours } from '../../lib/experiments/ledger';
import { searchPlan } from '../../lib/experiments/plan';
import { ensureRun } from '../../lib/problems/darts/run';
import { readRun, runSeconds } from '../../lib/runs/store';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

const write = (file: string, value: unknown) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
};

describe('compute ledger', () => {
  it("sums every record's own seconds by folder: searches, the three kinds of evaluation, baselines", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const [darts] = searchPlan('smoke', ['failure']);
      const run = (await ensureRun(darts.config, { root: path.join(dir, 'runs'), train: fakeDataset(64), progress: 'off' })).run;
      const searchSeconds = run.epochs.reduce((a, r) => a + r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0), 0);
      // Images: the total in `seconds`; language: in done.seconds; disparity unfinished: its epochs'.
      write(path.join(dir, 'evals', 'e1', 'eval.json'), { done: true, seconds: 1800, epochs: [{ seconds: 1 }] });
      write(path.join(dir, 'ptb', 'evals', 'l1', 'lm_eval.json'), { done: { seconds: 3600 }, epochs: [{ seconds: 5 }] });
      write(path.join(dir, 'ptb', 'evals', 'l1', 'checkpoint', 'x.json'), '{}');
      write(path.join(dir, 'disparity', 'evals', 'd1', 'disparity_eval.json'), {
        done: null,
        epochs: [{ seconds: 600 }, { seconds: 1200 }],
      });
      write(path.join(dir, 'baselines', 'b1', 'config.json'), {});
      write(path.join(dir, 'baselines', 'b1', 'epochs.jsonl'), '');
      write(path.join(dir, 'baselines', 'b1', 'result.json'), { seconds: { total: 720 } });
      write(path.join(dir, 'baselines', 'b2', 'samples.jsonl'), '');
      // Another preset's outputs (the tests' smoke runs), tables and figures: not records of the report.
      write(path.join(dir, 'smoke', 'evals', 's1', 'eval.json'), { done: true, seconds: 99999 });
      write(path.join(dir, 'tables', 'x', 'eval.json'), { done: true, seconds: 99999 });

      const entries = computeLedger(dir);
      assert.deepStrictEqual(
        entries.map((e) => [e.folder, e.id, e.kind, e.done]),
        [
          ['baselines', 'b1', 'baseline', true],
          ['baselines', 'b2', 'baseline', false],
          ['disparity/evals', 'd1', 'evaluation', false],
          ['evals', 'e1', 'evaluation', true],
          ['ptb/evals', 'l1', 'evaluation', true],
          ['runs', run.runId, 'search', true],
        ],
      );
      assert.deepStrictEqual(
        entries.map((e) => e.seconds),
        [720, 0, 1800, 1800, 3600, searchSeconds],
      );
      const rows = ledgerRows(entries);
      assert.deepStrictEqual(rows[0], { folder: 'baselines', searches: '', evaluations: '', baselines: '2 (1 unfinished)', hours: 0.2 });
      assert.deepStrictEqual(rows[rows.length - 1].folder, 'total');
      assert.strictEqual(rows[rows.length - 1].evaluations, '3 (1 unfinished)');
      assert.ok(Math.abs(processHours(entries) - (720 + 1800 + 1800 + 3600 + searchSeconds) / 3600) < 1e-12);
      assert.strictEqual(processHours(entries, ['ptb', 'evals']), (3600 + 1800) / 3600);
      // A prefix matches whole folder names only.
      assert.strictEqual(processHours(entries, ['ev']), 0);
      assert.match(ledgerTable(entries), /\| `ptb\/evals\/` \| {2}\| 1 \| {2}\| 1\.00 \|\n/);
      assert.match(ledgerTable(entries), /\| \*\*total\*\* \| 1 \| 3 \(1 unfinished\) \| 2 \(1 unfinished\) \| \d+\.\d\d \|$/);

      write(path.join(dir, 'evals', 'e2', 'eval.json'), '{ not json');
      assert.throws(() => computeLedger(dir), /compute ledger: cannot read .*e2.eval\.json/);
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
      assert.deepStrictEqual(runSeconds({ epochs: stored.epochs, decisions: [] }), { seconds: kept, undone: 0 });
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
