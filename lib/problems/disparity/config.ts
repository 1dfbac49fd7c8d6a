/**
 * The config of a disparity search in the AutoDispNet space (lib/spaces/autodispnet.ts): the loop's
 * fields (lib/config/schema.ts's parts, shared with the other problems), the stereo data, the
 * supernet's sizes (./network.ts) and the multi-scale loss's weights. Validated like the other
 * configs (strict objects, errors naming the field); presets `smoke`, `quick`, `mini` and `paper`.
 */
import { z } from 'zod';
import { isPlainObject, mergeOverPreset } from '../../config/search_config';
import { parsePreset, type PresetName } from '../../config/preset';
import { LOOP_FIELDS, type LoopChecked, refineLoop, WeightOptimizerSchema } from '../../config/schema';
import {
  checkWithSchema,
  reportFreeCodec,
  type ConfigCodec,
  deepFreeze,
  nonNeg,
  nonNegInt,
  posInt,
  positive,
  unit,
} from '../../config/validation';
import { checkNetworkSizes, type DisparityNetworkConfig } from './network';

/** Where the stereo pairs come from (./data.ts). */
export const StereoDataSchema = z.discriminatedUnion('source', [
  z
    .object({
      /** The seeded synthetic generator (lib/data/stereo_synthetic.ts): pair k of a split from (seed, split, k). */
      source: z.literal('synthetic'),
      /** The generator's seed, apart from the search's. */
      seed: nonNegInt(),
      height: posInt(),
      width: posInt(),
      /** The largest disparity in px; null: width / 8. */
      dmax: positive().nullable(),
      /** Foreground shapes per scene: 1..maxShapes. */
      maxShapes: posInt(),
      texture: z.enum(['noise', 'dots']),
      colour: z.enum(['rgb', 'grey']),
      /** Strength s of the photometric nuisance (gain, bias, noise), the augmentation knob. */
      augment: unit(),
      /** Pairs of the weights' split, the alphas' split and the test split. */
      train: posInt(),
      valid: posInt(),
      test: nonNegInt(),
    })
    .strict(),
  z
    .object({
      /** Stereo folders written by writeStereoFolder (lib/data/stereo_folder.ts). */
      source: z.literal('folders'),
      train: z.string().min(1, 'must name a folder'),
      valid: z.string().min(1, 'must name a folder'),
      /** null: no test split. */
      test: z.string().min(1, 'must name a folder').nullable(),
    })
    .strict(),
]);

/** The supernet's sizes (./network.ts `DisparityNetworkConfig`). */
export const DisparityNetworkSchema = z
  .object({
    /** Channels of a node before the feature cells double them. */
    C: posInt(),
    /** The first stem has floor(stemMultiplier C) channels. */
    stemMultiplier: positive(),
    /** Siamese feature (reduction) cells. */
    featureDepth: nonNegInt(),
    /** Encoder cells after the correlation, reducing at odd indices. */
    encoderDepth: posInt(),
    /** Upsampling cells (each followed by a prediction). */
    decoderDepth: posInt(),
    /** The correlation's maximum displacement R, in pixels of the feature cells' resolution. */
    maxDisplacement: nonNegInt(),
    /** Affine-free batch norm after every activation (our choice for the search); false: none, as the released nets. */
    batchNorm: z.boolean(),
  })
  .strict()
  .readonly();

/**
 * The checks a config holding a disparity network shares (the search's and the training's): the
 * network's sizes against each other and against the synthetic images' size
 * (`checkNetworkSizes`), and one loss weight per prediction.
 */
export function refineDisparityNetwork(
  c: {
    readonly data: z.output<typeof StereoDataSchema>;
    readonly network: z.output<typeof DisparityNetworkSchema>;
    readonly lossWeights: readonly number[] | null;
  },
  ctx: z.RefinementCtx,
): void {
  try {
    // The casts: tslab compiles without strictNullChecks, where zod's fields read as optional.
    checkNetworkSizes(
      c.network as DisparityNetworkConfig,
      c.data.source === 'synthetic' ? (c.data as { height: number; width: number }) : undefined,
    );
  } catch (e) {
    const message = (e as Error).message;
    ctx.addIssue({ code: 'custom', path: message.startsWith('the images') ? ['data'] : ['network'], message });
  }
  if (c.lossWeights !== null && c.lossWeights.length !== c.network.decoderDepth + 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['lossWeights'],
      message: `needs ${c.network.decoderDepth + 1} weights (one per prediction: the encoder's and one per upsampling cell), got ${c.lossWeights.length}`,
    });
  }
}

