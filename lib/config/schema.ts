/**
 * The search config's schema (docs/method.md §1, 3, 4): the zod schema is the single source; the
 * `SearchConfig` type is inferred from it. Validation, presets and run ids: ./search_config.ts.
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../data/dataset';
import { SPACE_NAMES } from '../spaces/spaces';
import { halfOpenUnit, nonNeg, nonNegInt, num, posInt, positive, unit } from './validation';

export const WeightOptimizerSchema = z
  .object({
    /** Initial SGD learning rate, annealed by cosine to `lrMin` over the epochs, set per epoch (1). */
    lrMax: positive(),
    /** Final learning rate of the cosine schedule (1). */
    lrMin: nonNeg(),
    /** SGD momentum (1). The weight decay is `regularization.l2`. */
    momentum: halfOpenUnit(),
    /** Maximum total norm of the weight gradients (PyTorch clip_grad_norm_) (1). */
    gradClip: positive(),
  })
  .strict()
  .readonly();

export const AlphaOptimizerSchema = z
  .object({
    /** Adam learning rate of the alphas (1). */
    lr: positive(),
    /** Adam (beta1, beta2) (1). */
    betas: z.tuple([halfOpenUnit(), halfOpenUnit()]).readonly(),
    /** Adam epsilon (PyTorch's default; not in the paper). */
    eps: positive(),
    /** L2 factor of the alphas, added to their gradient; also the 1e-3 I shift of the Hessian (1, 3). */
    weightDecay: nonNeg(),
  })
  .strict()
  .readonly();

export const AugmentSchema = z
  .object({
    /** Zero padding per side of the random crop; 0 turns the crop off (1). */
    cropPad: nonNegInt(),
    /** Horizontal flip; null = the data set's default (`DATASETS[dataset].flip`, off for SVHN) (1). */
    flip: z.boolean().nullable(),
    /**
     * Cutout, null = off (4, R-DARTS(DP) only). `prob` is the final probability: the loop ramps it
     * linearly from 0, as the code does in DP runs.
     */
    cutout: z
      .object({
        /** Side of the zeroed square, in pixels (16 in the code). */
        length: posInt(),
        prob: unit(),
      })
      .strict()
      .readonly()
      .nullable(),
  })
  .strict()
  .readonly();

export const RegularizationSchema = z
  .object({
    /** Weight L2 factor = SGD weight decay (1; R-DARTS(L2) varies it, DARTS-ADA raises it, 4). */
    l2: nonNeg(),
    /** Maximum ScheduledDropPath probability p; p_e = p e / (epochs - 1), 0 = off (4, R-DARTS(DP)). */
    dropPathProb: halfOpenUnit(),
  })
  .strict()
  .readonly();

export const HessianSchema = z
  .object({
    /** Dominant eigenvalue of Hess_alpha(L_val) after epochs 0, evalEvery, 2 evalEvery, ... and the last (3). */
    evalEvery: posInt(),
    /** 'lanczos' from Hessian-vector products; 'full' builds the matrix, as the code; 'off' skips it (3). */
    method: z.enum(['lanczos', 'full', 'off']),
    /** Lanczos: the most Hessian-vector products per evaluation. */
    maxProducts: posInt(),
    /** Lanczos: stop once the residual bound of the top Ritz pair is <= tolerance x |eigenvalue|; 0 makes every product. */
    tolerance: nonNeg(),
    /** Finite-difference step of a Hessian-vector product, in alpha units (lib/hessian/hvp.ts). */
    step: positive(),
    /** Central differences (2 gradients a product) or forward (1, less exact) (lib/hessian/hvp.ts). */
    scheme: z.enum(['central', 'forward']),
    /** Store the full matrix in the epoch record (`--full-hessian`; method 'full' only), as the code did. */
    recordMatrix: z.boolean(),
    /**
     * The Hessian of the mean validation loss over the epoch's last `batches` alpha batches, each with
     * its own random draws (lib/hessian/track.ts); absent = 1, the paper's one batch (3). More batches
     * estimate the Hessian of L_val with less noise where one batch's is erratic (docs/method.md §9).
     */
    batches: posInt().optional(),
    /**
     * The network's mode in the curvature's passes (lib/hessian/track.ts): absent, training mode as
     * the search's alpha steps (the paper's); 'eval' as the validation metric, without dropout
     * masks or drop path, where the masks' draw would decide the value (docs/method.md §9). Only
     * 'eval' may be written, so that one measurement has one config and one run id.
     */
    passes: z.enum(['eval']).optional(),
  })
  .strict()
  .readonly();

export const ControllerSchema = z
  .object({
    /** DARTS-ES rule: 'code' (the original code's, at this config's hessian.evalEvery) or 'paper' (its wording) (4). */
    rule: z.enum(['code', 'paper']),
    /** The rule's threshold; null = the rule's own (code 1.3, paper 0.75) (4). */
    factor: positive().nullable(),
    /** First epoch at which the rule may decide; null = the rule's own (code: 22 at evalEvery 2) (4). */
    startEpoch: nonNegInt().nullable(),
    /** DARTS-ADA: regularization.l2 is multiplied by this at each rollback ... (4: 10) */
    l2Factor: num().gt(1, 'must be > 1'),
    /** ... up to this value, after which the rule no longer acts (4: 0.03). */
    maxL2: positive(),
  })
  .strict()
  .readonly();

export const ReportSchema = z
  .object({
    /** Progress display: a bar on a terminal, plain log lines, or nothing. Does not change results. */
    progress: z.enum(['bar', 'log', 'off']),
    /** Log the running loss and accuracy every this many steps (the code's report_freq 50). */
    logEvery: posInt(),
  })
  .strict()
  .readonly();

