/**
 * The config of a language-modelling search in the DARTS recurrent space (docs/method.md §9): the
 * loop's fields (lib/config/schema.ts's parts, shared with the image problems), the corpus, the
 * network's size and dropouts, and the truncated back-propagation through time. Validated like the
 * other configs (strict objects, errors naming the field); presets `smoke`, `quick`, `mini` and
 * `paper` (the DARTS code's search recipe, rnn/train_search.py).
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
  halfOpenUnit,
  nonNeg,
  nonNegInt,
  posInt,
  unit,
} from '../../config/validation';

/** Where the text comes from: a seeded synthetic corpus, a PTB-format folder, or PTB's valid and test files re-split. */
export const CorpusSchema = z.discriminatedUnion('source', [
  z
    .object({
      /** lib/data/synthetic_corpus.ts: a hidden Markov source with a known best perplexity (tests, smoke). */
      source: z.literal('synthetic'),
      seed: nonNegInt(),
      /** Words besides `<eos>`. */
      words: posInt().min(4, 'must be >= 4'),
      /** Tokens of each split. */
      train: posInt(),
      valid: posInt(),
      test: posInt(),
    })
    .strict(),
  z
    .object({
      /** `ptb.{train,valid,test}.txt` (or `{train,valid,test}.txt`) in the data folder `folder` (lib/data/ptb.ts). */
      source: z.literal('ptb'),
      folder: z.string().min(1, 'must name a folder'),
    })
    .strict(),
  z
    .object({
      /** PTB's valid and test files re-split by sentence (lib/data/ptb.ts `resplitText`): real PTB text, smaller. */
      source: z.literal('ptb-resplit'),
      folder: z.string().min(1, 'must name a folder'),
      /** Sentence k goes to valid if k mod every is 0, to test if 1, else to train. */
      every: posInt().min(3, 'must be >= 3'),
    })
    .strict(),
]);

/** The dropout probabilities of the search network (lib/problems/ptb/network.ts). */
export const DropoutSchema = z
  .object({
    /** Locked dropout on the cell's outputs (the code's `dropout`, 0.75). */
    output: halfOpenUnit(),
    /** Variational dropout on h and on every state entering a W_i (`dropouth`, 0.25). */
    hidden: halfOpenUnit(),
    /** Variational dropout on x inside the cell (`dropoutx`, 0.75). */
    x: halfOpenUnit(),
    /** Locked dropout on the embedded input (`dropouti`, 0.2). */
    input: halfOpenUnit(),
    /** Embedding dropout: whole word types (`dropoute`, 0 in search). */
    embedding: halfOpenUnit(),
  })
  .strict()
  .readonly();

export const PtbConfigSchema = z
  .object({
    /** Names the problem in config.json, so a stored run says what it searched. */
    problem: z.literal('ptb'),
    corpus: CorpusSchema,
    /** Cap of the vocabulary (the most frequent training words, the rest `<unk>`); null keeps the corpus's own. */
    vocabulary: posInt().min(3, 'must be >= 3').nullable(),
    /** Only the first this many training tokens; null: all. */
    trainTokens: posInt().min(2, 'must be >= 2').nullable(),
    seed: nonNegInt(),
    epochs: posInt(),
    /** Parallel streams of the training and the alphas' (validation) data: the batch's columns (BN needs 2). */
    batchSize: posInt().min(2, 'must be >= 2 (batch normalisation over one stream is undefined)'),
    /** Streams of the epoch's evaluation on the validation split (the code's eval batch 10; BN needs 2). */
    evalBatchSize: posInt().min(2, 'must be >= 2 (batch normalisation over one stream is undefined)'),
    /** Embedding and hidden size (the code requires them equal). */
    size: posInt(),
    /** Window length of truncated BPTT; a window is bptt long, or floor(bptt / 2) with probability halfBpttProb. */
    bptt: posInt().min(2, 'must be >= 2'),
    halfBpttProb: unit(),
    dropout: DropoutSchema,
    /** Temporal activation regularisation of the weights' loss: beta x mean((h_{t+1} - h_t)^2). */
    tarBeta: nonNeg(),
    /** Plain SGD on the weights (the code's lr 20, constant: lrMax = lrMin; momentum 0; clip 0.25). */
    weightOptimizer: WeightOptimizerSchema,
    ...LOOP_FIELDS,
  })
  .strict()
  .superRefine((c, ctx) => {
    // The cast: tslab compiles without strictNullChecks; the image fields refineLoop also checks are absent here.
    refineLoop({ ...c, trainSubset: null, trainPortion: 0.5 } as LoopChecked, ctx);
    if (c.regularization.dropPathProb !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['regularization', 'dropPathProb'],
        message: 'the recurrent cell has no drop path; use 0 (its analogue is the dropout field)',
      });
  })
  .readonly();

