/**
 * Training a disparity genotype from scratch and testing it (docs/method.md §10): the discrete
 * network of the genotype (lib/problems/disparity/network.ts `DisparityNetwork`) trained on the
 * train and valid splits of the config's stereo data together, in batches whose order is drawn from
 * (seed, epoch), by the multi-scale EPE loss and Adam, the lr cosine-annealed per epoch. After each
 * epoch the EPE of the synthetic test split (batch statistics frozen: eval mode) is recorded, to
 * watch the training; nothing is chosen by it. At the end the final weights are tested: the end-point
 * error and the shares of known pixels off by more than 1 and 3 px, on the synthetic test split and
 * on each real pair (downscaled and centre-cropped to the network's multiple).
 *
 * Storage, `<root>/<id>/` (root defaults to `<resultsDir()>/evals`, id = disparityEvalId(config, genotype)):
 *   disparity_eval.json               the genotype, config, source, versions, the epoch records
 *                                     and, when done, the test numbers; rewritten atomically;
 *   checkpoint/epoch-<e>.safetensors  the network's variables (`w.`) and Adam's state (`adam.`,
 *                                     its step count in the metadata); only the latest is kept.
 * Epoch e writes its checkpoint before its record; resume starts after the latest record, and every
 * draw is a function of (seed, epoch), so a resumed training ends with an uninterrupted one's numbers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo, tf } from '../backend';
import { readMiddleburyPair, type StereoGroundTruth, validOf } from '../data/stereo_folder';
import { Adam } from '../nn/optim';
import { mixSeed, permutation, Rng, SEED_KEYS } from '../nn/random';
import { inOrder, loadStereoSplits, packStereo, stereoBatch, type StereoSource, type StereoSplit } from '../problems/disparity/data';
import { coarsestLevel, DisparityNetwork, type DisparityNetworkConfig } from '../problems/disparity/network';
import { disparityErrorSums, type DisparityErrorSums } from '../problems/disparity/ops';
import { yieldToSignals } from '../runs/interrupt';
import { ensureJob } from '../runs/job';
import { loadSafetensors } from '../runs/safetensors';
import { cosineLr } from '../search/loop';
import { type AutoDispNetGenotype, checkAutoDispNetGenotype } from '../spaces/autodispnet';
import { softwareVersions } from '../versions';
import { evalCheckpoint, type EvaluationOptions, readEvalFile, storeEvalEpoch, tensorRecords, writeEvalFile } from './eval_files';
import { evalsRoot } from './train';
import { type DisparityTrainConfig, disparityEvalId } from './disparity_config';

/** The end-point error and the bad-pixel shares of a test set. */
export interface DisparityErrors {
  /** Mean |prediction - truth| over the known pixels, in pixels of the tested images. */
  readonly epe: number;
  /** Shares of the known pixels off by more than 1 px and by more than 3 px. */
  readonly over1: number;
  readonly over3: number;
  readonly pairs: number;
  readonly knownPixels: number;
}

export interface DisparityEpochRecord {
  readonly epoch: number;
  readonly lr: number;
  /** The mean multi-scale loss of the epoch's batches (training mode). */
  readonly trainLoss: number;
  /** The synthetic test split's EPE after the epoch (watched, never used to choose). */
  readonly testEpe: number | null;
  readonly seconds: number;
}

export interface DisparityEvalFile {
  readonly kind: 'disparity-evaluation';
  readonly id: string;
  readonly genotype: AutoDispNetGenotype;
  readonly config: DisparityTrainConfig;
  /** Where the genotype came from, in a few words (a run id, a name). */
  readonly source: string;
  readonly data: string;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly params: number;
  readonly epochs: DisparityEpochRecord[];
  readonly done?: {
    /** The synthetic test split (null without test pairs). */
    readonly synthetic: DisparityErrors | null;
    /** Each real pair, by name, with the size it was tested at. */
    readonly real: readonly (DisparityErrors & { readonly name: string; readonly height: number; readonly width: number })[];
    /**
     * The reference a network must beat: one constant predicted everywhere, the training pairs'
     * median known disparity (the best constant for the EPE on the training data), on the same
     * test sets (`real` in the same order).
     */
    readonly constant: { readonly value: number; readonly synthetic: DisparityErrors | null; readonly real: readonly DisparityErrors[] };
    readonly seconds: number;
  };
}

