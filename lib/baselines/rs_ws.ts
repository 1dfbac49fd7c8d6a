/**
 * RS-ws: random search with weight sharing (Li & Talwalkar 2019), the baseline of docs/method.md §4. The
 * supernet of a search config is trained with one uniformly sampled architecture per step
 * ("one-hot alphas, no softmax": the discrete forward of the problem's supernet) for the same
 * number of steps as the DARTS search of that config (same data split, batch size, epochs, SGD,
 * cosine lr, augmentation, L2, drop path, initial weights); then `samples` random architectures
 * (1000) are scored on `scoreBatches` (10) validation batches, the `topK` (10) best are scored on
 * the whole validation half, and the best of those is the result. It runs on the image problems
 * whose supernet has a discrete forward (./rs_ws_spaces.ts): the DARTS supernet over S1-S4 and the
 * DARTS space, and NAS-Bench-201's (where it is the benchmark's RSPS).
 *
 * Scoring uses training-mode BN (batch statistics) without updating the running statistics: the
 * running statistics were accumulated over thousands of different random architectures, so they
 * fit none of them (an op's input distribution depends on which ops feed it), and eval mode would
 * score each architecture by how well it happens to match the average. (The original RandomNAS code
 * scores in eval mode.) Every architecture is scored on the same fixed, unaugmented batches (the
 * original drew the next batches of its validation iterator), so scores compare; the ranking is by
 * accuracy, then loss, then sample index.
 *
 * Seeds: with stepSeed = mixSeed(seed, e, s) as in the DARTS loop, the architecture of step s of
 * epoch e is drawn from mixSeed(stepSeed, 3) and the weight step's noise from mixSeed(stepSeed, 2);
 * the batches are the DARTS search's weight batches; selection sample i comes from
 * mixSeed(seed, SELECT, i). So every draw is a function of (seed, epoch, step) or (seed, index),
 * and a resumed run (lib/baselines/store.ts) equals an uninterrupted one.
 *
 * Weights that a step's architecture does not use get no gradient and are not updated (our Sgd, as
 * PyTorch's optimisers with set_to_none); the original ran PyTorch 0.3, whose zero_grad kept zero
 * gradients, so momentum and weight decay went on moving every weight used before.
 */
import { backendInfo, tf } from '../backend';
import { evalBatches, makeBatch, subsetSize, type Subset } from '../data/batches';
import { NO_AUGMENT } from '../data/augment';
import type { Dataset } from '../data/dataset';
import { mixSeed, permutation, Rng, SEED_KEYS } from '../nn/random';
import type { SearchModel } from '../nn/model';
import { loadCheckpoint, saveCheckpoint, type SearchState } from '../runs/checkpoint';
import { ensureJob } from '../runs/job';
import { cosineLr, disposeSearchState, dropPathAt, initialState } from '../search/loop';
import type { ImageSearchData } from '../search/image_data';
import type { ProgressMode } from '../search/progress';
import { epochLabel, type LossAccuracy, savedEpochsMessage } from '../runs/records';
import { yieldToSignals } from '../runs/interrupt';
import { type StepModel, weightStep } from '../search/step';
import type { Batch } from '../nn/loss';
import type { SearchConfig } from '../config/search_config';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201Genotype } from '../problems/nb201/problem';
import type { Genotype } from '../spaces/genotype';
import { type RsWsConfig, type RsWsSpace, rsWsSpace } from './rs_ws_spaces';
import {
  appendBaselineEpoch,
  BASELINE_FILES,
  baselineDir,
  checkpointFile,
  createBaseline,
  prepareBaselineResume,
  pruneBaselineCheckpoints,
  readBaselineConfig,
  readBaselineResult,
  readIndexedSamples,
  readLines,
  writeBaselineResult,
  writeLines,
} from './store';

export type { RsWsConfig, RsWsSpace } from './rs_ws_spaces';

/** The selection phase's sizes (docs/method.md §4: 1000, 10, 10). */
export interface RsWsParameters {
  /** Random architectures scored on the score batches. */
  readonly samples: number;
  /** Validation batches (of the config's batch size) that score each sample. */
  readonly scoreBatches: number;
  /** The best samples scored again on the whole validation half. */
  readonly topK: number;
}

/** The method name of RS-ws in its baseline directory and result. */
export const RS_WS_METHOD = 'rs-ws' as const;

export const RS_WS_DEFAULTS: RsWsParameters = Object.freeze({ samples: 1000, scoreBatches: 10, topK: 10 });

