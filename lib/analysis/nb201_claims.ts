/**
 * The paper's claims judged on NAS-Bench-201 (docs/method.md §3, §4, §8), for notebook 06 and the
 * report's section 3: each claim beside the rule that decides it and what was measured, over the
 * search seeds of one setting. The benchmark's test errors are exact, so a difference between two
 * methods is judged against the spread of DARTS's own seeds (the search's variation), by the same
 * rules as the other domains (`crossDomainFindings`: one implementation of "lower than DARTS").
 *
 * - the collapse: every DARTS seed's final cell has 4 or more of its 6 edges parameter-free
 *   (`none` counted: the benchmark's cell keeps it as an op);
 * - the rise of the eigenvalue, and each method's curvature and test error against DARTS's, with
 *   DARTS-ES as a method of its own: the code's rule replayed on each DARTS run's eigenvalues
 *   (`nb201SignatureTable`), returning the final cell where it never fires;
 * - the correlation of the last measured eigenvalue with the final cell's error over every run
 *   read (`correlationRows`: Pearson and Spearman with bootstrap intervals), which the paper
 *   measures over 24 searches.
 */
import {
  correlationRows,
  type CorrelationRow,
  correlationText,
  PAPER_CORRELATION_SEARCHES,
  PAPER_EIGENVALUE_ERROR_PEARSON,
} from './curvature_vs_error';
import {
  crossDomainFindings,
  curvatureColumns,
  type CurvatureColumns,
  EVERY_SEED_RULE,
  everySeedVerdict,
  type FindingMetric,
  type FindingRow,
} from './cross_domain';
import type { Blank } from './failure';
import { ES_REPLAYED, METHODS } from './labels';
import type { Nb201Config } from '../problems/nb201/config';
import { nb201SignatureTable, type StoredNb201Run } from './nb201_figure';
import { NB201_COLLAPSE_EDGES, nb201Trajectory } from './nb201_trajectory';
import { CURVATURE_RISE_FACTOR } from './degeneration';
import { collapseTimingFindings, type CollapseTiming, eigenvalueAt } from './collapse_timing';
import { eigenvalueHistory } from '../control/controller';

/** The step order of the claims' setting: the benchmark's, which the grid uses. */
export const NB201_CLAIMS_STEP_ORDER = 'weight-first';

/** Edges of 6 parameter-free in a collapsed cell (`nb201CollapseEpoch`'s threshold). */
const COLLAPSED_EDGES = NB201_COLLAPSE_EDGES;
/** Points of benchmark test error within which a final cell has lost no accuracy against the run's best (DARTS-'s counter-evidence). */
export const NO_LOSS_POINTS = 1;

/** What the claims read of one run. */
export interface Nb201ClaimInput extends CurvatureColumns, CollapseTiming {
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  readonly stepOrder: string;
  /** What sets the search's size: images, epochs, the supernet's C and N, batch, the alphas' lr. */
  readonly setting: string;
  /** The final cell's parameter-free edges (of 6, `none` counted). */
  readonly parameterFree: number;
  /** The benchmark's CIFAR-10 test error (%) of the final cell, and of DARTS-ES's (the final one where it does not fire). */
  readonly finalErrorPct: number | null;
  readonly esErrorPct: number | null;
  /** The lowest benchmark test error (%) of any epoch's cell in the run. */
  readonly bestErrorPct: number | null;
}

const value = (v: number | Blank) => (v === '' ? null : v);

/** Each run's claim input, in the runs' order. */
export function nb201ClaimInputs(runs: readonly { readonly name: string; readonly run: StoredNb201Run }[]): Nb201ClaimInput[] {
  const table = nb201SignatureTable(runs);
  return runs.map(({ name, run }, i) => {
    const rows = nb201Trajectory(run);
    const last = rows[rows.length - 1];
    if (!last) throw new Error(`nb201ClaimInputs: the run ${run.runId} (${name}) has no epochs`);
    const t = table[i];
    return {
      ...curvatureColumns(run),
      name,
      method: t.method,
      seed: run.config.seed,
      stepOrder: run.config.stepOrder ?? 'alpha-first',
      setting: nb201Setting(run.config),
      parameterFree: last.parameterFree,
      collapseEpoch: value(t.collapseEpoch),
      eigenAtCollapse: t.collapseEpoch === '' ? null : eigenvalueAt(eigenvalueHistory(run.epochs), t.collapseEpoch),
      finalErrorPct: value(t.finalErrorPct),
      esErrorPct: value(t.esErrorPct) ?? value(t.finalErrorPct),
      bestErrorPct: value(t.bestErrorPct),
    };
  });
}

