import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadCheckpoint } from '../../lib/runs/checkpoint';
import { checkpointFile } from '../../lib/runs/store';
import { searchEpoch } from '../../lib/search/loop';
import { createSearchState, dartsProblem, disposeSearchState, searchData } from '../../lib/problems/darts/problem';
import type { EpochRecord } from '../../lib/runs/records';
import { ensureRun } from '../../lib/problems/darts/run';
import { tempDir } from '../helpers';
import { fakeDataset, smokeConfig } from './fixtures';

// The original code's debug mode (train_search.py): eigenvalue 0.1, then 2.0 from epoch 8 on in the
// first iteration only (after a DARTS-ADA rollback it stays 0.1).
const debugSeries = (epoch: number, rollbacks: number) => (epoch >= 8 && rollbacks === 0 ? 2.0 : 0.1);
// The code's rule with es_start_epoch 8, so that this series fires (with the default 10 it never
// does: test/control/early_stop.test.ts): decision at epoch 20 (the first allowed), stop epoch
// 20 - 12 = 8, ratio LA(16) / LA(8) = 2.0 / ((0.1 + 0.1 + 2 + 2 + 2) / 5 = 1.24).
const config = (earlyStop: 'stop' | 'simulate' | 'adaptive', epochs = 22) =>
  smokeConfig({ epochs, earlyStop, controller: { startEpoch: 20 } });
const strip = (rs: readonly EpochRecord[]) => rs.map(({ seconds: _s, ...r }) => r);

describe('ensureRun with the eigenvalue controller (docs/method.md §4)', () => {
  let root: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir: root, cleanup } = tempDir()));
  afterEach(() => cleanup());
  const run = (c: ReturnType<typeof config>, keepCheckpoint?: (e: number) => boolean) =>
    ensureRun(c, {
      root,
      train: fakeDataset(),
      progress: 'off',
      fakeCurvature: debugSeries,
      ...(keepCheckpoint ? { keepCheckpoint } : {}),
    });

  it("'stop' (DARTS-ES) ends the run at the decision epoch with the stop epoch's genotype", async () => {
    const { run: r } = await run(config('stop'));
    assert.ok(r.done);
    assert.strictEqual(r.epochs.length, 21); // epochs 0..20: it stopped at the decision
    assert.strictEqual(r.decisions.length, 1);
    const d = r.decisions[0];
    assert.deepStrictEqual([d.action, d.decisionEpoch, d.stopEpoch], ['stop', 20, 8]);
    assert.ok(Math.abs(d.ratio - 2 / 1.24) < 1e-12, `ratio ${d.ratio}`);
    assert.deepStrictEqual(r.genotype, { epoch: 8, genotype: r.epochs[8].genotype });
    assert.deepStrictEqual(d.genotype, r.epochs[8].genotype);
  });

  it("'stop' recorded before a crash (no DONE yet) finishes the run on the next call, searching nothing", async () => {
    const c = config('stop');
    const { run: r } = await run(c);
    fs.rmSync(path.join(r.dir, 'DONE'));
    fs.rmSync(path.join(r.dir, 'genotype.json'));
    let steps = 0;
    const again = await ensureRun(c, {
      root,
      train: fakeDataset(),
      progress: 'off',
      fakeCurvature: debugSeries,
      hooks: { step: () => steps++ },
    });
    assert.strictEqual(steps, 0);
    assert.ok(again.run.done);
    assert.deepStrictEqual(again.run.genotype, { epoch: 8, genotype: r.epochs[8].genotype });
  });

  it("'simulate' records the first decision and searches to the last epoch", async () => {
    const { run: r } = await run(config('simulate'));
    assert.strictEqual(r.epochs.length, 22);
    assert.deepStrictEqual(
      r.decisions.map((d) => [d.action, d.decisionEpoch, d.stopEpoch]),
      [['simulate', 20, 8]],
    );
    assert.deepStrictEqual(r.genotype?.epoch, 21);
  });

  it("'adaptive' (DARTS-ADA) rolls back to the stop epoch, raises L2 x10, and its later records equal a restart from that checkpoint", async () => {
    const c = config('adaptive');
    const { run: r } = await run(c, (e) => e === 8);
    assert.ok(r.done);
    assert.strictEqual(r.epochs.length, 22);
    assert.strictEqual(r.decisions.length, 1);
    const d = r.decisions[0];
    assert.deepStrictEqual([d.action, d.decisionEpoch, d.stopEpoch, d.l2.before], ['rollback', 20, 8, 3e-4]);
    assert.ok(Math.abs(d.l2.after - 3e-3) < 1e-15);
    assert.deepStrictEqual(
      d.discarded?.map((x) => x.epoch),
      [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
    assert.deepStrictEqual(
      r.epochs.map((x) => x.regularization?.l2),
      [...Array(9).fill(3e-4), ...Array(13).fill(d.l2.after)],
    );
    // The discarded epochs searched with the old L2; the new ones differ from them.
    assert.notDeepStrictEqual(strip(r.epochs.slice(9, 21)), d.discarded);

    // A fresh state loaded from the stop epoch's checkpoint, L2 raised, replays the same records.
    const data = searchData(c, fakeDataset());
    const state = createSearchState(c, data);
    loadCheckpoint(checkpointFile(r.dir, 8), state);
    state.weightOpt.options = { ...state.weightOpt.options, weightDecay: d.l2.after };
    const replay: EpochRecord[] = [];
    for (let e = 9; e < 22; e++) {
      replay.push(
        await searchEpoch(dartsProblem(c), data, state, e, {
          measureCurvature: async (_n, b, s, epoch) => ({
            ...r.epochs[epoch].hessian!,
            batchSize: b[0].y.shape[0],
            hvp: { ...r.epochs[epoch].hessian!.hvp, step: s.step },
          }),
        }),
      );
    }
    disposeSearchState(state);
    assert.deepStrictEqual(strip(replay), strip(r.epochs.slice(9)));
  });

  it('resumes an adaptive run after the rollback exactly as an uninterrupted one', async () => {
    const c = config('adaptive');
    const whole = (await run(c)).run;
    const other = tempDir();
    try {
      const opts = { root: other.dir, train: fakeDataset(), progress: 'off' as const, fakeCurvature: debugSeries };
      // maxEpochs bounds the epoch index: epochs 0..20, the rollback to 8, then 9..20; 21 is left.
      assert.strictEqual((await ensureRun(c, { ...opts, maxEpochs: 21 })).status, 'interrupted');
      const resumed = await ensureRun(c, opts);
      assert.strictEqual(resumed.status, 'resumed');
      assert.strictEqual(
        fs.readFileSync(path.join(resumed.run.dir, 'epochs.jsonl'), 'utf8'),
        fs.readFileSync(path.join(whole.dir, 'epochs.jsonl'), 'utf8'),
      );
      assert.deepStrictEqual(resumed.run.decisions, whole.decisions);
    } finally {
      other.cleanup();
    }
  });
});