/** One training epoch of RS-ws (epochs.jsonl). */
export interface RsWsEpochRecord {
  readonly epoch: number;
  /** The weights' learning rate of this epoch (cosine, as the DARTS search). */
  readonly lr: number;
  readonly steps: number;
  /** Mean over the epoch's weight steps (each its own random architecture), training mode. */
  readonly train: LossAccuracy;
  readonly regularization: { readonly l2: number; readonly dropPathProb: number };
  readonly seconds: number;
  readonly backend: string;
}

/** A sampled architecture and its score on the score batches (samples.jsonl). */
export interface ScoredArchitecture<G = unknown> extends LossAccuracy {
  readonly index: number;
  /** The problem's architecture (a DARTS genotype; NAS-Bench-201's `{ arch }`). */
  readonly genotype: G;
  /** Wall-clock seconds of the scoring. */
  readonly seconds: number;
}

/** One of the top k, scored again on the whole validation half. */
export interface RsWsCandidate<G = unknown> {
  readonly index: number;
  readonly genotype: G;
  /** On the score batches (the ranking). */
  readonly sample: LossAccuracy;
  /** On the whole validation half. */
  readonly valid: LossAccuracy;
}

/** result.json of an RS-ws run. */
export interface RsWsResult<G = unknown> {
  readonly method: 'rs-ws';
  readonly id: string;
  /** The best of the top k on the whole validation half (ties: the better-ranked sample). */
  readonly genotype: G;
  readonly best: number;
  /** The top k, in ranking order, with their scores. */
  readonly top: readonly RsWsCandidate<G>[];
  readonly parameters: RsWsParameters;
  /** Images in the score batches (scoreBatches x batchSize, at most the validation half). */
  readonly scoreImages: number;
  /** Training epochs, scoring of the samples, of the top k, and their sum. */
  readonly seconds: { readonly train: number; readonly samples: number; readonly top: number; readonly total: number };
}

/** Seed keys apart from the DARTS loop's (1: alpha step, 2: weight step). */
const ARCH_KEY = SEED_KEYS.rsWsArchitecture;
const SELECT_KEY = SEED_KEYS.rsWsSelect;
const SCORE_KEY = SEED_KEYS.rsWsScore;
/** Scored samples between two writes of samples.jsonl. */
const FLUSH_EVERY = 25;

/** Checks the selection parameters; an error names the parameter. */
export function checkRsWsParameters(p: RsWsParameters): RsWsParameters {
  for (const key of ['samples', 'scoreBatches', 'topK'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`rs-ws: ${key} must be a positive integer, got ${p[key]}`);
  }
  if (p.topK > p.samples) throw new Error(`rs-ws: topK (${p.topK}) must be <= samples (${p.samples})`);
  return { samples: p.samples, scoreBatches: p.scoreBatches, topK: p.topK };
}

/** The architecture trained at step `step` of epoch `epoch`. */
export function trainingArchitecture<G>(space: RsWsSpace<G>, epoch: number, step: number): G {
  return space.sample(new Rng(mixSeed(mixSeed(space.config.seed, epoch, step), ARCH_KEY)));
}

/** Selection sample `index`. */
export function selectionArchitecture<G>(space: RsWsSpace<G>, index: number): G {
  return space.sample(new Rng(mixSeed(space.config.seed, SELECT_KEY, index)));
}

/** The supernet seen through `architecture`: what weightStep trains and evaluateAlphaHalf scores (a view; owns nothing). */
export function discreteModel<G>(
  space: RsWsSpace<G>,
  net: SearchModel<Batch>,
  architecture: G,
): StepModel<Batch> & Pick<SearchModel<Batch>, 'examples'> {
  return {
    weights: net.weights,
    alphaParams: net.alphaParams,
    loss: (batch, options) => space.loss(net, batch, options, architecture),
    metric: (output, batch) => net.metric(output, batch),
    examples: (batch) => net.examples(batch),
  };
}

/** Progress of one training step. */
export interface RsWsStepInfo<G = unknown> {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  readonly architecture: G;
  readonly train: LossAccuracy;
}

/**
 * Trains epoch `epoch` (0-based) of RS-ws: per training batch (the DARTS search's weight batches) a
 * fresh random architecture (`trainingArchitecture`) and one weight step on it. Returns the epoch's
 * record; `onStep` sees every step.
 */
