/**
 * The search loop of DARTS (docs/method.md §1), for any search problem (./problem.ts): epochs of search
 * iterations over the weight half of the training data, each iteration an alpha step on a fresh
 * batch of the alpha half, then a weight step (or the weight step first: `stepOrder`). During an
 * alpha warm-up (`alphaWarmupEpochs`) the alpha step's passes run without its Adam step. The
 * weights' learning rate follows a cosine from lrMax to lrMin, set per epoch. After each epoch the model is measured on the whole alpha half in
 * eval mode (and, at the epochs that track it, its curvature) and an EpochRecord is made.
 *
 * Every random draw is a function of (seed, epoch, step), so an epoch replays identically from a
 * checkpoint taken at the end of the previous one: this is what makes runs resumable (lib/runs).
 */
import { backendInfo, tf } from '../backend';
import { adamOptions, type LoopConfig, sgdOptions } from '../config/search_config';
import { mixSeed, SEED_KEYS } from '../nn/random';
import { CurvatureRecord, CurvatureSettings, measureCurvatureMean } from '../hessian/track';
import { scheduledDropPath } from '../nn/drop_path';
import type { SearchModel } from '../nn/model';
import { Adam, Sgd } from '../nn/optim';
import type { SearchState } from '../runs/checkpoint';
import { yieldToSignals } from '../runs/interrupt';
import type { ArchitectureRecord, EpochRecord, LossAccuracy } from '../runs/records';
import type { EpochPlan, SearchData, SearchProblem } from './problem';
import { alphaStep, heldAlphaStep, weightStep } from './step';

