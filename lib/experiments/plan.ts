/**
 * The searches behind the notebooks and the report, per preset: one definition that the
 * notebooks (which call ensureRun on each, reading finished runs back), the CLI (`rdarts
 * experiment`, which runs them one process per core) and the tests share.
 *   failure         DARTS on every space (docs/method.md §6: S1..S4 and the DARTS space), seed 1, with
 *                   DARTS-ES simulated (the search is unchanged; its first decision is recorded)
 *   ada             DARTS-ADA on S3 (docs/method.md §4)
 *   l2              R-DARTS(L2) on S3: L2 in {9, 27, 81, 243} e-4 (3e-4 is the failure group's S3)
 *   dp              R-DARTS(DP) on S3: ScheduledDropPath p in {0, 0.2, 0.4, 0.6}, with Cutout
 * The search size is the preset's; the regularisation strengths are the paper's.
 */
import type { PresetName } from '../config/preset';
import { ConfigOverrides, resolveConfig, SearchConfig } from '../config/search_config';
import { DATASETS } from '../data/registry';
import { SPACE_NAMES } from '../spaces/spaces';

export const EXPERIMENT_GROUPS = ['failure', 'ada', 'l2', 'dp'] as const;
export type ExperimentGroup = (typeof EXPERIMENT_GROUPS)[number];

/** One planned search. */
export interface PlannedSearch {
  /** Unique within the plan, e.g. 'failure-s2', 'l2-0.0081'. */
  readonly name: string;
  readonly group: ExperimentGroup;
  readonly overrides: ConfigOverrides;
  readonly config: SearchConfig;
}

/** The seed of the planned searches (one seed each, as the mini protocol). */
export const PLAN_SEED = 1;
/** R-DARTS(L2) strengths besides the default 3e-4 (docs/method.md §4). */
export const L2_GRID = [9e-4, 27e-4, 81e-4, 243e-4] as const;
/** R-DARTS(DP) maximum drop-path probabilities (docs/method.md §4). */
export const DP_GRID = [0, 0.2, 0.4, 0.6] as const;

/**
 * Cutout for DP runs on `preset`'s data set: length 16 on 32 x 32 images as the paper, scaled to
 * the same share of a smaller image (14 on Fashion-MNIST's 28 x 28); probability ramped to 1.
 */
export function dpCutout(preset: PresetName): { length: number; prob: number } {
  const size = DATASETS[resolveConfig(preset).dataset].height;
  return { length: Math.round((16 * size) / 32), prob: 1 };
}

/** Every planned search of `preset`, optionally of some groups only. */
export function searchPlan(preset: PresetName, groups: readonly ExperimentGroup[] = EXPERIMENT_GROUPS): PlannedSearch[] {
  const base: ConfigOverrides = { seed: PLAN_SEED, earlyStop: 'simulate' };
  const entries: { name: string; group: ExperimentGroup; overrides: ConfigOverrides }[] = [
    ...SPACE_NAMES.map((space) => ({ name: `failure-${space}`, group: 'failure' as const, overrides: { ...base, space } })),
    { name: 'ada-s3', group: 'ada', overrides: { ...base, space: 's3' as const, earlyStop: 'adaptive' as const } },
    ...L2_GRID.map((l2) => ({
      name: `l2-${l2}`,
      group: 'l2' as const,
      overrides: { ...base, space: 's3' as const, regularization: { l2 } },
    })),
    ...DP_GRID.map((p) => ({
      name: `dp-${p}`,
      group: 'dp' as const,
      overrides: { ...base, space: 's3' as const, regularization: { dropPathProb: p }, augment: { cutout: dpCutout(preset) } },
    })),
  ];
  return entries
    .filter((e) => groups.includes(e.group))
    .map((e) => ({ ...e, config: resolveConfig(preset, e.overrides, `experiment plan: ${e.name}`) }));
}

/**
 * The R-DARTS grids of the plan (docs/method.md §4), as plan names: L2 over the failure group's S3 search
 * (the default 3e-4) and the l2 group; drop path over the dp group. R-DARTS selects within each.
 */
export function regularisationGrids(preset: PresetName): { readonly l2: string[]; readonly dp: string[] } {
  const plan = searchPlan(preset);
  return {
    l2: plan.filter((p) => p.group === 'l2' || (p.group === 'failure' && p.config.space === 's3')).map((p) => p.name),
    dp: plan.filter((p) => p.group === 'dp').map((p) => p.name),
  };
}