/** The disparity search config's schema; `DisparityConfig` is its output type. */
export const DisparityConfigSchema = z
  .object({
    /** Names the problem in config.json, so a stored run says what it searched. */
    problem: z.literal('disparity'),
    data: StereoDataSchema,
    seed: nonNegInt(),
    epochs: posInt(),
    batchSize: posInt(),
    network: DisparityNetworkSchema,
    /** The multi-scale loss's weights, one per prediction, coarse to fine; null: netdef's DispNet weights by level (./network.ts). */
    lossWeights: z.array(nonNeg()).readonly().nullable(),
    weightOptimizer: WeightOptimizerSchema,
    ...LOOP_FIELDS,
  })
  .strict()
  .superRefine((c, ctx) => {
    // The cast: tslab compiles without strictNullChecks; the image fields refineLoop also checks are absent here.
    refineLoop({ ...c, trainSubset: null, trainPortion: 0.5 } as LoopChecked, ctx);
    if (c.regularization.dropPathProb !== 0) {
      ctx.addIssue({ code: 'custom', path: ['regularization', 'dropPathProb'], message: 'the disparity supernet has no drop path; use 0' });
    }
    // The cast: tslab compiles without strictNullChecks, where zod's fields read as optional.
    refineDisparityNetwork(c as Parameters<typeof refineDisparityNetwork>[0], ctx);
    if (c.data.source === 'synthetic' && c.data.dmax !== null && c.data.dmax >= c.data.width) {
      ctx.addIssue({ code: 'custom', path: ['data', 'dmax'], message: `must be < width (${c.data.width})` });
    }
  })
  .readonly();

/** A validated disparity search config. */
export type DisparityConfig = z.output<typeof DisparityConfigSchema>;

/** Validates any value as a disparity search config; the error names `source` and every bad field. */
export function checkDisparityConfig(value: unknown, source = 'config'): DisparityConfig {
  return checkWithSchema(DisparityConfigSchema, value, 'disparity search config', source);
}

/** The run store's handle: validation, and the run id from every field but `report`. */
export const DISPARITY_CONFIG_CODEC: ConfigCodec<DisparityConfig> = reportFreeCodec(checkDisparityConfig);

/**
 * The AutoDispNet search as far as it is known (the search code was not released): first order;
 * SGD 0.025 annealed by a cosine to 0.001, momentum 0.9, weight decay 3e-4 (clip 5, DARTS's); Adam
 * 3e-4 with betas (0.5, 0.999) and weight decay 1e-3 on the alphas, the alpha step before the weight
 * step (the maintainer's account); C 24, the encoder's 6 cells alternating normal and reduction,
 * 3 upsampling cells (notes on the AutoDispNet paper, unverified), on FlyingThings3D at half
 * resolution, its training set halved into the weights' and the alphas' data. Our assumptions where
 * nothing says: stem multiplier 3 (the AutoDispNet code's default), 1 feature cell (its DispNet-C),
 * R = 20 (the deployed 40 at full resolution, halved with the images), batch 8, 50 epochs (DARTS's),
 * BN on (./layers.ts), netdef's loss weights. The data must first be converted into three stereo
 * folders (`ft3d-half/train`, `/valid`, `/test`) of images whose sides are multiples of 64 (crops:
 * 480 x 270 is not). Curvature as RobustDARTS: the full Hessian of the 264 alphas every 2 epochs.
 */
export const DISPARITY_PAPER: DisparityConfig = deepFreeze({
  problem: 'disparity',
  data: { source: 'folders', train: 'ft3d-half/train', valid: 'ft3d-half/valid', test: 'ft3d-half/test' },
  seed: 0,
  epochs: 50,
  batchSize: 8,
  network: { C: 24, stemMultiplier: 3, featureDepth: 1, encoderDepth: 6, decoderDepth: 3, maxDisplacement: 20, batchNorm: true },
  lossWeights: null,
  order: 'first',
  weightOptimizer: { lrMax: 0.025, lrMin: 0.001, momentum: 0.9, gradClip: 5 },
  alphaOptimizer: { lr: 3e-4, betas: [0.5, 0.999], eps: 1e-8, weightDecay: 1e-3 },
  regularization: { l2: 3e-4, dropPathProb: 0 },
  hessian: { evalEvery: 2, method: 'full', maxProducts: 264, tolerance: 1e-3, step: 1e-2, scheme: 'central', recordMatrix: false },
  earlyStop: 'off',
  controller: { rule: 'code', factor: null, startEpoch: null, l2Factor: 10, maxL2: 0.03 },
  report: { progress: 'bar', logEvery: 50 },
});

/** The synthetic stereo data of the reduced presets (the disparity miniature): 32 x 64, dmax 8, value-noise textures, full nuisance. */
const SYNTHETIC = {
  source: 'synthetic',
  seed: 0,
  height: 32,
  width: 64,
  dmax: null as number | null,
  maxShapes: 3,
  texture: 'noise',
  colour: 'rgb',
  augment: 1,
} as const;

/**
 * The miniature's network at 32 x 64: C 4, stems 8 and 16, no feature cell (the correlation reads
 * the stems at 1/4 of the image), encoder normal + reduction, 2 upsampling cells, R 2 (+-8 px, dmax
 * 8). With the feature cell of the paper preset the correlation sat at 1/8 (4 x 8 positions, dmax
 * = 1 px there) and the network did not learn to match: trained from scratch at quick, its EPE
 * (1.65 px, and 1.53 at a tenfold lr) stayed above a constant prediction's (1.41), where without
 * the feature cell it reached 0.94 after the same 10 epochs (raw 7 x 7 SAD block matching: 0.49).
 */
