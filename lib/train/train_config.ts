/**
 * The evaluation config (docs/method.md §5): how a genotype is trained from scratch and tested. One
 * readonly, validated value; the zod schema is the single source and the type is inferred from it.
 * Objects are strict and every error names the field:
 *   `evaluation config (preset smoke + overrides): batchSize: must be a positive integer, got 0`.
 * No search-time regulariser appears here: R-DARTS's are used in the search only (docs/method.md §4).
 * The presets are built by spreading the paper's setting; their times were measured on this
 * 2-core machine (wasm backend, 1 thread) with a search running on the other core.
 */
import { z } from 'zod';
import { parsePreset, type PresetName } from '../config/preset';
import { deepFreeze, describeIssue, halfOpenUnit, nonNeg, nonNegInt, posInt, positive, showValue } from '../config/validation';
import { DATASET_NAMES } from '../data/dataset';

/** The evaluation config schema; `TrainConfig` is its output type. */
export const TrainConfigSchema = z
  .object({
    /** Data set: trained on its training split, tested on its test split (5). */
    dataset: z.enum(DATASET_NAMES),
    /** Cells of the evaluation network, L (5: 20 for CIFAR-10, 8 for CIFAR-100 and SVHN). */
    layers: posInt(),
    /** Initial channels, C (5: 36 for CIFAR-10, 16 for CIFAR-100 and SVHN). */
    C: posInt(),
    /** Training epochs (5: 600). */
    epochs: posInt(),
    /** Images per SGD step (5: 96); also the batch of the test passes. */
    batchSize: posInt(),
    /** Initial SGD learning rate, cosine-annealed to `lrMin` over the epochs, set per epoch (5: 0.025). */
    lrMax: positive(),
    /** Final learning rate of the cosine (5: 0). */
    lrMin: nonNeg(),
    /** SGD momentum (5: 0.9). */
    momentum: halfOpenUnit(),
    /** L2 factor added to the weight gradients, SGD weight decay (5: 3e-4). */
    weightDecay: nonNeg(),
    /** Maximum total norm of the weight gradients, PyTorch's clip_grad_norm_ (5: 5). */
    gradClip: positive(),
    /** Loss weight of the auxiliary head after cell floor(2L/3) (5: 0.4); 0 builds no head. */
    auxiliaryWeight: nonNeg(),
    /** Maximum drop-path probability: epoch e (0-based) uses p e / epochs, as the code (5: 0.2). */
    dropPathProb: halfOpenUnit(),
    /** Cutout of every training image with probability `prob` (5: length 16, always); null = off. */
    cutout: z
      .object({
        /** Side of the zeroed square, in pixels. */
        length: posInt(),
        /** Probability per image. */
        prob: nonNeg().max(1, 'must be in [0, 1]'),
      })
      .strict()
      .readonly()
      .nullable(),
    /** Training images used (the first ones); null = the whole training split (5). */
    trainSubset: posInt().nullable(),
    /** Test images of the final test error (the first ones); null = the whole test split (5). */
    testSubset: posInt().nullable(),
    /**
     * Test images measured after every epoch (the first ones, eval mode), to watch the training:
     * null = all that `testSubset` allows, as the code does; 0 = none. Never used to choose anything.
     */
    epochTestSubset: nonNegInt().nullable(),
    /** Seed of the initial weights, the data order, the augmentation and the drop-path masks. */
    seed: nonNegInt(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.lrMin > c.lrMax) ctx.addIssue({ code: 'custom', path: ['lrMin'], message: `must be <= lrMax (${c.lrMax})` });
    if (c.auxiliaryWeight > 0 && c.layers < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['auxiliaryWeight'],
        message: 'needs layers >= 2 (the head follows the second reduction cell)',
      });
    }
    if (c.epochTestSubset !== null && c.testSubset !== null && c.epochTestSubset > c.testSubset) {
      ctx.addIssue({ code: 'custom', path: ['epochTestSubset'], message: `must be <= testSubset (${c.testSubset})` });
    }
  })
  .readonly();

/** A validated evaluation config (readonly). */
export type TrainConfig = z.output<typeof TrainConfigSchema>;

/** An evaluation config that failed validation; `issues` holds one line per problem, each naming its field. */
export class TrainConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`evaluation config (${source}): ${issues.join('; ')}`);
    this.name = 'TrainConfigError';
  }
}

/** Validates any value as an evaluation config (eval.json read back, a preset with overrides). */
export function checkTrainConfig(value: unknown, source = 'config'): TrainConfig {
  const result = TrainConfigSchema.safeParse(value);
  if (!result.success)
    throw new TrainConfigError(
      source,
      result.error.issues.map((i) => describeIssue(i, value, TrainConfigSchema)),
    );
  return result.data;
}

