import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { exportSize } from '../../lib/analysis/figure_html';
import {
  correlationRows,
  correlationText,
  curvatureErrorRow,
  curvatureFindings,
  curvatureScatter,
  discretisationRow,
  PAPER_EIGENVALUE_ERROR_PEARSON,
  type CorrelationRow,
  type CurvatureErrorRow,
  type DiscretisationRow,
} from '../../lib/analysis/curvature_vs_error';
import {
  checkpointDiscretisation,
  DISCRETISATION_FILE,
  discretisationAccuracy,
  type CurvatureRun,
} from '../../lib/measurements/discretisation';
import { pearson, spearman } from '../../lib/analysis/stats';
import { evalBatches } from '../../lib/data/batches';
import { mixSeed } from '../../lib/nn/random';
import { createSearchState, type DartsData, type DartsState, disposeSearchState, searchData } from '../../lib/problems/darts/problem';
import { ensureRun } from '../../lib/problems/darts/run';
import type { EpochRecord } from '../../lib/runs/records';

import { genotype, type Genotype } from '../../lib/spaces/genotype';
import { getSpace } from '../../lib/spaces/spaces';
import type { StoredEvaluation } from '../../lib/train/train';
import { assertNoTensorLeak, tempDir } from '../helpers';
import { fakeDataset, smokeConfig } from '../search/fixtures';

const net0 = (s: DartsState) => s.net;
const snapshot = (s: DartsState) =>
  [...s.net.variables.map((v) => v.variable), s.net.alphas.normal, s.net.alphas.reduce].map((v) => Array.from(v.dataSync()));
const architectureOf = (s: DartsState): Genotype =>
  genotype(
    { normal: s.net.alphas.normal.arraySync() as number[][], reduce: s.net.alphas.reduce.arraySync() as number[][] },
    getSpace('s3'),
  );

/** Correct predictions counted in plain JavaScript from the logits of each batch. */
function countCorrect(s: DartsState, data: DartsData, seed: number, architecture?: Genotype): number {
  const val = data.split.val;
  let [correct, b] = [0, 0];
  for (const batch of evalBatches(val.dataset, 8, val.start, val.end)) {
    const logits = net0(s).forward(batch.x, {
      training: true,
      updateRunningStats: false,
      seed: mixSeed(seed, b++),
      ...(architecture ? { architecture } : {}),
    });
    const rows = logits.arraySync() as number[][];
    const labels = Array.from(batch.y.dataSync());
    rows.forEach((row, i) => {
      if (row.indexOf(Math.max(...row)) === labels[i]) correct += 1;
    });
    tf.dispose([logits, batch.x, batch.y]);
  }
  return correct;
}

describe('discretisationAccuracy', () => {
  const config = smokeConfig();
  let data: DartsData;
  let state: DartsState;
  beforeEach(() => {
    data = searchData(config, fakeDataset());
    state = createSearchState(config, data);
  });
  afterEach(() => disposeSearchState(state));

  it('measures the supernet and the discrete architecture on every image of the subset, in training mode', () => {
    const architecture = architectureOf(state);
    const r = discretisationAccuracy(state.net, architecture, data.split.val, 8, 7);
    assert.strictEqual(r.images, 24);
    const [supernet, discrete] = [countCorrect(state, data, 7), countCorrect(state, data, 7, architecture)];
    assert.strictEqual(r.supernet, supernet / 24);
    assert.strictEqual(r.discrete, discrete / 24);
    assert.strictEqual(r.drop, (supernet - discrete) / 24);
  });

  it('changes neither the weights nor the running statistics nor the alphas', () => {
    const before = snapshot(state);
    discretisationAccuracy(state.net, architectureOf(state), data.split.val, 8, 7);
    assert.deepStrictEqual(snapshot(state), before);
  });

  it('leaks no tensors', async () => {
    const architecture = architectureOf(state);
    await assertNoTensorLeak(() => discretisationAccuracy(state.net, architecture, data.split.val, 8, 7));
  });

  it('throws on an empty subset, naming it, and on an architecture of another space', () => {
    const empty = { ...data.split.val, end: data.split.val.start };
    assert.throws(() => discretisationAccuracy(state.net, architectureOf(state), empty, 8, 7), /subset \[24, 24\) has no images/);
    const s1: Genotype = { ...architectureOf(state), normal: architectureOf(state).normal.map(([, i]) => ['noise', i]) };
    const before = tf.memory().numTensors;
    assert.throws(() => discretisationAccuracy(state.net, s1, data.split.val, 8, 7), /options\.architecture\.normal/);
    assert.strictEqual(tf.memory().numTensors, before);
  });
});