/** A validated language-modelling search config. */
export type PtbConfig = z.output<typeof PtbConfigSchema>;

/** Validates any value as a language-modelling search config; the error names `source` and every bad field. */
export function checkPtbConfig(value: unknown, source = 'config'): PtbConfig {
  return checkWithSchema(PtbConfigSchema, value, 'language-model search config', source);
}

/** The run store's handle: validation, and the run id from every field but `report`. */
export const PTB_CONFIG_CODEC: ConfigCodec<PtbConfig> = reportFreeCodec(checkPtbConfig);

/**
 * The DARTS code's search recipe (rnn/train_search.py): PTB, E = H = 300, 256 streams, BPTT 35
 * (17 with probability 0.05), 50 epochs; dropouts 0.75 / 0.25 / 0.75 / 0.2 / 0; TAR 1e-3; plain SGD
 * lr 20 (constant; scaled per window by its length / 35), weight decay 5e-7, clip 0.25; Adam 3e-3
 * (0.9, 0.999), weight decay 1e-3, on the validation stream; seed 3; first order (the code's
 * default; `order: 'second'` runs the code's clipped unrolled step, docs/method.md §9). Curvature
 * as RobustDARTS: the full Hessian every 2 epochs (180 alphas), by central
 * differences at step 3e-4, not the image spaces' 1e-2 (docs/method.md §9): at trained checkpoints
 * the loss is far from quadratic within 1e-2 along a few directions of the alphas of the first
 * nodes' edges, where the Hessian has its largest eigenvalues, and the differences' error there
 * swamps the top eigenvalue. Against PyTorch's exact float64 Hessian at four points (the mini DARTS
 * and R-DARTS(L2) searches' last epochs, two windows, two mask draws; results/ptb/curvature_oracle.jsonl,
 * made by lib/bench/ptb_curvature_oracle.sh), Lanczos erred by up to 58x at 1e-2, 10x at 3e-3,
 * 5.2 % at 1e-3 and 0.7 % at 3e-4; at an epoch-0 checkpoint every step agreed within 1 %.
 */
export const PTB_PAPER: PtbConfig = deepFreeze({
  problem: 'ptb',
  corpus: { source: 'ptb', folder: 'ptb' },
  vocabulary: null,
  trainTokens: null,
  seed: 3,
  epochs: 50,
  batchSize: 256,
  evalBatchSize: 10,
  size: 300,
  bptt: 35,
  halfBpttProb: 0.05,
  dropout: { output: 0.75, hidden: 0.25, x: 0.75, input: 0.2, embedding: 0 },
  tarBeta: 1e-3,
  order: 'first',
  weightOptimizer: { lrMax: 20, lrMin: 20, momentum: 0, gradClip: 0.25 },
  alphaOptimizer: { lr: 3e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-3 },
  regularization: { l2: 5e-7, dropPathProb: 0 },
  hessian: { evalEvery: 2, method: 'full', maxProducts: 180, tolerance: 1e-3, step: 3e-4, scheme: 'central', recordMatrix: false },
  earlyStop: 'off',
  controller: { rule: 'code', factor: null, startEpoch: null, l2Factor: 10, maxL2: 5e-3 },
  report: { progress: 'bar', logEvery: 50 },
});