export function rsWsEpoch<G>(
  space: RsWsSpace<G>,
  data: ImageSearchData,
  state: SearchState<SearchModel<Batch>>,
  epoch: number,
  onStep: (info: RsWsStepInfo<G>) => void = () => undefined,
): RsWsEpochRecord {
  return discreteEpoch(space, data, state, epoch, (step) => trainingArchitecture(space, epoch, step), onStep);
}

/**
 * Trains epoch `epoch` (0-based) of the config of `space` on discrete architectures: per weight
 * batch of the epoch, one weight step (SGD, clipped, the epoch's cosine lr and drop path) on
 * `architectureAt(step)`. RS-ws draws a new one each step; random search trains one throughout.
 */
export function discreteEpoch<G>(
  space: RsWsSpace<G>,
  data: ImageSearchData,
  state: SearchState<SearchModel<Batch>>,
  epoch: number,
  architectureAt: (step: number) => G,
  onStep: (info: RsWsStepInfo<G>) => void = () => undefined,
): RsWsEpochRecord {
  const { config } = space;
  const started = Date.now();
  const lr = cosineLr(epoch, config.epochs, config.weightOptimizer.lrMax, config.weightOptimizer.lrMin);
  const plan = { epoch, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed };
  const steps = data.steps(plan);
  const dropPathProb = dropPathAt(config, epoch);
  const sum = { loss: 0, correct: 0, n: 0 };
  let step = 0;
  for (const batch of data.weightBatches(plan)) {
    const architecture = architectureAt(step);
    const t = weightStep(discreteModel(space, state.net, architecture), state.weightOpt, batch, {
      lr,
      gradClip: config.weightOptimizer.gradClip,
      seed: mixSeed(mixSeed(config.seed, epoch, step), 2),
      dropPathProb,
    });
    const n = batch.y.shape[0];
    tf.dispose([batch.x, batch.y]);
    sum.loss += t.loss * n;
    sum.correct += t.accuracy * n;
    sum.n += n;
    step += 1;
    onStep({ epoch, step, steps, architecture, train: t });
  }
  return {
    epoch,
    lr,
    steps: step,
    train: { loss: sum.loss / sum.n, accuracy: sum.correct / sum.n },
    regularization: { l2: state.weightOpt.options.weightDecay, dropPathProb },
    seconds: (Date.now() - started) / 1000,
    backend: backendInfo()?.name ?? tf.getBackend(),
  };
}

/**
 * The fixed score batches: `count` batches of `batchSize` distinct images of `subset` (fewer if it
 * is smaller), in a random order fixed by `seed`, unaugmented. The caller disposes them.
 */
export function scoreBatchesOf(subset: Subset, batchSize: number, count: number, seed: number): Batch[] {
  const order = permutation(subsetSize(subset), new Rng(mixSeed(seed, SCORE_KEY)));
  const n = Math.min(order.length, count * batchSize);
  const batches: Batch[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const indices = Array.from(order.subarray(start, Math.min(n, start + batchSize)), (i) => i + subset.start);
    batches.push(makeBatch(subset.dataset, indices, NO_AUGMENT, null));
  }
  return batches;
}

/**
 * Loss and accuracy of `architecture` on the shared weights over `batches` (means weighted by
 * batch size): training-mode BN, running statistics untouched (file header); `seed` fixes any
 * noise op (batch b: mixSeed(seed, b)).
 */
export function scoreArchitecture<G>(
  space: RsWsSpace<G>,
  net: SearchModel<Batch>,
  architecture: G,
  batches: Iterable<Batch>,
  seed: number,
  disposeBatches = false,
): LossAccuracy {
  let [loss, correct, n, b] = [0, 0, 0, 0];
  for (const batch of batches) {
    const size = batch.y.shape[0];
    tf.tidy(() => {
      const pass = space.loss(net, batch, { training: true, updateRunningStats: false, seed: mixSeed(seed, b++) }, architecture);
      loss += pass.loss.dataSync()[0] * size;
      correct += net.metric(pass.output, batch) * size;
    });
    if (disposeBatches) tf.dispose([batch.x, batch.y]);
    n += size;
  }
  if (n === 0) throw new Error('scoreArchitecture: no images');
  return { loss: loss / n, accuracy: correct / n };
}

/** Better first: accuracy, then loss, then the lower index. */
function byScore(a: LossAccuracy & { index: number }, b: LossAccuracy & { index: number }): number {
  return b.accuracy - a.accuracy || a.loss - b.loss || a.index - b.index;
}