describe('checkpointDiscretisation', () => {
  let root: string;
  let cleanup: () => void;
  let run: CurvatureRun;
  before(async () => {
    ({ dir: root, cleanup } = tempDir());
    run = (await ensureRun(smokeConfig({ epochs: 2 }), { root, train: fakeDataset(), progress: 'off' })).run;
  });
  after(() => cleanup());

  it("measures the last checkpoint's supernet against the genotype of its alphas, on the alpha half", () => {
    const r = checkpointDiscretisation(run, { train: fakeDataset() });
    assert.strictEqual(r.epoch, 1);
    assert.deepStrictEqual(r.architecture, run.genotype?.genotype);
    assert.strictEqual(r.images, 24);
    assert.ok(r.supernet >= 0 && r.supernet <= 1 && r.discrete >= 0 && r.discrete <= 1);
    assert.deepStrictEqual(checkpointDiscretisation(run, { train: fakeDataset() }), r);
  });

  it('leaks no tensors', async () => {
    await assertNoTensorLeak(() => {
      fs.rmSync(path.join(run.dir, DISCRETISATION_FILE), { force: true }); // measure, not read back
      return checkpointDiscretisation(run, { train: fakeDataset() });
    });
  });

  it('stores the result in the run and reads it back without the checkpoint, on the same data only', () => {
    const r = checkpointDiscretisation(run, { train: fakeDataset() });
    const stored = JSON.parse(fs.readFileSync(path.join(run.dir, DISCRETISATION_FILE), 'utf8'));
    assert.deepStrictEqual(Object.keys(stored).sort(), ['architecture', 'data', 'discrete', 'drop', 'epoch', 'images', 'supernet']);
    const withoutCheckpoint = { ...run, lastCheckpoint: undefined };
    assert.deepStrictEqual(checkpointDiscretisation(withoutCheckpoint, { train: fakeDataset() }), r);
    const other = fakeDataset();
    other.labels.reverse();
    assert.throws(
      () => checkpointDiscretisation(withoutCheckpoint, { train: other }),
      new RegExp(
        `run in ${run.dir} has no checkpoint and its discretisation\\.json was measured on other data \\(\\w{12}, here \\w{12}\\)`,
      ),
    );
    assert.throws(
      () => checkpointDiscretisation({ ...withoutCheckpoint, epochs: [...run.epochs, run.epochs[1]] }, { train: fakeDataset() }),
      /discretisation\.json was measured at epoch 1, not at the last stored epoch 2/,
    );
    fs.rmSync(path.join(run.dir, DISCRETISATION_FILE));
    assert.throws(
      () => checkpointDiscretisation(withoutCheckpoint, { train: fakeDataset() }),
      new RegExp(`run in ${run.dir} has no checkpoint and no discretisation\\.json`),
    );
  });

  it('gives the row of discretisationRow in percent, beside the last measured eigenvalue', () => {
    const r = checkpointDiscretisation(run, { train: fakeDataset() });
    const row = discretisationRow('failure-s3', 'failure', run, { train: fakeDataset() });
    assert.deepStrictEqual(row, {
      name: 'failure-s3',
      group: 'failure',
      space: 's3',
      dominantEigenvalue: run.epochs[1].hessian?.dominantEigenvalue,
      checkpointEpoch: 1,
      supernetAccPct: 100 * r.supernet,
      discreteAccPct: 100 * r.discrete,
      dropPct: 100 * r.drop,
      images: 24,
    });
  });
});

