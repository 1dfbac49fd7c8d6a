/**
 * The failure analysis of notebook 01 (docs/method.md §6: plain DARTS degenerates on S1 to S4, skip
 * connections taking over S1 to S3 and noise 5 of 8 ops of S4; docs/method.md §3: the dominant eigenvalue
 * grows as it does). Pure functions of stored search runs and evaluations: the summary and
 * test-error rows, the parameter-free weight over the epochs, the two figures, and the sentences
 * that say what the numbers show at the preset that produced them. Nothing here runs a search.
 */
import type { Figure } from './figures';
import { finalGenotype, type StoredRun } from '../runs/run_read';
import type { EpochRecord } from '../runs/records';
import { formatGenotype, parameterFreeCount, parameterFreeShare, type GenotypeEntry } from '../spaces/genotype';
import { isParameterFree, PRIMITIVES, type OpName } from '../spaces/primitives';
import type { SearchSpace, SpaceName } from '../spaces/spaces';
import { EDGES } from '../spaces/topology';
import type { StoredEvaluation } from '../train/train';

/** docs/method.md §6: test error (%) of plain DARTS's architecture on CIFAR-10; the DARTS space's is not in docs/method.md. */
export const PAPER_DARTS_CIFAR10_ERROR: Readonly<Record<SpaceName, number | null>> = Object.freeze({
  s1: 3.84,
  s2: 4.85,
  s3: 3.34,
  s4: 7.2,
  darts: null,
});

/** A blank table cell ('' on screen and in CSV) where a value does not exist. */
export type Blank = '';

/** One row of the summary table: a finished search's final architecture and state. */
export interface FailureSummaryRow {
  readonly space: SpaceName;
  /** formatGenotype of the final genotype. */
  readonly genotype: string;
  /** Parameter-free ops among the 16 of the genotype (0..1). */
  readonly parameterFreeShare: number;
  /** Parameter-free ops among the 8 of the normal cell. */
  readonly normalParameterFree: number;
  /** The normal cell's ops with their counts, most frequent first: `skip_connect x5, sep_conv_3x3 x3`. */
  readonly normalOps: string;
  /** The supernet's accuracy on the alpha half after the last epoch, in %. */
  readonly supernetValidAccPct: number;
  /** The dominant eigenvalue at the first and at the last measured epoch. */
  readonly firstEigenvalue: number | Blank;
  readonly lastEigenvalue: number | Blank;
  /** DARTS-ES (simulated): the epoch where the rule first fired and the epoch whose genotype it returns. */
  readonly esDecisionEpoch: number | Blank;
  readonly esStopEpoch: number | Blank;
}

