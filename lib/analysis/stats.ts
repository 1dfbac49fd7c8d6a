/**
 * Correlation between paired measurements, with a bootstrap confidence interval (docs/method.md §3: the
 * paper reports a Pearson correlation of 0.867 between the dominant eigenvalue at the end of the
 * search and the test error of the final architecture, over 24 architectures on S1 / CIFAR-10).
 * Plain float64 JavaScript; the resampling draws from the repository's seeded `Rng`.
 *
 * Degenerate input: a correlation of a sample in which x or y is constant (zero variance) is NaN,
 * as in NumPy and SciPy; it never throws for that reason.
 */
import { Rng } from '../nn/random';

/** A statistic of paired samples, e.g. `pearson` or `spearman`. */
export type PairedStatistic = (x: readonly number[], y: readonly number[]) => number;

/** Options of `bootstrapCI`. */
export interface BootstrapOptions {
  /** Bootstrap replicates drawn (default 2000). */
  readonly samples?: number;
  /** Coverage of the percentile interval, in (0, 1) (default 0.95). */
  readonly level?: number;
  /** Seed of the resampling `Rng` (an integer); the same seed gives the same interval. */
  readonly seed: number;
}

/** A statistic and its bootstrap percentile interval. */
export interface BootstrapCI {
  /** The statistic of the data as given. */
  readonly estimate: number;
  /** Lower end: the (1 - level) / 2 quantile of the replicates (NaN when none is finite). */
  readonly low: number;
  /** Upper end: the (1 + level) / 2 quantile of the replicates (NaN when none is finite). */
  readonly high: number;
  /** Finite replicates the interval is made of (replicates whose statistic is NaN are left out). */
  readonly samples: number;
}

/** Copies `x` and `y` after checking: equal lengths of at least 3, finite numbers; errors name `fn` and the argument. */
function checkPaired(x: ArrayLike<number>, y: ArrayLike<number>, fn: string): { xs: number[]; ys: number[] } {
  const check = (v: ArrayLike<number>, name: string): number[] => {
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
      throw new Error(`${fn}: ${name} = ${String(v)} is not an array of numbers`);
    }
    if (v.length < 3) throw new Error(`${fn}: ${name} has ${v.length} values; expected at least 3`);
    const out = Array.from(v);
    out.forEach((value, i) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`${fn}: ${name}[${i}] = ${String(value)} is not a finite number`);
      }
    });
    return out;
  };
  const xs = check(x, 'x');
  const ys = check(y, 'y');
  if (xs.length !== ys.length) {
    throw new Error(`${fn}: x has ${xs.length} values and y has ${ys.length}; expected equal lengths (paired samples)`);
  }
  return { xs, ys };
}

const isConstant = (v: readonly number[]) => v.every((value) => value === v[0]);

