/**
 * The config of a NAS-Bench-201 search (docs/method.md §8): the loop's fields (lib/config/schema.ts's
 * parts, shared with the DARTS config), the supernet's sizes C and N, and the image data. Validated
 * like the DARTS config (strict objects, errors naming the field); presets `smoke`, `quick`, `mini`
 * and `paper` (the benchmark's own recipe).
 */
import { z } from 'zod';
import { mergeOverPreset } from '../../config/search_config';
import { parsePreset, type PresetName } from '../../config/preset';
import { AugmentSchema, LOOP_FIELDS, type LoopChecked, refineLoop, WeightOptimizerSchema } from '../../config/schema';
import { checkWithSchema, reportFreeCodec, type ConfigCodec, deepFreeze, nonNegInt, num, posInt } from '../../config/validation';
import { DATASET_NAMES } from '../../data/dataset';

export const Nb201ConfigSchema = z
  .object({
    /** Names the problem in config.json, so a stored run says what it searched. */
    problem: z.literal('nb201'),
    /** Data set whose training split is halved into weight and alpha data. */
    dataset: z.enum(DATASET_NAMES),
    seed: nonNegInt(),
    epochs: posInt(),
    batchSize: posInt(),
    /** Channels of the first stage (the benchmark: 16). */
    C: posInt(),
    /** Search cells per stage (the benchmark: 5). */
    N: posInt(),
    /**
     * Which step of an iteration comes first: the benchmark's script takes the weight step first;
     * absent or 'alpha-first' is the DARTS code's order (both name the same run).
     */
    stepOrder: z.enum(['alpha-first', 'weight-first']).optional(),
    /** SGD on the weights, with Nesterov momentum as the benchmark's recipe. */
    weightOptimizer: WeightOptimizerSchema.unwrap().extend({ nesterov: z.boolean() }).strict().readonly(),
    trainPortion: num().gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)'),
    trainSubset: posInt().nullable(),
    augment: AugmentSchema,
    ...LOOP_FIELDS,
  })
  .strict()
  .superRefine((c, ctx) => {
    refineLoop(c as LoopChecked, ctx); // the cast: tslab compiles without strictNullChecks (zod's fields optional there)
    if (c.regularization.dropPathProb !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['regularization', 'dropPathProb'],
        message: 'the NAS-Bench-201 supernet has no drop path; use 0',
      });
    }
  })
  .readonly();

/** A validated NAS-Bench-201 search config. */
export type Nb201Config = z.output<typeof Nb201ConfigSchema>;

/** Validates any value as a NAS-Bench-201 search config; the error names `source` and every bad field. */
export function checkNb201Config(value: unknown, source = 'config'): Nb201Config {
  return checkWithSchema(Nb201ConfigSchema, value, 'NAS-Bench-201 search config', source);
}

/** The run store's handle: validation, and the run id from every field but `report`. */
export const NB201_CONFIG_CODEC: ConfigCodec<Nb201Config> = reportFreeCodec(checkNb201Config, ({ stepOrder, ...fields }) =>
  // stepOrder enters the id only where it is not the default, so that older runs keep theirs.
  stepOrder === 'weight-first' ? { ...fields, stepOrder } : fields,
);

/**
 * The benchmark's DARTS recipe (NAS-Bench-201's configs/nas-benchmark/algos/DARTS.config and its
 * DARTS-V1 search script, checked against the authors' code): CIFAR-10 split 25,000 / 25,000, C 16,
 * N 5, batch 64, 50 epochs, first order, the weight step before the alpha step; SGD 0.025 cosine (per epoch) to 0.001, Nesterov momentum
 * 0.9, weight decay 5e-4, clip 5; Adam 3e-4 (0.5, 0.999), weight decay 1e-3; crop pad 4 and flip,
 * no Cutout. Curvature: the full 30x30 Hessian after every epoch. docs/method.md §8 lists where our
 * search still differs.
 */
export const NB201_PAPER: Nb201Config = deepFreeze({
  problem: 'nb201',
  dataset: 'cifar10',
  seed: 0,
  epochs: 50,
  batchSize: 64,
  C: 16,
  N: 5,
  order: 'first',
  stepOrder: 'weight-first',
  weightOptimizer: { lrMax: 0.025, lrMin: 0.001, momentum: 0.9, gradClip: 5, nesterov: true },
  alphaOptimizer: { lr: 3e-4, betas: [0.5, 0.999], eps: 1e-8, weightDecay: 1e-3 },
  trainPortion: 0.5,
  trainSubset: null,
  augment: { cropPad: 4, flip: null, cutout: null },
  regularization: { l2: 5e-4, dropPathProb: 0 },
  hessian: { evalEvery: 1, method: 'full', maxProducts: 30, tolerance: 1e-3, step: 1e-2, scheme: 'central', recordMatrix: false },
  earlyStop: 'off',
  controller: { rule: 'code', factor: null, startEpoch: null, l2Factor: 10, maxL2: 0.03 },
  report: { progress: 'bar', logEvery: 50 },
});

/**
 * The reduced presets keep the recipe (alpha lr included) and shrink the supernet and the data, on
 * the CIFAR-10 JPEG copy (the copy this machine has; lib/data/cifar10_jpeg.ts); one search cell per
 * stage (N 1: the alphas are shared by all cells, so the architecture decision is the same one):
 *   smoke: C 2, 64 images, batch 8, 2 epochs (tests; seconds);
 *   quick: C 8, 2,560 images (20 iterations an epoch), 10 epochs;
 *   mini:  C 8, 10,000 images (5,000 + 5,000: 79 iterations an epoch), 50 epochs: 3,950 weight
 *          steps, a fifth of the benchmark's 19,550. The full Hessian (central differences, 60
 *          gradients) costs about a quarter of an epoch here, so it is taken every 2 epochs and at
 *          the last, as the DARTS code does. Measured times: docs/method.md §8.
 */
const REDUCED = { dataset: 'cifar10-jpeg', N: 1, hessian: { ...NB201_PAPER.hessian, evalEvery: 2 } } as const;

const smoke: Nb201Config = deepFreeze({
  ...NB201_PAPER,
  ...REDUCED,
  epochs: 2,
  batchSize: 8,
  C: 2,
  trainSubset: 64,
  report: { progress: 'off', logEvery: 1 },
});

const quick: Nb201Config = deepFreeze({
  ...NB201_PAPER,
  ...REDUCED,
  epochs: 10,
  C: 8,
  trainSubset: 2560,
  report: { progress: 'bar', logEvery: 10 },
});

const mini: Nb201Config = deepFreeze({ ...NB201_PAPER, ...REDUCED, C: 8, trainSubset: 10000, report: { progress: 'bar', logEvery: 20 } });

export const NB201_PRESETS: Readonly<Record<PresetName, Nb201Config>> = Object.freeze({ smoke, quick, mini, paper: NB201_PAPER });

/** The preset with `overrides` merged in, validated; errors name `source` and the field. */
export function resolveNb201Config(preset: PresetName | string, overrides: object = {}, source = 'overrides'): Nb201Config {
  const name = parsePreset(preset, 'preset');
  return checkNb201Config(
    mergeOverPreset('NAS-Bench-201 search config', NB201_PRESETS[name], overrides, source),
    `preset ${name} + ${source}`,
  );
}
