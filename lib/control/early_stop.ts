/**
 * The DARTS-ES stopping rule on a series of dominant eigenvalues (docs/method.md §4): a pure function of
 * the eigenvalues recorded so far, used by the search loop ('stop', 'simulate', 'adaptive') and by
 * notebooks that replay other windows and factors over stored series.
 *
 * What the original code computes (automl/RobustDARTS, src/utils.py `EVLocalAvg`, driven by
 * src/search/train_search.py; defaults from src/search/args.py and the published scripts):
 *   - The Hessian is evaluated at the end of every 0-based epoch with epoch % report_freq_hessian
 *     == 0, and at the last epoch. The args.py default is 50, but the published runs pass
 *     `--report_freq_hessian 2` (scripts/DARTS_search.sh, DARTS-ADA_search.sh, the logged
 *     config.yaml): epochs 0, 2, ..., 48 and 49 for 50 epochs.
 *   - `update(epoch, ev, genotype)` appends ev to a list and stores the genotype under the epoch.
 *     Once the list holds ceil(window / 2) = 3 values, and before the last epoch, it appends one local
 *     average per evaluation: the mean of all values while fewer than `window` = 5 exist, then the
 *     mean of the last 5 (list positions la_start_idx .. la_end_idx - 1, both moved on by one each
 *     time). It labels that average with the epoch  epoch - report_freq_hessian * floor(window / 2)
 *     = epoch - 4: the window is centred two evaluations back. So the average labelled c is the mean
 *     of the values at the evaluations c-2 .. c+2 that exist (epochs c-4 .. c+4 at one evaluation
 *     every 2 epochs; the first two averages hold 3 and 4 values). The window counts evaluations
 *     (list positions), not epochs.
 *   - `early_stop(epoch, factor=1.3, es_start_epoch=10, delta=4)` is called after each update except
 *     at the last epoch. It acts only if  label(epoch) - report_freq_hessian * delta >= es_start_epoch,
 *     i.e. epoch - 4 - 8 >= 10: decision epochs e >= 22. Then it compares the newest average with the
 *     one `delta` = 4 positions earlier in the list (again positions, i.e. evaluations):
 *     stop when LA(newest) / LA(4 earlier) > factor, strictly; that is LA(e - 4) / LA(e - 12) > 1.3.
 *     On a stop, stop_epoch = label(epoch) - report_freq_hessian * delta = e - 12, and the genotype
 *     returned (the DARTS-ES result; the ADA rollback point) is the one stored at that epoch. The
 *     loop acts on the first firing: it breaks ('stop'), turns the rule off after logging it
 *     ('simulate'), or rolls back and goes on with the tracker restored from that epoch ('adaptive').
 *   - The averages are float64 means over the values in list order, and the ratio a plain division
 *     (no guard for zero or negative averages); ours are the same.
 *
 * Where docs/method.md §4's summary and the code differ, this file follows the code:
 *   - "e >= 22" is not a constant of the code: it is es_start_epoch (10) gating the stop epoch,
 *     10 + report_freq_hessian * (floor(window / 2) + delta) = 10 + 2 * (2 + 4). It depends on the
 *     evaluation frequency and the window, not on the number of epochs. `codeRule` derives it.
 *   - The window and the lag are counted in evaluations; "epochs c-4 .. c+4", "e - 4" and "e - 12"
 *     hold only at one evaluation every 2 epochs. CODE_RULE counts evaluations, as the code does.
 *   - The code's docstrings say es_start_epoch "Default: 20" and delta "Default: 2"; the signature
 *     and argparse defaults, which ran, are 10 and 4.
 * The paper's own wording (docs/method.md §4: average over k = 5 epochs; stop when avg(i - k) / avg(i) <
 * 0.75; return the architecture from k epochs earlier) is a different rule: PAPER_RULE.
 */

/** How windows and lags are measured: positions in the history, or differences of epoch numbers. */
export type EarlyStopUnit = 'evaluations' | 'epochs';

/**
 * Which ratio of the two local averages is compared with `factor`, strictly:
 * 'recentOverPastAbove' stops when recent / past > factor (the code);
 * 'pastOverRecentBelow' stops when past / recent < factor (the paper's wording).
 */
export type EarlyStopComparison = 'recentOverPastAbove' | 'pastOverRecentBelow';

