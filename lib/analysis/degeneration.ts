/**
 * The yes/no answer of notebook 01 and the report's first question: did plain DARTS degenerate on a
 * space, and did its curvature rise with it? Two stated rules applied to a finished run, so that the
 * answer is computed from the records and can be checked against the numbers beside it:
 * - degenerate: a majority of the final normal cell's 8 ops are parameter-free. docs/method.md §6's mildest
 *   failure is S4's noise on 5 of 8 ops; on S1 to S3 skip connections take almost every edge.
 * - the curvature rose: the mean dominant eigenvalue over the last fifth of the measurements is more
 *   than 1.3 times the mean over the first fifth (at least one measurement each: at mini, 5 of the
 *   26, epochs 0-8 against 40-49). 1.3 is the factor of the original code's DARTS-ES rule (docs/method.md
 *   §4), which also compares local averages. Each measurement is on one batch of alphas and swings
 *   by up to 2x from one to the next, so end points alone let one noisy batch decide (at mini S4's
 *   first value, 0.034, was a third of the next ones).
 * The drift of the alphas is reported too: the MixedOp weight on parameter-free ops in the normal
 * cell at the start (uniform) and after the last epoch (`parameterFreeWeights`).
 */
import type { StoredRun } from '../runs/run_read';
import { parameterFreeCount } from '../spaces/genotype';
import { getSpace, type SpaceName } from '../spaces/spaces';
import { parameterFreeWeights, type Blank } from './failure';
import { finalGenotype } from '../runs/run_read';
import { mean } from './stats';

/** A final normal cell with at least this many parameter-free ops of 8 counts as degenerate. */
export const DEGENERATE_NORMAL_MIN = 5;
/** The curvature rose when last / first dominant eigenvalue exceeds this (the code's ES factor). */
export const CURVATURE_RISE_FACTOR = 1.3;

/** One row of the verdict table: a finished DARTS search. */
export interface DegenerationRow {
  readonly space: SpaceName;
  /** Parameter-free ops among the 8 of the final normal and reduction cell. */
  readonly normalParameterFree: number;
  readonly reduceParameterFree: number;
  /** The normal cell's mean weight on parameter-free ops (0..1) at the start and after the last epoch. */
  readonly normalWeightStart: number;
  readonly normalWeightEnd: number;
  /** The mean dominant eigenvalue over the first and the last `eigenvalueWindow` measurements, and end / start. */
  readonly startEigenvalue: number | Blank;
  readonly endEigenvalue: number | Blank;
  readonly eigenvalueWindow: number | Blank;
  readonly eigenvalueRatio: number | Blank;
  /** normalParameterFree >= DEGENERATE_NORMAL_MIN. */
  readonly degenerate: 'yes' | 'no';
  /** eigenvalueRatio > CURVATURE_RISE_FACTOR; 'not measured' without two measurements. */
  readonly curvatureRose: 'yes' | 'no' | 'not measured';
}

/** How many measurements each end's mean takes: a fifth of `n`, at least 1, at most half; undefined below 2. */
export function eigenvalueWindow(n: number): number | undefined {
  return n < 2 ? undefined : Math.max(1, Math.min(Math.floor(n / 2), Math.round(n / 5)));
}

/**
 * The dominant eigenvalue's mean over the first and the last `eigenvalueWindow` of a run's
 * measurements, and their ratio (any problem: every epoch record may carry `hessian`). The
 * eigenvalue of H + 1e-3 I is positive in practice; a start <= 0 has no ratio.
 */
export function eigenvalueEnds(epochs: readonly { readonly hessian?: { readonly dominantEigenvalue: number } | null }[]): {
  first?: number;
  last?: number;
  window?: number;
  ratio?: number;
} {
  const measured = epochs.flatMap((r) => (r.hessian ? [r.hessian.dominantEigenvalue] : []));
  const window = eigenvalueWindow(measured.length);
  if (window === undefined) return {};
  const first = mean(measured.slice(0, window));
  const last = mean(measured.slice(-window));
  return { first, last, window, ...(first > 0 ? { ratio: last / first } : {}) };
}

