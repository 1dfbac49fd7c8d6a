import * as assert from 'assert';
import { exportSize } from '../../lib/analysis/figure_html';
import {
  edgeLabels,
  failureFindings,
  failureSummaryRow,
  opCounts,
  PAPER_DARTS_CIFAR10_ERROR,
  parameterFreeFigure,
  parameterFreeWeights,
  testErrorFigure,
  testErrorRow,
  weightHeatmapFigure,
} from '../../lib/analysis/failure';
import { finalGenotype } from '../../lib/runs/run_read';
import type { StoredRun } from '../../lib/runs/run_read';
import { getSpace } from '../../lib/spaces/spaces';
import { evaluation, noisy, record, run, SKIPPY } from './failure_fixtures';

describe('PAPER_DARTS_CIFAR10_ERROR', () => {
  it('holds docs/method.md §6 for S1..S4 and nothing for the DARTS space', () => {
    assert.deepStrictEqual({ ...PAPER_DARTS_CIFAR10_ERROR }, { s1: 3.84, s2: 4.85, s3: 3.34, s4: 7.2, darts: null });
  });
});

describe('finalGenotype', () => {
  it("returns the finished run's genotype and its epoch", () => {
    assert.deepStrictEqual(finalGenotype(run('s3', SKIPPY, [record('s3', 0), record('s3', 1)])), { epoch: 1, genotype: SKIPPY });
  });

  it('throws for an unfinished run, naming its directory', () => {
    const unfinished = { ...run('s3', SKIPPY, [record('s3', 0)]), done: false, genotype: undefined } as StoredRun;
    assert.throws(() => finalGenotype(unfinished), /finalGenotype: the run in \/runs\/fake-s3 is not finished/);
  });
});

describe('opCounts', () => {
  it('counts each op, most frequent first, ties in PRIMITIVES order', () => {
    assert.deepStrictEqual(opCounts(SKIPPY.normal), [
      { op: 'skip_connect', count: 5 },
      { op: 'sep_conv_3x3', count: 3 },
    ]);
    assert.deepStrictEqual(
      opCounts([
        ['sep_conv_3x3', 0],
        ['none', 1],
      ]),
      [
        { op: 'none', count: 1 },
        { op: 'sep_conv_3x3', count: 1 },
      ],
    );
    assert.deepStrictEqual(opCounts([]), []);
  });
});

describe('failureSummaryRow', () => {
  it('reads the genotype, the last accuracy, the first and last eigenvalue and the first DARTS-ES decision', () => {
    const epochs = [record('s3', 0, { eigenvalue: 0.1 }), record('s3', 1), record('s3', 2, { eigenvalue: 0.4, accuracy: 0.75 })];
    const row = failureSummaryRow(run('s3', SKIPPY, epochs, [{ action: 'simulate', decisionEpoch: 24, stopEpoch: 12 }]));
    assert.strictEqual(row.space, 's3');
    assert.match(row.genotype, /^normal: n0=skip_connect\(s0\)\+skip_connect\(s1\) /);
    // 5 skip_connect of 16 ops (the reduction cell is all sep_conv_3x3).
    assert.strictEqual(row.parameterFreeShare, 5 / 16);
    assert.strictEqual(row.normalParameterFree, 5);
    assert.strictEqual(row.normalOps, 'skip_connect x5, sep_conv_3x3 x3');
    assert.strictEqual(row.supernetValidAccPct, 75);
    assert.strictEqual(row.firstEigenvalue, 0.1);
    assert.strictEqual(row.lastEigenvalue, 0.4);
    assert.strictEqual(row.esDecisionEpoch, 24);
    assert.strictEqual(row.esStopEpoch, 12);
  });

  it('leaves the curvature and DARTS-ES cells blank when nothing was measured or fired', () => {
    const row = failureSummaryRow(run('s4', noisy(5), [record('s4', 0)]));
    assert.strictEqual(row.normalParameterFree, 5);
    assert.deepStrictEqual([row.firstEigenvalue, row.lastEigenvalue, row.esDecisionEpoch, row.esStopEpoch], ['', '', '', '']);
  });
});