/**
 * A stopping rule on the dominant eigenvalue. At a decision (the newest entry of the history, at
 * epoch e), two local averages are compared: one centred `recentLag` units before the newest
 * entry, one centred `pastLag` units before it. A local average centred at c is the mean of the
 * eigenvalues whose position (or epoch) lies in c - windowBefore .. c + windowAfter and that exist
 * so far; it needs c >= 0 and at least one value.
 */
export interface EarlyStopRule {
  /** A short label for tables ('code', 'paper', ...). */
  readonly name: string;
  /** What windows and lags count: 'evaluations' (entries of the history, as the code) or 'epochs'. */
  readonly unit: EarlyStopUnit;
  /** The window reaches this many units before its centre (code: 2 evaluations; paper: 4 epochs). */
  readonly windowBefore: number;
  /** The window reaches this many units after its centre (code: 2 evaluations; paper: 0). */
  readonly windowAfter: number;
  /** Centre of the recent average, in units before the decision (code: 2 evaluations = e - 4). */
  readonly recentLag: number;
  /**
   * Centre of the past average, in units before the decision; also the point returned (stopEpoch):
   * the epoch of that entry ('evaluations'), or e - pastLag ('epochs') (code: 6 evaluations =
   * e - 12; paper: k = 5 epochs).
   */
  readonly pastLag: number;
  /** Which ratio is compared with `factor`, and in which direction (strict). */
  readonly comparison: EarlyStopComparison;
  /** The threshold (code: 1.3 on recent / past; paper: 0.75 on past / recent). */
  readonly factor: number;
  /** No decision before this epoch (code: 22 = es_start_epoch 10 + 2 * (2 + 4)). */
  readonly startEpoch: number;
}

/** The code's own parameters (src/search/args.py; report_freq_hessian as the published runs). */
export interface CodeRuleOptions {
  /** `window`: values per local average (5). */
  readonly window: number;
  /** `delta`: averages (evaluations) between the two compared (4). */
  readonly delta: number;
  /** `report_freq_hessian`: epochs between eigenvalue evaluations (2; our config's hessian.evalEvery). */
  readonly evalEvery: number;
  /** `es_start_epoch`: the earliest stop epoch (10). */
  readonly esStartEpoch: number;
  /** `factor`: stop when recent / past > factor (1.3). */
  readonly factor: number;
}

const CODE_DEFAULTS: CodeRuleOptions = Object.freeze({ window: 5, delta: 4, evalEvery: 2, esStartEpoch: 10, factor: 1.3 });

/**
 * The code's rule for other values of its parameters, in this file's terms. The average appended at
 * an evaluation is the mean of the last `window` values and is labelled floor(window / 2)
 * evaluations back: windowBefore = ceil(window / 2) - 1, windowAfter = recentLag = floor(window / 2);
 * the past one is `delta` averages earlier: pastLag = floor(window / 2) + delta; the gate
 * e - evalEvery * pastLag >= esStartEpoch gives startEpoch = esStartEpoch + evalEvery * pastLag.
 */
export function codeRule(options: Partial<CodeRuleOptions> = {}): EarlyStopRule {
  const o = { ...CODE_DEFAULTS, ...options };
  for (const key of ['window', 'delta', 'evalEvery'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`codeRule: options.${key} must be a positive integer, got ${o[key]}`);
  }
  if (!Number.isInteger(o.esStartEpoch) || o.esStartEpoch < 0) {
    throw new Error(`codeRule: options.esStartEpoch must be a non-negative integer, got ${o.esStartEpoch}`);
  }
  if (!Number.isFinite(o.factor) || o.factor <= 0) throw new Error(`codeRule: options.factor must be a positive number, got ${o.factor}`);
  const half = Math.floor(o.window / 2);
  const changed = (Object.keys(CODE_DEFAULTS) as (keyof CodeRuleOptions)[]).filter((k) => o[k] !== CODE_DEFAULTS[k]);
  return Object.freeze({
    name: ['code', ...changed.map((k) => `${k}=${o[k]}`)].join(' '),
    unit: 'evaluations',
    windowBefore: Math.ceil(o.window / 2) - 1,
    windowAfter: half,
    recentLag: half,
    pastLag: half + o.delta,
    comparison: 'recentOverPastAbove',
    factor: o.factor,
    startEpoch: o.esStartEpoch + o.evalEvery * (half + o.delta),
  });
}