const FILE = 'disparity_eval.json';

/** Two splits of one size as one (the training set of the final network). */
function joinSplits(a: StereoSplit, b: StereoSplit): StereoSplit {
  const cat = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    n: a.n + b.n,
    height: a.height,
    width: a.width,
    left: cat(a.left, b.left),
    right: cat(a.right, b.right),
    disparity: cat(a.disparity, b.disparity),
  };
}

/** The centre crop of a pair whose sides are the largest multiples of `unit`; throws if a side is below `unit`. */
export function centreCrop(pair: StereoGroundTruth, unit: number, what: string): StereoGroundTruth {
  const h = Math.floor(pair.height / unit) * unit;
  const w = Math.floor(pair.width / unit) * unit;
  if (h === 0 || w === 0)
    throw new Error(`${what}: ${pair.width}x${pair.height} is smaller than the network's multiple ${unit}; downscale it less`);
  const [y0, x0] = [Math.floor((pair.height - h) / 2), Math.floor((pair.width - w) / 2)];
  const image = (src: Float32Array, channels: number) => {
    const out = new Float32Array(h * w * channels);
    for (let y = 0; y < h; y++)
      out.set(src.subarray(((y + y0) * pair.width + x0) * channels, ((y + y0) * pair.width + x0 + w) * channels), y * w * channels);
    return out;
  };
  const disparity = image(pair.disparity, 1);
  return { height: h, width: w, left: image(pair.left, 3), right: image(pair.right, 3), disparity, valid: validOf(disparity) };
}

/** The test numbers of `net` (eval mode) on the pairs of `split`, in batches of `batchSize`. */
export function testDisparity(net: DisparityNetwork, split: StereoSplit, batchSize: number): DisparityErrors {
  let sums: DisparityErrorSums = { absolute: 0, over1: 0, over3: 0, known: 0 };
  for (const batch of inOrder(split, batchSize)) {
    try {
      const predictions = net.forward(batch.left, batch.right, { training: false });
      const r = disparityErrorSums(predictions[predictions.length - 1], batch.disparity);
      tf.dispose(predictions);
      sums = {
        absolute: sums.absolute + r.absolute,
        over1: sums.over1 + r.over1,
        over3: sums.over3 + r.over3,
        known: sums.known + r.known,
      };
    } finally {
      tf.dispose([batch.left, batch.right, batch.disparity]);
    }
  }
  return errorsOf(sums, split.n);
}

/** The test numbers of error sums over `pairs` pairs (0 where no pixel is known). */
function errorsOf(sums: DisparityErrorSums, pairs: number): DisparityErrors {
  const k = Math.max(sums.known, 1);
  return { epe: sums.absolute / k, over1: sums.over1 / k, over3: sums.over3 / k, pairs, knownPixels: sums.known };
}

/** The median of the known (finite) disparities of a split. */
export function medianDisparity(split: StereoSplit): number {
  const known = split.disparity.filter((d) => Number.isFinite(d)).sort();
  if (known.length === 0) throw new Error('medianDisparity: the split has no known disparity');
  const m = known.length >> 1;
  return known.length % 2 === 1 ? known[m] : (known[m - 1] + known[m]) / 2;
}

/** The test numbers of predicting `value` at every pixel of `split` (the constant reference). */
export function constantErrors(split: StereoSplit, value: number): DisparityErrors {
  let [absolute, over1, over3, known] = [0, 0, 0, 0];
  for (const d of split.disparity) {
    if (!Number.isFinite(d)) continue;
    const e = Math.abs(value - d);
    absolute += e;
    over1 += e > 1 ? 1 : 0;
    over3 += e > 3 ? 1 : 0;
    known += 1;
  }
  return errorsOf({ absolute, over1, over3, known }, split.n);
}

