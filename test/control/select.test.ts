import * as assert from 'assert';
import { FINAL_VALID_ACCURACY, FINAL_VALID_ERROR, selectRun } from '../../lib/control/select';
import type { StoredRun } from '../../lib/runs/run_read';

const run = (runId: string, accs: number[], done = true, genotypeEpoch = accs.length - 1) =>
  ({
    runId,
    done,
    epochs: accs.map((accuracy, epoch) => ({ epoch, valid: { accuracy, loss: 1 }, genotype: { normal: [], reduce: [] } })),
    genotype: done ? { epoch: genotypeEpoch, genotype: { normal: [[`g-${runId}`, 0]], reduce: [] } } : undefined,
  }) as unknown as StoredRun;

describe('selectRun', () => {
  it('keeps the run with the best final validation accuracy (R-DARTS, docs/method.md §4)', () => {
    const s = selectRun([run('a', [0.5, 0.7]), run('b', [0.6, 0.8]), run('c', [0.9, 0.75])]);
    assert.strictEqual(s.run.runId, 'b');
    assert.strictEqual(s.signal, 0.8);
    assert.deepStrictEqual(
      s.signals.map((x) => x.signal),
      [0.7, 0.8, 0.75],
    );
  });
  it('reads a run stopped early at its result epoch', () => {
    assert.strictEqual(FINAL_VALID_ACCURACY(run('e', [0.5, 0.95, 0.6], true, 1)), 0.95);
  });
  it('keeps the run with the lowest final error where the records hold an error (the disparity EPE)', () => {
    const s = selectRun([run('a', [2.0, 1.3]), run('b', [1.9, 1.1]), run('c', [1.0, 1.2])], FINAL_VALID_ERROR);
    assert.strictEqual(s.run.runId, 'b');
    assert.strictEqual(s.signal, -1.1);
  });
  it('refuses no runs and unfinished runs, naming them', () => {
    assert.throws(() => selectRun([]), /no runs/);
    assert.throws(() => selectRun([run('a', [0.5]), run('x', [0.4], false)]), /unfinished runs: x/);
  });
});
