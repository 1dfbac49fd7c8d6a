/**
 * R-DARTS read back from stored runs (docs/method.md §4), for notebook 04: one row per regularisation
 * strength of a grid (the final dominant eigenvalue, the supernet's validation accuracy that
 * R-DARTS selects on, the genotype's parameter-free share, its test error), the grid figure, the
 * table of methods (DARTS, R-DARTS(L2), R-DARTS(DP), RS-ws, RS), the sentences the notebook closes
 * with, and the two random-search baselines' sizes per preset. `heldOutAccuracy` is random
 * search's validation signal: the trained evaluation network on training images its training did
 * not use (never the test split).
 */
import type { PresetName } from '../config/preset';
import type { Selection } from '../control/select';
import type { StoredRun } from '../runs/run_read';
import { formatGenotype, parameterFreeShare } from '../spaces/genotype';
import { type StoredEvaluation } from '../train/train';
import { spearman } from './stats';
import type { Blank } from './failure';
import { PAPER_DARTS_CIFAR10_ERROR } from './failure';
import { finalGenotype } from '../runs/run_read';
import { formatL2, PAPER_CODE_EIGENVALUES } from './early_stop_tables';
import type { Figure } from './figures';
import { type MethodName, METHODS } from './labels';

/** The search-time regularisers of R-DARTS: the weights' L2 factor, ScheduledDropPath's maximum p. */
export type Regulariser = 'l2' | 'dp';

/** The strength of `regulariser` in a run's config: the L2 factor, or drop path's maximum p. */
export function strengthOf(run: Pick<StoredRun, 'config'>, regulariser: Regulariser): number {
  return regulariser === 'l2' ? run.config.regularization.l2 : run.config.regularization.dropPathProb;
}

/** One strength of a grid. */
export interface GridRow {
  readonly regulariser: Regulariser;
  readonly strength: number;
  readonly run: string;
  readonly runId: string;
  /** The dominant eigenvalue at the last epoch that measured it. */
  readonly finalEigenvalue: number | Blank;
  /** The supernet's accuracy on the alpha half after the last epoch, in % (R-DARTS's selection signal). */
  readonly supernetValidAccPct: number;
  /** Parameter-free ops among the 16 of the final genotype (0..1). */
  readonly parameterFreeShare: number;
  /** 100 x the test error of the final genotype trained from scratch. */
  readonly testErrorPct: number;
  /** Whether R-DARTS (selectRun over this grid) picks this run. */
  readonly selected: boolean;
}

/** The row of one named run of a grid; `selection` is selectRun's over the grid, `testError` a fraction. */
export function gridRow(
  regulariser: Regulariser,
  named: { readonly name: string; readonly run: StoredRun },
  selection: Selection,
  testError: number,
): GridRow {
  const { run } = named;
  const { genotype } = finalGenotype(run);
  const measured = run.epochs.filter((r) => r.hessian);
  const signal = selection.signals.find((s) => s.runId === run.runId);
  if (!signal) throw new Error(`gridRow: run ${run.runId} is not among the selection's candidates`);
  return {
    regulariser,
    strength: strengthOf(run, regulariser),
    run: named.name,
    runId: run.runId,
    finalEigenvalue: measured.length > 0 ? (measured[measured.length - 1].hessian?.dominantEigenvalue ?? '') : '',
    supernetValidAccPct: 100 * signal.signal,
    parameterFreeShare: parameterFreeShare(genotype),
    testErrorPct: 100 * testError,
    selected: selection.run.runId === run.runId,
  };
}

const pct = (v: number) => `${v.toFixed(1)}%`;
/** A strength as written in the paper: 2.43e-2 for L2, 0.4 for p. */
const fmt = (v: number, regulariser: Regulariser) => (regulariser === 'l2' ? v.toExponential() : String(v));

const AXIS_NAME: Record<Regulariser, string> = {
  l2: 'L2 factor of the weights during the search (log scale)',
  dp: 'maximum ScheduledDropPath probability p',
};

/** The test errors (%) of one genotype trained with several evaluation seeds (notebook 01's seed spread). */
export interface SeedBand {
  readonly minPct: number;
  readonly maxPct: number;
  readonly seeds: number;
}

/**
 * Two panels over the strengths of one grid: the final dominant eigenvalue (left) and the test
 * error (right); R-DARTS's selected strength marked with a star. Log x for L2. With `seedBand`, the
 * test-error panel shades the range DARTS's own genotype spans over evaluation seeds : a grid point
 * inside it is not distinguishable from DARTS by one evaluation.
 */
