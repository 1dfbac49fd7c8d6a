/**
 * Curvature against the outcome of a search, for notebook 02 (docs/method.md §3): the paper finds a
 * Pearson correlation of 0.867 between the dominant eigenvalue of ∇²_α L_valid at the end of the
 * search and the test error of the architecture found (24 architectures, S1 / CIFAR-10), and that
 * low curvature never led to a large accuracy drop when the supernet is discretised. Here: the rows
 * (a stored run and its evaluation), the correlations with seeded bootstrap intervals, the scatter
 * figures, and the drop itself, measured on a run's last checkpoint.
 *
 * The drop compares, on the run's alpha half, the supernet (every op, weighted by softmax(alphas))
 * with the discrete architecture on the same shared weights (`architecture` forward), both with
 * training-mode BN (batch statistics) and the running statistics left alone: those were collected
 * on the supernet's mixtures, whose scale the discrete cell (two ops a node, weight 1) does not
 * have, so eval mode would measure that mismatch rather than the architecture. The search measures
 * its alpha losses and its Hessian in training mode too.
 */
import type { Dataset } from '../data/dataset';
import { parameterFreeShare } from '../spaces/genotype';
import { type SpaceName } from '../spaces/spaces';
import type { StoredEvaluation } from '../train/train';
import type { Blank } from './failure';
import type { Figure } from './figures';
import { bootstrapCI, median, pearson, spearman } from './stats';
import { placeLabels } from './label_placement';
import { checkpointDiscretisation, type CurvatureRun } from '../measurements/discretisation';

/** docs/method.md §3: Pearson r of the final dominant eigenvalue and the test error (24 architectures, S1, CIFAR-10). */
export const PAPER_EIGENVALUE_ERROR_PEARSON = 0.867;
/** The number of searches (architectures) in that correlation. */
export const PAPER_CORRELATION_SEARCHES = 24;

/** One search: its final curvature and the test error of its final genotype. */
export interface CurvatureErrorRow {
  /** Name in the experiment plan ('failure-s1', 'l2-0.0081'). */
  readonly name: string;
  readonly group: string;
  readonly space: SpaceName;
  /** The last epoch with a curvature record, and its dominant eigenvalue (blank: none measured). */
  readonly eigenvalueEpoch: number | Blank;
  readonly dominantEigenvalue: number | Blank;
  /** Share of the final genotype's 16 ops without weights (0..1). */
  readonly parameterFreeShare: number;
  /** 100 x the evaluation's test error, on `testImages` test images. */
  readonly testErrorPct: number;
  readonly testImages: number;
}

/** The row of the finished run `run` (plan name `name`, group `group`) and its finished `evaluation`; unfinished ones throw. */
export function curvatureErrorRow(name: string, group: string, run: CurvatureRun, evaluation: StoredEvaluation): CurvatureErrorRow {
  if (!run.done || !run.genotype) throw new Error(`curvatureErrorRow: the run in ${run.dir} is not finished`);
  if (!evaluation.done || evaluation.testError === undefined || evaluation.testImages === undefined) {
    throw new Error(`curvatureErrorRow: the evaluation in ${evaluation.dir} is not finished`);
  }
  const last = [...run.epochs].reverse().find((r) => r.hessian);
  return {
    name,
    group,
    space: run.config.space,
    eigenvalueEpoch: last ? last.epoch : '',
    dominantEigenvalue: last?.hessian?.dominantEigenvalue ?? '',
    parameterFreeShare: parameterFreeShare(run.genotype.genotype),
    testErrorPct: 100 * evaluation.testError,
    testImages: evaluation.testImages,
  };
}

/** One line of a correlation table. */
export interface CorrelationRow {
  readonly x: string;
  readonly y: string;
  readonly statistic: 'pearson' | 'spearman';
  /** Points with both values finite. */
  readonly n: number;
  /** Blank where the coefficient does not exist (fewer than 3 points, or x or y constant: see `note`). */
  readonly estimate: number | Blank;
  /** 95% paired-bootstrap percentile interval. */
  readonly ciLow: number | Blank;
  readonly ciHigh: number | Blank;
  /** The paper's value of the same coefficient (docs/method.md §3), where it reports one. */
  readonly paper: number | Blank;
  readonly note: string;
}

const blankNaN = (v: number): number | Blank => (Number.isFinite(v) ? v : '');

/**
 * Pearson and Spearman coefficients of the finite pairs of `points`, each with a 95% bootstrap
 * interval (`samples` resamples, default 2000, seeded by `seed`); `names` labels x and y and
 * `paperPearson` is set beside Pearson's. Never throws on degenerate data: the cells are blank and
 * `note` says why.
 */