/** Options of `ensureRsWs`; the parameters default to RS_WS_DEFAULTS. */
export interface EnsureRsWsOptions extends Partial<RsWsParameters> {
  /** The results folder; the run lives in `<root>/baselines/<id>` (default results/). */
  readonly root?: string;
  /** The training split to use instead of loading `config.dataset` (tests). */
  readonly train?: Dataset;
  /** 'off' is silent; 'log' and 'bar' write a line per epoch and per flush of scores to stderr (default: the config's). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after this many training epochs of this call (tests: an interruption). */
  readonly maxEpochs?: number;
  /** Stop (unfinished, resumable) after scoring this many samples in this call (tests: an interruption). */
  readonly maxSamples?: number;
  /** Called after every training step. */
  readonly onStep?: (info: RsWsStepInfo) => void;
}

/** How ensureRsWs found the run, and what is stored after it. */
export interface RsWsRun<G = unknown> {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly dir: string;
  readonly epochs: RsWsEpochRecord[];
  readonly samples: ScoredArchitecture<G>[];
  /** Set once the run is finished. */
  readonly result?: RsWsResult<G>;
}

function stored(dir: string, status: RsWsRun['status']): RsWsRun {
  const result = readBaselineResult<RsWsResult>(dir);
  return {
    status,
    dir,
    epochs: readLines<RsWsEpochRecord>(dir, BASELINE_FILES.epochs),
    samples: readLines<ScoredArchitecture>(dir, BASELINE_FILES.samples),
    ...(result ? { result } : {}),
  };
}

/**
 * Reads, resumes or starts the RS-ws run of `config` (a DARTS search config, or NAS-Bench-201's:
 * ./rs_ws_spaces.ts) with the given parameters (file header); resolves when it is finished (or
 * interrupted by maxEpochs / maxSamples).
 */
export async function ensureRsWs(config: SearchConfig, options?: EnsureRsWsOptions): Promise<RsWsRun<Genotype>>;
export async function ensureRsWs(config: Nb201Config, options?: EnsureRsWsOptions): Promise<RsWsRun<Nb201Genotype>>;
export async function ensureRsWs(config: RsWsConfig, options?: EnsureRsWsOptions): Promise<RsWsRun>;
export async function ensureRsWs(config: RsWsConfig, options: EnsureRsWsOptions = {}): Promise<RsWsRun> {
  const parameters = checkRsWsParameters({
    ...RS_WS_DEFAULTS,
    ...Object.fromEntries(
      (['samples', 'scoreBatches', 'topK'] as const).filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
    ),
  });
  const space = rsWsSpace(config, options.train);
  // The job protocol (lib/runs/job.ts): finished? may compute? data, config.json and lock; finished meanwhile? resume.
  const dir = baselineDir(space.config as RsWsConfig, RS_WS_METHOD, { ...parameters }, options.root);
  return ensureJob({
    dir,
    read: (d) => readBaselineResult<RsWsResult>(d),
    finished: (result, d) => (result ? stored(d, 'finished') : undefined),
    label: () => `RS-ws baseline in ${dir}`,
    hint:
      (space.config as { readonly problem?: string }).problem === 'nb201'
        ? 'compute it with `rdarts baseline rs-ws --problem nb201` (with its preset and seed), then call again'
        : 'compute it with `rdarts baseline rs-ws` or notebook 04 with computing allowed, then call again',
    lockLabel: 'RS-ws baseline',
    saved: (d) => {
      const epochs = readLines(d, BASELINE_FILES.epochs).length;
      return epochs < space.config.epochs
        ? savedEpochsMessage(epochs, space.config.epochs)
        : `The shared weights are trained; ${readIndexedSamples<ScoredArchitecture>(d).length} of ${parameters.samples} architectures scored are saved ` +
            `(every ${FLUSH_EVERY}); a re-run goes on from there.`;
    },
    prepare: () => space.problem.loadData() as ImageSearchData,
    create: () => createBaseline(space.config as RsWsConfig, RS_WS_METHOD, { ...parameters }, options.root),
    resume: (data, d) => continueRsWs(space, options, parameters, data, d),
  });
}

