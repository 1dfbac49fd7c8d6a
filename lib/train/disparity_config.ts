/**
 * The config of training a disparity genotype from scratch and testing it (docs/method.md §10): the
 * stereo data (the search's source; the network trains on its train and valid splits together, the
 * DARTS practice of training the final network on the whole training set, and is tested on its test
 * split), the network's sizes, the multi-scale loss, Adam with a cosine-annealed lr, and the real
 * test pair (Middlebury-style files, downscaled by an integer factor and centre-cropped to the
 * network's multiple). Presets `smoke`, `quick`, `mini`, `paper`; errors name the field.
 */
import { createHash } from 'crypto';
import { z } from 'zod';
import { mergeOverPreset } from '../config/search_config';
import { parsePreset, type PresetName } from '../config/preset';
import { canonicalJson, checkWithSchema, deepFreeze, nonNeg, posInt, positive, unit } from '../config/validation';
import { OPENCV_DOC_ALOE } from '../data/stereo_folder';
import { DISPARITY_PRESETS, DisparityNetworkSchema, refineDisparityNetwork, StereoDataSchema } from '../problems/disparity/config';

/** A Middlebury-style pair (lib/data/stereo_folder.ts `readMiddleburyPair`) and how it is shrunk for the network. */
export const RealPairSchema = z
  .object({
    /** A short name for the records, e.g. "Aloe". */
    name: z.string().min(1, 'must name the pair'),
    left: z.string().min(1, 'must name a file'),
    right: z.string().min(1, 'must name a file'),
    /** A grey PNG of disparity x scale, 0 = unknown. */
    disparity: z.string().min(1, 'must name a file'),
    scale: positive(),
    /** Integer box-filter factor (the disparities shrink with it). */
    downscale: posInt(),
  })
  .strict()
  .readonly();

export const DisparityTrainConfigSchema = z
  .object({
    data: StereoDataSchema,
    seed: z.number().int().min(0),
    epochs: posInt(),
    batchSize: posInt(),
    network: DisparityNetworkSchema,
    /** The multi-scale loss's weights, coarse to fine; null: netdef's by level (lib/problems/disparity/network.ts). */
    lossWeights: z.array(nonNeg()).readonly().nullable(),
    /** Adam (torch.optim.Adam: L2 added to the gradient); the lr cosine-annealed from lrMax to lrMin, set per epoch. */
    lrMax: positive(),
    lrMin: nonNeg(),
    betas: z.tuple([unit(), unit()]).readonly(),
    weightDecay: nonNeg(),
    /** The real test pairs (none: an empty list). */
    real: z.array(RealPairSchema).readonly(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // The cast: tslab compiles without strictNullChecks, where zod's fields read as optional.
    refineDisparityNetwork(c as Parameters<typeof refineDisparityNetwork>[0], ctx);
    if (c.lrMin > c.lrMax) ctx.addIssue({ code: 'custom', path: ['lrMin'], message: `must be <= lrMax (${c.lrMax})` });
  })
  .readonly();

export type DisparityTrainConfig = z.output<typeof DisparityTrainConfigSchema>;

export function checkDisparityTrainConfig(value: unknown, source = 'config'): DisparityTrainConfig {
  return checkWithSchema(DisparityTrainConfigSchema, value, 'disparity training config', source);
}

/** Debian opencv-doc's Aloe (data/middlebury.md), shrunk by `downscale`. */
const aloe = (downscale: number) => ({ name: 'Aloe', ...OPENCV_DOC_ALOE, downscale });

/**
 * As far as the AutoDispNet paper's training is known (unverified notes): the discrete network on
 * FlyingThings3D, Adam (0.9, 0.999) at 1e-4; we keep the search's data, sizes and loss, 50 epochs,
 * batch 8, the lr annealed to 1e-6, and test on Aloe at a quarter size (320 x 277 cropped).
 */
export const DISPARITY_TRAIN_PAPER: DisparityTrainConfig = deepFreeze({
  data: DISPARITY_PRESETS.paper.data,
  seed: 0,
  epochs: 50,
  batchSize: 8,
  network: DISPARITY_PRESETS.paper.network,
  lossWeights: null,
  lrMax: 1e-4,
  lrMin: 1e-6,
  betas: [0.9, 0.999],
  weightDecay: 0,
  real: [aloe(4)],
});

/**
 * The reduced presets train on the search presets' synthetic miniature with the search's network
 * sizes, Adam at 1e-2 annealed to 1e-4 (at quick, 10 epochs at a constant 1e-3 left the EPE at
 * 1.56 px, above a constant prediction's 1.41; at a constant 1e-2, 0.94), and test
 * on Aloe shrunk to the miniature's scale: 1282 x 1110 by 20 at smoke and quick (64 x 55, cropped
 * to 64 x 48; disparities 2.1 to 10.6 px against the training's at most 8), by 10 at mini (128 x
 * 111, cropped to 128 x 96; 4.3 to 21 px against at most 16): a real scene far from the synthetic
 * textures, the test of what the searched cells learn beyond their training distribution.
 *   smoke: 16 + 16 pairs, 2 epochs, batch 8 (tests);
 *   quick: 256 + 256 pairs, 20 epochs, batch 16: the training first sits on a plateau where it
 *          predicts about a constant, then learns to match; 10 epochs ended on it (AutoDispNet-C:
 *          EPE 1.42 px against the constant's 1.41), 20 reach 0.66 (raw 7 x 7 SAD: 0.49);
 *   mini:  1,000 + 1,000 pairs at 64 x 128, 20 epochs, batch 16.
 */
const reduced = (preset: 'smoke' | 'quick' | 'mini', epochs: number, downscale: number): DisparityTrainConfig =>
  deepFreeze({
    ...DISPARITY_TRAIN_PAPER,
    data: DISPARITY_PRESETS[preset].data,
    network: DISPARITY_PRESETS[preset].network,
    batchSize: DISPARITY_PRESETS[preset].batchSize,
    epochs,
    lrMax: 1e-2,
    lrMin: 1e-4,
    real: [aloe(downscale)],
  });

export const DISPARITY_TRAIN_PRESETS: Readonly<Record<PresetName, DisparityTrainConfig>> = Object.freeze({
  smoke: reduced('smoke', 2, 20),
  quick: reduced('quick', 20, 20),
  mini: reduced('mini', 20, 10),
  paper: DISPARITY_TRAIN_PAPER,
});

export function resolveDisparityTrainConfig(
  preset: PresetName | string,
  overrides: object = {},
  source = 'overrides',
): DisparityTrainConfig {
  const name = parsePreset(preset, 'preset');
  return checkDisparityTrainConfig(
    mergeOverPreset('disparity training config', DISPARITY_TRAIN_PRESETS[name], overrides, source),
    `preset ${name} + ${source}`,
  );
}

/** The id of an evaluation of `genotype` under `config`: sha256 of their canonical JSON, 12 hex digits. */
export function disparityEvalId(config: DisparityTrainConfig, genotype: object): string {
  return createHash('sha256')
    .update(canonicalJson({ kind: 'disparity', config, genotype }))
    .digest('hex')
    .slice(0, 12);
}
