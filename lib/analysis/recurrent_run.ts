/**
 * A language-modelling search run (lib/problems/ptb) epoch by epoch: the search network's
 * validation perplexity (exp of the NLL per token), the dominant eigenvalue where measured, the
 * share of each activation in the discrete cell and its genotype; and a few summary lines
 * (`rdarts show`).
 */
import type { PtbConfig } from '../problems/ptb/config';
import type { RecurrentArchitectureRecord } from '../problems/ptb/problem';
import type { StoredRun } from '../runs/store';
import { formatRecurrentGenotype, type RecurrentGenotype } from '../spaces/recurrent';
import { epochSeconds } from '../runs/records';

/** One epoch of a recurrent search. */
export interface RecurrentEpochRow {
  readonly epoch: number;
  /** Training loss (NLL + TAR) and validation perplexity of the search network. */
  readonly trainLoss: number;
  readonly validPerplexity: number;
  readonly eigenvalue: number | null;
  /** Nodes of the discrete cell whose op is identity (no non-linearity on g: s_j + σ(c) (g − s_j); W_i still applies). */
  readonly identityNodes: number;
  /** The mean softmax weight of `none` over the 36 edges. */
  readonly noneWeight: number;
  readonly cell: string;
}

/** Nodes of `g` whose op is identity. */
export function identityNodes(g: RecurrentGenotype): number {
  return g.recurrent.filter(([op]) => op === 'identity').length;
}

/** The epoch rows of `run` (file header). */
export function recurrentTrajectory(run: StoredRun<PtbConfig, RecurrentArchitectureRecord>): RecurrentEpochRow[] {
  return run.epochs.map((r) => ({
    epoch: r.epoch,
    trainLoss: r.train.loss,
    validPerplexity: Math.exp(r.valid.loss),
    eigenvalue: r.hessian?.dominantEigenvalue ?? null,
    identityNodes: identityNodes(r.genotype),
    noneWeight: r.weights.reduce((s, row) => s + row[0], 0) / r.weights.length,
    cell: formatRecurrentGenotype(r.genotype),
  }));
}

/** Summary lines of a recurrent search run. */
export function recurrentRunSummary(run: StoredRun<PtbConfig, RecurrentArchitectureRecord>, rows = recurrentTrajectory(run)): string[] {
  const c = run.config;
  const lines = [
    `run ${run.runId}: the DARTS recurrent cell, E=H ${c.size}, on ${run.data ?? c.corpus.source}, seed ${c.seed}, ` +
      `${rows.length}/${c.epochs} epochs${run.done ? ' (done)' : ''}, backend ${run.backend}`,
  ];
  if (rows.length === 0) return lines;
  const last = rows[rows.length - 1];
  const total = run.epochs.reduce((s, r) => s + epochSeconds(r), 0);
  const hessian = run.epochs.reduce((s, r) => s + (r.seconds.hessian ?? 0), 0);
  const curv = rows.filter((r) => r.eigenvalue !== null);
  lines.push(
    `final cell (epoch ${last.epoch}): ${last.cell}; ${last.identityNodes} of 8 nodes identity`,
    `search network validation perplexity: ${rows.map((r) => `${r.epoch}:${r.validPerplexity.toFixed(2)}`).join(' ')}`,
    `time per epoch: mean ${(total / rows.length).toFixed(1)} s, total ${(total / 60).toFixed(1)} min; ` +
      `curvature ${(hessian / 60).toFixed(1)} min = ${((100 * hessian) / total).toFixed(1)}% of the total`,
  );
  if (curv.length > 0) lines.push(`dominant eigenvalue by epoch: ${curv.map((r) => `${r.epoch}:${r.eigenvalue?.toFixed(4)}`).join(' ')}`);
  return lines;
}