export function gridFigure(rows: readonly GridRow[], title: string, seedBand?: SeedBand): Figure {
  if (rows.length === 0) throw new Error('gridFigure: rows must not be empty');
  const regulariser = rows[0].regulariser;
  const sorted = [...rows].sort((a, b) => a.strength - b.strength);
  const x = sorted.map((r) => r.strength);
  const xaxis = {
    title: { text: AXIS_NAME[regulariser] },
    tickvals: x,
    ticktext: x.map((v) => fmt(v, regulariser)),
    zeroline: false,
    ...(regulariser === 'l2' ? { type: 'log' } : { range: [Math.min(...x) - 0.05, Math.max(...x) + 0.05] }),
  };
  const chosen = sorted.filter((r) => r.selected);
  const panel = (k: '' | '2', name: string, y: (r: GridRow) => number | Blank, color: string) => [
    {
      type: 'scatter',
      mode: 'lines+markers',
      name,
      x,
      y: sorted.map((r) => (y(r) === '' ? null : y(r))),
      xaxis: `x${k}`,
      yaxis: `y${k}`,
      line: { color },
      marker: { color, size: 8 },
    },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'R-DARTS selection (best supernet valid accuracy)',
      showlegend: k === '',
      legendgroup: 'selected',
      x: chosen.map((r) => r.strength),
      y: chosen.map((r) => (y(r) === '' ? null : y(r))),
      xaxis: `x${k}`,
      yaxis: `y${k}`,
      marker: { symbol: 'star', size: 16, color: '#f59f00', line: { width: 1, color: '#333' } },
    },
  ];
  // docs/method.md §3's only number for a grid: with L2 >= 8.1e-3 the code's logs stay about 0.1 to 0.3.
  const {
    from,
    range: [lo, hi],
  } = PAPER_CODE_EIGENVALUES.strongL2;
  const right = Math.max(...x);
  const codeBand =
    regulariser === 'l2' && right >= from
      ? [
          {
            type: 'scatter',
            mode: 'lines',
            fill: 'toself',
            fillcolor: 'rgba(120,120,120,0.15)',
            line: { width: 0 },
            hoverinfo: 'name',
            name: `the original code's logs (S1, CIFAR-10): L2 >= ${formatL2(from)} keeps it about ${lo}-${hi}`,
            x: [from, right, right, from, from],
            y: [lo, lo, hi, hi, lo],
            xaxis: 'x',
            yaxis: 'y',
          },
        ]
      : [];
  const seeds =
    seedBand === undefined
      ? []
      : [
          {
            type: 'scatter',
            mode: 'lines',
            fill: 'toself',
            fillcolor: 'rgba(232,89,12,0.12)',
            line: { width: 0 },
            hoverinfo: 'name',
            name: `plain DARTS's S3 genotype at ${seedBand.seeds} evaluation seeds: ${seedBand.minPct.toFixed(2)}-${seedBand.maxPct.toFixed(2)}%`,
            x: [x[0], right, right, x[0], x[0]],
            y: [seedBand.minPct, seedBand.minPct, seedBand.maxPct, seedBand.maxPct, seedBand.minPct],
            xaxis: 'x2',
            yaxis: 'y2',
          },
        ];
  return {
    data: [
      ...panel('', 'final dominant eigenvalue', (r) => r.finalEigenvalue, '#1c7ed6'),
      ...panel('2', 'test error (%)', (r) => r.testErrorPct, '#e8590c'),
      ...codeBand,
      ...seeds,
    ],
    layout: {
      title: { text: title },
      height: 450,
      legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.3 },
      xaxis: { ...xaxis, domain: [0, 0.44] },
      yaxis: { title: { text: 'dominant eigenvalue of ∇²_α L_valid (final, dimensionless)' } },
      xaxis2: { ...xaxis, domain: [0.56, 1] },
      yaxis2: { anchor: 'x2', title: { text: 'test error of the final genotype (%)' } },
    },
    // No layout width, so it fits a notebook's output area (about 980 px); the PNG keeps 1100 px (exportSize).
    config: { toImageButtonOptions: { width: 1100 } },
  };
}

/** One method of the comparison table. */
export interface MethodRow {
  readonly method: MethodName;
  /** The strength or search setting behind the genotype, in words. */
  readonly setting: string;
  /** How the method chose its genotype. */
  readonly selectedBy: string;
  readonly genotype: string;
  readonly parameterFreeShare: number;
  readonly testErrorPct: number;
  /** docs/method.md §6 on S3 / CIFAR-10 where it gives the number (DARTS only); blank otherwise. */
  readonly paperCifar10ErrorPct: number | Blank;
}