const record = (epoch: number, eigenvalue?: number) =>
  ({ epoch, ...(eigenvalue === undefined ? {} : { hessian: { dominantEigenvalue: eigenvalue } }) }) as unknown as EpochRecord;
const SKIPS: Genotype = {
  normal: Array.from({ length: 8 }, (_, i) => ['skip_connect', i % 2] as const).map(([o, i]) => [o, i]),
  normalConcat: [2, 3, 4, 5],
  reduce: Array.from({ length: 8 }, (_, i) => ['sep_conv_3x3', i % 2] as const).map(([o, i]) => [o, i]),
  reduceConcat: [2, 3, 4, 5],
} as Genotype;
const fakeRun = (epochs: EpochRecord[], done = true) =>
  ({
    runId: 'r',
    dir: '/runs/r',
    config: { space: 's3' },
    epochs,
    done,
    genotype: done ? { epoch: epochs.length - 1, genotype: SKIPS } : undefined,
  }) as unknown as CurvatureRun;
const fakeEvaluation = (testError?: number) =>
  ({ dir: '/evals/e', done: testError !== undefined, testError, testImages: 64 }) as unknown as StoredEvaluation;

describe('curvatureErrorRow', () => {
  it('reads the last measured eigenvalue, the parameter-free share and the test error in %', () => {
    const row = curvatureErrorRow('failure-s3', 'failure', fakeRun([record(0, 0.1), record(1, 0.4), record(2)]), fakeEvaluation(0.125));
    assert.deepStrictEqual(row, {
      name: 'failure-s3',
      group: 'failure',
      space: 's3',
      eigenvalueEpoch: 1,
      dominantEigenvalue: 0.4,
      parameterFreeShare: 0.5,
      testErrorPct: 12.5,
      testImages: 64,
    });
  });

  it('leaves the eigenvalue blank when no epoch measured it', () => {
    const row = curvatureErrorRow('x', 'l2', fakeRun([record(0)]), fakeEvaluation(0.5));
    assert.strictEqual(row.dominantEigenvalue, '');
    assert.strictEqual(row.eigenvalueEpoch, '');
  });

  it('throws for an unfinished run or evaluation, naming its directory', () => {
    assert.throws(() => curvatureErrorRow('x', 'l2', fakeRun([record(0)], false), fakeEvaluation(0.5)), /run in \/runs\/r is not finished/);
    assert.throws(() => curvatureErrorRow('x', 'l2', fakeRun([record(0)]), fakeEvaluation()), /evaluation in \/evals\/e is not finished/);
  });
});

