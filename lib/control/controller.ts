/**
 * The eigenvalue controllers of the search (PAPER.md 4), as the loop (lib/search/run.ts) carries
 * them out: the rule of a config, what a firing does in each mode, and the L2 factor in effect.
 *   stop      DARTS-ES: the run ends; its result is the genotype of the stop epoch.
 *   simulate  the first firing is recorded; the search goes on to the last epoch.
 *   adaptive  DARTS-ADA: roll back to the stop epoch's checkpoint (weights, alphas, both optimisers;
 *             the eigenvalue history is the records up to that epoch), multiply the weights' L2 by
 *             `l2Factor` (at most `maxL2`) and go on; once L2 is at its maximum the rule no longer
 *             acts. The first firing's genotype is the same run's DARTS-ES result.
 * Every firing that acts is stored as a ControllerDecision in the run's decisions.jsonl.
 */
import type { SearchConfig } from '../config/search_config';
import type { EpochRecord } from '../search/records';
import type { Genotype } from '../spaces/genotype';
import { codeRule, EarlyStopRule, EigenvalueEntry, PAPER_RULE } from './early_stop';

/** What the loop did on a firing of the rule. */
export interface ControllerDecision {
  readonly action: 'stop' | 'simulate' | 'rollback';
  /** The rule's name (lib/control/early_stop.ts). */
  readonly rule: string;
  readonly decisionEpoch: number;
  /** The epoch whose genotype is the early-stopping result, and the rollback point. */
  readonly stopEpoch: number;
  readonly ratio: number;
  /** The genotype after the stop epoch. */
  readonly genotype: Genotype;
  /** The weights' L2 factor before and after (equal unless the action is 'rollback'). */
  readonly l2: { readonly before: number; readonly after: number };
  /** 'rollback': the records of the epochs undone (stopEpoch + 1 .. decisionEpoch), without timings. */
  readonly discarded?: readonly Omit<EpochRecord, 'seconds'>[];
}

/** The stopping rule of `config` (PAPER.md 4): the code's at its evaluation frequency, or the paper's. */
export function controllerRule(config: SearchConfig): EarlyStopRule {
  const c = config.controller;
  const base = c.rule === 'code' ? codeRule({ evalEvery: config.hessian.evalEvery }) : PAPER_RULE;
  const changed = { ...(c.factor === null ? {} : { factor: c.factor }), ...(c.startEpoch === null ? {} : { startEpoch: c.startEpoch }) };
  if (Object.keys(changed).length === 0) return base;
  const name = [base.name, ...Object.entries(changed).map(([k, v]) => `${k}=${v}`)].join(' ');
  return Object.freeze({ ...base, ...changed, name });
}

/** The eigenvalue history of stored records (the epochs that measured the curvature). */
export function eigenvalueHistory(records: readonly Pick<EpochRecord, 'epoch' | 'hessian'>[]): EigenvalueEntry[] {
  return records.filter((r) => r.hessian).map((r) => ({ epoch: r.epoch, dominantEigenvalue: r.hessian?.dominantEigenvalue ?? NaN }));
}

/** The weights' L2 factor after the rollbacks in `decisions`: l2 x l2Factor^k, capped at maxL2. */
export function currentL2(config: SearchConfig, decisions: readonly ControllerDecision[]): number {
  const rollbacks = decisions.filter((d) => d.action === 'rollback').length;
  return Math.min(config.regularization.l2 * config.controller.l2Factor ** rollbacks, config.controller.maxL2);
}

/** Whether DARTS-ADA may still raise `l2` (a relative tolerance absorbs rounding of the products). */
export function canRaiseL2(config: SearchConfig, l2: number): boolean {
  return l2 < config.controller.maxL2 * (1 - 1e-9);
}

/**
 * How many epochs back a firing can reach (its stop epoch): checkpoints that recent are kept in
 * 'adaptive' runs, for the rollback.
 */
export function rollbackSpan(config: SearchConfig): number {
  const rule = controllerRule(config);
  return rule.unit === 'evaluations' ? rule.pastLag * config.hessian.evalEvery : rule.pastLag;
}
