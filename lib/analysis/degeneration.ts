/**
 * The yes/no answer of notebook 01 and the report's first question: did plain DARTS degenerate on a
 * space, and did its curvature rise with it? Two stated rules applied to a finished run, so that the
 * answer is computed from the records and can be checked against the numbers beside it:
 * - degenerate: a majority of the final normal cell's 8 ops are parameter-free. PAPER.md 6's mildest
 *   failure is S4's noise on 5 of 8 ops; on S1 to S3 skip connections take almost every edge.
 * - the curvature rose: the dominant eigenvalue at the last measured epoch is more than 1.3 times the
 *   first one. 1.3 is the factor of the original code's DARTS-ES rule (PAPER.md 4), which applies it
 *   to local averages; here it is applied to the two end points, so one noisy batch can decide it,
 *   and the ratio is printed beside the verdict.
 * The drift of the alphas is reported too: the MixedOp weight on parameter-free ops in the normal
 * cell at the start (uniform) and after the last epoch (`parameterFreeWeights`).
 */
import type { StoredRun } from '../runs/run_read';
import { parameterFreeCount } from '../spaces/genotype';
import { getSpace, type SpaceName } from '../spaces/spaces';
import { finalGenotype, parameterFreeWeights, type Blank } from './failure';

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
  /** The dominant eigenvalue at the first and last measured epoch, and last / first. */
  readonly firstEigenvalue: number | Blank;
  readonly lastEigenvalue: number | Blank;
  readonly eigenvalueRatio: number | Blank;
  /** normalParameterFree >= DEGENERATE_NORMAL_MIN. */
  readonly degenerate: 'yes' | 'no';
  /** eigenvalueRatio > CURVATURE_RISE_FACTOR; 'not measured' without two measurements. */
  readonly curvatureRose: 'yes' | 'no' | 'not measured';
}

/** The verdict row of a finished run; an unfinished one throws (`finalGenotype`). */
export function degenerationRow(run: StoredRun): DegenerationRow {
  const { genotype } = finalGenotype(run);
  const normalWeights = parameterFreeWeights(run.epochs, getSpace(run.config.space)).filter((r) => r.cell === 'normal');
  const measured = run.epochs.flatMap((r) => (r.hessian ? [r.hessian.dominantEigenvalue] : []));
  const [first, last] = measured.length >= 2 ? [measured[0], measured[measured.length - 1]] : [undefined, undefined];
  // The dominant eigenvalue of H + 1e-3 I is positive in practice; a first value <= 0 has no ratio, and
  // then the curvature rose when the last value is above it.
  const ratio = first !== undefined && last !== undefined && first > 0 ? last / first : undefined;
  const normalParameterFree = parameterFreeCount(genotype.normal);
  return {
    space: run.config.space,
    normalParameterFree,
    reduceParameterFree: parameterFreeCount(genotype.reduce),
    normalWeightStart: normalWeights[0].weight,
    normalWeightEnd: normalWeights[normalWeights.length - 1].weight,
    firstEigenvalue: first ?? '',
    lastEigenvalue: last ?? '',
    eigenvalueRatio: ratio ?? '',
    degenerate: normalParameterFree >= DEGENERATE_NORMAL_MIN ? 'yes' : 'no',
    curvatureRose: first === undefined || last === undefined ? 'not measured'
      : ratio === undefined ? (last > first ? 'yes' : 'no') : ratio > CURVATURE_RISE_FACTOR ? 'yes' : 'no',
  };
}

const names = (rows: readonly DegenerationRow[]) => (rows.length === 0 ? 'none' : rows.map((r) => r.space.toUpperCase()).join(', '));

/** The answer as two sentences, naming the spaces on each side of each rule and stating the rules. */
export function degenerationVerdict(preset: string, rows: readonly DegenerationRow[]): string[] {
  if (rows.length === 0) throw new Error('degenerationVerdict: rows must not be empty');
  const yes = rows.filter((r) => r.degenerate === 'yes');
  const no = rows.filter((r) => r.degenerate === 'no');
  const cells = (list: readonly DegenerationRow[]) => list.map((r) => `${r.space.toUpperCase()} ${r.normalParameterFree}/8`).join(', ');
  const rose = rows.filter((r) => r.curvatureRose === 'yes');
  const flat = rows.filter((r) => r.curvatureRose === 'no');
  const unmeasured = rows.filter((r) => r.curvatureRose === 'not measured');
  const ratios = rows.filter((r) => r.eigenvalueRatio !== '')
    .map((r) => `${r.space.toUpperCase()} ${(r.eigenvalueRatio as number).toFixed(2)}x`).join(', ');
  return [
    `Degenerate at preset ${preset} (at least ${DEGENERATE_NORMAL_MIN} of the final normal cell's 8 ops parameter-free): ` +
      `${names(yes)}${yes.length ? ` (${cells(yes)})` : ''}; not degenerate: ${names(no)}${no.length ? ` (${cells(no)})` : ''}.`,
    rose.length + flat.length === 0 ? 'The dominant eigenvalue was not measured twice on any space.'
      : `The dominant eigenvalue rose more than ${CURVATURE_RISE_FACTOR}x from its first to its last measurement on ${names(rose)}; ` +
        `not on ${names(flat)}${ratios ? ` (last / first: ${ratios})` : ''}` +
        `${unmeasured.length ? `; not measured twice on ${names(unmeasured)}` : ''}.`,
  ];
}