/** A search's setting, as the claims name it: what sets its size (not its seed, regulariser or controller). */
export function nb201Setting(
  c: Pick<Nb201Config, 'dataset' | 'trainSubset' | 'epochs' | 'C' | 'N' | 'batchSize' | 'order' | 'alphaOptimizer'>,
): string {
  return (
    `${c.dataset}, ${c.trainSubset ?? 'all'} images, ${c.epochs} epochs, C ${c.C}, N ${c.N}, batch ${c.batchSize}, ` +
    `${c.order} order, alpha lr ${c.alphaOptimizer.lr}`
  );
}

/** The benchmark's test error of the final cell (lower is better). */
export const NB201_TEST_ERROR: FindingMetric<Nb201ClaimInput> = {
  what: 'benchmark test error (%)',
  of: (r) => r.finalErrorPct,
  format: (x) => x.toFixed(2),
};

/** DARTS-ES's name among the methods: the rule replayed on the DARTS runs, not searches of its own. */
export const NB201_ES_METHOD = ES_REPLAYED;

/** The runs the claims judge (the claims' step order), grouped by setting (`nb201Setting`), in order of first appearance. */
export function nb201ClaimSettings(inputs: readonly Nb201ClaimInput[]): [string, Nb201ClaimInput[]][] {
  const ordered = inputs.filter((r) => r.stepOrder === NB201_CLAIMS_STEP_ORDER);
  return [...new Set(ordered.map((r) => r.setting))].map((s) => [s, ordered.filter((r) => r.setting === s)]);
}

/** A correlation row and the setting of its searches. */
export type Nb201CorrelationRow = CorrelationRow & { readonly setting: string };

/**
 * The correlation of the last measured eigenvalue with the final cell's error, per setting of the
 * claims' step order: the searches of one setting, across its methods, as the paper's 24.
 */
export function nb201Correlation(inputs: readonly Nb201ClaimInput[], seed = 0): Nb201CorrelationRow[] {
  return nb201ClaimSettings(inputs).flatMap(([setting, rows]) =>
    correlationRows(
      rows.map((r) => ({ x: r.eigenLast ?? '', y: r.finalErrorPct ?? '' })),
      {
        x: 'last measured dominant eigenvalue',
        y: 'benchmark test error of the final cell (%)',
        paperPearson: PAPER_EIGENVALUE_ERROR_PEARSON,
      },
      { seed },
    ).map((c) => ({ setting, ...c })),
  );
}

/**
 * The claims table: per setting (`nb201Setting`) of the runs of the claims' step order, the collapse,
 * `crossDomainFindings` (DARTS-ES added as a method) and the correlation, each finding prefixed by
 * its setting where there are several.
 */
export function nb201Claims(inputs: readonly Nb201ClaimInput[], seed = 0): FindingRow[] {
  const settings = nb201ClaimSettings(inputs);
  const correlations = nb201Correlation(inputs, seed);
  return settings.flatMap(([s, rows]) => {
    const pearson = correlations.find((c) => c.setting === s && c.statistic === 'pearson') as Nb201CorrelationRow;
    const claims = [...settingClaims(rows), correlationClaim(pearson)];
    return settings.length === 1 ? claims : claims.map((f) => ({ ...f, finding: `${s}: ${f.finding}` }));
  });
}