describe('parameterFreeWeights', () => {
  it("starts at the space's uniform share: 2/3 on S3, 1/2 and 5/7 on S1's normal and reduction cells", () => {
    // S1 (docs/method.md §2): normal: e5, e10 [mp, skip] all free, e12, e13 no free op, 10 edges half free: 7/14.
    // reduce: e0 e2 e3 e5 e9 e10 [mp, ap] all free, the other 8 edges half free: 10/14.
    const s1 = parameterFreeWeights([], getSpace('s1'));
    assert.deepStrictEqual(
      s1.map((r) => [r.cell, r.epochsDone]),
      [
        ['normal', 0],
        ['reduce', 0],
      ],
    );
    assert.ok(Math.abs(s1[0].weight - 0.5) < 1e-12 && Math.abs(s1[1].weight - 5 / 7) < 1e-12);
    const s3 = parameterFreeWeights([], getSpace('s3'));
    assert.ok(Math.abs(s3[0].weight - 2 / 3) < 1e-12);
  });

  it('sums the free ops of each edge and averages over the edges, one point per record at epoch + 1', () => {
    const r = record('s3', 4);
    // S3 = [none, skip_connect, sep_conv_3x3]: 7 edges all sep_conv, 7 edges split 0.2 / 0.3 / 0.5.
    const normal = Array.from({ length: 14 }, (_, e) => (e < 7 ? [0, 0, 1] : [0.2, 0.3, 0.5]));
    const rows = parameterFreeWeights([{ ...r, weights: { normal, reduce: r.weights.reduce } }], getSpace('s3'));
    const normalRow = rows.find((x) => x.cell === 'normal' && x.epochsDone === 5);
    assert.ok(normalRow && Math.abs(normalRow.weight - (7 * 0.5) / 14) < 1e-12);
    assert.strictEqual(rows.length, 4);
  });
});

describe('parameterFreeFigure', () => {
  it('draws one panel per space with a normal and a reduction line each, one legend entry per cell type', () => {
    const rows = [...parameterFreeWeights([record('s2', 0)], getSpace('s2')), ...parameterFreeWeights([record('s3', 0)], getSpace('s3'))];
    const fig = parameterFreeFigure(rows, 'title');
    const traces = fig.data as { name: string; showlegend: boolean; xaxis: string; yaxis: string; x: number[] }[];
    assert.deepStrictEqual(
      traces.map((t) => [t.name, t.xaxis, t.yaxis, t.showlegend]),
      [
        ['normal cell', 'x', 'y', true],
        ['reduction cell', 'x', 'y', true],
        ['normal cell', 'x2', 'y2', false],
        ['reduction cell', 'x2', 'y2', false],
      ],
    );
    assert.deepStrictEqual(traces[0].x, [0, 1]);
    const layout = fig.layout as Record<string, { range?: number[]; title?: { text: string } }> & { annotations: { text: string }[] };
    assert.deepStrictEqual(layout.yaxis2.range, [0, 1]);
    assert.match(layout.yaxis.title?.text ?? '', /parameter-free/);
    assert.match(layout.xaxis.title?.text ?? '', /epochs/);
    assert.deepStrictEqual(
      layout.annotations.map((a) => a.text),
      ['<b>S2</b>', '<b>S3</b>'],
    );
    // No fixed width: it fits a notebook's output area; the PNG keeps 1200 px.
    assert.strictEqual((fig.layout as { width?: number }).width, undefined);
    assert.deepStrictEqual(exportSize(fig), { width: 1200, height: 420 });
  });
});

describe('edgeLabels', () => {
  it('names the 14 edges by input and node, as docs/method.md §2 orders them', () => {
    const labels = edgeLabels();
    assert.strictEqual(labels.length, 14);
    assert.deepStrictEqual([labels[0], labels[4], labels[5], labels[13]], ['e0 s0→n0', 'e4 n0→n1', 'e5 s0→n2', 'e13 n2→n3']);
  });
});