/** The verdict row of a finished run; an unfinished one throws (`finalGenotype`). */
export function degenerationRow(run: StoredRun): DegenerationRow {
  const { genotype } = finalGenotype(run);
  const normalWeights = parameterFreeWeights(run.epochs, getSpace(run.config.space)).filter((r) => r.cell === 'normal');
  // Without a ratio (a start <= 0), the curvature rose when the end is above the start.
  const { first, last, window, ratio } = eigenvalueEnds(run.epochs);
  const normalParameterFree = parameterFreeCount(genotype.normal);
  return {
    space: run.config.space,
    normalParameterFree,
    reduceParameterFree: parameterFreeCount(genotype.reduce),
    normalWeightStart: normalWeights[0].weight,
    normalWeightEnd: normalWeights[normalWeights.length - 1].weight,
    startEigenvalue: first ?? '',
    endEigenvalue: last ?? '',
    eigenvalueWindow: window ?? '',
    eigenvalueRatio: ratio ?? '',
    degenerate: normalParameterFree >= DEGENERATE_NORMAL_MIN ? 'yes' : 'no',
    curvatureRose:
      first === undefined || last === undefined
        ? 'not measured'
        : ratio === undefined
          ? last > first
            ? 'yes'
            : 'no'
          : ratio > CURVATURE_RISE_FACTOR
            ? 'yes'
            : 'no',
  };
}

const names = (rows: readonly DegenerationRow[]) => (rows.length === 0 ? 'none' : rows.map((r) => r.space.toUpperCase()).join(', '));
const windows = (rows: readonly DegenerationRow[]) => [...new Set(rows.map((r) => r.eigenvalueWindow).filter((w) => w !== ''))].join('/');

/** The answer as two sentences, naming the spaces on each side of each rule and stating the rules. */
export function degenerationVerdict(preset: string, rows: readonly DegenerationRow[]): string[] {
  if (rows.length === 0) throw new Error('degenerationVerdict: rows must not be empty');
  const yes = rows.filter((r) => r.degenerate === 'yes');
  const no = rows.filter((r) => r.degenerate === 'no');
  const cells = (list: readonly DegenerationRow[]) => list.map((r) => `${r.space.toUpperCase()} ${r.normalParameterFree}/8`).join(', ');
  const rose = rows.filter((r) => r.curvatureRose === 'yes');
  const flat = rows.filter((r) => r.curvatureRose === 'no');
  const unmeasured = rows.filter((r) => r.curvatureRose === 'not measured');
  const ratios = rows
    .filter((r) => r.eigenvalueRatio !== '')
    .map((r) => `${r.space.toUpperCase()} ${(r.eigenvalueRatio as number).toFixed(2)}x`)
    .join(', ');
  return [
    `Degenerate at preset ${preset} (at least ${DEGENERATE_NORMAL_MIN} of the final normal cell's 8 ops parameter-free): ` +
      `${names(yes)}${yes.length ? ` (${cells(yes)})` : ''}; not degenerate: ${names(no)}${no.length ? ` (${cells(no)})` : ''}.`,
    rose.length + flat.length === 0
      ? 'The dominant eigenvalue was not measured twice on any space.'
      : `The dominant eigenvalue rose more than ${CURVATURE_RISE_FACTOR}x (mean of the last ${windows(rows)} measurements over the ` +
        `mean of the first ${windows(rows)}) on ${rose.length === rows.length ? `all of ${names(rose)}` : names(rose)}` +
        `${flat.length ? `; not on ${names(flat)}` : ''}${ratios ? ` (end / start: ${ratios})` : ''}` +
        `${unmeasured.length ? `; not measured twice on ${names(unmeasured)}` : ''}.`,
    // The paper's claim joins the two: the curvature rises as the cell degenerates. Say whether they went together here.
    ...(rose.length + flat.length === 0
      ? []
      : [
          `Together: the curvature rose on ${rose.length} space(s), of which ` +
            `${rose.filter((r) => r.degenerate === 'yes').length} degenerated; of the ${flat.length} where it did not rise, ` +
            `${flat.filter((r) => r.degenerate === 'yes').length} degenerated.`,
        ]),
  ];
}
