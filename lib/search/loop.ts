/**
 * The search loop of DARTS (PAPER.md 1): epochs of search iterations over the weight half of the
 * training data, each iteration an alpha step on a fresh batch of the alpha half, then a weight
 * step; the weights' learning rate follows a cosine from lrMax to lrMin, set per epoch. After each
 * epoch the supernet is measured on the whole alpha half in eval mode and an EpochRecord is made.
 *
 * Every random draw is a function of (seed, epoch, step), so an epoch replays identically from a
 * checkpoint taken at the end of the previous one: this is what makes runs resumable (lib/runs).
 */
import { backendInfo, tf } from '../backend';
import type { SearchConfig } from '../config/search_config';
import { adamOptions, sgdOptions } from '../config/search_config';
import { AugmentOptions, trainAugment } from '../data/augment';
import { epochBatches, evalBatches, sampleBatch, SearchSplit, searchSplit, Subset, subsetSize } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { DATASETS, loadDataset } from '../data/registry';
import { mixSeed } from '../data/rng';
import { genotype, softmaxRows } from '../spaces/genotype';
import { getSpace } from '../spaces/spaces';
import { SearchNetwork } from '../supernet/network';
import type { SearchState } from '../runs/checkpoint';
import { Adam, Sgd } from './optim';
import type { EpochRecord, LossAccuracy } from './records';
import { accuracy, alphaParams, alphaStep, Batch, crossEntropy, weightStep } from './step';
import { CurvatureRecord, CurvatureSettings, measureCurvature } from '../hessian/track';