/** The stored evaluation of `genotype` under `config` in `root`, finished or not; undefined if none. */
export function readDisparityEvaluation(
  genotype: AutoDispNetGenotype,
  config: DisparityTrainConfig,
  root = evalsRoot(),
): DisparityEvalFile | undefined {
  const file = path.join(root, disparityEvalId(config, genotype), FILE);
  return readEvalFile<DisparityEvalFile>(file);
}

export type DisparityEvaluationOptions = EvaluationOptions<DisparityEpochRecord>;

interface Prepared {
  readonly train: StereoSplit;
  readonly test: StereoSplit;
  readonly real: { readonly name: string; readonly split: StereoSplit }[];
  readonly source: string;
}

/** Loads the data: the splits, and each real pair read, downscaled and cropped (before anything is written). */
function prepare(config: DisparityTrainConfig): Prepared {
  // The casts: tslab compiles without strictNullChecks, where zod's fields read as optional.
  const splits = loadStereoSplits(config.data as StereoSource);
  const unit = 2 ** coarsestLevel(config.network as DisparityNetworkConfig);
  const real = config.real.map((r) => {
    const what = `real pair ${r.name}`;
    const pair = centreCrop(
      readMiddleburyPair(
        { left: r.left as string, right: r.right as string, disparity: r.disparity as string, scale: r.scale },
        { downscale: r.downscale },
      ),
      unit,
      what,
    );
    return { name: r.name as string, split: packStereo([pair], what) };
  });
  return { train: joinSplits(splits.train, splits.valid), test: splits.test, real, source: splits.source };
}

/** Reads back, resumes or starts the evaluation of `genotype` under `config` (file header); `source` names where it came from. */
export async function ensureDisparityEvaluation(
  genotype: AutoDispNetGenotype,
  config: DisparityTrainConfig,
  source: string,
  options: DisparityEvaluationOptions = {},
): Promise<DisparityEvalFile> {
  checkAutoDispNetGenotype(genotype);
  const id = disparityEvalId(config, genotype);
  const dir = path.join(options.root ?? evalsRoot(), id);
  const file = path.join(dir, FILE);
  const read = (): DisparityEvalFile | undefined => readEvalFile<DisparityEvalFile>(file);
  return ensureJob({
    dir,
    read: () => read(),
    finished: (s) => (s?.done ? s : undefined),
    label: () => `disparity evaluation ${id} (${source})`,
    hint: 'compute it with `rdarts evaluate-disparity`',
    prepare: () => prepare(config),
    create: (prepared) => {
      if (!read()) {
        const net = new DisparityNetwork(config.network as DisparityNetworkConfig, config.seed, config.lossWeights, genotype);
        const params = net.numParams();
        net.dispose();
        const f: DisparityEvalFile = {
          kind: 'disparity-evaluation',
          id,
          genotype,
          config,
          source,
          data: `${prepared.source}${prepared.real.length ? `; real: ${prepared.real.map((r) => r.name).join(', ')}` : ''}`,
          backend: backendInfo()?.name ?? tf.getBackend(),
          versions: softwareVersions(),
          params,
          epochs: [],
        };
        fs.mkdirSync(dir, { recursive: true });
        writeEvalFile(file, f);
      }
      return dir;
    },
    resume: async (prepared) => train(read() as DisparityEvalFile, prepared, dir, options),
  });
}