const MINI_NET = {
  C: 4,
  stemMultiplier: 2,
  featureDepth: 0,
  encoderDepth: 2,
  decoderDepth: 2,
  maxDisplacement: 2,
  batchNorm: true,
} as const;

/**
 * The reduced presets keep the recipe (optimisers, first order, BN, netdef's loss weights) on the
 * synthetic stereo miniature; predictions come at 1/8, 1/4 and 1/2 of the image:
 *   smoke: 32 x 64, 16 + 16 pairs (8 test), batch 8, 2 epochs, Lanczos (4 products) after each
 *          epoch (a check of the whole path; the notebook runs 8 such searches in CI, where 8
 *          products made each measurement 10-15 s, most of the search; the tests use 8 x 16 pairs);
 *   quick: 32 x 64, 256 + 256 pairs (64 test), batch 16, 10 epochs, Lanczos (20 products) after
 *          every epoch, DARTS-ES / ADA deciding from epoch 6 (as the language model's mini: the
 *          code's rule lags 6 evaluations), the alphas' lr tenfold (3e-3), as the image spaces'
 *          reduced presets: at 3e-4 the 160 alpha steps moved no alpha by more than 0.04, so the
 *          genotype was the initial draw's; the cross-domain notebook's grid runs here;
 *   mini:  64 x 128 (dmax 16), C 8, R 4, 1,000 + 1,000 pairs (200 test), batch 16, 20 epochs,
 *          Lanczos (20 products) every 2 epochs: the demo size of the miniature.
 * Costs measured on the wasm backend of a 2-core machine that other jobs shared: a search iteration
 * (alpha step and weight step) about 0.9 s at 32 x 64 (batch 8 or 16) and 3 s at 64 x 128 (C 8,
 * batch 16); one gradient in the alphas 0.5-0.8 s at 32 x 64. The smoke search took 37 s (two
 * curvature measurements of 9 s each are most of it), one quick epoch 14 s of search and 33 s of
 * curvature (about 6 minutes for the 10 epochs with the curvature every 2; every epoch, as quick
 * now measures it, about 8); mini, extrapolated, about 1.5 hours. The curvature
 * keeps the image spaces' finite-difference step 1e-2: at the last checkpoint of a quick search
 * (alphas' lr 3e-4) Lanczos on one alpha batch gave 0.0094867 at 1e-2 and 0.0094871 at 3e-3, where
 * the language model's loss needed 3e-4 (docs/method.md §9).
 */
const smoke: DisparityConfig = deepFreeze({
  ...DISPARITY_PAPER,
  data: { ...SYNTHETIC, train: 16, valid: 16, test: 8 },
  epochs: 2,
  batchSize: 8,
  network: MINI_NET,
  hessian: { ...DISPARITY_PAPER.hessian, evalEvery: 1, method: 'lanczos', maxProducts: 4 },
  report: { progress: 'off', logEvery: 1 },
});

const quick: DisparityConfig = deepFreeze({
  ...DISPARITY_PAPER,
  data: { ...SYNTHETIC, train: 256, valid: 256, test: 64 },
  epochs: 10,
  batchSize: 16,
  network: MINI_NET,
  alphaOptimizer: { ...DISPARITY_PAPER.alphaOptimizer, lr: 3e-3 },
  hessian: { ...DISPARITY_PAPER.hessian, evalEvery: 1, method: 'lanczos', maxProducts: 20 },
  controller: { ...DISPARITY_PAPER.controller, startEpoch: 6 },
  report: { progress: 'bar', logEvery: 4 },
});

const mini: DisparityConfig = deepFreeze({
  ...DISPARITY_PAPER,
  data: { ...SYNTHETIC, height: 64, width: 128, train: 1000, valid: 1000, test: 200 },
  epochs: 20,
  batchSize: 16,
  network: { ...MINI_NET, C: 8, maxDisplacement: 4 },
  hessian: { ...DISPARITY_PAPER.hessian, method: 'lanczos', maxProducts: 20 },
  report: { progress: 'bar', logEvery: 10 },
});

/** The presets by name (file header and the comments above). */
export const DISPARITY_PRESETS: Readonly<Record<PresetName, DisparityConfig>> = Object.freeze({
  smoke,
  quick,
  mini,
  paper: DISPARITY_PAPER,
});

/** The preset with `overrides` merged in, validated; errors name `source` and the field. */
export function resolveDisparityConfig(preset: PresetName | string, overrides: object = {}, source = 'overrides'): DisparityConfig {
  const name = parsePreset(preset, 'preset');
  const base = DISPARITY_PRESETS[name];
  // Data of another source replace the preset's whole (their fields differ), instead of merging key by key.
  const data = isPlainObject(overrides) ? overrides.data : undefined;
  const other = isPlainObject(data) && 'source' in data && data.source !== base.data.source;
  return checkDisparityConfig(
    mergeOverPreset('disparity search config', other ? { ...base, data: {} } : base, overrides, source),
    `preset ${name} + ${source}`,
  );
}