/**
 * The original code's rule (the default): means of 5 evaluations centred 2 and 6 evaluations back,
 * stop when their ratio > 1.3, from epoch 22; returns the epoch 6 evaluations back (e - 12).
 */
export const CODE_RULE: EarlyStopRule = codeRule();

/**
 * The paper's wording: avg(i) = mean of the values at epochs i-4 .. i (k = 5 epochs, trailing: at
 * decision time i nothing later exists); stop when avg(i - 5) / avg(i) < 0.75; return epoch i - 5
 * (which need not be an evaluated epoch). The paper names no start; ours, 9 = 2k - 1, is the first
 * epoch where both windows lie inside the run.
 */
export const PAPER_RULE: EarlyStopRule = Object.freeze({
  name: 'paper',
  unit: 'epochs',
  windowBefore: 4,
  windowAfter: 0,
  recentLag: 0,
  pastLag: 5,
  comparison: 'pastOverRecentBelow',
  factor: 0.75,
  startEpoch: 9,
});

/** One eigenvalue evaluation (further fields, as in stored records, are ignored). */
export interface EigenvalueEntry {
  /** 0-based epoch after which the Hessian was evaluated. */
  readonly epoch: number;
  /** Its dominant eigenvalue. */
  readonly dominantEigenvalue: number;
}

/**
 * The rule's verdict at a decision: go on, or stop. `decisionEpoch` is the epoch of the newest
 * entry; `stopEpoch` the epoch whose genotype is the result (and the DARTS-ADA rollback point);
 * `ratio` the ratio that crossed `factor`.
 */
export type EarlyStopDecision =
  { readonly stop: false } | { readonly stop: true; readonly decisionEpoch: number; readonly stopEpoch: number; readonly ratio: number };

const NO_STOP: EarlyStopDecision = Object.freeze({ stop: false });

/**
 * The rule at the newest entry of `history` (the evaluation just made). Never stops at the last
 * epoch, totalEpochs - 1, when `totalEpochs` is given (the code does not call the rule there).
 * Throws, naming the index or field, on epochs that are not strictly increasing non-negative
 * integers, on non-finite eigenvalues, on an empty history and on a malformed rule.
 */
export function earlyStopDecision(
  history: readonly EigenvalueEntry[],
  rule: EarlyStopRule = CODE_RULE,
  totalEpochs?: number,
): EarlyStopDecision {
  check('earlyStopDecision', history, rule, totalEpochs);
  if (history.length === 0) throw new Error('earlyStopDecision: history is empty: there is no evaluation to decide at');
  return decideAt(history, history.length - 1, rule, totalEpochs);
}

/**
 * The first stop of the rule replayed over a stored series: the decision at every prefix in turn
 * (what a search would have done, evaluation by evaluation), or `{ stop: false }`. Same checks as
 * `earlyStopDecision`; an empty history never stops.
 */
export function firstEarlyStop(
  history: readonly EigenvalueEntry[],
  rule: EarlyStopRule = CODE_RULE,
  totalEpochs?: number,
): EarlyStopDecision {
  check('firstEarlyStop', history, rule, totalEpochs);
  for (let last = 0; last < history.length; last++) {
    const decision = decideAt(history, last, rule, totalEpochs);
    if (decision.stop) return decision;
  }
  return NO_STOP;
}

/** The decision at entry `last`, seeing entries 0 .. last only (inputs already checked). */
function decideAt(history: readonly EigenvalueEntry[], last: number, rule: EarlyStopRule, totalEpochs?: number): EarlyStopDecision {
  const epoch = history[last].epoch;
  if (epoch < rule.startEpoch) return NO_STOP;
  if (totalEpochs !== undefined && epoch === totalEpochs - 1) return NO_STOP;
  // Centres: positions (entry indices) or epochs, `lag` units before the newest entry.
  const origin = rule.unit === 'evaluations' ? last : epoch;
  const recent = localAverage(history, last, rule, origin - rule.recentLag);
  const past = localAverage(history, last, rule, origin - rule.pastLag);
  if (recent === undefined || past === undefined) return NO_STOP;
  const ratio = rule.comparison === 'recentOverPastAbove' ? recent / past : past / recent;
  const stop = rule.comparison === 'recentOverPastAbove' ? ratio > rule.factor : ratio < rule.factor;
  if (!stop) return NO_STOP;
  const stopEpoch = rule.unit === 'evaluations' ? history[origin - rule.pastLag].epoch : epoch - rule.pastLag;
  return { stop: true, decisionEpoch: epoch, stopEpoch, ratio };
}

