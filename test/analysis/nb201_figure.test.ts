/** The NAS-Bench-201 signature figure and its table (lib/analysis/nb201_figure.ts). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  type NamedNb201Run,
  nb201RunsDir,
  type Nb201SignatureRun,
  nb201SignatureFigure,
  nb201Method,
  nb201SignatureTable,
  readNb201Runs,
} from '../../lib/analysis/nb201_figure';
import { nb201EarlyStop, nb201Trajectory } from '../../lib/analysis/nb201_trajectory';
import { codeRule } from '../../lib/control/early_stop';
import { MIXED, nb201Record, SKIP } from './nb201_fixtures';
import { NB201_PAPER } from '../../lib/problems/nb201/config';

/** An epoch record with a hand-set CIFAR-10 accuracy (what the figure reads of the benchmark). */
const record = (epoch: number, arch: string, cifar10: number, eigenvalue: number | null) =>
  nb201Record(epoch, arch, eigenvalue === null ? { cifar10 } : { cifar10, eigenvalue });

/** A fake run: per epoch its cell, accuracy and eigenvalue (null: not measured). */
function fakeRun(
  runId: string,
  epochs: readonly { arch: string; cifar10: number; eigenvalue: number | null }[],
  evalEvery = 2,
  seed = 0,
): Nb201SignatureRun {
  return {
    runId,
    config: { ...NB201_PAPER, seed, epochs: epochs.length, hessian: { ...NB201_PAPER.hessian, evalEvery } },
    epochs: epochs.map((e, epoch) => record(epoch, e.arch, e.cifar10, e.eigenvalue)),
  } as unknown as Nb201SignatureRun;
}

/**
 * 40 epochs, eigenvalue every 2 epochs (and at the last): 0.1 before epoch 20, `late` from it;
 * cells MIXED up to epoch 29, SKIP from 30 (collapse 30) unless `collapse` is false.
 * With late = 0.5 the code's rule (evalEvery 2) fires at epoch 22: LA over evaluations 7..11 is
 * (3 x 0.1 + 2 x 0.5) / 5 = 0.26, over 3..7 it is 0.1, ratio 2.6 > 1.3; it returns evaluation 5,
 * epoch 10.
 */
function risingRun(runId: string, late: number, collapse = true): Nb201SignatureRun {
  return fakeRun(
    runId,
    Array.from({ length: 40 }, (_, epoch) => ({
      arch: collapse && epoch >= 30 ? SKIP : MIXED,
      cifar10: 94 - epoch / 8,
      eigenvalue: epoch % 2 === 0 || epoch === 39 ? (epoch < 20 ? 0.1 : late) : null,
    })),
  );
}

interface Trace {
  readonly x: number[];
  readonly y: (number | null)[];
  readonly yaxis: string;
  readonly xaxis: string;
  readonly showlegend: boolean;
  readonly legendgroup: string;
  readonly meta: { panel: number; role: string };
}
const traces = (fig: { data: readonly object[] }) => fig.data as Trace[];
const find = (fig: { data: readonly object[] }, panel: number, role: string) =>
  traces(fig).filter((t) => t.meta.panel === panel && t.meta.role === role);

