/**
 * How far a test error moves with the evaluation's seed alone: one genotype (DARTS's final S3
 * cell in the plan) trained from scratch under the preset's train config with several seeds. The
 * report compares methods by single evaluations (one seed each), so a difference
 * smaller than this spread says nothing about the methods. Besides the seed, a test error on n
 * images carries a binomial standard error of sqrt(p (1 - p) / n).
 */
import { mean, sampleSd } from './stats';
import type { SeedSpreadRow } from '../measurements/seed_spread';

/** Mean, sample standard deviation and range of the rows' test errors (points). */
export interface SeedSpreadSummary {
  readonly n: number;
  readonly meanPct: number;
  readonly sdPct: number;
  readonly minPct: number;
  readonly maxPct: number;
  /** The binomial standard error of the mean error on testImages images (points). */
  readonly binomialSePct: number;
}

/** The spread of `rows` (at least one). */
export function seedSpreadSummary(rows: readonly SeedSpreadRow[]): SeedSpreadSummary {
  if (rows.length === 0) throw new Error('seedSpreadSummary: no rows');
  const xs = rows.map((r) => r.testErrorPct);
  const m = mean(xs);
  const p = m / 100;
  const images = Math.min(...rows.map((r) => r.testImages));
  return {
    n: xs.length,
    meanPct: m,
    sdPct: sampleSd(xs),
    minPct: Math.min(...xs),
    maxPct: Math.max(...xs),
    binomialSePct: 100 * Math.sqrt((p * (1 - p)) / images),
  };
}

/** One sentence for the notebook's closing cell and the report. */
export function seedSpreadFinding(rows: readonly SeedSpreadRow[]): string {
  const s = seedSpreadSummary(rows);
  return (
    `The same genotype trained with ${s.n} evaluation seeds: test error ${s.meanPct.toFixed(2)}% on average, ` +
    `from ${s.minPct.toFixed(2)}% to ${s.maxPct.toFixed(2)}% (sd ${Number.isFinite(s.sdPct) ? s.sdPct.toFixed(2) : 'n/a'} points; ` +
    `the binomial standard error on ${Math.min(...rows.map((r) => r.testImages)).toLocaleString('en-US')} test images alone is ` +
    `${s.binomialSePct.toFixed(2)}). Differences between single evaluations smaller than this range say nothing about the methods.`
  );
}

/**
 * How a single evaluation's difference `delta` (points, method − reference) reads against the seed
 * spread's `range` (max − min, points): beyond it only when |delta| exceeds the range.
 */
export function spreadReading(
  delta: number,
  range: number,
): 'lower, beyond the seed range' | 'higher, beyond the seed range' | 'within the seed range' {
  if (Math.abs(delta) <= range) return 'within the seed range';
  return delta < 0 ? 'lower, beyond the seed range' : 'higher, beyond the seed range';
}