/**
 * A row of the methods table from the finished evaluation of the method's genotype; the paper's
 * value is DARTS's on S3 for 'DARTS' (docs/method.md §6), blank otherwise.
 */
export function methodRow(method: MethodName, setting: string, selectedBy: string, evaluation: StoredEvaluation): MethodRow {
  if (!evaluation.done || evaluation.testError === undefined)
    throw new Error(`methodRow: the evaluation in ${evaluation.dir} is not finished`);
  const { genotype } = evaluation;
  return {
    method,
    setting,
    selectedBy,
    genotype: formatGenotype(genotype),
    parameterFreeShare: parameterFreeShare(genotype),
    testErrorPct: 100 * evaluation.testError,
    paperCifar10ErrorPct: method === METHODS.darts ? (PAPER_DARTS_CIFAR10_ERROR.s3 ?? '') : '',
  };
}

/** How a grid's eigenvalue and test error move with the strength: a sentence. */
function gridSentence(rows: readonly GridRow[]): string {
  const r = rows[0].regulariser;
  const name = r === 'l2' ? METHODS.l2 : METHODS.dp;
  const eig = rows.filter((row) => row.finalEigenvalue !== '');
  const trend = (xs: number[], ys: number[]) => {
    if (xs.length < 3) return 'too few points for a trend';
    const rho = spearman(xs, ys);
    return Number.isNaN(rho)
      ? 'no trend (constant)'
      : `${rho < 0 ? 'falls' : rho > 0 ? 'rises' : 'does not move'} with it (Spearman ρ = ${rho.toFixed(2)})`;
  };
  const lo = rows.reduce((a, b) => (b.strength < a.strength ? b : a));
  const hi = rows.reduce((a, b) => (b.strength > a.strength ? b : a));
  const sel = rows.find((row) => row.selected);
  const eigAt = (row: GridRow) => (row.finalEigenvalue === '' ? 'n/a' : row.finalEigenvalue.toPrecision(3));
  return (
    `${name} grid (${rows.length} strengths, ${fmt(lo.strength, r)} to ${fmt(hi.strength, r)}): the final dominant eigenvalue ` +
    `${trend(
      eig.map((row) => row.strength),
      eig.map((row) => row.finalEigenvalue as number),
    )}, ${eigAt(lo)} → ${eigAt(hi)}; ` +
    `the test error ${trend(
      rows.map((row) => row.strength),
      rows.map((row) => row.testErrorPct),
    )}, ${pct(lo.testErrorPct)} → ` +
    `${pct(hi.testErrorPct)}. ${name} selects ${fmt(sel?.strength ?? NaN, r)} (supernet valid accuracy ` +
    `${pct(sel?.supernetValidAccPct ?? NaN)}), test error ${pct(sel?.testErrorPct ?? NaN)}; the grid's lowest test error is ` +
    `${pct(Math.min(...rows.map((row) => row.testErrorPct)))}.`
  );
}

/**
 * What the tables say, computed from them (the notebook's closing cell): per grid, how the
 * eigenvalue and the test error move with the strength and what R-DARTS picked; then the methods
 * ordered by test error. At `smoke` a first line says the numbers mean nothing.
 */
export function regularisationFindings(
  preset: PresetName,
  l2: readonly GridRow[],
  dp: readonly GridRow[],
  methods: readonly MethodRow[],
): string[] {
  if (l2.length === 0 || dp.length === 0 || methods.length === 0)
    throw new Error('regularisationFindings: l2, dp and methods must not be empty');
  const lines: string[] = [];
  if (preset === 'smoke')
    lines.push('Preset smoke: 2-epoch searches and evaluations on 64 images; the numbers below are meaningless (read them at mini).');
  lines.push(gridSentence(l2), gridSentence(dp));
  const ordered = [...methods].sort((a, b) => a.testErrorPct - b.testErrorPct);
  lines.push(`Methods by test error, lowest first: ${ordered.map((m) => `${m.method} ${pct(m.testErrorPct)}`).join(', ')}.`);
  const darts = methods.find((m) => m.method === METHODS.darts);
  if (darts) {
    for (const m of methods.filter((x) => x.method.startsWith('R-DARTS'))) {
      const d = m.testErrorPct - darts.testErrorPct;
      lines.push(
        `${m.method} vs DARTS: ${d < 0 ? `${(-d).toFixed(1)} points lower` : d > 0 ? `${d.toFixed(1)} points higher` : 'the same'} ` +
          `(parameter-free share ${pct(100 * m.parameterFreeShare)} vs ${pct(100 * darts.parameterFreeShare)}; one evaluation each: ` +
          'a difference inside the seed range of notebook 01 says nothing).',
      );
    }
  }
  return lines;
}
