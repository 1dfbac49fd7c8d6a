/**
 * The eigenvalue controllers of the search (docs/method.md §4): the rule of a config, the L2 factor in
 * effect, and the whole decision after an epoch (`controllerDecision`), which the loop
 * (lib/search/run.ts) only carries out.
 *   stop      DARTS-ES: the run ends; its result is the genotype of the stop epoch.
 *   simulate  the first firing is recorded; the search goes on to the last epoch.
 *   adaptive  DARTS-ADA: roll back to the stop epoch's checkpoint (weights, alphas, both optimisers;
 *             the eigenvalue history is the records up to that epoch), multiply the weights' L2 by
 *             `l2Factor` (at most `maxL2`) and go on; once L2 is at its maximum the rule no longer
 *             acts. The first firing's genotype is the same run's DARTS-ES result.
 * Every firing that acts is stored as a ControllerDecision in the run's decisions.jsonl.
 */
import type { LoopConfig } from '../config/search_config';
import type { ArchitectureRecord, ControllerDecision, EpochRecord } from '../runs/records';
import { codeRule, EarlyStopRule, earlyStopDecision, EigenvalueEntry, PAPER_RULE } from './early_stop';

export type { ControllerDecision } from '../runs/records';

/** The stopping rule of `config` (docs/method.md §4): the code's at its evaluation frequency, or the paper's. */
export function controllerRule(config: Pick<LoopConfig, 'controller' | 'hessian'>): EarlyStopRule {
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
export function currentL2(
  config: Pick<LoopConfig, 'controller' | 'regularization'>,
  decisions: readonly Pick<ControllerDecision, 'action'>[],
): number {
  const rollbacks = decisions.filter((d) => d.action === 'rollback').length;
  return Math.min(config.regularization.l2 * config.controller.l2Factor ** rollbacks, config.controller.maxL2);
}

/** Whether DARTS-ADA may still raise `l2` (a relative tolerance absorbs rounding of the products). */
export function canRaiseL2(config: Pick<LoopConfig, 'controller'>, l2: number): boolean {
  return l2 < config.controller.maxL2 * (1 - 1e-9);
}

/**
 * How many epochs back a firing can reach (its stop epoch): checkpoints that recent are kept in
 * 'adaptive' runs, for the rollback.
 */
export function rollbackSpan(config: Pick<LoopConfig, 'controller' | 'hessian'>): number {
  const rule = controllerRule(config);
  return rule.unit === 'evaluations' ? rule.pastLag * config.hessian.evalEvery : rule.pastLag;
}

/**
 * What the controller decides once `records` (the run's stored records, the last one just made) are
 * stored, with the weights' L2 at `l2` and `decisions` taken so far; undefined: go on. A 'stop'
 * ends the run with the stop epoch's genotype; a 'rollback' returns to the state after the stop
 * epoch with L2 raised to `l2.after`, its `discarded` records being those after the stop epoch.
 */
export function controllerDecision<A extends ArchitectureRecord>(
  config: LoopConfig,
  records: readonly EpochRecord<A>[],
  l2: number,
  decisions: readonly ControllerDecision<A>[],
  rule: EarlyStopRule = controllerRule(config),
): ControllerDecision<A> | undefined {
  const mode = config.earlyStop;
  if (mode === 'off' || !records[records.length - 1]?.hessian) return undefined;
  if (mode === 'adaptive' && !canRaiseL2(config, l2)) return undefined;
  if (mode === 'simulate' && decisions.length > 0) return undefined;
  const fired = earlyStopDecision(eigenvalueHistory(records), rule, config.epochs);
  if (!fired.stop) return undefined;
  const after = mode === 'adaptive' ? Math.min(l2 * config.controller.l2Factor, config.controller.maxL2) : l2;
  return {
    action: mode === 'adaptive' ? 'rollback' : mode,
    rule: rule.name,
    decisionEpoch: fired.decisionEpoch,
    stopEpoch: fired.stopEpoch,
    ratio: fired.ratio,
    genotype: records[fired.stopEpoch].genotype,
    l2: { before: l2, after },
    ...(mode === 'adaptive' ? { discarded: records.slice(fired.stopEpoch + 1).map(({ seconds: _s, ...r }) => r) } : {}),
  };
}