describe('weightHeatmapFigure', () => {
  it("puts an edge's weight under its op and leaves ops an edge does not offer blank (S1)", () => {
    const r = record('s1', 0);
    const fig = weightHeatmapFigure(r, getSpace('s1'), 'title');
    const [normal, reduce] = fig.data as { x: string[]; z: (number | null)[][] }[];
    // S1 normal offers skip, mp, sep3, dil3, dil5; PRIMITIVES order.
    assert.deepStrictEqual(normal.x, ['max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'dil_conv_3x3', 'dil_conv_5x5']);
    assert.deepStrictEqual(normal.z[0], [null, null, 0.5, null, 0.5, null]); // e0 [skip, dil3]
    assert.deepStrictEqual(reduce.z[0], [0.5, 0.5, null, null, null, null]); // e0 [mp, ap]
    assert.strictEqual(normal.z.length, 14);
    assert.strictEqual((fig.layout as { width?: number }).width, undefined);
    assert.deepStrictEqual(exportSize(fig), { width: 1000, height: 600 });
  });
});

describe('testErrorRow', () => {
  it("gives the test error in %, the weights without the auxiliary head and the paper's CIFAR-10 number", () => {
    assert.deepStrictEqual(testErrorRow('s4', evaluation(0.125)), {
      space: 's4',
      dataset: 'fashion-mnist',
      testImages: 64,
      testErrorPct: 12.5,
      params: 1234,
      paperCifar10ErrorPct: 7.2,
    });
    assert.strictEqual(testErrorRow('darts', evaluation(0.1)).paperCifar10ErrorPct, '');
  });

  it('throws for an unfinished evaluation, naming its directory', () => {
    assert.throws(() => testErrorRow('s3', evaluation(0.1, { done: false, testError: undefined })), /\/evals\/fake is not finished/);
  });
});

describe('testErrorFigure', () => {
  it("puts ours and the paper's CIFAR-10 error side by side per space, the DARTS space without the paper's bar", () => {
    const fig = testErrorFigure([testErrorRow('s3', evaluation(0.2334)), testErrorRow('darts', evaluation(0.25))], 'title');
    const [ours, paper] = fig.data as { name: string; x: string[]; y: (number | null)[] }[];
    assert.deepStrictEqual(ours.x, ['S3', 'DARTS']);
    assert.deepStrictEqual(
      ours.y.map((v) => Number((v as number).toFixed(2))),
      [23.34, 25],
    );
    assert.deepStrictEqual(paper.y, [3.34, null]);
    assert.match(ours.name, /^ours: fashion-mnist, 64 test images$/);
    assert.match(paper.name, /CIFAR-10/);
    const layout = fig.layout as { yaxis: { title: { text: string } }; annotations: { text: string }[] };
    assert.strictEqual(layout.yaxis.title.text, 'test error (%)');
    assert.match(layout.annotations[0].text, /not the levels/);
    assert.strictEqual((fig.layout as { width?: number }).width, undefined);
    assert.deepStrictEqual(exportSize(fig), { width: 900, height: 480 });
    assert.throws(() => testErrorFigure([], 't'), /rows must not be empty/);
  });
});

describe('failureFindings', () => {
  const runs = [
    run('s3', SKIPPY, [record('s3', 0, { eigenvalue: 0.1 }), record('s3', 1, { eigenvalue: 0.3 })]),
    run('s4', noisy(5), [record('s4', 0)], [{ action: 'simulate', decisionEpoch: 22, stopEpoch: 10 }]),
  ];
  const errors = [testErrorRow('s3', evaluation(0.25)), testErrorRow('s4', evaluation(0.25))];

  it('states the S3 and S4 headline, each space, DARTS-ES and the extremes of the test error (ties listed)', () => {
    const lines = failureFindings('quick', runs, errors);
    assert.match(lines[0], /^At preset quick, skip_connect takes 5 of 8 normal-cell ops on S3 and noise takes 5 of 8 on S4 /);
    assert.match(
      lines[1],
      /^s3: 5 of 8 normal-cell ops parameter-free \(skip_connect x5, sep_conv_3x3 x3\), 31\.3% of all 16; .*0\.100 \(first measured\) → 0\.300 \(last\)/,
    );
    assert.match(lines[2], /^s4: .*no curvature measured\.$/);
    assert.strictEqual(lines[3], 'DARTS-ES (simulated) fired on 1 of 2 searches: s4 at epoch 22 (returning epoch 10).');
    assert.match(
      lines[4],
      /^Highest test error 25\.0%: s3 \(5 of 8 normal ops parameter-free\), s4 \(5 of 8 normal ops parameter-free\); lowest 25\.0%: s3/,
    );
  });

  it('leaves out the headline parts of spaces that were not searched, and rejects empty input', () => {
    const lines = failureFindings('smoke', [runs[0]], [errors[0]]);
    assert.match(lines[0], /^At preset smoke, skip_connect takes 5 of 8 normal-cell ops on S3 \(/);
    assert.strictEqual(lines[2], 'DARTS-ES (simulated) fired on none of the 1 searches.');
    assert.throws(() => failureFindings('smoke', [], errors), /failureFindings: runs and errors must not be empty/);
  });
});