/** The claims over the runs of one setting: the collapse, then each method against DARTS. */
function settingClaims(setting: readonly Nb201ClaimInput[]): FindingRow[] {
  const darts = setting.filter((r) => r.method === METHODS.darts);
  const collapsed = darts.filter((r) => r.parameterFree >= COLLAPSED_EDGES);
  const collapse: FindingRow = {
    finding: `DARTS's final cell collapses: ${COLLAPSED_EDGES} or more of its 6 edges parameter-free (none counted)`,
    rule: EVERY_SEED_RULE,
    measured: darts.length ? `${collapsed.length} of ${darts.length} seeds (${darts.map((r) => r.parameterFree).join(', ')} edges)` : '-',
    verdict: everySeedVerdict(collapsed.length, darts.length),
  };
  // DARTS-ES returns a cell of the DARTS run: its curvature is DARTS's, so only its error is compared.
  const es = darts.map((r) => ({ ...r, method: NB201_ES_METHOD, eigenLast: null, eigenRatio: null, finalErrorPct: r.esErrorPct }));
  const methods = crossDomainFindings([...setting, ...es], NB201_TEST_ERROR).filter(
    (f) => !(f.finding.startsWith(NB201_ES_METHOD) && f.verdict === 'not measured'),
  );
  return [collapse, ...methods, ...collapseTimingFindings(darts), counterEvidence(setting)];
}

/**
 * DARTS-'s counter-evidence (docs/method.md §3): searches of any method whose eigenvalue rose (last
 * / first above CURVATURE_RISE_FACTOR) while the final cell stayed within NO_LOSS_POINTS of the
 * run's best cell.
 */
function counterEvidence(setting: readonly Nb201ClaimInput[]): FindingRow {
  const gap = (r: Nb201ClaimInput) => (r.finalErrorPct === null || r.bestErrorPct === null ? null : r.finalErrorPct - r.bestErrorPct);
  // The searches that can show it: the eigenvalue rose, and both errors are known.
  const risen = setting.filter((r) => r.eigenRatio !== null && r.eigenRatio > CURVATURE_RISE_FACTOR && gap(r) !== null);
  const kept = risen.filter((r) => (gap(r) as number) <= NO_LOSS_POINTS);
  return {
    finding:
      `counter-evidence (DARTS-, docs/method.md §3): the eigenvalue rises while the final cell loses no accuracy ` +
      `(within ${NO_LOSS_POINTS} point of the run's best cell)`,
    rule:
      `over the searches of the setting, any method, whose eigenvalue rose above ${CURVATURE_RISE_FACTOR}x (last / first): ` +
      'in at least one: holds (seen); in none of 2 or more: does not hold; otherwise inconclusive',
    measured:
      risen.length === 0
        ? 'no search whose eigenvalue rose'
        : `${kept.length} of ${risen.length} searches whose eigenvalue rose` +
          (kept.length > 0 ? ` (${kept.map((r) => `${r.method} seed ${r.seed}: ${(gap(r) as number).toFixed(2)}`).join('; ')})` : ''),
    verdict: kept.length > 0 ? 'holds' : risen.length >= 2 ? 'does not hold' : 'inconclusive',
  };
}

/** The correlation's claim, from its Pearson row. */
function correlationClaim(pearson: CorrelationRow): FindingRow {
  const n = pearson.n;
  const enough = n >= PAPER_CORRELATION_SEARCHES;
  return {
    finding: `the last measured eigenvalue correlates positively with the final cell's test error (the paper: Pearson ${PAPER_EIGENVALUE_ERROR_PEARSON} over ${PAPER_CORRELATION_SEARCHES} searches)`,
    rule:
      `Pearson r's 95 % bootstrap interval above 0: holds; below 0: does not hold; otherwise inconclusive; ` +
      `inconclusive with fewer than ${PAPER_CORRELATION_SEARCHES} searches`,
    measured: pearson.estimate === '' ? `${n} searches: ${pearson.note}` : `${correlationText([pearson])} over ${n} searches`,
    verdict:
      pearson.estimate === '' || pearson.ciLow === '' || pearson.ciHigh === ''
        ? n < 3
          ? 'not measured'
          : 'inconclusive'
        : !enough
          ? 'inconclusive'
          : pearson.ciLow > 0
            ? 'holds'
            : pearson.ciHigh < 0
              ? 'does not hold'
              : 'inconclusive',
  };
}