export function correlationRows(
  points: readonly { readonly x: number | Blank; readonly y: number | Blank }[],
  names: { readonly x: string; readonly y: string; readonly paperPearson?: number },
  options: { readonly seed: number; readonly samples?: number },
): CorrelationRow[] {
  const finite = points.filter(
    (p): p is { x: number; y: number } =>
      typeof p.x === 'number' && typeof p.y === 'number' && Number.isFinite(p.x) && Number.isFinite(p.y),
  );
  const [xs, ys] = [finite.map((p) => p.x), finite.map((p) => p.y)];
  const constant = (v: number[]) => v.every((a) => a === v[0]);
  return (
    [
      ['pearson', pearson],
      ['spearman', spearman],
    ] as const
  ).map(([statistic, fn]) => {
    const base = {
      x: names.x,
      y: names.y,
      statistic,
      n: finite.length,
      paper: statistic === 'pearson' ? (names.paperPearson ?? '') : '',
    } as const;
    if (finite.length < 3) return { ...base, estimate: '', ciLow: '', ciHigh: '', note: `${finite.length} points; a coefficient needs 3` };
    if (constant(xs) || constant(ys)) {
      return { ...base, estimate: '', ciLow: '', ciHigh: '', note: `${constant(xs) ? names.x : names.y} is the same for every point` };
    }
    const ci = bootstrapCI(xs, ys, fn, { seed: options.seed, samples: options.samples ?? 2000 });
    return {
      ...base,
      estimate: blankNaN(ci.estimate),
      ciLow: blankNaN(ci.low),
      ciHigh: blankNaN(ci.high),
      note: `bootstrap: ${ci.samples} of ${options.samples ?? 2000} resamples usable, seed ${options.seed}`,
    };
  });
}

const fmt = (v: number | Blank, digits = 2) => (v === '' ? 'n/a' : v.toFixed(digits));

/** 'Pearson r = 0.41 (95% CI −0.10 to 0.80)' for each row, joined by ' · '. */
export function correlationText(rows: readonly CorrelationRow[]): string {
  return rows
    .map(
      (r) =>
        `${r.statistic === 'pearson' ? 'Pearson r' : 'Spearman ρ'} = ${fmt(r.estimate)}` +
        (r.estimate === '' ? ` (${r.note})` : ` (95% CI ${fmt(r.ciLow)} to ${fmt(r.ciHigh)})`),
    )
    .join(' · ');
}

/** One point of a scatter: a search, coloured by its group, its marker by its space. */
export interface ScatterPoint {
  readonly name: string;
  readonly group: string;
  readonly space: SpaceName;
  readonly x: number | Blank;
  readonly y: number | Blank;
}

const GROUP_COLORS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#c92a2a', '#868e96'];
// The PNG's size (exportSize); in a notebook the figure takes the output area's width (about 980 px).
const SCATTER_WIDTH = 900;
const SCATTER_HEIGHT = 600;
const SPACE_SYMBOLS: Record<SpaceName, string> = { s1: 'circle', s2: 'square', s3: 'diamond', s4: 'triangle-up', darts: 'x' };

/**
 * A scatter of `points`: colour by group, marker by space (both in the legend), each point
 * labelled with its name; the correlations and `note` written under the title. The x axis turns
 * logarithmic when the positive x values span more than a factor of 10.
 */
