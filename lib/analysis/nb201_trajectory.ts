/**
 * A NAS-Bench-201 search epoch by epoch (docs/method.md §8): the cell after each epoch, its published
 * test accuracies, how many of its 6 edges are parameter-free (`none`, `skip_connect`,
 * `avg_pool_3x3`), the dominant eigenvalue where measured, and the wall time. And where the search
 * collapsed: the first epoch from which every later cell has at least `edges` parameter-free edges.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { codeRule, type EarlyStopRule, firstEarlyStop, PAPER_RULE } from '../control/early_stop';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201ArchitectureRecord } from '../problems/nb201/problem';
import type { StoredRun } from '../runs/run_read';
import { parseNb201Arch, type Nb201Op } from '../spaces/nb201';
import { epochSeconds } from '../runs/records';
import { collapseEpochOf } from './collapse_timing';

/** The NAS-Bench-201 ops without weights. */
export const NB201_PARAMETER_FREE: readonly Nb201Op[] = ['none', 'skip_connect', 'avg_pool_3x3'];

/** One epoch of a NAS-Bench-201 search. */
export interface Nb201TrajectoryRow {
  readonly epoch: number;
  readonly cell: string;
  /** The cell's published test accuracies (%), 200 epochs (NAS-Bench-201's table). */
  readonly cifar10: number;
  readonly cifar100: number;
  readonly imagenet16: number;
  /** Edges (of 6) whose op is parameter-free, and of those `skip_connect` and `none`. */
  readonly parameterFree: number;
  readonly skip: number;
  readonly none: number;
  /** The dominant eigenvalue of the alpha Hessian after the epoch, where measured. */
  readonly eigenvalue: number | null;
  /** The supernet's accuracy on the alphas' half (eval mode). */
  readonly supernetValid: number;
  /** Wall-clock seconds of the epoch (steps, curvature, evaluation). */
  readonly seconds: number;
}

/** The rows of a NAS-Bench-201 run, one per stored epoch. */
export function nb201Trajectory(run: Pick<StoredRun<Nb201Config, Nb201ArchitectureRecord>, 'epochs'>): Nb201TrajectoryRow[] {
  return run.epochs.map((r) => {
    const ops = parseNb201Arch(r.genotype.arch);
    const count = (names: readonly Nb201Op[]) => ops.filter((op) => names.includes(op)).length;
    return {
      epoch: r.epoch,
      cell: r.genotype.arch,
      cifar10: r.benchmark.cifar10,
      cifar100: r.benchmark.cifar100,
      imagenet16: r.benchmark['imagenet16-120'],
      parameterFree: count(NB201_PARAMETER_FREE),
      skip: count(['skip_connect']),
      none: count(['none']),
      eigenvalue: r.hessian ? r.hessian.dominantEigenvalue : null,
      supernetValid: r.valid.accuracy,
      seconds: epochSeconds(r),
    };
  });
}

/** The rows as an arquero table (for showTable / saveTable). */
export function nb201TrajectoryTable(rows: readonly Nb201TrajectoryRow[]): ColumnTable {
  return aq.from(rows as Nb201TrajectoryRow[]);
}

/** A NAS-Bench-201 cell has collapsed with this many of its 6 edges parameter-free (`none` counted). */
export const NB201_COLLAPSE_EDGES = 4;

/**
 * The collapse epoch (`collapseEpochOf`) of a NAS-Bench-201 run's rows, at `edges` of its 6 (4 by
 * default), from epoch `from` on (the end of an alpha warm-up: `alphaWarmupEpochs`).
 */
export function nb201CollapseEpoch(rows: readonly Nb201TrajectoryRow[], edges = NB201_COLLAPSE_EDGES, from = 0): number | null {
  return collapseEpochOf(rows, edges, from);
}