describe('the NAS-Bench-201 signature figure', () => {
  it("holds exactly the rows' errors (100 - CIFAR-10 accuracy) at every epoch and the eigenvalues at the measured epochs only", () => {
    const run = fakeRun('a', [
      { arch: MIXED, cifar10: 90, eigenvalue: 0.25 },
      { arch: MIXED, cifar10: 91.5, eigenvalue: null },
      { arch: MIXED, cifar10: 93, eigenvalue: 0.5 },
      { arch: MIXED, cifar10: 92, eigenvalue: null },
      { arch: SKIP, cifar10: 80, eigenvalue: 1 },
      { arch: SKIP, cifar10: 54.25, eigenvalue: 0.75 },
    ]);
    const fig = nb201SignatureFigure([{ name: 'a', run }]);
    const [error] = find(fig, 0, 'error');
    assert.deepStrictEqual(
      [error.x, error.y],
      [
        [0, 1, 2, 3, 4, 5],
        [10, 8.5, 7, 8, 20, 45.75],
      ],
    );
    const [eigen] = find(fig, 0, 'eigenvalue');
    assert.deepStrictEqual(
      [eigen.x, eigen.y],
      [
        [0, 2, 4, 5],
        [0.25, 0.5, 1, 0.75],
      ],
    );
    // The eigenvalue on the panel's right axis, the error on its left one.
    assert.deepStrictEqual([error.yaxis, eigen.yaxis, error.xaxis, eigen.xaxis], ['y', 'y2', 'x', 'x']);
    const layout = fig.layout as Record<string, { overlaying?: string; side?: string; range?: number[] }>;
    assert.deepStrictEqual([layout.yaxis2.overlaying, layout.yaxis2.side], ['y', 'right']);
    // Six epochs: no DARTS-ES decision is possible (the code's rule decides from epoch 22).
    assert.deepStrictEqual([find(fig, 0, 'esDecision').length, find(fig, 0, 'esReturned').length], [0, 0]);
    // Collapse from epoch 4 (SKIP cells from there on), drawn across the whole error axis.
    const [collapse] = find(fig, 0, 'collapse');
    assert.deepStrictEqual(collapse.x, [4, 4]);
    const range = layout.yaxis.range as number[];
    assert.deepStrictEqual(
      collapse.y,
      range.map((v) => 10 ** v),
    );
    assert.ok(range[0] < Math.log10(7) && range[1] > Math.log10(45.75), 'the error range holds every error');
  });

  it('marks DARTS-ES where nb201EarlyStop stops (× on the eigenvalue, ○ on the returned cell), and nothing where it does not', () => {
    const rising = risingRun('rising', 0.5);
    const flat = risingRun('flat', 0.1, false);
    const fig = nb201SignatureFigure([
      { name: 'rising', run: rising },
      { name: 'flat', run: flat },
    ]);
    const stop = nb201EarlyStop(nb201Trajectory(rising), codeRule({ evalEvery: 2 }), 40);
    assert.ok(stop);
    assert.deepStrictEqual([stop.decisionEpoch, stop.row.epoch], [22, 10], 'worked out by hand in risingRun');
    const [decision] = find(fig, 0, 'esDecision');
    assert.deepStrictEqual([decision.x, decision.y, decision.yaxis], [[22], [0.5], 'y2']);
    const [returned] = find(fig, 0, 'esReturned');
    assert.deepStrictEqual([returned.x, returned.y, returned.yaxis], [[10], [100 - (94 - 10 / 8)], 'y']);
    assert.strictEqual(nb201EarlyStop(nb201Trajectory(flat), codeRule({ evalEvery: 2 }), 40), null);
    assert.deepStrictEqual(
      [find(fig, 1, 'esDecision').length, find(fig, 1, 'esReturned').length, find(fig, 1, 'collapse').length],
      [0, 0, 0],
    );
    const titles = (fig.layout as { annotations: { text: string }[] }).annotations.map((a) => a.text);
    assert.deepStrictEqual(
      titles.map((t) => /no stop/.test(t)),
      [false, true],
    );
    assert.deepStrictEqual(find(fig, 0, 'collapse')[0].x, [30, 30]);
  });

  it("replays the code's rule at the run's own evaluation interval", () => {
    // Measured every epoch: 0.1 before epoch 20, 0.5 from it. At evalEvery 1 the rule decides from
    // epoch 16 and fires at 20 (LA over 16..20 = 0.18, over 12..16 = 0.1) returning 14; read as
    // evalEvery 2 it would decide from 22 and return 16.
    const series = Array.from({ length: 40 }, (_, epoch) => ({ arch: MIXED, cifar10: 93, eigenvalue: epoch < 20 ? 0.1 : 0.5 }));
    const fig = nb201SignatureFigure([{ name: 'every epoch', run: fakeRun('e1', series, 1) }]);
    assert.deepStrictEqual([find(fig, 0, 'esDecision')[0].x, find(fig, 0, 'esReturned')[0].x], [[20], [14]]);
    const [row] = nb201SignatureTable([{ name: 'every epoch', run: fakeRun('e1', series, 1) }]);
    assert.deepStrictEqual([row.esRule, row.esDecisionEpoch, row.esEpoch], ['code evalEvery=1', 20, 14]);
  });

  it('draws one panel per run (1 and 3 runs), titled by name, each legend entry once', () => {
    for (const n of [1, 3]) {
      const runs: NamedNb201Run[] = Array.from({ length: n }, (_, k) => ({ name: `run ${k}`, run: risingRun(`r${k}`, 0.5) }));
      const fig = nb201SignatureFigure(runs);
      const layout = fig.layout as Record<string, unknown> & { annotations: { text: string }[]; height: number; width?: number };
      assert.deepStrictEqual(
        [...new Set(traces(fig).map((t) => t.meta.panel))],
        Array.from({ length: n }, (_, k) => k),
      );
      assert.strictEqual(Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k)).length, n);
      assert.strictEqual(Object.keys(layout).filter((k) => /^yaxis\d*$/.test(k)).length, 2 * n);
      assert.deepStrictEqual(
        layout.annotations.map((a) => a.text),
        runs.map((r) => `<b>DARTS: ${r.name}</b>`),
      );
      const shown = traces(fig).filter((t) => t.showlegend);
      assert.deepStrictEqual(shown.map((t) => t.meta.role).sort(), ['collapse', 'eigenvalue', 'error', 'esDecision', 'esReturned']);
      assert.strictEqual(layout.width, undefined, 'sized by its container');
      // Panel k's traces on its own axes.
      for (const t of traces(fig)) {
        assert.strictEqual(t.xaxis, t.meta.panel === 0 ? 'x' : `x${t.meta.panel + 1}`);
        assert.ok(
          [`y${2 * t.meta.panel + 1}`, `y${2 * t.meta.panel + 2}`].includes(t.yaxis === 'y' ? 'y1' : t.yaxis),
          `${t.meta.role} of panel ${t.meta.panel} on ${t.yaxis}`,
        );
      }
    }
    assert.ok(
      (nb201SignatureFigure([{ name: 'a', run: risingRun('a', 0.5) }]).layout as { height: number }).height <
        (nb201SignatureFigure(['a', 'b', 'c'].map((name) => ({ name, run: risingRun(name, 0.5) }))).layout as { height: number }).height,
    );
    assert.throws(() => nb201SignatureFigure([]), /no runs/);
  });
});

