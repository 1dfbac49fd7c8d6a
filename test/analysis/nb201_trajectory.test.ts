/** The epoch table of a NAS-Bench-201 search and where it collapsed (lib/analysis/nb201_trajectory.ts). */
import * as assert from 'assert';
import { nb201CollapseEpoch, nb201EarlyStop, nb201Trajectory, type Nb201TrajectoryRow } from '../../lib/analysis/nb201_trajectory';
import { CODE_RULE, firstEarlyStop } from '../../lib/control/early_stop';
import { MIXED, nb201Record, SKIP } from './nb201_fixtures';

// The record builder, with the benchmark's accuracies of each cell.
const record = (epoch: number, arch: string, eigenvalue?: number) =>
  nb201Record(epoch, arch, eigenvalue === undefined ? {} : { eigenvalue });

describe('the NAS-Bench-201 epoch table', () => {
  it("counts each cell's parameter-free edges and carries its benchmark accuracies, eigenvalue and time", () => {
    const rows = nb201Trajectory({ epochs: [record(0, MIXED, 0.1), record(1, SKIP)] });
    assert.deepStrictEqual(
      rows.map((r) => [r.epoch, r.parameterFree, r.skip, r.none, r.eigenvalue, r.seconds]),
      [
        [0, 3, 1, 1, 0.1, 15],
        [1, 6, 6, 0, null, 12],
      ],
    );
    assert.deepStrictEqual(
      [rows[1].cifar10, rows[1].cifar100, rows[1].imagenet16].map((v) => v.toFixed(2)),
      ['54.30', '15.61', '16.32'],
    );
  });

  it('dates a collapse from the first epoch after which every cell has 4 or more parameter-free edges', () => {
    const rows = (free: number[]) => free.map((parameterFree, epoch) => ({ epoch, parameterFree }) as Nb201TrajectoryRow);
    assert.strictEqual(nb201CollapseEpoch(rows([1, 4, 2, 4, 5, 6])), 3);
    assert.strictEqual(nb201CollapseEpoch(rows([4, 5, 6])), 0);
    assert.strictEqual(nb201CollapseEpoch(rows([4, 5, 3])), null);
    assert.strictEqual(nb201CollapseEpoch(rows([1, 2, 3]), 3), 2);
    assert.strictEqual(nb201CollapseEpoch([]), null);
  });

  it("replays DARTS-ES on the run's eigenvalues and returns the row of the epoch it stops at", () => {
    // Evaluated every 2 epochs: flat, then a rise that the code's rule (ratio > 1.3, from epoch 22) sees.
    const rows = Array.from({ length: 40 }, (_, epoch) => ({
      epoch,
      cifar10: 90 + epoch / 10,
      eigenvalue: epoch % 2 === 0 ? (epoch < 20 ? 0.1 : 0.5) : null,
    })) as Nb201TrajectoryRow[];
    const history = rows.filter((r) => r.eigenvalue !== null).map((r) => ({ epoch: r.epoch, dominantEigenvalue: r.eigenvalue as number }));
    const expected = firstEarlyStop(history, CODE_RULE, 40);
    assert.ok(expected.stop);
    const stop = nb201EarlyStop(rows, CODE_RULE, 40);
    assert.ok(stop);
    assert.deepStrictEqual([stop.decisionEpoch, stop.ratio, stop.row], [expected.decisionEpoch, expected.ratio, rows[expected.stopEpoch]]);
    assert.strictEqual(stop.row.epoch % 2, 0, 'the rule returns an evaluated epoch');
    assert.strictEqual(
      nb201EarlyStop(
        rows.map((r) => ({ ...r, eigenvalue: r.eigenvalue === null ? null : 0.1 })),
        CODE_RULE,
        40,
      ),
      null,
    );
  });
});