/** A few lines on a NAS-Bench-201 run: data, final cell and its accuracies, collapse, time and curvature. */
export function nb201RunSummary(run: StoredRun<Nb201Config, Nb201ArchitectureRecord>, rows = nb201Trajectory(run)): string[] {
  const c = run.config;
  const lines = [
    `run ${run.runId}: NAS-Bench-201, C ${c.C}, N ${c.N}, on ${c.dataset}${c.trainSubset === null ? '' : ` (${c.trainSubset} images)`}, ` +
      `seed ${c.seed}, ${rows.length}/${c.epochs} epochs${run.done ? ' (done)' : ''}` +
      `${c.alphaWarmupEpochs === undefined ? '' : `, alphas held for the first ${c.alphaWarmupEpochs}`}, backend ${run.backend}`,
  ];
  if (rows.length === 0) return lines;
  const last = rows[rows.length - 1];
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  const hessian = run.epochs.reduce((s, r) => s + (r.seconds.hessian ?? 0), 0);
  const collapse = nb201CollapseEpoch(rows, NB201_COLLAPSE_EDGES, c.alphaWarmupEpochs ?? 0);
  const best = rows.reduce((a, b) => (b.cifar10 > a.cifar10 ? b : a));
  lines.push(
    `final cell (epoch ${last.epoch}): ${last.cell}; benchmark test accuracy CIFAR-10 ${last.cifar10.toFixed(2)}%, ` +
      `CIFAR-100 ${last.cifar100.toFixed(2)}%, ImageNet16-120 ${last.imagenet16.toFixed(2)}%; ${last.parameterFree} of 6 edges parameter-free`,
    `best cell over the epochs: epoch ${best.epoch}, CIFAR-10 ${best.cifar10.toFixed(2)}%`,
    collapse === null
      ? 'no collapse: the last cell has fewer than 4 parameter-free edges'
      : `collapse (4 or more parameter-free edges in every later cell) from epoch ${collapse}`,
    `time per epoch: mean ${(total / rows.length).toFixed(1)} s, total ${(total / 60).toFixed(1)} min; ` +
      `curvature ${(hessian / 60).toFixed(1)} min = ${((100 * hessian) / total).toFixed(1)}% of the total`,
  );
  if (c.earlyStop === 'off') {
    for (const [label, rule] of [
      ["the code's rule", codeRule({ evalEvery: c.hessian.evalEvery })],
      ["the paper's wording", PAPER_RULE],
    ] as const) {
      const stop = nb201EarlyStop(rows, rule, c.epochs);
      lines.push(
        stop === null
          ? `DARTS-ES (${label}) replayed on this eigenvalue series: no stop`
          : `DARTS-ES (${label}) replayed on this eigenvalue series: decides at epoch ${stop.decisionEpoch} (ratio ${stop.ratio.toFixed(3)}), ` +
              `returns epoch ${stop.row.epoch}'s cell, CIFAR-10 ${stop.row.cifar10.toFixed(2)}%`,
      );
    }
  }
  return lines;
}

/**
 * What DARTS-ES would have returned (docs/method.md §4): `rule` replayed on the run's stored
 * eigenvalues (lib/control/early_stop.ts `firstEarlyStop`), and the row of the epoch it returns;
 * null when it does not stop.
 */
export function nb201EarlyStop(
  rows: readonly Nb201TrajectoryRow[],
  rule: EarlyStopRule,
  totalEpochs: number,
): { decisionEpoch: number; ratio: number; row: Nb201TrajectoryRow } | null {
  const history = rows.filter((r) => r.eigenvalue !== null).map((r) => ({ epoch: r.epoch, dominantEigenvalue: r.eigenvalue as number }));
  const decision = firstEarlyStop(history, rule, totalEpochs);
  if (!decision.stop) return null;
  const row = rows.find((r) => r.epoch === decision.stopEpoch);
  if (!row) throw new Error(`nb201EarlyStop: the rule returns epoch ${decision.stopEpoch}, which the run does not hold`);
  return { decisionEpoch: decision.decisionEpoch, ratio: decision.ratio, row };
}