/** ensureRsWs's work in a locked directory: train (or resume) the shared weights, then select. */
async function continueRsWs<G>(
  space: RsWsSpace<G>,
  options: EnsureRsWsOptions,
  parameters: RsWsParameters,
  data: ImageSearchData,
  dir: string,
): Promise<RsWsRun> {
  const { config } = space;
  const { id } = readBaselineConfig(dir);
  const { startEpoch, checkpoint } = prepareBaselineResume(dir);
  const status = startEpoch > 0 ? 'resumed' : 'started';
  const mode = options.progress ?? config.report.progress;
  const log = (line: string) => {
    if (mode !== 'off') process.stderr.write(`rs-ws ${id}: ${line}\n`);
  };
  const state = initialState(space.problem, data);
  try {
    if (checkpoint) loadCheckpoint(checkpoint.file, state);
    const stop = options.maxEpochs === undefined ? config.epochs : Math.min(config.epochs, startEpoch + options.maxEpochs);
    for (let epoch = startEpoch; epoch < stop; epoch++) {
      const record = rsWsEpoch(space, data, state, epoch, options.onStep as ((info: RsWsStepInfo<G>) => void) | undefined);
      saveCheckpoint(checkpointFile(dir, epoch), { ...state, meta: { epoch, id, method: 'rs-ws' } });
      appendBaselineEpoch(dir, record);
      pruneBaselineCheckpoints(dir, epoch);
      log(
        `${epochLabel(epoch, config.epochs)}: train loss ${record.train.loss.toFixed(3)} acc ${record.train.accuracy.toFixed(3)} ` +
          `(${record.seconds.toFixed(1)} s)`,
      );
      await yieldToSignals(); // a Ctrl-C is handled between epochs (lib/runs/interrupt.ts)
    }
    if (readLines(dir, BASELINE_FILES.epochs).length < config.epochs) return stored(dir, 'interrupted');
    const done = await select(space, data, state, dir, id, parameters, options.maxSamples, log);
    return stored(dir, done ? status : 'interrupted');
  } finally {
    disposeSearchState(state);
  }
}

/** The selection phase on the trained state; false when interrupted by `maxSamples`. */
async function select<G>(
  space: RsWsSpace<G>,
  data: ImageSearchData,
  state: SearchState<SearchModel<Batch>>,
  dir: string,
  id: string,
  parameters: RsWsParameters,
  maxSamples: number | undefined,
  log: (line: string) => void,
): Promise<boolean> {
  const { config } = space;
  const { net } = state;
  const samples = readIndexedSamples<ScoredArchitecture<G>>(dir);
  const batches = scoreBatchesOf(data.split.val, config.batchSize, parameters.scoreBatches, config.seed);
  const scoreImages = batches.reduce((n, b) => n + b.y.shape[0], 0);
  const scoreSeed = mixSeed(config.seed, SCORE_KEY);
  try {
    const stop = maxSamples === undefined ? parameters.samples : Math.min(parameters.samples, samples.length + maxSamples);
    for (let index = samples.length; index < stop; index++) {
      const started = Date.now();
      const genotype = selectionArchitecture(space, index);
      const score = scoreArchitecture(space, net, genotype, batches, scoreSeed);
      samples.push({ index, genotype, ...score, seconds: (Date.now() - started) / 1000 });
      if (samples.length % FLUSH_EVERY === 0 || index === stop - 1) {
        writeLines(dir, BASELINE_FILES.samples, samples);
        log(`scored ${samples.length}/${parameters.samples} architectures`);
      }
      await yieldToSignals(); // a Ctrl-C is handled between samples (lib/runs/interrupt.ts)
    }
  } finally {
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  }
  if (samples.length < parameters.samples) return false;
  const started = Date.now();
  const ranked = [...samples].sort(byScore).slice(0, parameters.topK);
  const val = data.split.val;
  const top: RsWsCandidate<G>[] = ranked.map((s) => ({
    index: s.index,
    genotype: s.genotype,
    sample: { loss: s.loss, accuracy: s.accuracy },
    valid: scoreArchitecture(space, net, s.genotype, evalBatches(val.dataset, config.batchSize, val.start, val.end), scoreSeed, true),
  }));
  const best = top.reduce((b, c) => (c.valid.accuracy > b.valid.accuracy ? c : b));
  const epochs = readLines<RsWsEpochRecord>(dir, BASELINE_FILES.epochs);
  const seconds = {
    train: epochs.reduce((s, r) => s + r.seconds, 0),
    samples: samples.reduce((s, r) => s + r.seconds, 0),
    top: (Date.now() - started) / 1000,
  };
  const result: RsWsResult<G> = {
    method: 'rs-ws',
    id,
    genotype: best.genotype,
    best: best.index,
    top,
    parameters,
    scoreImages,
    seconds: { ...seconds, total: seconds.train + seconds.samples + seconds.top },
  };
  writeBaselineResult(dir, result);
  log(`best sample ${best.index}: valid acc ${best.valid.accuracy.toFixed(4)}; ${space.format(best.genotype)}`);
  return true;
}