/** The fields of a config that `refineLoop` checks across fields (the DARTS and the NAS-Bench-201 config). */
export interface LoopChecked {
  readonly epochs: number;
  readonly alphaWarmupEpochs?: number;
  readonly weightOptimizer: { readonly lrMin: number; readonly lrMax: number };
  readonly earlyStop: string;
  readonly hessian: { readonly method: string; readonly recordMatrix: boolean };
  readonly controller: { readonly maxL2: number };
  readonly regularization: { readonly l2: number };
  readonly trainSubset: number | null;
  readonly trainPortion: number;
}

/** The checks across fields that every search config needs, each issue naming its field. */
export function refineLoop(c: LoopChecked, ctx: z.RefinementCtx): void {
  if (c.weightOptimizer.lrMin > c.weightOptimizer.lrMax) {
    ctx.addIssue({ code: 'custom', path: ['weightOptimizer', 'lrMin'], message: `must be <= lrMax (${c.weightOptimizer.lrMax})` });
  }
  if (c.alphaWarmupEpochs !== undefined && c.alphaWarmupEpochs >= c.epochs) {
    ctx.addIssue({
      code: 'custom',
      path: ['alphaWarmupEpochs'],
      message: `must be < epochs (${c.epochs}): the alphas would never move`,
    });
  }
  if (c.earlyStop !== 'off' && c.hessian.method === 'off') {
    ctx.addIssue({
      code: 'custom',
      path: ['earlyStop'],
      message: `'${c.earlyStop}' needs the curvature: set hessian.method to lanczos or full`,
    });
  }
  if (c.earlyStop === 'adaptive' && c.controller.maxL2 < c.regularization.l2) {
    ctx.addIssue({ code: 'custom', path: ['controller', 'maxL2'], message: `must be >= regularization.l2 (${c.regularization.l2})` });
  }
  if (c.hessian.recordMatrix && c.hessian.method !== 'full') {
    ctx.addIssue({
      code: 'custom',
      path: ['hessian', 'recordMatrix'],
      message: `needs hessian.method 'full' (got '${c.hessian.method}')`,
    });
  }
  if (c.trainSubset !== null) {
    const split = Math.floor(c.trainPortion * c.trainSubset);
    if (split === 0 || split === c.trainSubset) {
      ctx.addIssue({ code: 'custom', path: ['trainSubset'], message: `leaves an empty half at trainPortion ${c.trainPortion}` });
    }
  }
}

/**
 * The fields of the search loop that every problem's config holds alike (the image spaces',
 * NAS-Bench-201's, the recurrent cell's, the disparity supernet's), spread into each schema.
 * docs/method.md sections in parentheses.
 */
export const LOOP_FIELDS = {
  /** Alpha gradient: 'first' order or 'second' (the unrolled step) (1; the code defaults to first). */
  order: z.enum(['first', 'second']),
  /** Adam on the alphas (1). */
  alphaOptimizer: AlphaOptimizerSchema,
  /** Search-time regularisers of R-DARTS (4). */
  regularization: RegularizationSchema,
  /** Curvature tracking (3). */
  hessian: HessianSchema,
  /** Eigenvalue controller: 'stop' = DARTS-ES, 'simulate' = log the decision only, 'adaptive' = DARTS-ADA (4). */
  earlyStop: z.enum(['off', 'stop', 'simulate', 'adaptive']),
  /** The rule and DARTS-ADA's schedule (4); read only when earlyStop is not 'off'. */
  controller: ControllerSchema,
  /**
   * Alpha warm-up: the alphas stay at their initial values for the first this many epochs while the
   * weights train (the alpha step's passes still run, without the Adam step), then DARTS goes on as
   * usual. Absent = 0, the paper's DARTS; only a positive count may be written, so that one search
   * has one config and one run id. Not in the paper: the experiment asking whether a collapse decided
   * in the first epochs comes from untrained weights (docs/method.md §3).
   */
  alphaWarmupEpochs: posInt().optional(),
  /** Progress and logging; left out of `canonicalConfig` and `runId`. */
  report: ReportSchema,
} as const;

/** The search config schema; `SearchConfig` is its output type. docs/method.md sections in parentheses. */
export const SearchConfigSchema = z
  .object({
    /** Search space: s1..s4 or the DARTS space (2). */
    space: z.enum(SPACE_NAMES),
    /** Data set whose training split is halved into weight and alpha data (1). */
    dataset: z.enum(DATASET_NAMES),
    /** Seed of every random draw: initialisation, data order, augmentation, noise (1). */
    seed: nonNegInt(),
    /** Search epochs (1: 50). */
    epochs: posInt(),
    /** Images per batch, for both the weight and the alpha step (1: 64). */
    batchSize: posInt(),
    /** Cells in the supernet, L (2: 8). */
    layers: posInt(),
    /** Initial channels, C (2: 16). */
    C: posInt(),
    /** SGD on the weights (1). */
    weightOptimizer: WeightOptimizerSchema,
    /** Share of the (subset of the) training split used for weights; the rest is alpha data (1: 0.5). */
    trainPortion: num().gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)'),
    /** Training images used (the first ones), before the split; null = all (scaled-down presets). */
    trainSubset: posInt().nullable(),
    /** Training augmentation of both halves (1, 4). */
    augment: AugmentSchema,
    ...LOOP_FIELDS,
  })
  .strict()
  // The cast: tslab compiles without strictNullChecks, where zod's output type has optional fields.
  .superRefine((c, ctx) => refineLoop(c as LoopChecked, ctx))
  .readonly();

/** A validated search config (readonly). */
export type SearchConfig = z.output<typeof SearchConfigSchema>;
