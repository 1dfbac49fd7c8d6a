/**
 * When DARTS's cell collapses, against its curvature and DARTS-ES (docs/method.md §3, §4): the
 * paper's Section 4 finds the dominant eigenvalue rising ahead of the failure, which is what lets
 * DARTS-ES, stopping on the rise, return the architecture of some epochs before. Two claims over
 * the DARTS seeds whose final cell collapsed, the same on every testbed (S3's main grid, notebook 01;
 * NAS-Bench-201, notebook 06): has the eigenvalue risen by the collapse epoch, and does the cell
 * DARTS-ES returns come from before it?
 */
import type { EigenvalueEntry } from '../control/early_stop';
import { everySeedRule, everySeedVerdict, type FindingRow } from './cross_domain';
import { CURVATURE_RISE_FACTOR } from './degeneration';
import { ES_REPLAYED, METHODS } from './labels';

/** What the two claims read of one search. */
export interface CollapseTiming {
  /** The first epoch from which every stored epoch's cell has collapsed; null: the final cell has not. */
  readonly collapseEpoch: number | null;
  /** The last eigenvalue measured at or before `collapseEpoch`; null: no collapse, or none measured by then. */
  readonly eigenAtCollapse: number | null;
  readonly eigenFirst: number | null;
  readonly eigenLast: number | null;
  /** The epoch whose cell DARTS-ES's rule returns; null: it does not fire (it returns the final cell). */
  readonly esEpoch: number | null;
}

/**
 * The first epoch from which every cell (that one and all later ones) has at least `edges`
 * parameter-free edges, or null when the last cell has fewer: the collapse epoch of any testbed,
 * given each epoch's count. Epochs before `from` are not read: a search that held its alphas for
 * its first epochs (`alphaWarmupEpochs`, docs/method.md §3) keeps its random initial cell there,
 * parameter-free on most edges by chance (2 of S3's 3 ops are), which decides nothing.
 */
export function collapseEpochOf(
  rows: readonly { readonly epoch: number; readonly parameterFree: number }[],
  edges: number,
  from = 0,
): number | null {
  let first: number | null = null;
  for (const r of rows) {
    if (r.epoch < from) continue;
    if (r.parameterFree >= edges) first ??= r.epoch;
    else first = null;
  }
  return first;
}

/** The last dominant eigenvalue of `history` measured at or before `epoch`; null when none was. */
export function eigenvalueAt(history: readonly EigenvalueEntry[], epoch: number): number | null {
  const measured = history.filter((h) => h.epoch <= epoch);
  return measured.length ? measured[measured.length - 1].dominantEigenvalue : null;
}

const f = (x: number | null) => (x === null ? '-' : x.toFixed(3));

/**
 * Over the DARTS seeds whose final cell collapsed: (1) the eigenvalue at the collapse epoch over the
 * first measured, above the rise factor of the rise's own claim (DARTS-ES's 1.3); (2) DARTS-ES's stop
 * epoch before the collapse epoch (a rule that never fires returns the final, collapsed cell). Each
 * by EVERY_SEED_RULE over those seeds (`everySeedRule` of `method`).
 */
export function collapseTimingFindings(darts: readonly CollapseTiming[], method: string = METHODS.darts): FindingRow[] {
  // DARTS's own rows keep their wording; another DARTS variant (the alpha warm-up) is named in full.
  const cell = method === METHODS.darts ? "DARTS's cell" : `the cell of ${method}`;
  const collapse = method === METHODS.darts ? "DARTS's collapse" : `the collapse of ${method}`;
  const collapsed = darts.filter((r) => r.collapseEpoch !== null);
  const seeds = collapsed.filter((r) => r.eigenAtCollapse !== null && r.eigenFirst !== null && r.eigenFirst > 0);
  const risen = seeds.filter((r) => (r.eigenAtCollapse as number) / (r.eigenFirst as number) > CURVATURE_RISE_FACTOR);
  const before = collapsed.filter((r) => r.esEpoch !== null && r.esEpoch < (r.collapseEpoch as number));
  return [
    {
      finding: `the dominant eigenvalue has risen by the time ${cell} collapses`,
      rule:
        `over the ${method} seeds that collapsed, the eigenvalue at the collapse epoch (the last measured by then) over the first ` +
        `above ${CURVATURE_RISE_FACTOR}: ${everySeedRule(method)}`,
      measured: seeds.length
        ? `${risen.length} of ${seeds.length} seeds (` +
          seeds
            .map((r) => `epoch ${r.collapseEpoch}: ${f(r.eigenAtCollapse)}, first ${f(r.eigenFirst)}, last ${f(r.eigenLast)}`)
            .join('; ') +
          ')'
        : `no ${method} seed collapsed with a measured eigenvalue`,
      verdict: everySeedVerdict(risen.length, seeds.length),
    },
    {
      finding: `${ES_REPLAYED} returns a cell from before ${collapse} (the stop epoch before the first epoch from which every cell has collapsed)`,
      rule: `over the ${method} seeds whose final cell collapsed: ${everySeedRule(method)}`,
      measured: collapsed.length
        ? `${before.length} of ${collapsed.length} seeds (` +
          collapsed.map((r) => `returns epoch ${r.esEpoch ?? 'last (no stop)'}, collapse from ${r.collapseEpoch}`).join('; ') +
          ')'
        : `no ${method} seed collapsed`,
      verdict: everySeedVerdict(before.length, collapsed.length),
    },
  ];
}