export function curvatureScatter(
  points: readonly ScatterPoint[],
  correlations: readonly CorrelationRow[],
  labels: { readonly title: string; readonly x: string; readonly y: string; readonly note?: string },
): Figure {
  const shown = points.filter((p): p is ScatterPoint & { x: number; y: number } => typeof p.x === 'number' && typeof p.y === 'number');
  const xs = shown.map((p) => p.x).filter((v) => v > 0);
  const log = xs.length > 0 && xs.length === shown.length && Math.max(...xs) / Math.min(...xs) > 10;
  const lines = [correlationText(correlations), ...(labels.note ? [labels.note] : [])];
  const top = 80 + 18 * lines.length;
  // The plot area: the figure less the margins, the y axis's labels and the legend (about 250 px).
  const text = placeLabels(shown, { width: SCATTER_WIDTH - 250, height: SCATTER_HEIGHT - top - 70, logX: log });
  const groups = [...new Set(shown.map((p) => p.group))];
  const data: object[] = groups.map((group, k) => {
    const g = shown.filter((p) => p.group === group);
    return {
      type: 'scatter',
      mode: 'markers+text',
      name: group,
      legendgroup: 'group',
      legendgrouptitle: { text: 'group (colour)' },
      x: g.map((p) => p.x),
      y: g.map((p) => p.y),
      text: g.map((p) => text.get(p.name)?.text),
      customdata: g.map((p) => p.name),
      textposition: g.map((p) => text.get(p.name)?.position),
      textfont: { size: 9 },
      hovertemplate: '%{customdata}: (%{x:.4g}, %{y:.4g})<extra></extra>',
      marker: {
        size: 11,
        color: GROUP_COLORS[k % GROUP_COLORS.length],
        symbol: g.map((p) => SPACE_SYMBOLS[p.space]),
        line: { width: 1, color: '#333' },
      },
    };
  });
  // Legend entries only (no points drawn): the marker of each space present.
  for (const space of Object.keys(SPACE_SYMBOLS) as SpaceName[]) {
    if (!shown.some((p) => p.space === space)) continue;
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: space === 'darts' ? 'DARTS' : space.toUpperCase(),
      x: [null],
      y: [null],
      legendgroup: 'space',
      legendgrouptitle: { text: 'space (marker)' },
      marker: { size: 11, color: '#adb5bd', symbol: SPACE_SYMBOLS[space] },
    });
  }
  return {
    data,
    layout: {
      title: { text: labels.title },
      height: SCATTER_HEIGHT,
      margin: { t: top, b: 70 },
      xaxis: { title: { text: `${labels.x}${log ? ' (log scale)' : ''}` }, ...(log ? { type: 'log' } : {}) },
      yaxis: { title: { text: labels.y } },
      legend: { groupclick: 'toggleitem', tracegroupgap: 16 },
      annotations: [
        {
          xref: 'paper',
          yref: 'paper',
          x: 0,
          y: 1.02,
          xanchor: 'left',
          yanchor: 'bottom',
          showarrow: false,
          align: 'left',
          font: { size: 12 },
          text: lines.join('<br>'),
        },
      ],
    },
    config: { toImageButtonOptions: { width: SCATTER_WIDTH } },
  };
}

/** One search's accuracy drop at discretisation, beside its final curvature. */
export interface DiscretisationRow {
  readonly name: string;
  readonly group: string;
  readonly space: SpaceName;
  readonly dominantEigenvalue: number | Blank;
  /** The checkpoint measured (the last epoch of a finished run). */
  readonly checkpointEpoch: number;
  /** Accuracies on the alpha half, training-mode BN, in %; the drop in percentage points. */
  readonly supernetAccPct: number;
  readonly discreteAccPct: number;
  readonly dropPct: number;
  readonly images: number;
}

/** `checkpointDiscretisation` of `run` as a row, beside the dominant eigenvalue of its last measured epoch. */
export function discretisationRow(
  name: string,
  group: string,
  run: CurvatureRun,
  options: { readonly train?: Dataset } = {},
): DiscretisationRow {
  const d = checkpointDiscretisation(run, options);
  const last = [...run.epochs].reverse().find((r) => r.hessian);
  return {
    name,
    group,
    space: run.config.space,
    dominantEigenvalue: last?.hessian?.dominantEigenvalue ?? '',
    checkpointEpoch: d.epoch,
    supernetAccPct: 100 * d.supernet,
    discreteAccPct: 100 * d.discrete,
    dropPct: 100 * d.drop,
    images: d.images,
  };
}

/** The presets whose searches are long enough (50 epochs, as the paper) for these correlations to mean something. */
export const MEANINGFUL_PRESETS: readonly string[] = ['mini', 'paper'];

const ranked = <T>(rows: readonly T[], value: (r: T) => number) => [...rows].sort((a, b) => value(b) - value(a));
const measured = <T extends { dominantEigenvalue: number | Blank }>(rows: readonly T[]) =>
  rows.filter((r): r is T & { dominantEigenvalue: number } => typeof r.dominantEigenvalue === 'number');

/**
 * What the two tables say, as sentences (the notebook's closing cell): whether the preset is long
 * enough to read them, the correlations beside the paper's, the searches with the highest and
 * lowest curvature and their errors, and the drop at discretisation of low- against high-curvature
 * searches (the paper: low curvature never led to a large drop).
 */