/** PyTorch's CosineAnnealingLR(T_max = epochs, eta_min = lrMin) at `epoch`, as the DARTS code steps it. */
export function cosineLr(epoch: number, epochs: number, lrMax: number, lrMin: number): number {
  return lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

/** A fresh model of `problem` for `data` and both optimisers on it (the caller disposes: `disposeSearchState`). */
export function initialState<B>(problem: SearchProblem<B, ArchitectureRecord>, data: SearchData<B>): SearchState<SearchModel<B>> {
  const net = problem.createModel(data);
  return {
    net,
    weightOpt: new Sgd(net.weights, sgdOptions(problem.config)),
    alphaOpt: new Adam(net.alphaParams, adamOptions(problem.config)),
  };
}

export function disposeSearchState(
  s: SearchState<Pick<SearchModel<unknown>, 'variables' | 'alphaParams' | 'checkpointKey' | 'dispose'>>,
): void {
  s.weightOpt.dispose();
  s.alphaOpt.dispose();
  s.net.dispose();
}

/** Progress of one step, for hooks and progress displays. */
export interface StepInfo {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  readonly train: LossAccuracy;
  readonly search: LossAccuracy;
}

/** Loss and metric of `model` over the alphas' half of `data`, in eval mode (the image supernets' BN uses its running statistics). */
export function evaluateAlphaHalf<B>(
  model: Pick<SearchModel<B>, 'loss' | 'metric' | 'examples'>,
  data: SearchData<B>,
  batchSize: number,
  seed: number,
): LossAccuracy {
  let loss = 0;
  let correct = 0;
  let b = 0;
  for (const batch of data.evalBatches(batchSize)) {
    const n = model.examples(batch);
    tf.tidy(() => {
      const r = model.loss(batch, { training: false, seed: mixSeed(seed, b++) });
      loss += r.loss.dataSync()[0] * n;
      correct += model.metric(r.output, batch) * n;
    });
    data.dispose(batch);
  }
  return { loss: loss / data.alphaExamples, accuracy: correct / data.alphaExamples };
}

/** ScheduledDropPath's probability at `epoch` (0-based): p e / (epochs - 1) (docs/method.md §4, as the code). */
export function dropPathAt(config: Pick<LoopConfig, 'regularization' | 'epochs'>, epoch: number): number {
  return scheduledDropPath(config.regularization.dropPathProb, epoch, config.epochs, 'search');
}

/** Seed key of the evaluation pass (any noise op in eval mode), apart from the steps' keys. */
const EVAL_KEY = SEED_KEYS.evaluation;
/** Seed key of the curvature measurement (its loss's random draws and Lanczos's start). */
const HESSIAN_KEY = SEED_KEYS.curvature;

/** Whether epoch `epoch` (0-based) measures the curvature: 0, evalEvery, 2 evalEvery, ... and the last (docs/method.md §3). */
export function curvatureDue(config: Pick<LoopConfig, 'hessian' | 'epochs'>, epoch: number): boolean {
  return config.hessian.method !== 'off' && (epoch % config.hessian.evalEvery === 0 || epoch === config.epochs - 1);
}

/** The settings of `measureCurvature` for `config` at `epoch`; `start` warm-starts Lanczos. */
export function curvatureSettings(config: LoopConfig, epoch: number, start?: readonly number[]): CurvatureSettings {
  const h = config.hessian;
  if (h.method === 'off') throw new Error('curvatureSettings: hessian.method is off');
  return {
    method: h.method,
    maxProducts: h.maxProducts,
    tolerance: h.tolerance,
    step: h.step,
    scheme: h.scheme,
    weightDecay: config.alphaOptimizer.weightDecay,
    seed: mixSeed(config.seed, epoch, HESSIAN_KEY),
    recordMatrix: h.recordMatrix,
    dropPathProb: dropPathAt(config, epoch),
    ...(h.passes ? { passes: h.passes } : {}),
    ...(start ? { start } : {}),
  };
}

/** Whether epoch `epoch` (0-based) holds the alphas: epochs 0 to alphaWarmupEpochs - 1 (none when absent). */
export function alphaWarmupDue(config: Pick<LoopConfig, 'alphaWarmupEpochs'>, epoch: number): boolean {
  return epoch < (config.alphaWarmupEpochs ?? 0);
}

/** Options of `searchEpoch`. */
export interface EpochOptions<B> {
  /** Called after every search iteration. */
  readonly onStep?: (info: StepInfo) => void;
  /** Lanczos start vector of this epoch's curvature measurement: the previous measurement's eigenvector. */
  readonly curvatureStart?: readonly number[];
  /** Replaces `measureCurvatureMean` (tests: a fake eigenvalue source, as the original code's debug mode). */
  readonly measureCurvature?: (
    model: SearchModel<B>,
    batches: readonly B[],
    settings: CurvatureSettings,
    epoch: number,
  ) => Promise<CurvatureRecord>;
}

/** Runs search epoch `epoch` (0-based) of `problem` and returns its record; `onStep` sees every iteration. */
export async function searchEpoch<B, A extends ArchitectureRecord>(
  problem: SearchProblem<B, A>,
  data: SearchData<B>,
  state: SearchState<SearchModel<B>>,
  epoch: number,
  options: EpochOptions<B> = {},
): Promise<EpochRecord<A>> {
  const config = problem.config;
  const { net, weightOpt, alphaOpt } = state;
  const onStep = options.onStep ?? (() => undefined);
  const lr = cosineLr(epoch, config.epochs, config.weightOptimizer.lrMax, config.weightOptimizer.lrMin);
  const started = Date.now();

  // Sums weighted by batch size (the last batch may be smaller), as the original's AvgrageMeter.
  const sum = { tl: 0, ta: 0, tn: 0, sl: 0, sa: 0, sn: 0 };
  const mean = () => ({
    train: { loss: sum.tl / sum.tn, accuracy: sum.ta / sum.tn },
    search: { loss: sum.sl / sum.sn, accuracy: sum.sa / sum.sn },
  });
  let step = 0;
  // The epoch's last `hessian.batches` alpha batches (default 1) are kept for the curvature (docs/method.md §3).
  const keep = config.hessian.batches ?? 1;
  const lastVals: B[] = [];
  const plan: EpochPlan = { epoch, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed };
  const steps = data.steps(plan);
  const dropPathProb = dropPathAt(config, epoch);
  const weightFirst = config.stepOrder === 'weight-first';
  // The alphas are held at their initial values during the warm-up epochs (docs/method.md §3).
  const warmup = alphaWarmupDue(config, epoch);
  for (const train of data.weightBatches(plan)) {
    const stepSeed = mixSeed(config.seed, epoch, step);
    const val = data.alphaBatch(plan, stepSeed);
    const stepLr = lr * (data.lrScale?.(train) ?? 1);
    const stepWeights = () =>
      weightStep(net, weightOpt, train, {
        lr: stepLr,
        gradClip: config.weightOptimizer.gradClip,
        seed: mixSeed(stepSeed, 2),
        dropPathProb,
      });
    // The weight step comes first where the config says so (NAS-Bench-201's script); the DARTS code's order otherwise.
    const early = weightFirst ? stepWeights() : undefined;
    const alphaOptions = {
      order: config.order,
      trainBatch: train,
      lr: stepLr,
      momentum: weightOpt.options.momentum,
      weightDecay: weightOpt.options.weightDecay,
      seed: mixSeed(stepSeed, 1),
      dropPathProb,
      ...(problem.unrolledClip === undefined ? {} : { clip: problem.unrolledClip }),
    };
    const s = warmup ? heldAlphaStep(net, weightOpt, val, alphaOptions) : alphaStep(net, weightOpt, alphaOpt, val, alphaOptions);
    const t = early ?? stepWeights();
    const [tn, sn] = [net.examples(train), net.examples(val)];
    lastVals.push(val);
    if (lastVals.length > keep) data.dispose(lastVals.shift() as B);
    data.dispose(train);
    sum.tl += t.loss * tn;
    sum.ta += t.accuracy * tn;
    sum.tn += tn;
    sum.sl += s.loss * sn;
    sum.sa += s.accuracy * sn;
    sum.sn += sn;
    step += 1;
    onStep({ epoch, step, steps, ...mean() });
    await yieldToSignals(); // a Ctrl-C is handled between steps (lib/runs/interrupt.ts)
  }
  const searched = Date.now();
  let hessian: CurvatureRecord | undefined;
  try {
    if (lastVals.length > 0 && curvatureDue(config, epoch)) {
      const measure = options.measureCurvature ?? ((n, b, settings) => measureCurvatureMean(n, b, settings));
      hessian = await measure(net, lastVals, curvatureSettings(config, epoch, options.curvatureStart), epoch);
    }
  } finally {
    for (const v of lastVals) data.dispose(v);
  }
  const measured = Date.now();
  const valid = evaluateAlphaHalf(net, data, config.batchSize, mixSeed(config.seed, epoch, EVAL_KEY));
  return {
    epoch,
    lr,
    steps: step,
    ...mean(),
    valid,
    ...problem.architecture(net),
    ...(hessian ? { hessian } : {}),
    regularization: { l2: weightOpt.options.weightDecay, dropPathProb },
    seconds: {
      search: (searched - started) / 1000,
      valid: (Date.now() - measured) / 1000,
      ...(hessian ? { hessian: (measured - searched) / 1000 } : {}),
    },
    backend: backendInfo()?.name ?? tf.getBackend(),
  } as EpochRecord<A>;
}
