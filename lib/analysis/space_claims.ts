/**
 * The paper's claims judged on one DARTS search space at one setting, over search seeds: the main
 * grid on S3 at the pilot's cheapest collapsing setting (results/s3-main/README.md; notebook 01,
 * REPORT section 2). Each claim beside the rule that decides it (docs/method.md §3, §4, §6):
 * - the collapse: in every DARTS seed the final normal cell is degenerate with `none` counted
 *   (`pilotCollapse`: the share of its 14 edges whose strongest op is parameter-free reaches the
 *   failure analysis's 5 of 8), since the genotype drops `none` and hides a collapse onto it;
 * - the eigenvalue's rise, and each method's curvature and collapse against DARTS's, judged by the
 *   spread of DARTS's own seeds (`crossDomainFindings`: one implementation of "lower than DARTS"),
 *   the collapse measured as those parameter-free edges.
 * - DARTS with the alphas held for its first epochs (`alphaWarmupEpochs`, docs/method.md §3), where
 *   the grid runs it: its collapse and its timing, by the same rules as DARTS's.
 * The final genotypes are not trained here (the budget: REPORT section 6), so no claim on test error
 * is judged; the table says so in a row of its own.
 */
import type { SearchConfig } from '../config/schema';
import { DEFAULT_SEARCH_CONFIG } from '../config/presets';
import type { StoredRun } from '../runs/run_read';
import {
  crossDomainFindings,
  curvatureColumns,
  type CurvatureColumns,
  type FindingMetric,
  type FindingRow,
  loopMethod,
  everySeedRule,
  everySeedVerdict,
} from './cross_domain';
import { ES_REPLAYED, isDartsWithWarmup, METHODS, withAlphaWarmup } from './labels';
import { collapseEdges, pilotCollapse, pilotRow, type PilotRow, strongestOpCounts } from './pilot';
import { getSpace } from '../spaces/spaces';
import { eigenvalueHistory } from '../control/controller';
import { collapseEpochOf, collapseTimingFindings, type CollapseTiming, eigenvalueAt } from './collapse_timing';

/** What the claims read of one search: its pilot row (the collapse, `none` counted), its curvature, its method and seed. */
export interface SpaceClaimInput extends CurvatureColumns, CollapseTiming {
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  readonly space: string;
  /** The normal cell's edges (of `edges`) whose strongest op is parameter-free, `none` counted; of those, `none`. */
  readonly edgesParameterFree: number;
  readonly edgesNone: number;
  readonly edges: number;
  /** Parameter-free ops of the genotype's 8 (which drops `none`). */
  readonly genotypeParameterFree: number;
  /** The final normal cell collapsed with `none` counted (`pilotCollapse`). */
  readonly collapsed: boolean;
  /** Parameter-free edges (`none` counted) of the normal cell of `esEpoch`, the cell DARTS-ES returns; null: the rule does not fire. */
  readonly esEdgesParameterFree: number | null;
  /** The supernet's accuracy on the alphas' half after the last epoch. */
  readonly supernetValid: number;
}

/** Each stored epoch's normal cell: its edges whose strongest op is parameter-free (`none` counted), and of those `none`. */
export function cellEdges(run: StoredRun): { epoch: number; parameterFree: number; none: number }[] {
  const space = getSpace(run.config.space);
  return run.epochs.map((e) => ({ epoch: e.epoch, ...strongestOpCounts(e.weights.normal, space.normal) }));
}

/**
 * The epoch of the collapse (docs/method.md §3, `collapseEpochOf`): the first stored epoch from
 * which every later stored epoch's normal cell has `collapseEdges` or more parameter-free edges,
 * `none` counted, from the end of any alpha warm-up on; null when the last epoch's cell has not collapsed. Seen beside DARTS-ES's stop
 * epoch, it says whether the rule could return a cell from before the collapse.
 */
export function collapseEpoch(run: StoredRun, cells = cellEdges(run)): number | null {
  return collapseEpochOf(cells, collapseEdges(run.epochs[0]?.weights.normal.length ?? 0), run.config.alphaWarmupEpochs ?? 0);
}

/**
 * The method a search config makes (docs/method.md §4): `loopMethod`'s (DARTS-ADA, DARTS-ES, or
 * R-DARTS(L2) with its strength where the L2 differs from DARTS's 3e-4), else R-DARTS(DP) with its
 * probability where drop-path is on, else DARTS; with the alpha warm-up named (`withAlphaWarmup`).
 */
export function spaceMethod(config: Pick<SearchConfig, 'earlyStop' | 'regularization' | 'alphaWarmupEpochs'>): string {
  const { dropPathProb } = config.regularization;
  const method = loopMethod(config, DEFAULT_SEARCH_CONFIG) ?? (dropPathProb > 0 ? `${METHODS.dp} ${dropPathProb}` : METHODS.darts);
  return withAlphaWarmup(method, config);
}