describe('the NAS-Bench-201 signature table', () => {
  it("names each run's method from its config: DARTS, R-DARTS(L2) with its strength, DARTS-ADA", () => {
    assert.strictEqual(nb201Method(NB201_PAPER), 'DARTS');
    assert.strictEqual(nb201Method({ ...NB201_PAPER, regularization: { l2: 0.0081, dropPathProb: 0 } }), 'R-DARTS(L2) 0.0081');
    assert.strictEqual(nb201Method({ ...NB201_PAPER, earlyStop: 'adaptive' }), 'DARTS-ADA');
  });

  it('gives final and best error, DARTS-ES, collapse and the eigenvalue means of a hand-checked run', () => {
    const cifar10 = [90, 91.5, 93, 93, 92, 80, 80, 54.25, 54.25, 54.25, 54.25, 54.25];
    // SKIP from epoch 5, MIXED again at 6: the collapse dates from 7.
    const arch = (epoch: number) => (epoch >= 5 && epoch !== 6 ? SKIP : MIXED);
    const eigen: Record<number, number> = { 0: 0.25, 2: 0.5, 4: 1, 6: 1, 8: 2, 10: 3, 11: 4.5 };
    const run = fakeRun(
      'hand',
      cifar10.map((c, epoch) => ({ arch: arch(epoch), cifar10: c, eigenvalue: eigen[epoch] ?? null })),
      2,
      3,
    );
    const [row] = nb201SignatureTable([{ name: 'hand', run }]);
    assert.deepStrictEqual(row, {
      name: 'hand',
      method: 'DARTS',
      runId: 'hand',
      seed: 3,
      epochs: 12,
      finalErrorPct: 45.75,
      bestErrorPct: 7,
      bestEpoch: 2, // the first of the two epochs at 7 %
      esRule: 'code',
      esDecisionEpoch: '',
      esEpoch: '',
      esErrorPct: '',
      collapseEpoch: 7,
      eigenvalueEpochs0to2: 0.375, // (0.25 + 0.5) / 2
      eigenvalueLast10: 2, // epochs 2..11: (0.5 + 1 + 1 + 2 + 3 + 4.5) / 6
    });
  });

  it("carries the DARTS-ES decision, the returned epoch and its cell's error where the rule stops", () => {
    const [rising, flat] = nb201SignatureTable([
      { name: 'rising', run: risingRun('rising', 0.5) },
      { name: 'flat', run: risingRun('flat', 0.1, false) },
    ]);
    assert.deepStrictEqual(
      [rising.esDecisionEpoch, rising.esEpoch, rising.esErrorPct, rising.collapseEpoch],
      [22, 10, 100 - (94 - 10 / 8), 30],
    );
    assert.deepStrictEqual([flat.esDecisionEpoch, flat.esEpoch, flat.esErrorPct, flat.collapseEpoch], ['', '', '', '']);
    // The error rises by 1/8 point an epoch: the best cell is epoch 0's (6 %), the final one 10.875 %.
    assert.deepStrictEqual([rising.bestEpoch, rising.bestErrorPct, rising.finalErrorPct], [0, 6, 10.875]);
    assert.deepStrictEqual([rising.eigenvalueEpochs0to2, rising.eigenvalueLast10], [0.1, 0.5]);
  });
});