/** PyTorch's CosineAnnealingLR(T_max = epochs, eta_min = lrMin) at `epoch`, as the DARTS code steps it. */
export function cosineLr(epoch: number, epochs: number, lrMax: number, lrMin: number): number {
  return lrMin + ((lrMax - lrMin) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
}

/** The data of a search: the two halves, and the augmentation of both. */
export interface SearchData {
  readonly split: SearchSplit;
  readonly augment: AugmentOptions;
}

/** The first `n` images of a data set (a view: no copy). */
function firstImages(d: Dataset, n: number): Dataset {
  if (n > d.n) throw new Error(`trainSubset=${n} exceeds the ${d.n} training images of ${d.name}`);
  const size = d.height * d.width * d.channels;
  return { ...d, n, images: d.images.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

/** Loads the config's data set and splits its (subset of the) training images in half (PAPER.md 1). */
export function searchData(config: SearchConfig, train?: Dataset): SearchData {
  const full = train ?? loadDataset(config.dataset).train;
  const used = config.trainSubset === null ? full : firstImages(full, config.trainSubset);
  const a = config.augment;
  const augment = trainAugment(DATASETS[config.dataset], {
    // Cutout rebuilt field by field: tslab compiles without strictNullChecks, where zod's type has optional fields.
    pad: a.cropPad,
    ...(a.flip === null ? {} : { flip: a.flip }),
    ...(a.cutout ? { cutout: { length: a.cutout.length, prob: a.cutout.prob } } : {}),
  });
  return { split: searchSplit(used, config.trainPortion), augment };
}

/** The mutable state of a search: the supernet and both optimisers (the caller disposes). */
export type { SearchState } from '../runs/checkpoint';

/** A fresh supernet and optimisers for `config` on `data`. */
export function createSearchState(config: SearchConfig, data: SearchData): SearchState {
  const d = data.split.train.dataset;
  const net = new SearchNetwork({
    space: getSpace(config.space),
    C: config.C,
    layers: config.layers,
    classes: d.classes,
    inChannels: d.channels,
    seed: config.seed,
  });
  return { net, weightOpt: new Sgd(net.weights, sgdOptions(config)), alphaOpt: new Adam(alphaParams(net), adamOptions(config)) };
}

export function disposeSearchState(s: SearchState): void {
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

/** Loss and accuracy of the supernet over a subset, eval mode (running BN statistics). */
export function evaluateSubset(net: SearchNetwork, s: Subset, batchSize: number, seed: number): LossAccuracy {
  let loss = 0;
  let correct = 0;
  let b = 0;
  for (const batch of evalBatches(s.dataset, batchSize, s.start, s.end)) {
    const n = batch.y.shape[0];
    tf.tidy(() => {
      const logits = net.forward(batch.x, { training: false, seed: mixSeed(seed, b++) });
      loss += crossEntropy(logits, batch.y).dataSync()[0] * n;
      correct += accuracy(logits, batch.y) * n;
    });
    tf.dispose([batch.x, batch.y]);
  }
  return { loss: loss / subsetSize(s), accuracy: correct / subsetSize(s) };
}

const arrays = (t: tf.Tensor) => t.arraySync() as number[][];

/** This epoch's augmentation: Cutout's probability rises linearly from 0 to its maximum (PAPER.md 4). */
export function epochAugment(a: AugmentOptions, epoch: number, epochs: number): AugmentOptions {
  if (!a.cutout) return a;
  const ramp = epochs > 1 ? epoch / (epochs - 1) : 1;
  return { ...a, cutout: { ...a.cutout, prob: a.cutout.prob * ramp } };
}

/** ScheduledDropPath's probability at `epoch` (0-based): p e / (epochs - 1) (PAPER.md 4, as the code). */
export function dropPathAt(config: SearchConfig, epoch: number): number {
  const p = config.regularization.dropPathProb;
  return config.epochs > 1 ? (p * epoch) / (config.epochs - 1) : 0;
}

/** Seed key of the evaluation pass (any noise op in eval mode), apart from the steps' keys. */
const EVAL_KEY = -3;
/** Seed key of the curvature measurement (its loss's random draws and Lanczos's start). */
const HESSIAN_KEY = -4;

/** Whether epoch `epoch` (0-based) measures the curvature: 0, evalEvery, 2 evalEvery, ... and the last (PAPER.md 3). */
export function curvatureDue(config: SearchConfig, epoch: number): boolean {
  return config.hessian.method !== 'off' && (epoch % config.hessian.evalEvery === 0 || epoch === config.epochs - 1);
}

/** The settings of `measureCurvature` for `config` at `epoch`; `start` warm-starts Lanczos. */
export function curvatureSettings(config: SearchConfig, epoch: number, start?: readonly number[]): CurvatureSettings {
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
    ...(start ? { start } : {}),
  };
}

/** Options of `searchEpoch`. */
export interface EpochOptions {
  /** Called after every search iteration. */
  readonly onStep?: (info: StepInfo) => void;
  /** Lanczos start vector of this epoch's curvature measurement: the previous measurement's eigenvector. */
  readonly curvatureStart?: readonly number[];
  /** Replaces `measureCurvature` (tests: a fake eigenvalue source, as the original code's debug mode). */
  readonly measureCurvature?: (net: SearchNetwork, batch: Batch, settings: CurvatureSettings, epoch: number) => Promise<CurvatureRecord>;
}

/** Runs search epoch `epoch` (0-based) and returns its record; `onStep` sees every iteration. */
export async function searchEpoch(
  config: SearchConfig,
  data: SearchData,
  state: SearchState,
  epoch: number,
  options: EpochOptions = {},
): Promise<EpochRecord> {
  const { net, weightOpt, alphaOpt } = state;
  const onStep = options.onStep ?? (() => undefined);
  const lr = cosineLr(epoch, config.epochs, config.weightOptimizer.lrMax, config.weightOptimizer.lrMin);
  const started = Date.now();
  const steps = Math.ceil(subsetSize(data.split.train) / config.batchSize);
  // Sums weighted by batch size (the last batch may be smaller), as the original's AvgrageMeter.
  const sum = { tl: 0, ta: 0, tn: 0, sl: 0, sa: 0, sn: 0 };
  const mean = () => ({
    train: { loss: sum.tl / sum.tn, accuracy: sum.ta / sum.tn },
    search: { loss: sum.sl / sum.sn, accuracy: sum.sa / sum.sn },
  });
  let step = 0;
  let lastVal: Batch | undefined;
  const augment = epochAugment(data.augment, epoch, config.epochs);
  const dropPathProb = dropPathAt(config, epoch);
  for (const train of epochBatches(data.split.train, config.batchSize, config.seed, epoch, { augment })) {
    const stepSeed = mixSeed(config.seed, epoch, step);
    const val = sampleBatch(data.split.val, config.batchSize, stepSeed, { augment });
    const s = alphaStep(net, weightOpt, alphaOpt, val, {
      order: config.order,
      trainBatch: train,
      lr,
      momentum: weightOpt.options.momentum,
      weightDecay: weightOpt.options.weightDecay,
      seed: mixSeed(stepSeed, 1),
      dropPathProb,
    });
    const t = weightStep(net, weightOpt, train, {
      lr,
      gradClip: config.weightOptimizer.gradClip,
      seed: mixSeed(stepSeed, 2),
      dropPathProb,
    });
    const [tn, sn] = [train.y.shape[0], val.y.shape[0]];
    // The last alpha batch of the epoch is kept for the curvature (PAPER.md 3).
    if (lastVal) tf.dispose([lastVal.x, lastVal.y]);
    lastVal = val;
    tf.dispose([train.x, train.y]);
    sum.tl += t.loss * tn;
    sum.ta += t.accuracy * tn;
    sum.tn += tn;
    sum.sl += s.loss * sn;
    sum.sa += s.accuracy * sn;
    sum.sn += sn;
    step += 1;
    onStep({ epoch, step, steps, ...mean() });
  }
  const searched = Date.now();
  let hessian: CurvatureRecord | undefined;
  try {
    if (lastVal && curvatureDue(config, epoch)) {
      const measure = options.measureCurvature ?? ((n, b, settings) => measureCurvature(n, b, settings));
      hessian = await measure(net, lastVal, curvatureSettings(config, epoch, options.curvatureStart), epoch);
    }
  } finally {
    if (lastVal) tf.dispose([lastVal.x, lastVal.y]);
  }
  const measured = Date.now();
  const valid = evaluateSubset(net, data.split.val, config.batchSize, mixSeed(config.seed, epoch, EVAL_KEY));
  const alphas = { normal: arrays(net.alphas.normal), reduce: arrays(net.alphas.reduce) };
  // The same (float64) softmax that `genotype` parses, so records and genotype never disagree.
  const weights = { normal: softmaxRows(alphas.normal), reduce: softmaxRows(alphas.reduce) };
  return {
    epoch,
    lr,
    steps: step,
    ...mean(),
    valid,
    alphas,
    weights,
    genotype: genotype(alphas, getSpace(config.space)),
    ...(hessian ? { hessian } : {}),
    regularization: { l2: weightOpt.options.weightDecay, dropPathProb },
    seconds: {
      search: (searched - started) / 1000,
      valid: (Date.now() - measured) / 1000,
      ...(hessian ? { hessian: (measured - searched) / 1000 } : {}),
    },
    backend: backendInfo()?.name ?? tf.getBackend(),
  };
}
