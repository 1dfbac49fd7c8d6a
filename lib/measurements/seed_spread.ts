/**
 * The seed spread of an evaluation: one genotype trained from scratch with SPREAD_SEEDS, so that a
 * difference between methods can be read against the noise of the evaluation itself. The summary and
 * its reading are lib/analysis/seed_spread.ts.
 */
import type { PresetName } from '../config/preset';
import type { Genotype } from '../spaces/genotype';
import { ensureEvaluation, type EvalSource, type StoredEvaluation } from '../train/train';
import { resolveTrainConfig } from '../train/train_config';

/** The evaluation seeds of the spread: the preset's own (0) and two more. */
export const SPREAD_SEEDS = [0, 1, 2] as const;

/** One evaluation of the spread. */
export interface SeedSpreadRow {
  readonly seed: number;
  readonly evalId: string;
  readonly testErrorPct: number;
  readonly testImages: number;
}

/** The train config of `preset` with evaluation seed `seed`. */
export function spreadTrainConfig(preset: PresetName, seed: number) {
  return resolveTrainConfig(preset, { seed }, 'seed spread');
}

/** Evaluates `genotype` at each of `seeds` (ensureEvaluation: finished ones are read back). */
export async function seedSpread(
  genotype: Genotype,
  preset: PresetName,
  source: EvalSource,
  seeds: readonly number[] = SPREAD_SEEDS,
): Promise<SeedSpreadRow[]> {
  const rows: SeedSpreadRow[] = [];
  for (const seed of seeds) {
    const e: StoredEvaluation = (await ensureEvaluation(genotype, spreadTrainConfig(preset, seed), { source, progress: 'off' })).evaluation;
    if (!e.done || e.testError === undefined || e.testImages === undefined)
      throw new Error(`seedSpread: the evaluation in ${e.dir} is not finished`);
    rows.push({ seed, evalId: e.evalId, testErrorPct: 100 * e.testError, testImages: e.testImages });
  }
  return rows;
}
