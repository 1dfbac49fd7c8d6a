/**
 * The search presets (docs/method.md §1, 3, 4), each built by spreading the default, which is the paper's
 * setting. Measured search times (wasm backend, 1 thread, this 2-core AMD EPYC machine):
 *   smoke  3 s for `rdarts search --preset smoke`;
 *   quick  3.9 min (10 epochs, 23.4 s each) for `npm start` on a fresh clone, before curvature
 *          tracking; tracking adds about 5 s at 6 of the epochs;
 *   mini   about 30 min for S3 on one core. Measured with other work on the machine: 40.8 min for
 *          `rdarts experiment --preset mini` (failure-s3, seed 1; a second search on the other core),
 *          curvature tracking 2.8 min of it (6.9%; 26 measurements of 6.5 products on average);
 *          30.2 min with tracking at Lanczos tolerance 1e-3 (9.6%); 25.5 min without tracking.
 * The estimates below, from the measured step time (results/bench/vs_torch.jsonl), came first; the
 * Hessian terms in them are what curvature tracking will add:
 *   S3, L5, C8, 28x28x1, batch 64, first order: weight step 0.63 s + alpha step 0.42 s = 1.05 s
 *     per search iteration; an eval-mode forward of a batch about 0.21 s (a third of the weight
 *     step, as its FLOPs); one Hessian-vector product = 2 alpha gradients, about 0.85 s;
 *   S3, L8, C16, 32x32x3, batch 64: 2.72 s + 1.89 s = 4.61 s per iteration;
 *   S3, L3, C2, 28x28x1, batch 8: 0.14 s + 0.07 s = 0.21 s per iteration.
 * An epoch = ceil(weight images / batch) iterations + the supernet's accuracy on the alpha half;
 * the Hessian is evaluated every `evalEvery` epochs and at the last one (epochs / 2 times here).
 */
import type { PresetName } from './preset';
import type { SearchConfig } from './schema';
import { deepFreeze } from './validation';

/**
 * The paper's search setting (docs/method.md §1; RobustDARTS src/search/args.py): CIFAR-10 split 25,000 /
 * 25,000, L 8, C 16, batch 64, 50 epochs, first order (the code's default), SGD 0.025 -> 0.001
 * cosine, momentum 0.9, L2 3e-4, clip 5; Adam 3e-4 (0.5, 0.999), L2 1e-3; crop pad 4 and flip, no
 * Cutout, no drop path; the full Hessian every 2 epochs; no early stopping. The space is S3 here;
 * the paper's grid runs s1..s4 and darts.
 */
export const DEFAULT_SEARCH_CONFIG: SearchConfig = deepFreeze({
  space: 's3',
  dataset: 'cifar10',
  seed: 0,
  epochs: 50,
  batchSize: 64,
  layers: 8,
  C: 16,
  order: 'first',
  weightOptimizer: { lrMax: 0.025, lrMin: 0.001, momentum: 0.9, gradClip: 5 },
  alphaOptimizer: { lr: 3e-4, betas: [0.5, 0.999], eps: 1e-8, weightDecay: 1e-3 },
  trainPortion: 0.5,
  trainSubset: null,
  augment: { cropPad: 4, flip: null, cutout: null },
  regularization: { l2: 3e-4, dropPathProb: 0 },
  // The full matrix every 2 epochs and at the last, as the code (its `max(eigvals(H))`).
  hessian: { evalEvery: 2, method: 'full', maxProducts: 20, tolerance: 1e-3, step: 1e-2, scheme: 'central', recordMatrix: false },
  earlyStop: 'off',
  // The code's rule; DARTS-ADA raises L2 x10 from 3e-4 up to 0.03 (docs/method.md §4).
  controller: { rule: 'code', factor: null, startEpoch: null, l2Factor: 10, maxL2: 0.03 },
  report: { progress: 'bar', logEvery: 50 },
});

/** The scaled-down presets search S3 on Fashion-MNIST (the data set this machine has). */
const SCALED = { space: 's3', dataset: 'fashion-mnist' } as const;

/**
 * What the scaled-down presets (quick, mini) change besides sizes, and why:
 * - the alphas' Adam lr is 3e-3, ten times the paper's: Adam moves each alpha by about lr a step,
 *   and mini makes 1,000 alpha steps (20 an epoch) where the paper makes 19,550 (391 an epoch).
 *   At 3e-4 the alphas of a mini search barely moved (largest MixedOp weight 0.37 after 50 epochs,
 *   S3, seed 1), so there was no architecture decision to study. 1,000 x 3e-3 = 3 is of the order of
 *   the paper's 19,550 x 3e-4 = 5.9.
 * - the curvature comes from Lanczos on forward-difference products (one gradient each), warm-started
 *   from the previous measurement, stopping at a residual of 1e-2 x the eigenvalue, instead of the
 *   full matrix. Measured on the mini S3 search's last state (seed 1, epoch 49, 3 start seeds):
 *   7-8 products, within 0.3-0.5% of the full central-difference matrix's top eigenvalue, the same
 *   error as at tolerance 1e-3 with 9-10 products (the forward difference's O(h) error dominates).
 */
