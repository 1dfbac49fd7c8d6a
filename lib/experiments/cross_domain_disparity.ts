/**
 * The disparity experiments of the cross-domain notebook (docs/method.md §10): the AutoDispNet
 * searches of `DISPARITY_GRID` (DARTS, R-DARTS(L2) at two weight decays, DARTS-ADA, over seeds) on
 * the synthetic stereo miniature, and each finished search's final genotype trained from scratch
 * and tested (lib/train/disparity_train.ts). The notebook's mini reads the disparity `quick`
 * preset (`disparityPresetFor`): the miniature's mini (64 x 128, about 1.5 hours a search) is
 * more than one sitting of this machine affords for a grid. Runs live in
 * `<outputsDir(preset)>/disparity/runs`, evaluations in `.../disparity/evals`: at mini the
 * committed records under results/disparity, at smoke a folder CI writes.
 */
import { parsePreset, type PresetName } from '../config/preset';
import { deepFreeze } from '../config/validation';
import type { DisparityCrossDomainEntry } from '../analysis/cross_domain_disparity';
import { type DisparityConfig, resolveDisparityConfig } from '../problems/disparity/config';
import { disparityProblem } from '../problems/disparity/problem';
import type { AutoDispNetGenotype } from '../spaces/autodispnet';
import { disparityEvalId, resolveDisparityTrainConfig } from '../train/disparity_config';
import { type DisparityEvalFile, ensureDisparityEvaluation, readDisparityEvaluation } from '../train/disparity_train';
import { crossDomainDirs, domainPlan, ensureDomain } from './cross_domain';

/**
 * The disparity searches (the grid of `rdarts grid results/disparity/grid.json`, which holds the
 * same value: test/experiments/cross_domain.test.ts pins it). R-DARTS(L2) takes the weight decay
 * 3x and 9x the recipe's 3e-4, from the analogue's grid {1, 3, 9, 27} x 3e-4; the augmentation
 * knob of the miniature is not searched over, because its nuisance is rendered into every split's
 * pairs (lib/problems/disparity/data.ts), so it changes the task as well as the regularisation.
 */
export const DISPARITY_GRID = deepFreeze({
  problem: 'disparity',
  preset: 'quick',
  base: {},
  runs: {
    'darts-s0': {},
    'l2-9e-4-s0': { regularization: { l2: 9e-4 } },
    'l2-27e-4-s0': { regularization: { l2: 2.7e-3 } },
    'ada-s0': { earlyStop: 'adaptive' },
    'darts-s1': { seed: 1 },
    'l2-9e-4-s1': { seed: 1, regularization: { l2: 9e-4 } },
    'l2-27e-4-s1': { seed: 1, regularization: { l2: 2.7e-3 } },
    'ada-s1': { seed: 1, earlyStop: 'adaptive' },
  },
});

/** The disparity preset that the notebook's `preset` reads (file header): mini reads quick. */
export function disparityPresetFor(preset: string): PresetName {
  const name = parsePreset(preset, 'preset');
  return name === 'mini' ? 'quick' : name;
}

/** The grid's searches for the notebook's `preset`: each entry's overrides on the disparity preset's config. */
export function disparityPlan(preset: string): { name: string; config: DisparityConfig }[] {
  const name = disparityPresetFor(preset);
  return domainPlan(DISPARITY_GRID, 'DISPARITY_GRID', 'lib/experiments/cross_domain_disparity.ts', (o, source) =>
    resolveDisparityConfig(name, o, source),
  );
}

/** Every disparity search of the plan and the evaluation of its final genotype, read back or computed (`ensureDomain`). */
export async function ensureDisparityCrossDomain(
  preset: string,
  options: { readonly log?: (line: string) => void } = {},
): Promise<DisparityCrossDomainEntry[]> {
  const evalConfig = resolveDisparityTrainConfig(disparityPresetFor(preset));
  const dirs = crossDomainDirs(preset, 'disparity');
  return ensureDomain(
    {
      plan: disparityPlan(preset),
      dirs,
      problem: disparityProblem,
      read: (g: AutoDispNetGenotype): DisparityEvalFile | undefined => readDisparityEvaluation(g, evalConfig, dirs.evals),
      ensure: (g, source) => ensureDisparityEvaluation(g, evalConfig, source, { root: dirs.evals }),
      evalId: (g) => disparityEvalId(evalConfig, g),
      describe: (e) => `synthetic test EPE ${e.done?.synthetic?.epe.toFixed(3) ?? '-'} px`,
    },
    options.log,
  );
}