/**
 * Mean of the eigenvalues of entries 0 .. last whose position ('evaluations') or epoch ('epochs')
 * lies in centre - windowBefore .. centre + windowAfter, summed in history order; undefined when
 * the centre is before the run or the window holds no value.
 */
function localAverage(history: readonly EigenvalueEntry[], last: number, rule: EarlyStopRule, centre: number): number | undefined {
  if (centre < 0) return undefined;
  const lo = centre - rule.windowBefore;
  const hi = centre + rule.windowAfter;
  let sum = 0;
  let count = 0;
  for (let i = 0; i <= last; i++) {
    const at = rule.unit === 'evaluations' ? i : history[i].epoch;
    if (at >= lo && at <= hi) {
      sum += history[i].dominantEigenvalue;
      count += 1;
    }
  }
  return count === 0 ? undefined : sum / count;
}

const UNITS: readonly EarlyStopUnit[] = ['evaluations', 'epochs'];
const COMPARISONS: readonly EarlyStopComparison[] = ['recentOverPastAbove', 'pastOverRecentBelow'];

/** Throws, prefixed by `fn`, on a malformed history, rule or totalEpochs. */
function check(fn: string, history: readonly EigenvalueEntry[], rule: EarlyStopRule, totalEpochs: number | undefined): void {
  if (typeof rule !== 'object' || rule === null) throw new Error(`${fn}: rule must be an EarlyStopRule, got ${rule}`);
  if (typeof rule.name !== 'string' || rule.name === '') throw new Error(`${fn}: rule.name must be a non-empty string`);
  if (!UNITS.includes(rule.unit)) throw new Error(`${fn}: rule.unit must be one of ${UNITS.join(', ')}, got ${rule.unit}`);
  if (!COMPARISONS.includes(rule.comparison)) {
    throw new Error(`${fn}: rule.comparison must be one of ${COMPARISONS.join(', ')}, got ${rule.comparison}`);
  }
  for (const key of ['windowBefore', 'windowAfter', 'recentLag', 'pastLag', 'startEpoch'] as const) {
    if (!Number.isInteger(rule[key]) || rule[key] < 0)
      throw new Error(`${fn}: rule.${key} must be a non-negative integer, got ${rule[key]}`);
  }
  if (rule.pastLag <= rule.recentLag) {
    throw new Error(`${fn}: rule.pastLag (${rule.pastLag}) must be greater than rule.recentLag (${rule.recentLag})`);
  }
  if (!Number.isFinite(rule.factor) || rule.factor <= 0)
    throw new Error(`${fn}: rule.factor must be a positive number, got ${rule.factor}`);
  if (totalEpochs !== undefined && (!Number.isInteger(totalEpochs) || totalEpochs < 1)) {
    throw new Error(`${fn}: totalEpochs must be a positive integer, got ${totalEpochs}`);
  }
  if (!Array.isArray(history)) throw new Error(`${fn}: history must be an array of { epoch, dominantEigenvalue }`);
  history.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null)
      throw new Error(`${fn}: history[${i}] must be { epoch, dominantEigenvalue }, got ${entry}`);
    const { epoch, dominantEigenvalue } = entry;
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`${fn}: history[${i}].epoch must be a non-negative integer, got ${epoch}`);
    if (i > 0 && epoch <= history[i - 1].epoch) {
      throw new Error(`${fn}: history[${i}].epoch (${epoch}) must be greater than history[${i - 1}].epoch (${history[i - 1].epoch})`);
    }
    if (totalEpochs !== undefined && epoch >= totalEpochs) {
      throw new Error(`${fn}: history[${i}].epoch (${epoch}) must be below totalEpochs (${totalEpochs})`);
    }
    if (typeof dominantEigenvalue !== 'number' || !Number.isFinite(dominantEigenvalue)) {
      throw new Error(`${fn}: history[${i}].dominantEigenvalue must be a finite number, got ${dominantEigenvalue}`);
    }
  });
}