export function curvatureFindings(
  preset: string,
  rows: readonly CurvatureErrorRow[],
  correlations: readonly CorrelationRow[],
  drops: readonly DiscretisationRow[],
  dropCorrelations: readonly CorrelationRow[],
): string[] {
  if (rows.length === 0) throw new Error('curvatureFindings: rows must not be empty');
  const lines: string[] = [];
  if (!MEANINGFUL_PRESETS.includes(preset)) {
    const epochs = [
      ...new Set(
        rows
          .map((r) => r.eigenvalueEpoch)
          .filter((e) => e !== '')
          .map((e) => Number(e) + 1),
      ),
    ].join('/');
    lines.push(
      `Preset ${preset}: these numbers are only meaningful at mini. Here the curvature is read after ${epochs || '?'} epochs ` +
        `(the paper: 50, where the eigenvalue has risen), the test errors come from ${rows[0].testImages} test images ` +
        `(one image = ${(100 / rows[0].testImages).toFixed(2)} points), and ${rows.length} searches of one seed give a wide interval; ` +
        'the correlations below test the pipeline, not the paper.',
    );
  }
  const pearsonRow = correlations.find((c) => c.statistic === 'pearson');
  const paper = pearsonRow?.paper === '' || pearsonRow === undefined ? PAPER_EIGENVALUE_ERROR_PEARSON : pearsonRow.paper;
  const within =
    pearsonRow && pearsonRow.ciLow !== '' && pearsonRow.ciHigh !== ''
      ? paper >= pearsonRow.ciLow && paper <= pearsonRow.ciHigh
        ? 'inside'
        : 'outside'
      : '';
  const zero =
    pearsonRow && pearsonRow.ciLow !== '' && pearsonRow.ciHigh !== ''
      ? pearsonRow.ciLow > 0
        ? 'excludes 0 (a positive correlation)'
        : pearsonRow.ciHigh < 0
          ? 'excludes 0 (a negative correlation)'
          : 'includes 0'
      : '';
  lines.push(
    `Eigenvalue at the end of the search vs test error over ${pearsonRow?.n ?? 0} architectures: ${correlationText(correlations)}; ` +
      `the paper: Pearson ${paper} over ${PAPER_CORRELATION_SEARCHES} architectures (S1, CIFAR-10)` +
      (within ? `, ${within} our interval, which ${zero}.` : '.'),
  );
  const m = measured(rows);
  if (m.length > 0) {
    const byError = ranked(rows, (r) => r.testErrorPct);
    const describe = (r: CurvatureErrorRow & { dominantEigenvalue: number }) =>
      `${r.name} (eigenvalue ${r.dominantEigenvalue.toPrecision(3)}, ` +
      `test error ${r.testErrorPct.toFixed(1)}%, ${byError.indexOf(r) + 1} of ${rows.length} by error, highest first)`;
    const byEigen = ranked(m, (r) => r.dominantEigenvalue);
    lines.push(`Highest curvature: ${describe(byEigen[0])}; lowest: ${describe(byEigen[byEigen.length - 1])}.`);
  }
  const halves = dropsByCurvatureHalf(drops);
  if (halves) {
    const worst = (w: DiscretisationRow | undefined, n: number) => (n === 0 || !w ? 'none' : `${w.dropPct.toFixed(1)} points (${w.name})`);
    lines.push(
      `Accuracy drop at discretisation (supernet − discrete, alpha half, ${halves.images} images): largest ` +
        `${worst(halves.lowWorst, halves.low)} among the ${halves.low} searches with eigenvalue <= the (lower) median ${halves.median.toPrecision(3)}, ` +
        `largest ${worst(halves.highWorst, halves.high)} among the ${halves.high} above it` +
        `${halves.highMedianDrop === undefined ? '' : ` (their median ${halves.highMedianDrop.toFixed(1)})`} ` +
        `(the paper: low curvature never led to a large drop). Drop vs eigenvalue: ${correlationText(dropCorrelations)}.`,
    );
  }
  return lines;
}

/** The searches split at the median final eigenvalue, with the largest drop at discretisation on each side. */
export interface CurvatureHalves {
  readonly median: number;
  /** How many searches have eigenvalue <= median (low) and > median (high). */
  readonly low: number;
  readonly high: number;
  /** The search with the largest drop on each side (undefined where a side is empty). */
  readonly lowWorst: DiscretisationRow | undefined;
  readonly highWorst: DiscretisationRow | undefined;
  /** The median drop of the high side (the mean of the middle two for an even count; undefined where it is empty). */
  readonly highMedianDrop: number | undefined;
  readonly images: number;
}

/**
 * The paper's one-sided claim (docs/method.md §3: low curvature never led to a large drop) made
 * measurable: split the searches with a measured eigenvalue at the median (the lower median for an
 * even count) and find the largest drop on each side. Undefined when no search has an eigenvalue.
 */
export function dropsByCurvatureHalf(drops: readonly DiscretisationRow[]): CurvatureHalves | undefined {
  const md = measured(drops);
  if (md.length === 0) return undefined;
  const lowerMedian = [...md].map((r) => r.dominantEigenvalue).sort((a, b) => a - b)[Math.floor((md.length - 1) / 2)];
  const low = md.filter((r) => r.dominantEigenvalue <= lowerMedian);
  const high = md.filter((r) => r.dominantEigenvalue > lowerMedian);
  const worst = (rs: typeof md) => ranked(rs, (r) => r.dropPct)[0];
  const highMedianDrop = high.length === 0 ? undefined : median(high.map((r) => r.dropPct));
  return {
    median: lowerMedian,
    low: low.length,
    high: high.length,
    lowWorst: worst(low),
    highWorst: worst(high),
    highMedianDrop,
    images: md[0].images,
  };
}