async function train(
  stored: DisparityEvalFile,
  data: Prepared,
  dir: string,
  options: DisparityEvaluationOptions,
): Promise<DisparityEvalFile> {
  const c = stored.config;
  const file = path.join(dir, FILE);
  const net = new DisparityNetwork(c.network as DisparityNetworkConfig, c.seed, c.lossWeights, stored.genotype);
  const all = new Map(net.variables.map((v) => [v.name, v.variable]));
  const opt = new Adam(net.weights, { lr: c.lrMax, beta1: c.betas[0], beta2: c.betas[1], eps: 1e-8, weightDecay: c.weightDecay });
  let epochs = [...stored.epochs];
  const ckpt = (e: number) => evalCheckpoint(dir, e);
  try {
    if (epochs.length > 0) {
      const { tensors, metadata } = loadSafetensors(ckpt(epochs.length - 1));
      for (const [name, v] of all) {
        const t = tensors[`w.${name}`];
        if (!t) throw new Error(`${ckpt(epochs.length - 1)} has no w.${name}`);
        v.assign(tf.tensor(t.data as Float32Array, t.shape));
      }
      const state = new Map(
        Object.entries(tensors)
          .filter(([k]) => k.startsWith('adam.'))
          .map(([k, t]) => [k.slice(5), tf.tensor(t.data as Float32Array, t.shape)]),
      );
      opt.loadState(state, Number(metadata.adamSteps ?? 0));
    }
    const stop = options.maxEpochs === undefined ? c.epochs : Math.min(c.epochs, epochs.length + options.maxEpochs);
    for (let epoch = epochs.length; epoch < stop; epoch++) {
      const started = Date.now();
      const lr = cosineLr(epoch, c.epochs, c.lrMax, c.lrMin);
      opt.options = { ...opt.options, lr };
      const order = permutation(data.train.n, new Rng(mixSeed(c.seed, epoch, SEED_KEYS.epochOrder)));
      let [lossSum, batches] = [0, 0];
      for (let s = 0; s < data.train.n; s += c.batchSize) {
        const batch = stereoBatch(data.train, order.subarray(s, Math.min(data.train.n, s + c.batchSize)));
        try {
          const { value, grads } = tf.variableGrads(
            () => net.loss(batch, { training: true, updateRunningStats: true, seed: mixSeed(c.seed, epoch, batches) }).loss,
            [...net.weights.values()],
          );
          lossSum += value.dataSync()[0];
          opt.step(new Map([...net.weights].map(([k, v]) => [k, grads[v.name]])));
          tf.dispose([value, ...Object.values(grads)]);
        } finally {
          tf.dispose([batch.left, batch.right, batch.disparity]);
        }
        batches += 1;
        await yieldToSignals();
      }
      if (!Number.isFinite(lossSum))
        throw new Error(
          `evaluate-disparity ${stored.id}: epoch ${epoch} diverged (loss ${lossSum}); lower lrMax (${c.lrMax}); the stored epochs are kept`,
        );
      const record: DisparityEpochRecord = {
        epoch,
        lr,
        trainLoss: lossSum / batches,
        testEpe: data.test.n > 0 ? testDisparity(net, data.test, c.batchSize).epe : null,
        seconds: (Date.now() - started) / 1000,
      };
      epochs = [...epochs, record];
      storeEvalEpoch(
        dir,
        file,
        epoch,
        { tensors: { ...tensorRecords('w.', all), ...tensorRecords('adam.', opt.state()) }, metadata: { adamSteps: String(opt.steps) } },
        { ...stored, epochs },
      );
      options.onEpoch?.(record);
    }
    if (epochs.length < c.epochs) return { ...stored, epochs };
    const started = Date.now();
    const median = medianDisparity(data.train);
    const done = {
      synthetic: data.test.n > 0 ? testDisparity(net, data.test, c.batchSize) : null,
      real: data.real.map((r) => ({ name: r.name, height: r.split.height, width: r.split.width, ...testDisparity(net, r.split, 1) })),
      constant: {
        value: median,
        synthetic: data.test.n > 0 ? constantErrors(data.test, median) : null,
        real: data.real.map((r) => constantErrors(r.split, median)),
      },
      seconds: epochs.reduce((s, r) => s + r.seconds, 0) + (Date.now() - started) / 1000,
    };
    const finished: DisparityEvalFile = { ...stored, epochs, done };
    writeEvalFile(file, finished);
    return finished;
  } finally {
    opt.dispose();
    net.dispose();
  }
}