/**
 * The reduced presets keep the recipe (lrs, dropouts, TAR, clip, the windows' lr scaling, the
 * validation stream of the alphas) and shrink the corpus and the network (docs/method.md §9):
 *   smoke: the synthetic corpus (200 words; 2,000 / 1,000 / 1,000 tokens), E = H 16, 8 streams,
 *          BPTT 10, 2 epochs, Lanczos on the curvature (tests; seconds); the weights' lr 2: at 20
 *          a clipped step (norm 5) is twice the whole model's norm (about 2.5) and the search
 *          diverged (validation perplexity 204 -> 442 in 2 epochs; 160 -> 128 in 6 at lr 2);
 *   quick: PTB re-split (every 10th sentence valid, the next test), 2,000 words, the first 10,000
 *          training tokens, E = H 32, 32 streams, 6 epochs, the curvature over 2 windows;
 *   mini:  the first 20,000 training tokens, 10 epochs, the curvature over 4 windows: the size
 *          whose grid (8 searches of about 8 minutes, each cell's evaluation 3) one sitting of a
 *          2-core machine affords; the whole re-split (125,000 tokens) at 64 streams for 30 epochs
 *          took 2 hours a search.
 * Both measure the curvature every epoch and let DARTS-ES / ADA decide from epoch 4 (quick) or 6
 * (mini): the code's rule compares averages 6 evaluations apart and by default decides from epoch
 * 22 (docs/method.md §4), which 10 epochs never reach; at every epoch its lag is 6 epochs.
 * Both take the weights' lr 5: over 4 epochs on 20,000 tokens, lr 20 left the training loss at
 * ln(2000) (7.58 -> 7.13) and the validation NLL uneven (7.17, 6.67, 6.30, 6.49), lr 5 brought both
 * down steadily (validation 6.94 -> 6.35) and lr 2 more slowly (7.31 -> 6.52). The curvature is the
 * Lanczos estimate (at most 20 products, ReLU kinks frozen) after every epoch of the Hessian of the
 * mean loss over the epoch's last `hessian.batches` alpha windows: on one window the eigenvalue
 * varied more than 100-fold from window to window (results/ptb/README.md); the full 180 x 180 matrix costs
 * 360 gradients a window. The reduced presets measure it with the network in evaluation mode
 * (`hessian.passes` 'eval': no dropout masks, as the validation perplexity): with the search's
 * masks (dropouts 0.75 on 8-32 streams, against the recipe's 256) one window's value spread over
 * three orders of magnitude between mask draws at a fixed point, so the series followed the
 * draws, not the search (docs/method.md §9); the paper preset keeps the code's training mode.
 */
/** The corpora of the reduced presets, which the search and the evaluation of a cell share. */
export const SMOKE_CORPUS = deepFreeze({ source: 'synthetic', seed: 0, words: 200, train: 2000, valid: 1000, test: 1000 } as const);
export const RESPLIT_CORPUS = deepFreeze({ source: 'ptb-resplit', folder: 'ptb', every: 10 } as const);

const smoke: PtbConfig = deepFreeze({
  ...PTB_PAPER,
  corpus: SMOKE_CORPUS,
  seed: 0,
  epochs: 2,
  batchSize: 8,
  size: 16,
  bptt: 10,
  weightOptimizer: { ...PTB_PAPER.weightOptimizer, lrMax: 2, lrMin: 2 },
  hessian: { ...PTB_PAPER.hessian, evalEvery: 1, method: 'lanczos', maxProducts: 8, passes: 'eval' },
  report: { progress: 'off', logEvery: 10 },
});

const RESPLIT = {
  corpus: RESPLIT_CORPUS,
  vocabulary: 2000,
  size: 32,
  seed: 0,
  weightOptimizer: { ...PTB_PAPER.weightOptimizer, lrMax: 5, lrMin: 5 },
  batchSize: 32,
  report: { progress: 'bar', logEvery: 5 },
} as const;

const quick: PtbConfig = deepFreeze({
  ...PTB_PAPER,
  ...RESPLIT,
  trainTokens: 10000,
  epochs: 6,
  hessian: { ...PTB_PAPER.hessian, evalEvery: 1, method: 'lanczos', maxProducts: 20, batches: 2, passes: 'eval' },
  controller: { ...PTB_PAPER.controller, startEpoch: 4 },
});

const mini: PtbConfig = deepFreeze({
  ...PTB_PAPER,
  ...RESPLIT,
  trainTokens: 20000,
  epochs: 10,
  hessian: { ...PTB_PAPER.hessian, evalEvery: 1, method: 'lanczos', maxProducts: 20, batches: 4, passes: 'eval' },
  controller: { ...PTB_PAPER.controller, startEpoch: 6 },
});

export const PTB_PRESETS: Readonly<Record<PresetName, PtbConfig>> = Object.freeze({ smoke, quick, mini, paper: PTB_PAPER });

/** The preset with `overrides` merged in, validated; errors name `source` and the field. */
export function resolvePtbConfig(preset: PresetName | string, overrides: object = {}, source = 'overrides'): PtbConfig {
  const name = parsePreset(preset, 'preset');
  const base = PTB_PRESETS[name];
  // A corpus of another source replaces the preset's whole (its fields differ), instead of merging key by key.
  const corpus = isPlainObject(overrides) ? overrides.corpus : undefined;
  const other = isPlainObject(corpus) && 'source' in corpus && corpus.source !== base.corpus.source;
  return checkPtbConfig(
    mergeOverPreset('language-model search config', other ? { ...base, corpus: {} } : base, overrides, source),
    `preset ${name} + ${source}`,
  );
}