/** How often each op occurs among `entries`, most frequent first (ties in PRIMITIVES order); absent ops left out. */
export function opCounts(entries: readonly GenotypeEntry[]): { readonly op: OpName; readonly count: number }[] {
  return PRIMITIVES.map((op) => ({ op, count: entries.filter(([o]) => o === op).length }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
}

const countOf = (entries: readonly GenotypeEntry[], op: OpName) => entries.filter(([o]) => o === op).length;

/** The summary row of a finished run (see `FailureSummaryRow`). */
export function failureSummaryRow(run: StoredRun): FailureSummaryRow {
  const { genotype } = finalGenotype(run);
  const last = run.epochs[run.epochs.length - 1];
  const measured = run.epochs.filter((r) => r.hessian);
  const es = run.decisions[0];
  return {
    space: run.config.space,
    genotype: formatGenotype(genotype),
    parameterFreeShare: parameterFreeShare(genotype),
    normalParameterFree: parameterFreeCount(genotype.normal),
    normalOps: opCounts(genotype.normal)
      .map((c) => `${c.op} x${c.count}`)
      .join(', '),
    supernetValidAccPct: 100 * last.valid.accuracy,
    firstEigenvalue: measured.length > 0 ? (measured[0].hessian?.dominantEigenvalue ?? '') : '',
    lastEigenvalue: measured.length > 0 ? (measured[measured.length - 1].hessian?.dominantEigenvalue ?? '') : '',
    esDecisionEpoch: es ? es.decisionEpoch : '',
    esStopEpoch: es ? es.stopEpoch : '',
  };
}

/** One point of the parameter-free weight curve. */
export interface ParameterFreeWeightRow {
  readonly space: SpaceName;
  readonly cell: 'normal' | 'reduce';
  /** Epochs completed: 0 is the start (alphas 1e-3 N(0, 1), taken as uniform), e + 1 the record of epoch e. */
  readonly epochsDone: number;
  /** The MixedOp weight on parameter-free ops, summed over an edge's ops and averaged over the 14 edges (0..1). */
  readonly weight: number;
}

function parameterFreeWeight(weights: readonly (readonly number[])[], lists: SearchSpace['normal']): number {
  const perEdge = weights.map((w, e) => w.reduce((s, v, k) => s + (isParameterFree(lists[e][k]) ? v : 0), 0));
  return perEdge.reduce((a, b) => a + b, 0) / perEdge.length;
}

/** The parameter-free weight of each cell type at the start and after every epoch of `records`, in `space`. */
export function parameterFreeWeights(
  records: readonly Pick<EpochRecord, 'epoch' | 'weights'>[],
  space: SearchSpace,
): ParameterFreeWeightRow[] {
  const rows: ParameterFreeWeightRow[] = [];
  for (const cell of ['normal', 'reduce'] as const) {
    const uniform = space[cell].map((ops) => ops.map(() => 1 / ops.length));
    rows.push({ space: space.name, cell, epochsDone: 0, weight: parameterFreeWeight(uniform, space[cell]) });
    for (const r of records)
      rows.push({ space: space.name, cell, epochsDone: r.epoch + 1, weight: parameterFreeWeight(r.weights[cell], space[cell]) });
  }
  return rows;
}

const CELL_STYLE = { normal: { color: '#1c7ed6', dash: 'solid' }, reduce: { color: '#e8590c', dash: 'dash' } } as const;

/**
 * Small multiples, one panel per space (in the rows' order): the parameter-free weight of the
 * normal and the reduction cell against epochs completed, on a common 0..1 scale.
 */
export function parameterFreeFigure(rows: readonly ParameterFreeWeightRow[], title: string): Figure {
  const spaces = [...new Set(rows.map((r) => r.space))];
  const gap = 0.025;
  const width = (1 - gap * (spaces.length - 1)) / spaces.length;
  const lastEpoch = Math.max(1, ...rows.map((r) => r.epochsDone));
  const axes: Record<string, object> = {};
  spaces.forEach((space, i) => {
    const k = i === 0 ? '' : String(i + 1);
    axes[`xaxis${k}`] = {
      domain: [i * (width + gap), i * (width + gap) + width],
      anchor: `y${k}`,
      dtick: Math.max(1, Math.ceil(lastEpoch / 5)),
      title: { text: 'epochs completed' },
    };
    axes[`yaxis${k}`] = {
      range: [0, 1],
      anchor: `x${k}`,
      showticklabels: i === 0,
      title: { text: i === 0 ? 'weight on parameter-free ops<br>(fraction, mean over 14 edges)' : '' },
    };
  });
  const data = spaces.flatMap((space, i) =>
    (['normal', 'reduce'] as const).map((cell) => {
      const points = rows.filter((r) => r.space === space && r.cell === cell);
      return {
        type: 'scatter',
        mode: 'lines+markers',
        name: `${cell === 'normal' ? 'normal' : 'reduction'} cell`,
        legendgroup: cell,
        showlegend: i === 0,
        line: CELL_STYLE[cell],
        marker: { color: CELL_STYLE[cell].color },
        x: points.map((p) => p.epochsDone),
        y: points.map((p) => p.weight),
        xaxis: `x${i === 0 ? '' : i + 1}`,
        yaxis: `y${i === 0 ? '' : i + 1}`,
      };
    }),
  );
  const annotations = spaces.map((space, i) => ({
    text: `<b>${space.toUpperCase()}</b>`,
    x: i * (width + gap) + width / 2,
    y: 1,
    xref: 'paper',
    yref: 'paper',
    xanchor: 'center',
    yanchor: 'bottom',
    showarrow: false,
  }));
  return {
    data,
    layout: {
      title: { text: title },
      height: 420,
      legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.25 },
      annotations,
      ...axes,
    },
    // No layout width, so it fits a notebook's output area (about 980 px); the PNG keeps 1200 px (exportSize).
    config: { toImageButtonOptions: { width: 1200 } },
  };
}

/** Row labels of the heatmap: `e5 s0→n2` (edge, input, node). */
export function edgeLabels(): string[] {
  const name = (input: number) => (input < 2 ? `s${input}` : `n${input - 2}`);
  return EDGES.map((e) => `e${e.edge} ${name(e.input)}→n${e.node}`);
}

/**
 * The MixedOp weights of one epoch record as two heatmaps (normal, reduction cell): edges down,
 * the space's ops across (in PRIMITIVES order; blank where an edge does not offer the op, as in S1).
 */
export function weightHeatmapFigure(record: Pick<EpochRecord, 'epoch' | 'weights'>, space: SearchSpace, title: string): Figure {
  const ops = PRIMITIVES.filter((op) => [...space.normal, ...space.reduce].some((list) => list.includes(op)));
  const y = edgeLabels();
  const data = (['normal', 'reduce'] as const).map((cell, panel) => ({
    type: 'heatmap',
    x: ops,
    y,
    zmin: 0,
    zmax: 1,
    colorscale: 'Viridis',
    showscale: panel === 1,
    colorbar: { title: { text: 'softmax weight' } },
    texttemplate: '%{z:.2f}',
    xaxis: panel === 0 ? 'x' : 'x2',
    z: space[cell].map((list, e) => ops.map((op) => (list.includes(op) ? record.weights[cell][e][list.indexOf(op)] : null))),
  }));
  return {
    data,
    layout: {
      title: { text: title },
      height: 600,
      xaxis: { title: { text: 'op (normal cell)' }, domain: [0, 0.45] },
      xaxis2: { title: { text: 'op (reduction cell)' }, domain: [0.55, 1] },
      yaxis: { title: { text: 'edge (input→node)', standoff: 12 }, autorange: 'reversed', automargin: true },
    },
    // No layout width, so it fits a notebook's output area (about 980 px); the PNG keeps 1000 px (exportSize).
    config: { toImageButtonOptions: { width: 1000 } },
  };
}

/** One row of the test-error table. */
export interface TestErrorRow {
  readonly space: SpaceName;
  readonly dataset: string;
  readonly testImages: number;
  /** 100 x the evaluation's test error. */
  readonly testErrorPct: number;
  /** Trainable weights of the evaluation network, without the auxiliary head. */
  readonly params: number;
  /** docs/method.md §6 (CIFAR-10, 20 cells of 36 or 16 channels, 600 epochs); blank for the DARTS space. */
  readonly paperCifar10ErrorPct: number | Blank;
}

/** The test-error row of `space`'s finished evaluation; an unfinished one throws, naming its directory. */
export function testErrorRow(space: SpaceName, evaluation: StoredEvaluation): TestErrorRow {
  if (!evaluation.done || evaluation.testError === undefined || evaluation.testImages === undefined) {
    throw new Error(`testErrorRow: the evaluation in ${evaluation.dir} is not finished`);
  }
  return {
    space,
    dataset: evaluation.config.dataset,
    testImages: evaluation.testImages,
    testErrorPct: 100 * evaluation.testError,
    params: evaluation.params.withoutAuxiliary,
    paperCifar10ErrorPct: PAPER_DARTS_CIFAR10_ERROR[space] ?? '',
  };
}

/**
 * The test error of each space's final architecture as bars, beside the paper's CIFAR-10 test error
 * of DARTS on the same space (docs/method.md §6) as a second set of bars on the same axis. The two differ in
 * data set and scale, so the figure's note says to compare the order of the spaces, not the levels.
 */
export function testErrorFigure(rows: readonly TestErrorRow[], title: string): Figure {
  if (rows.length === 0) throw new Error('testErrorFigure: rows must not be empty');
  const spaces = rows.map((r) => r.space.toUpperCase());
  const paper = rows.map((r) => (r.paperCifar10ErrorPct === '' ? null : r.paperCifar10ErrorPct));
  return {
    data: [
      {
        type: 'bar',
        name: `ours: ${rows[0].dataset}, ${rows[0].testImages.toLocaleString('en-US')} test images`,
        x: spaces,
        y: rows.map((r) => r.testErrorPct),
        marker: { color: '#1c7ed6' },
        text: rows.map((r) => r.testErrorPct.toFixed(1)),
        textposition: 'outside',
      },
      {
        type: 'bar',
        name: 'the paper: CIFAR-10, 20 cells, 600 epochs (docs/method.md §6; none for the DARTS space)',
        x: spaces,
        y: paper,
        marker: { color: '#adb5bd' },
        text: paper.map((v) => (v === null ? '' : v.toFixed(2))),
        textposition: 'outside',
      },
    ],
    layout: {
      title: { text: title },
      height: 480,
      barmode: 'group',
      xaxis: { title: { text: 'search space (DARTS, final genotype)' } },
      yaxis: { title: { text: 'test error (%)' }, rangemode: 'tozero' },
      legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.2 },
      annotations: [
        {
          text: 'different data and scale: compare the order of the spaces, not the levels',
          xref: 'paper',
          yref: 'paper',
          x: 0.5,
          y: 1.02,
          xanchor: 'center',
          yanchor: 'bottom',
          showarrow: false,
          font: { size: 11, color: '#555' },
        },
      ],
    },
    // No layout width, so it fits a notebook's output area (about 980 px); the PNG keeps 900 px (exportSize).
    config: { toImageButtonOptions: { width: 900 } },
  };
}