describe('readNb201Runs', () => {
  it('reads the finished runs of a folder (those with DONE), named by what sets them apart and their seed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-nb201-'));
    try {
      const committed = nb201RunsDir();
      for (const id of ['71a8f249eca7', '8e8fdbc25a5d', '0e04f0e2e44e'])
        fs.cpSync(path.join(committed, id), path.join(root, id), { recursive: true });
      fs.rmSync(path.join(root, '0e04f0e2e44e', 'DONE'));
      fs.mkdirSync(path.join(root, 'not-a-run'));
      const runs = readNb201Runs(root);
      assert.deepStrictEqual(
        runs.map((r) => r.name),
        ['seed=0 (71a8f249eca7)', 'seed=1 (8e8fdbc25a5d)'],
      );
      assert.deepStrictEqual(
        runs.map((r) => r.run.epochs.length),
        [50, 50],
      );
      // With the alpha-first run finished too, the step order sets the runs apart.
      fs.writeFileSync(path.join(root, '0e04f0e2e44e', 'DONE'), fs.readFileSync(path.join(committed, '0e04f0e2e44e', 'DONE')));
      assert.deepStrictEqual(
        readNb201Runs(root).map((r) => r.name),
        [
          'stepOrder=alpha-first, seed=0 (0e04f0e2e44e)',
          'stepOrder=weight-first, seed=0 (71a8f249eca7)',
          'stepOrder=weight-first, seed=1 (8e8fdbc25a5d)',
        ],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    assert.throws(() => readNb201Runs(path.join(os.tmpdir(), 'rdarts-no-such-folder')), /no folder/);
  });
});