/**
 * The paper's final evaluation (docs/method.md §5; RobustDARTS src/evaluation/args.py): CIFAR-10, 20
 * cells, C 36, 600 epochs, batch 96, SGD 0.025 cosine to 0, momentum 0.9, L2 3e-4, clip 5,
 * auxiliary weight 0.4, drop path 0.2, Cutout 16 on every image, the whole training split, the
 * whole test split after every epoch (as the code). For a GPU: on one core here training costs about
 * 0.22 s an image (steps measured at batch 16 and 32: 3.5 s and 6.9 s) and testing 0.05 s, so 600
 * epochs of 50,000 + 10,000 images take about 80 days; and batch 96 overflows the wasm backend's
 * 4 GiB memory.
 */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = deepFreeze({
  dataset: 'cifar10',
  layers: 20,
  C: 36,
  epochs: 600,
  batchSize: 96,
  lrMax: 0.025,
  lrMin: 0,
  momentum: 0.9,
  weightDecay: 3e-4,
  gradClip: 5,
  auxiliaryWeight: 0.4,
  dropPathProb: 0.2,
  cutout: { length: 16, prob: 1 },
  trainSubset: null,
  testSubset: null,
  epochTestSubset: null,
  seed: 0,
});

/**
 * Cutout on 28 x 28 Fashion-MNIST: length 14, the same quarter of the image as the paper's 16 on
 * 32 x 32 CIFAR (the search grids use the same).
 */
const SCALED_CUTOUT = { length: 14, prob: 1 } as const;

/**
 * smoke: seconds, for tests and CI. L3, C4, batch 16, 2 epochs on 64 Fashion-MNIST images (4
 * steps an epoch), tested on 64 (32 after each epoch). Measured (DARTS_V2): 1.1 s, 2.4 s with start-up.
 */
const smoke: TrainConfig = deepFreeze({
  ...DEFAULT_TRAIN_CONFIG,
  dataset: 'fashion-mnist',
  layers: 3,
  C: 4,
  epochs: 2,
  batchSize: 16,
  trainSubset: 64,
  testSubset: 64,
  epochTestSubset: 32,
  cutout: SCALED_CUTOUT,
});

/**
 * quick: a few minutes. The search supernet's size (L5, C8) on Fashion-MNIST: 8 epochs of 2,880
 * images (30 steps), the whole test split (10,000) at the end, 500 test images after each epoch.
 * Measured (DARTS_V2, seed 0): 2.5 min (15.5 s an epoch, 20 s for the final test), test error 26.7%.
 */
const quick: TrainConfig = deepFreeze({
  ...DEFAULT_TRAIN_CONFIG,
  dataset: 'fashion-mnist',
  layers: 5,
  C: 8,
  epochs: 8,
  trainSubset: 2880,
  testSubset: null,
  epochTestSubset: 500,
  cutout: SCALED_CUTOUT,
});

/**
 * mini: the scaled-down reproduction, one evaluation in about 11 minutes on one core. The paper's
 * network for CIFAR-100 and SVHN (8 cells, C 16; docs/method.md §5) on Fashion-MNIST, every other
 * setting the paper's: 10 epochs of 3,072 images (32 steps of 96), the whole test split (10,000) at
 * the end, 1,000 test images after each epoch. Measured (DARTS_V2, seed 0; 245,242 weights, 680,708
 * with the head): 11.1 min (about 61 s an epoch, 50 s for the final test), test error 21.4%. A
 * genotype with more sep_convs than DARTS_V2's is slower, one of parameter-free ops faster.
 */
const mini: TrainConfig = deepFreeze({
  ...DEFAULT_TRAIN_CONFIG,
  dataset: 'fashion-mnist',
  layers: 8,
  C: 16,
  epochs: 10,
  trainSubset: 3072,
  testSubset: null,
  epochTestSubset: 1000,
  cutout: SCALED_CUTOUT,
});

/** paper: DEFAULT_TRAIN_CONFIG exactly. */
const paper: TrainConfig = DEFAULT_TRAIN_CONFIG;

/** The evaluation config of each preset (readonly, deeply frozen). */
export const TRAIN_PRESETS: Readonly<Record<PresetName, TrainConfig>> = Object.freeze({ smoke, quick, mini, paper });

/** Each preset's evaluation time on one core here (DARTS_V2; see the presets' comments). */
export const TRAIN_PRESET_RUNTIME: Readonly<Record<PresetName, string>> = Object.freeze({
  smoke: '1 s (measured)',
  quick: '2.5 min on one core (measured)',
  mini: '11 min on one core (measured: 11.1 min)',
  paper: 'about 80 days on one core here (estimate; batch 96 does not fit the wasm backend); meant for a GPU',
});

/**
 * The evaluation config of `preset` with top-level `overrides` (a field replaces the preset's;
 * `cutout` is replaced whole), validated. `source` names where the overrides came from.
 */
export function resolveTrainConfig(preset: PresetName | string, overrides: Partial<TrainConfig> = {}, source = 'overrides'): TrainConfig {
  const name = parsePreset(preset, 'preset');
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new TrainConfigError(source, [`overrides must be an object, got ${showValue(overrides)}`]);
  }
  return checkTrainConfig({ ...TRAIN_PRESETS[name], ...overrides }, `preset ${name} + ${source}`);
}