const pct = (v: number) => `${v.toFixed(1)}%`;

/**
 * What the tables show, as sentences computed from the finished runs and their evaluations (for the
 * notebook's closing cell): docs/method.md §6's S3 and S4 headline at this preset, each space's normal
 * cell and curvature, DARTS-ES, and the spaces with the highest and lowest test error.
 */
export function failureFindings(preset: string, runs: readonly StoredRun[], errors: readonly TestErrorRow[]): string[] {
  if (runs.length === 0 || errors.length === 0) throw new Error('failureFindings: runs and errors must not be empty');
  const normalOf = (space: SpaceName) => {
    const run = runs.find((r) => r.config.space === space);
    return run ? finalGenotype(run).genotype.normal : undefined;
  };
  const s3 = normalOf('s3');
  const s4 = normalOf('s4');
  const lines: string[] = [];
  const parts = [
    s3 ? `skip_connect takes ${countOf(s3, 'skip_connect')} of 8 normal-cell ops on S3` : '',
    s4 ? `noise takes ${countOf(s4, 'noise')} of 8 on S4` : '',
  ].filter((p) => p !== '');
  if (parts.length > 0) {
    lines.push(
      `At preset ${preset}, ${parts.join(' and ')} (the paper, CIFAR-10: skip connections on almost every edge of S1-S3, noise 5 of 8 on S4).`,
    );
  }
  const summary = runs.map(failureSummaryRow);
  for (const r of summary) {
    const curvature =
      r.firstEigenvalue === '' || r.lastEigenvalue === ''
        ? 'no curvature measured'
        : `dominant eigenvalue ${r.firstEigenvalue.toPrecision(3)} (first measured) → ${r.lastEigenvalue.toPrecision(3)} (last)`;
    lines.push(
      `${r.space}: ${r.normalParameterFree} of 8 normal-cell ops parameter-free (${r.normalOps}), ` +
        `${pct(100 * r.parameterFreeShare)} of all 16; supernet valid accuracy ${pct(r.supernetValidAccPct)}; ${curvature}.`,
    );
  }
  const fired = summary.filter((r) => r.esDecisionEpoch !== '');
  lines.push(
    fired.length === 0
      ? `DARTS-ES (simulated) fired on none of the ${summary.length} searches.`
      : `DARTS-ES (simulated) fired on ${fired.length} of ${summary.length} searches: ` +
          `${fired.map((r) => `${r.space} at epoch ${r.esDecisionEpoch} (returning epoch ${r.esStopEpoch})`).join(', ')}.`,
  );
  const free = (space: SpaceName) => summary.find((r) => r.space === space)?.normalParameterFree ?? '?';
  const at = (value: number) =>
    errors
      .filter((r) => r.testErrorPct === value)
      .map((r) => `${r.space} (${free(r.space)} of 8 normal ops parameter-free)`)
      .join(', ');
  const high = Math.max(...errors.map((r) => r.testErrorPct));
  const low = Math.min(...errors.map((r) => r.testErrorPct));
  lines.push(
    `Highest test error ${pct(high)}: ${at(high)}; lowest ${pct(low)}: ${at(low)}; ` +
      `on ${errors[0].testImages} ${errors[0].dataset} test images.`,
  );
  return lines;
}