/** Pearson's r of checked samples: NaN if either is constant; clamped to [-1, 1] against rounding. */
function pearsonOf(x: readonly number[], y: readonly number[]): number {
  if (isConstant(x) || isConstant(y)) return NaN;
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** The arithmetic mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The median (the mean of the middle two for an even count); NaN for no values. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The sample standard deviation (n - 1 in the denominator); NaN below two values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** 1-based ranks; tied values share the average of the ranks they span (SciPy's `rankdata` 'average'). */
export function averageRanks(v: readonly number[]): number[] {
  const order = v.map((_, i) => i).sort((a, b) => v[a] - v[b] || a - b);
  const ranks = new Array<number>(v.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && v[order[end]] === v[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of the ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Pearson's correlation coefficient r of paired samples `x` and `y` (equal lengths >= 3, finite).
 * NaN when x or y is constant (zero variance). Throws an error naming the bad argument.
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { xs, ys } = checkPaired(x, y, 'pearson');
  return pearsonOf(xs, ys);
}

/**
 * Spearman's rank correlation rho: Pearson's r of the ranks, tied values sharing their average
 * rank. Same input rules as `pearson`; NaN when x or y is constant.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { xs, ys } = checkPaired(x, y, 'spearman');
  return pearsonOf(averageRanks(xs), averageRanks(ys));
}

/** The p-quantile of ascending `sorted`, interpolated linearly (NumPy's default `percentile`). */
function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The paired bootstrap percentile interval of `statistic(x, y)`: `samples` times, draw n indices
 * with replacement (seeded `Rng(seed)`), apply `statistic` to the resampled pairs, and take the
 * (1 - level) / 2 and (1 + level) / 2 quantiles of the finite replicates (replicates that come out
 * NaN, e.g. a resample of one repeated pair, are left out and not counted in `samples`). If the
 * data are degenerate for the statistic (constant x or y for a correlation), `estimate`, `low` and
 * `high` are NaN and `samples` is 0. Throws an error naming the bad argument or option.
 */
export function bootstrapCI(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  statistic: PairedStatistic,
  options: BootstrapOptions,
): BootstrapCI {
  const { xs, ys } = checkPaired(x, y, 'bootstrapCI');
  if (typeof statistic !== 'function') throw new Error(`bootstrapCI: statistic = ${String(statistic)} is not a function`);
  if (options === null || typeof options !== 'object') throw new Error('bootstrapCI: options (with a seed) are required');
  const samples = options.samples ?? 2000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`bootstrapCI: samples=${samples} is not an integer >= 1`);
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new Error(`bootstrapCI: level=${level} is not in (0, 1)`);
  if (!Number.isInteger(options.seed)) throw new Error(`bootstrapCI: seed=${options.seed} is not an integer`);

  const estimate = statistic(xs, ys);
  const rng = new Rng(options.seed);
  const n = xs.length;
  const replicates: number[] = [];
  for (let b = 0; b < samples; b++) {
    const bx = new Array<number>(n);
    const by = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      bx[i] = xs[j];
      by[i] = ys[j];
    }
    const value = statistic(bx, by);
    if (Number.isFinite(value)) replicates.push(value);
  }
  replicates.sort((a, b) => a - b);
  return {
    estimate,
    low: quantile(replicates, (1 - level) / 2),
    high: quantile(replicates, (1 + level) / 2),
    samples: replicates.length,
  };
}

/** The most splits `permutationPLower` enumerates: C(24, 12) = 2,704,156 fits; more are drawn. */
export const PERMUTATION_MAX_SPLITS = 3_000_000;
/** Random splits drawn (seeded) where there are more than PERMUTATION_MAX_SPLITS. */
export const PERMUTATION_DRAWS = 200_000;

/**
 * One-sided permutation test that `a`'s mean is below `b`'s: of the ways to split the pooled values
 * into groups of `a`'s and `b`'s sizes, the share whose first group's mean is at most `a`'s (ties
 * within 1e-9 of the largest |value| count, the observed split included, so never 0). Small samples,
 * such as search seeds, have no distribution to assume. Exact, every split counted, up to
 * PERMUTATION_MAX_SPLITS splits; beyond, PERMUTATION_DRAWS uniform splits drawn with `Rng(seed)`,
 * and (hits + 1) / (draws + 1). Throws for an empty group or a non-finite value.
 */
export function permutationPLower(a: readonly number[], b: readonly number[], seed = 0): number {
  if (a.length === 0 || b.length === 0) throw new Error(`permutationPLower: empty group (${a.length} and ${b.length} values)`);
  const pooled = [...a, ...b];
  if (!pooled.every(Number.isFinite)) throw new Error(`permutationPLower: not every value is finite (${pooled.join(', ')})`);
  const [n, k] = [pooled.length, a.length];
  const splits = permutationSplits(k, n - k);
  // The group sizes are fixed, so comparing sums compares means.
  const observed = a.reduce((s, x) => s + x, 0);
  const bound = observed + 1e-9 * scaleOf(pooled) * k;
  const atMost = (sum: number) => sum <= bound;
  if (splits > PERMUTATION_MAX_SPLITS) {
    const rng = new Rng(seed);
    const order = pooled.slice();
    let hits = 0;
    for (let d = 0; d < PERMUTATION_DRAWS; d++) {
      // The first k of a partial Fisher-Yates shuffle: a uniform k-subset.
      let sum = 0;
      for (let i = 0; i < k; i++) {
        const j = i + rng.int(n - i);
        [order[i], order[j]] = [order[j], order[i]];
        sum += order[i];
      }
      if (atMost(sum)) hits++;
    }
    return (hits + 1) / (PERMUTATION_DRAWS + 1);
  }
  let hits = 0;
  const pick = (start: number, left: number, sum: number): void => {
    if (left === 0) {
      if (atMost(sum)) hits++;
      return;
    }
    for (let i = start; i <= n - left; i++) pick(i + 1, left - 1, sum + pooled[i]);
  };
  pick(0, k, 0);
  return hits / splits;
}

/** The tie tolerance's scale: the largest |value|, or 1 where every value is 0. */
function scaleOf(xs: readonly number[]): number {
  const m = Math.max(...xs.map(Math.abs));
  return m > 0 ? m : 1;
}

/** C(k + m, k): the ways to split k + m values into groups of k and m (exact below 2^53). */
export function permutationSplits(k: number, m: number): number {
  let splits = 1;
  for (let i = 1; i <= k; i++) splits = (splits * (m + i)) / i;
  return Math.round(splits);
}

/**
 * The smallest p `permutationPLower` can return for groups of k and m values: 1 / C(k + m, k) where
 * it counts every split, 1 / (PERMUTATION_DRAWS + 1) where it draws. Three seeds against three
 * cannot go below 0.05, two against two below 1/6: a p at its floor is the strongest those seeds allow.
 */
export function permutationPFloor(k: number, m: number): number {
  const splits = permutationSplits(k, m);
  return splits > PERMUTATION_MAX_SPLITS ? 1 / (PERMUTATION_DRAWS + 1) : 1 / splits;
}

/** The most sign patterns `signFlipPLower` enumerates (2^20); beyond, PERMUTATION_DRAWS are drawn. */
export const SIGN_FLIP_MAX_PATTERNS = 2 ** 20;

/**
 * One-sided paired permutation (sign-flip) test that the paired differences `d` (method - DARTS, of
 * the same search) are below 0: of the 2^n ways to flip their signs, the share whose sum is at most
 * the observed sum (ties within 1e-9 of the largest |d| count, so never 0). Exact up to
 * SIGN_FLIP_MAX_PATTERNS patterns, else PERMUTATION_DRAWS drawn with `Rng(seed)` and
 * (hits + 1) / (draws + 1) (its floor: `signFlipPFloor`). Throws for no differences or a non-finite one.
 */
export function signFlipPLower(d: readonly number[], seed = 0): number {
  if (d.length === 0) throw new Error('signFlipPLower: no differences');
  if (!d.every(Number.isFinite)) throw new Error(`signFlipPLower: not every difference is finite (${d.join(', ')})`);
  const n = d.length;
  const bound = d.reduce((s, x) => s + x, 0) + 1e-9 * scaleOf(d) * n;
  if (2 ** n > SIGN_FLIP_MAX_PATTERNS) {
    const rng = new Rng(seed);
    let hits = 0;
    for (let t = 0; t < PERMUTATION_DRAWS; t++) {
      let sum = 0;
      for (const x of d) sum += rng.int(2) === 0 ? x : -x;
      if (sum <= bound) hits++;
    }
    return (hits + 1) / (PERMUTATION_DRAWS + 1);
  }
  let hits = 0;
  for (let mask = 0; mask < 2 ** n; mask++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -d[i] : d[i];
    if (sum <= bound) hits++;
  }
  return hits / 2 ** n;
}

/** The smallest p `signFlipPLower` can return for n differences: 1 / 2^n counted, 1 / (PERMUTATION_DRAWS + 1) drawn. */
export function signFlipPFloor(n: number): number {
  return 2 ** n > SIGN_FLIP_MAX_PATTERNS ? 1 / (PERMUTATION_DRAWS + 1) : 2 ** -n;
}