/** Each finished search's claim input, in the given order. */
export function spaceClaimInputs(runs: readonly { readonly name: string; readonly run: StoredRun }[]): SpaceClaimInput[] {
  return runs.map(({ name, run }) => {
    const row: PilotRow = pilotRow(name, run);
    const curvature = curvatureColumns(run);
    const cells = cellEdges(run);
    const collapsedFrom = collapseEpoch(run, cells);
    // Who, then the collapse, then the curvature: the table's columns in reading order.
    return {
      name,
      method: spaceMethod(run.config),
      seed: run.config.seed,
      edgesParameterFree: row.edgesParameterFree,
      edgesNone: row.edgesNone,
      edges: row.edges,
      genotypeParameterFree: row.genotypeParameterFree,
      collapsed: pilotCollapse(row).withNone,
      collapseEpoch: collapsedFrom,
      eigenFirst: curvature.eigenFirst,
      eigenAtCollapse: collapsedFrom === null ? null : eigenvalueAt(eigenvalueHistory(run.epochs), collapsedFrom),
      eigenLast: curvature.eigenLast,
      eigenRatio: curvature.eigenRatio,
      esEpoch: curvature.esEpoch,
      esEdgesParameterFree: curvature.esEpoch === null ? null : (cells.find((c) => c.epoch === curvature.esEpoch)?.parameterFree ?? null),
      rollbacks: curvature.rollbacks,
      l2: curvature.l2,
      supernetValid: row.supernetValid,
      epochs: curvature.epochs,
      space: run.config.space,
    };
  });
}

/** The collapse as the methods are compared on it: the final normal cell's parameter-free edges, `none` counted (fewer is better). */
export const PARAMETER_FREE_EDGES: FindingMetric<SpaceClaimInput> = {
  what: 'count of parameter-free edges in the final normal cell (none counted)',
  of: (r) => r.edgesParameterFree,
  format: (x) => x.toFixed(1),
};

/**
 * The claims over the searches of one space and setting: DARTS's collapse, then `crossDomainFindings`
 * (the rise; each other method's curvature and parameter-free edges against DARTS's), then the test
 * error, not judged.
 */
export function spaceClaims(inputs: readonly SpaceClaimInput[]): FindingRow[] {
  const darts = inputs.filter((r) => r.method === METHODS.darts);
  // DARTS with the alphas held for its first epochs (docs/method.md §3): does the early collapse outlive a weight warm-up?
  const warmups = [...new Set(inputs.map((r) => r.method).filter(isDartsWithWarmup))];
  const ofMethod = (m: string) => inputs.filter((r) => r.method === m);
  const testError: FindingRow = {
    finding: "each method's final genotype, trained from scratch, tests better than DARTS's",
    rule: 'not judged: the final genotypes are not trained at this setting (the budget: REPORT section 6)',
    measured: '-',
    verdict: 'not measured',
  };
  // DARTS-ES returns a cell of the DARTS run (its final one where the rule never fires): its
  // curvature is DARTS's, so only its parameter-free edges are compared.
  const es = darts.map((r) => ({
    ...r,
    method: ES_REPLAYED,
    edgesParameterFree: r.esEdgesParameterFree ?? r.edgesParameterFree,
    eigenLast: null,
    eigenRatio: null,
  }));
  const methods = crossDomainFindings([...inputs, ...es], PARAMETER_FREE_EDGES).filter(
    (f) => !(f.finding.startsWith(ES_REPLAYED) && f.verdict === 'not measured'),
  );
  return [
    collapseRow(METHODS.darts, darts),
    ...methods,
    ...collapseTimingFindings(darts),
    ...warmups.flatMap((m) => [collapseRow(m, ofMethod(m)), ...collapseTimingFindings(ofMethod(m), m)]),
    testError,
  ];
}

/** Whether every seed of `method` ends with a collapsed normal cell, `none` counted (EVERY_SEED_RULE). */
function collapseRow(method: string, runs: readonly SpaceClaimInput[]): FindingRow {
  const collapsed = runs.filter((r) => r.collapsed);
  const edges = runs[0]?.edges ?? 14;
  const cell = method === METHODS.darts ? "DARTS's final normal cell" : `the final normal cell of ${method}`;
  return {
    finding: `${cell} collapses, none counted: on ${collapseEdges(edges)} or more of its ${edges} edges the strongest op is parameter-free`,
    rule: everySeedRule(method),
    measured: runs.length
      ? `${collapsed.length} of ${runs.length} seeds (${runs.map((r) => `${r.edgesParameterFree} (${r.edgesNone} none)`).join(', ')} of ${edges} edges)`
      : '-',
    verdict: everySeedVerdict(collapsed.length, runs.length),
  };
}