describe('correlationRows', () => {
  const names = { x: 'eigenvalue', y: 'error', paperPearson: PAPER_EIGENVALUE_ERROR_PEARSON };

  it('gives Pearson and Spearman with their bootstrap intervals, the paper beside Pearson only', () => {
    const xs = [0.1, 0.5, 0.2, 0.9, 0.4, 0.3];
    const ys = [10, 14, 9, 20, 15, 11];
    const rows = correlationRows(
      xs.map((x, i) => ({ x, y: ys[i] })),
      names,
      { seed: 3, samples: 500 },
    );
    assert.deepStrictEqual(
      rows.map((r) => [r.statistic, r.n, r.paper]),
      [
        ['pearson', 6, 0.867],
        ['spearman', 6, ''],
      ],
    );
    assert.strictEqual(rows[0].estimate, pearson(xs, ys));
    assert.strictEqual(rows[1].estimate, spearman(xs, ys));
    for (const r of rows) assert.ok(typeof r.ciLow === 'number' && typeof r.ciHigh === 'number' && r.ciLow <= r.ciHigh && r.ciHigh <= 1);
    assert.deepStrictEqual(
      correlationRows(
        xs.map((x, i) => ({ x, y: ys[i] })),
        names,
        { seed: 3, samples: 500 },
      ),
      rows,
    );
  });

  it('is 1 with the interval [1, 1] on a perfect line', () => {
    const rows = correlationRows(
      [1, 2, 3, 4].map((x) => ({ x, y: 2 * x + 1 })),
      names,
      { seed: 0, samples: 200 },
    );
    for (const r of rows) assert.deepStrictEqual([r.estimate, r.ciLow, r.ciHigh], [1, 1, 1]);
  });

  it('leaves out blank and non-finite points', () => {
    const rows = correlationRows(
      [
        { x: '', y: 1 },
        { x: 1, y: NaN },
        { x: 1, y: 1 },
        { x: 2, y: 3 },
        { x: 3, y: 2 },
      ],
      names,
      { seed: 0 },
    );
    assert.strictEqual(rows[0].n, 3);
    assert.strictEqual(rows[0].estimate, pearson([1, 2, 3], [1, 3, 2]));
  });

  it('gives blank coefficients with a note, never an error, for degenerate data', () => {
    const few = correlationRows(
      [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
      names,
      { seed: 0 },
    );
    assert.deepStrictEqual(
      few.map((r) => [r.estimate, r.ciLow, r.ciHigh, r.note]),
      Array(2).fill(['', '', '', '2 points; a coefficient needs 3']),
    );
    const flat = correlationRows(
      [1, 2, 3].map((x) => ({ x, y: 5 })),
      names,
      { seed: 0 },
    );
    assert.deepStrictEqual(
      flat.map((r) => [r.estimate, r.note]),
      Array(2).fill(['', 'error is the same for every point']),
    );
  });
});

describe('correlationText', () => {
  it('writes each coefficient with its interval, or why it is missing', () => {
    const row = (statistic: 'pearson' | 'spearman', estimate: number | '', note = ''): CorrelationRow => ({
      x: 'a',
      y: 'b',
      statistic,
      n: 5,
      estimate,
      ciLow: estimate === '' ? '' : -0.1,
      ciHigh: estimate === '' ? '' : 0.9,
      paper: '',
      note,
    });
    assert.strictEqual(
      correlationText([row('pearson', 0.456), row('spearman', '', 'b is the same for every point')]),
      'Pearson r = 0.46 (95% CI -0.10 to 0.90) · Spearman ρ = n/a (b is the same for every point)',
    );
  });
});

describe('curvatureScatter', () => {
  const point = (name: string, group: string, x: number | '', y: number) => ({ name, group, space: 's3' as const, x, y });

  it('draws one trace per group, a legend entry per space, and the correlations under the title', () => {
    const fig = curvatureScatter(
      [point('a', 'failure', 0.1, 5), { ...point('b', 'failure', 0.2, 6), space: 's1' }, point('c', 'l2', 0.3, 7), point('d', 'l2', '', 8)],
      correlationRows([], { x: 'x', y: 'y' }, { seed: 0 }),
      { title: 'T', x: 'X', y: 'Y', note: 'paper 0.867' },
    );
    const traces = fig.data as { name: string; x: (number | null)[]; marker: { symbol: string | string[] } }[];
    assert.deepStrictEqual(
      traces.map((t) => t.name),
      ['failure', 'l2', 'S1', 'S3'],
    );
    assert.deepStrictEqual(traces[0].marker.symbol, ['diamond', 'circle']);
    assert.deepStrictEqual(traces[1].x, [0.3]);
    const layout = fig.layout as { xaxis: { type?: string }; annotations: { text: string }[] };
    assert.strictEqual(layout.xaxis.type, undefined);
    assert.match(layout.annotations[0].text, /Pearson r = n\/a \(0 points; a coefficient needs 3\).*<br>paper 0\.867/);
    assert.strictEqual((fig.layout as { width?: number }).width, undefined, "no fixed width: it fits a notebook's output area");
    assert.deepStrictEqual(exportSize(fig), { width: 900, height: 600 });
  });

  it('labels points at the same place once, and turns the x axis logarithmic over more than a decade', () => {
    const fig = curvatureScatter([point('a', 'g', 0.01, 5), point('b', 'g', 0.01, 5), point('c', 'g', 1, 6)], [], {
      title: 'T',
      x: 'X',
      y: 'Y',
    });
    assert.deepStrictEqual((fig.data[0] as { text: string[] }).text, ['a, b', '', 'c']);
    assert.strictEqual((fig.layout as { xaxis: { type?: string } }).xaxis.type, 'log');
  });
});

describe('curvatureFindings', () => {
  const rows: CurvatureErrorRow[] = [0.1, 0.2, 0.4].map((v, i) => ({
    name: `n${i}`,
    group: 'l2',
    space: 's3',
    eigenvalueEpoch: 1,
    dominantEigenvalue: v,
    parameterFreeShare: 0.5,
    testErrorPct: 10 + i,
    testImages: 64,
  }));
  const drops: DiscretisationRow[] = rows.map((r, i) => ({
    name: r.name,
    group: r.group,
    space: r.space,
    dominantEigenvalue: r.dominantEigenvalue,
    checkpointEpoch: 1,
    supernetAccPct: 50,
    discreteAccPct: 50 - 2 * i,
    dropPct: 2 * i,
    images: 32,
  }));
  const correlations = correlationRows(
    rows.map((r) => ({ x: r.dominantEigenvalue, y: r.testErrorPct })),
    { x: 'e', y: 't', paperPearson: PAPER_EIGENVALUE_ERROR_PEARSON },
    { seed: 0 },
  );
  const dropCorrelations = correlationRows(
    drops.map((r) => ({ x: r.dominantEigenvalue, y: r.dropPct })),
    { x: 'e', y: 'd' },
    { seed: 0 },
  );

  it('says at smoke that only mini is meaningful, and why', () => {
    const lines = curvatureFindings('smoke', rows, correlations, drops, dropCorrelations);
    assert.match(
      lines[0],
      /^Preset smoke: these numbers are only meaningful at mini\. .*after 2 epochs .*64 test images \(one image = 1\.56 points\)/,
    );
    assert.ok(!curvatureFindings('mini', rows, correlations, drops, dropCorrelations).some((l) => l.includes('only meaningful')));
  });

  it('states the correlations beside the paper, the extremes, and the drop of low- and high-curvature searches', () => {
    const lines = curvatureFindings('mini', rows, correlations, drops, dropCorrelations);
    assert.match(lines[0], /over 3 architectures: Pearson r = 0\.98 .*the paper: Pearson 0\.867 over 24 architectures/);
    assert.match(lines[1], /^Highest curvature: n2 \(eigenvalue 0\.400, test error 12\.0%, 1 of 3 by error, highest first\); lowest: n0/);
    assert.match(
      lines[2],
      /largest 2\.0 points \(n1\) among the 2 searches with eigenvalue <= the \(lower\) median 0\.200, largest 4\.0 points \(n2\) among the 1 above it \(their median 4\.0\) \(the paper/,
    );
  });

  it('handles blank eigenvalues and coefficients, and throws on no rows', () => {
    const blank = rows.map((r) => ({ ...r, dominantEigenvalue: '' as const, eigenvalueEpoch: '' as const }));
    const none = correlationRows(
      blank.map((r) => ({ x: r.dominantEigenvalue, y: r.testErrorPct })),
      { x: 'e', y: 't' },
      { seed: 0 },
    );
    const lines = curvatureFindings('smoke', blank, none, [], none);
    assert.strictEqual(lines.length, 2);
    assert.match(lines[1], /over 0 architectures: Pearson r = n\/a/);
    assert.throws(() => curvatureFindings('mini', [], correlations, drops, dropCorrelations), /rows must not be empty/);
  });
});