const SCALED_ALPHA_LR = 3e-3;
const SCALED_HESSIAN = { method: 'lanczos', scheme: 'forward', tolerance: 1e-2 } as const;

/**
 * smoke: seconds, for tests and the notebook CI run. L3, C2, batch 8, 2 epochs, 64 training
 * images (32 + 32: 4 iterations an epoch); Lanczos with 5 HVPs once (epoch 2).
 * Estimate: 8 x 0.21 s + 8 x 0.05 s (accuracy) + 10 x 0.07 s (HVPs) = about 3 s, plus about 2 s of
 * start-up and data loading: about 5 s.
 */
const smoke: SearchConfig = deepFreeze({
  ...DEFAULT_SEARCH_CONFIG,
  ...SCALED,
  epochs: 2,
  batchSize: 8,
  layers: 3,
  C: 2,
  trainSubset: 64,
  alphaOptimizer: { ...DEFAULT_SEARCH_CONFIG.alphaOptimizer, lr: SCALED_ALPHA_LR },
  hessian: { ...DEFAULT_SEARCH_CONFIG.hessian, ...SCALED_HESSIAN, maxProducts: 5 },
  report: { ...DEFAULT_SEARCH_CONFIG.report, progress: 'off', logEvery: 1 },
});

/**
 * quick: the main job, about 5 minutes on this 2-core machine (one core: wasm runs 1 thread).
 * L5, C8, batch 64, 10 epochs, 2,048 training images (1,024 for weights + 1,024 for alphas:
 * 16 iterations an epoch); Lanczos with 20 HVPs at epochs 2, 4, 6, 8, 10. Estimate:
 *   search 10 x 16 x 1.05 s = 168 s; accuracy 10 x 16 x 0.21 s = 34 s; Hessian 5 x 20 x 0.85 s =
 *   85 s; total about 290 s = 4.8 min, plus a few seconds to load Fashion-MNIST.
 */
const quick: SearchConfig = deepFreeze({
  ...DEFAULT_SEARCH_CONFIG,
  ...SCALED,
  epochs: 10,
  layers: 5,
  C: 8,
  trainSubset: 2048,
  alphaOptimizer: { ...DEFAULT_SEARCH_CONFIG.alphaOptimizer, lr: SCALED_ALPHA_LR },
  hessian: { ...DEFAULT_SEARCH_CONFIG.hessian, ...SCALED_HESSIAN },
  report: { ...DEFAULT_SEARCH_CONFIG.report, logEvery: 4 },
});

/**
 * mini: the scaled-down reproduction, at most 30 minutes per search on one core. The paper's 50
 * epochs (so DARTS-ES's epoch rule, e >= 22 and e - 12, applies unchanged), L5, C8, batch 64, 2,560
 * training images (1,280 + 1,280: 20 iterations an epoch); Lanczos with 20 HVPs, 25 times. Estimate:
 *   search 50 x 20 x 1.05 s = 1,050 s; accuracy 50 x 20 x 0.21 s = 210 s; Hessian 25 x 20 x
 *   0.85 s = 425 s; total about 1,685 s = 28 min (one search per core: 2 at once here).
 */
const mini: SearchConfig = deepFreeze({
  ...DEFAULT_SEARCH_CONFIG,
  ...SCALED,
  layers: 5,
  C: 8,
  trainSubset: 2560,
  alphaOptimizer: { ...DEFAULT_SEARCH_CONFIG.alphaOptimizer, lr: SCALED_ALPHA_LR },
  hessian: { ...DEFAULT_SEARCH_CONFIG.hessian, ...SCALED_HESSIAN },
  report: { ...DEFAULT_SEARCH_CONFIG.report, logEvery: 5 },
});

/**
 * paper: DEFAULT_SEARCH_CONFIG exactly, for a GPU. 391 iterations an epoch (25,000 / 64).
 * Estimate on one core here: search 50 x 391 x 4.61 s = 90,100 s; accuracy 50 x 391 x 0.9 s =
 * 17,600 s; full Hessian of S3's 84 alphas, 25 x 84 x 2 x 1.9 s = 8,000 s; total about 32 hours.
 */
const paper: SearchConfig = DEFAULT_SEARCH_CONFIG;

/** The search config of each preset (readonly, deeply frozen). */
export const SEARCH_PRESETS: Readonly<Record<PresetName, SearchConfig>> = Object.freeze({ smoke, quick, mini, paper });

/** Each preset's search time on one core here (measured without curvature tracking; see above). */
export const PRESET_RUNTIME: Readonly<Record<PresetName, string>> = Object.freeze({
  smoke: '3 s (measured)',
  quick: '4 min on one core of this 2-core machine (measured: 3.9 min)',
  mini: '30 min on one core for S3 (measured 30.2 and 40.8 min with other work on the machine; tracking 7%)',
  paper: 'about 32 h on one core here (estimate); meant for a GPU',
});
