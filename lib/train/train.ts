/**
 * The final evaluation of a genotype (docs/method.md §5), as RobustDARTS src/evaluation/train.py: the
 * evaluation network (./network.ts) trained from scratch on the training split with SGD (momentum,
 * L2, gradients clipped by total norm; lr cosine from lrMax to lrMin, set per epoch), the loss
 * cross-entropy + auxiliaryWeight x the auxiliary head's cross-entropy, drop path p e / epochs at
 * epoch e, crop + flip + Cutout; then tested in eval mode on the test split. `ensureEvaluation`
 * is the one way to get an evaluation: read back, resumed, or started.
 *
 * The learning rate of epoch e is `cosineLr(e)` (lib/search/loop.ts): lrMax at epoch 0, as current
 * PyTorch steps the scheduler. The original steps it at the start of each epoch under PyTorch
 * 0.3/1.0, so its epoch e uses cosineLr(e + 1) and its last epoch lr 0; we do not copy that.
 *
 * Storage: the evaluation of (genotype, config) lives in `<root>/<evalId>/` (root defaults to
 * `<resultsDir()>/evals`; evalId = the first 12 hex digits of sha256 of the canonical JSON of
 * {config, genotype}), whatever it was started from (a search run, a file, a name: `source`):
 *   eval.json                          EvalFile: genotype, config, source, backend, versions,
 *                                      params, the epoch records so far; when `done`, the test
 *                                      numbers and total seconds. Rewritten atomically.
 *   checkpoint/epoch-<e>.safetensors   weights, BN statistics and SGD momentum after epoch e, in
 *                                      PyTorch's names and layouts (as lib/runs/checkpoint.ts);
 *                                      only the latest is kept: the trained network in the end.
 * Epoch e ends with 1. the checkpoint, 2. eval.json with record e, 3. older checkpoints deleted,
 * so every record has its checkpoint. Resume starts after the latest checkpoint that has a record
 * (later records and orphan checkpoints go). Every random draw is a function of (seed, epoch,
 * step), so a resumed evaluation ends with the numbers of an uninterrupted one.
 *
 * Per-epoch test numbers come from the first `epochTestSubset` test images (the code tests the
 * whole test split after every epoch); they are for watching only and choose nothing.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo, tf } from '../backend';
import { isPlainObject } from '../config/search_config';
import { canonicalJson } from '../config/validation';
import { AugmentOptions, trainAugment } from '../data/augment';
import { batchCount, epochBatches, evalBatches, Subset } from '../data/batches';
import type { Dataset, DatasetSplits } from '../data/dataset';
import { DATASETS, loadDataset } from '../data/registry';
import { mixSeed } from '../nn/random';
import type { TorchLayout } from '../nn/module';
import { resultsDir } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { yieldToSignals } from '../runs/interrupt';
import { ensureJob } from '../runs/job';
import { fromTorchRecord, SGD_PREFIX, toTorchRecord } from '../runs/checkpoint';
import { checkpointEpochs, checkpointFile, latestCheckpoint, RUN_FILES } from '../runs/run_read';
import { checkTensorSet, loadSafetensors, saveSafetensors, type TensorSet } from '../runs/safetensors';
import { scheduledDropPath } from '../nn/drop_path';
import { cosineLr } from '../search/loop';
import { clipScale, Sgd } from '../nn/optim';
import type { ProgressMode } from '../search/progress';
import { epochLabel, type LossAccuracy, savedEpochsMessage } from '../runs/records';
import { accuracy, type Batch, crossEntropy } from '../nn/loss';
import type { Genotype } from '../spaces/genotype';
import { torchShape } from '../nn/layouts';
import { softwareVersions } from '../versions';
import { checkGenotype } from './genotype_check';
import { EvalNetwork } from './network';
import { checkTrainConfig, type TrainConfig } from './train_config';

/** The data of an evaluation: the training images used, the test split and how many of it to test. */
export interface EvalData {
  readonly train: Subset;
  readonly test: Dataset;
  /** Test images of the final test (the first ones). */
  readonly testImages: number;
  /** Test images measured after every epoch (0: none). */
  readonly epochTestImages: number;
  readonly augment: AugmentOptions;
}

/** The config's data (loaded, or `splits` given, e.g. by tests), checked against its subsets. */
export function evaluationData(config: TrainConfig, splits?: DatasetSplits): EvalData {
  const { train, test } = splits ?? loadDataset(config.dataset);
  for (const d of [train, test]) {
    if (d.name !== config.dataset) throw new Error(`evaluation: the ${d.split} split is ${d.name}; config.dataset is ${config.dataset}`);
  }
  const count = (subset: number | null, d: Dataset, field: string) => {
    if (subset !== null && subset > d.n) throw new Error(`config.${field}=${subset} exceeds the ${d.n} ${d.split} images of ${d.name}`);
    return subset ?? d.n;
  };
  const testImages = count(config.testSubset, test, 'testSubset');
  const c = config.cutout;
  return {
    train: { dataset: train, start: 0, end: count(config.trainSubset, train, 'trainSubset') },
    test,
    testImages,
    epochTestImages: Math.min(config.epochTestSubset ?? testImages, testImages),
    // Cutout rebuilt field by field: tslab compiles without strictNullChecks.
    augment: trainAugment(DATASETS[config.dataset], c ? { cutout: { length: c.length, prob: c.prob } } : {}),
  };
}

/** The mutable state of an evaluation: the network and its optimiser (dispose with disposeEvalState). */
export interface EvalState {
  readonly net: EvalNetwork;
  readonly opt: Sgd;
}

/** A fresh network of `genotype` (weights from config.seed) and its SGD. */
export function createEvalState(genotype: Genotype, config: TrainConfig, data: EvalData): EvalState {
  const d = data.train.dataset;
  const net = new EvalNetwork({
    genotype,
    C: config.C,
    layers: config.layers,
    classes: d.classes,
    inChannels: d.channels,
    auxiliary: config.auxiliaryWeight > 0,
    seed: config.seed,
  });
  return { net, opt: new Sgd(net.weights, { momentum: config.momentum, weightDecay: config.weightDecay }) };
}

export function disposeEvalState(s: EvalState): void {
  s.opt.dispose();
  s.net.dispose();
}

/** What one SGD step needs besides the batch. */
export interface TrainStepOptions {
  readonly lr: number;
  readonly gradClip: number;
  readonly auxiliaryWeight: number;
  readonly dropPathProb: number;
  /** Seed of the drop-path masks. */
  readonly seed: number;
}

/**
 * One SGD step on `batch` (training mode); returns the loss (with the auxiliary term, as the code
 * logs it) and the main head's accuracy. Leaves no tensor behind; the batch stays the caller's.
 */
export function trainStep(state: EvalState, batch: Batch, o: TrainStepOptions): LossAccuracy {
  const { net, opt } = state;
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = net.forward(batch.x, { training: true, seed: o.seed, dropPathProb: o.dropPathProb });
    logits = tf.keep(out.logits);
    const loss = crossEntropy(out.logits, batch.y);
    return out.auxLogits && o.auxiliaryWeight > 0
      ? (loss.add(crossEntropy(out.auxLogits, batch.y).mul(o.auxiliaryWeight)) as tf.Scalar)
      : loss;
  }, [...net.weights.values()]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, p] of net.weights) if (grads[p.name]) byName.set(name, grads[p.name]);
  opt.step(byName, o.lr, clipScale(byName, o.gradClip).scale);
  const result = { loss: value.dataSync()[0], accuracy: accuracy(logits as tf.Tensor2D, batch.y) };
  tf.dispose([value, logits as tf.Tensor2D, ...Object.values(grads)]);
  return result;
}

/**
 * Loss and accuracy of `net` in eval mode (running BN statistics) on the first `count` images of `d`.
 * `seed` fixes the noise op's draws (S4 genotypes), batch by batch, so a test error is reproducible.
 */
export function evaluate(net: EvalNetwork, d: Dataset, batchSize: number, count = d.n, seed = 0): LossAccuracy {
  let loss = 0;
  let correct = 0;
  let b = 0;
  for (const batch of evalBatches(d, batchSize, 0, count)) {
    const n = batch.y.shape[0];
    tf.tidy(() => {
      const { logits } = net.forward(batch.x, { training: false, seed: mixSeed(seed, b++) });
      loss += crossEntropy(logits, batch.y).dataSync()[0] * n;
      correct += Math.round(accuracy(logits, batch.y) * n); // a count: no float32 rounding in the error
    });
    tf.dispose([batch.x, batch.y]);
  }
  return { loss: loss / count, accuracy: correct / count };
}

/** One finished training epoch, as eval.json stores it. */
export interface EvalEpochRecord {
  /** 0-based. */
  readonly epoch: number;
  /** The learning rate of the epoch (cosine, set per epoch). */
  readonly lr: number;
  /** The drop-path probability of the epoch: dropPathProb x epoch / epochs. */
  readonly dropPathProb: number;
  readonly steps: number;
  /** Means over the epoch's steps weighted by batch size (training mode, augmented; loss with the auxiliary term). */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Eval mode on the first `testImages` test images, when epochTestSubset is not 0. */
  readonly testLoss?: number;
  readonly testAccuracy?: number;
  readonly testImages?: number;
  /** Wall-clock seconds of the epoch (training and its test). */
  readonly seconds: number;
}

/** Progress of one step, for hooks and displays. */
export interface TrainStepInfo {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  /** Running means over the epoch so far. */
  readonly train: LossAccuracy;
}

/** Trains epoch `epoch` (0-based), then tests on the first epochTestImages test images; returns its record. */
export async function trainEpoch(
  config: TrainConfig,
  data: EvalData,
  state: EvalState,
  epoch: number,
  onStep: (info: TrainStepInfo) => void = () => undefined,
): Promise<EvalEpochRecord> {
  const started = Date.now();
  const lr = cosineLr(epoch, config.epochs, config.lrMax, config.lrMin);
  const dropPathProb = scheduledDropPath(config.dropPathProb, epoch, config.epochs, 'train');
  const steps = batchCount(data.train.end - data.train.start, config.batchSize);
  let [sumLoss, sumCorrect, seen, step] = [0, 0, 0, 0];
  for (const batch of epochBatches(data.train, config.batchSize, config.seed, epoch, { augment: data.augment })) {
    const r = trainStep(state, batch, {
      lr,
      gradClip: config.gradClip,
      auxiliaryWeight: config.auxiliaryWeight,
      dropPathProb,
      seed: mixSeed(config.seed, epoch, step),
    });
    const n = batch.y.shape[0];
    tf.dispose([batch.x, batch.y]);
    [sumLoss, sumCorrect, seen, step] = [sumLoss + r.loss * n, sumCorrect + r.accuracy * n, seen + n, step + 1];
    onStep({ epoch, step, steps, train: { loss: sumLoss / seen, accuracy: sumCorrect / seen } });
    await yieldToSignals(); // a Ctrl-C is handled between steps (lib/runs/interrupt.ts)
  }
  const test =
    data.epochTestImages > 0
      ? evaluate(state.net, data.test, config.batchSize, data.epochTestImages, mixSeed(config.seed, epoch, -3))
      : undefined;
  return {
    epoch,
    lr,
    dropPathProb,
    steps: step,
    trainLoss: sumLoss / seen,
    trainAccuracy: sumCorrect / seen,
    ...(test ? { testLoss: test.loss, testAccuracy: test.accuracy, testImages: data.epochTestImages } : {}),
    seconds: (Date.now() - started) / 1000,
  };
}

/** Where an evaluated genotype came from. */
export type EvalSource =
  | { readonly kind: 'run'; readonly runId: string; readonly dir: string; readonly epoch: number }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'name'; readonly name: string };

/** What eval.json holds. */
export interface EvalFile {
  readonly evalId: string;
  readonly genotype: Genotype;
  readonly config: TrainConfig;
  /** What the evaluation was first started from (null: a genotype given directly). */
  readonly source: EvalSource | null;
  readonly createdAt: string;
  readonly backend: string;
  readonly versions: Readonly<Record<string, string>>;
  /** Trainable weights: without the auxiliary head (as quark0/darts counts) and with it. */
  readonly params: { readonly withoutAuxiliary: number; readonly withAuxiliary: number };
  /** Epochs 0..k-1 in order. */
  readonly epochs: readonly EvalEpochRecord[];
  /** True once the final test is done; then the fields below are set. */
  readonly done: boolean;
  /** 1 - testAccuracy: the fraction of the `testImages` first test images misclassified (docs/method.md §5). */
  readonly testError?: number;
  readonly testAccuracy?: number;
  readonly testLoss?: number;
  readonly testImages?: number;
  /** Wall-clock seconds of all epochs and the final test (summed over resumed calls). */
  readonly seconds?: number;
  readonly finishedAt?: string;
}

/** An eval.json read back, with its directory. */
export interface StoredEvaluation extends EvalFile {
  readonly dir: string;
}

export const EVAL_FILE = 'eval.json';

/** `<resultsDir()>/evals`. */
export function evalsRoot(): string {
  return path.join(resultsDir(), 'evals');
}

/** The genotype's four fields as plain arrays (validated), so that ids and files do not depend on how it was built. */
export function plainGenotype(g: Genotype): Genotype {
  checkGenotype(g);
  return {
    normal: g.normal.map(([op, input]) => [op, input] as const),
    normalConcat: [...g.normalConcat],
    reduce: g.reduce.map(([op, input]) => [op, input] as const),
    reduceConcat: [...g.reduceConcat],
  };
}

/** The id of the evaluation of `genotype` under `config`: 12 hex digits of sha256(canonical {config, genotype}). */
export function evalId(genotype: Genotype, config: TrainConfig): string {
  const text = canonicalJson({ config: checkTrainConfig(config, 'evalId'), genotype: plainGenotype(genotype) });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** `<root>/<evalId>`. */
export function evalDirFor(genotype: Genotype, config: TrainConfig, root: string = evalsRoot()): string {
  return path.join(root, evalId(genotype, config));
}

/** `readEvaluation(dir)` where `<dir>/eval.json` exists, else undefined (not started). */
export function readEvaluationIfAny(dir: string): StoredEvaluation | undefined {
  return fs.existsSync(path.join(dir, EVAL_FILE)) ? readEvaluation(dir) : undefined;
}

/** Reads and validates `<dir>/eval.json`; errors name the file. */
export function readEvaluation(dir: string): StoredEvaluation {
  const file = path.join(dir, EVAL_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`evaluation store: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!isPlainObject(raw)) throw new Error(`evaluation store: ${file} is not a JSON object`);
  const config = checkTrainConfig(raw.config, file);
  const genotype = raw.genotype as Genotype;
  try {
    checkGenotype(genotype);
  } catch (e) {
    throw new Error(`evaluation store: ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (raw.evalId !== evalId(genotype, config)) {
    throw new Error(
      `evaluation store: ${file}: evalId ${JSON.stringify(raw.evalId)} does not match its genotype and config; was it edited?`,
    );
  }
  const epochs = raw.epochs;
  if (!Array.isArray(epochs) || epochs.some((r, i) => !isPlainObject(r) || r.epoch !== i)) {
    throw new Error(`evaluation store: ${file}: epochs must be records of epochs 0..k-1 in order`);
  }
  if (raw.done === true && typeof raw.testError !== 'number') throw new Error(`evaluation store: ${file}: done without testError`);
  return { ...(raw as unknown as EvalFile), dir };
}

/**
 * Saves the state after `epoch`: every variable under its state_dict name and each SGD momentum
 * buffer as `optimizer.weights.<name>.momentum_buffer`, PyTorch layouts (lib/runs/checkpoint.ts).
 */
export function saveEvalCheckpoint(file: string, state: EvalState, meta: { evalId: string; epoch: number }): void {
  const layouts = new Map(state.net.variables.map((v) => [v.name, v.layout]));
  const tensors: TensorSet = {};
  for (const v of state.net.variables) tensors[v.name] = toTorchRecord(v.variable, v.layout, v.name);
  for (const [key, t] of state.opt.state())
    tensors[SGD_PREFIX + key] = toTorchRecord(t, layouts.get(key.replace(/\.momentum_buffer$/, '')) as TorchLayout, key);
  saveSafetensors(file, tensors, {
    format: 'pt',
    'rdarts.format_version': '1',
    'rdarts.layout': 'torch',
    'rdarts.kind': 'evaluation',
    'rdarts.eval_id': meta.evalId,
    'rdarts.epoch': String(meta.epoch),
  });
}

/** Restores `saveEvalCheckpoint`'s file into `state`; the whole file is checked first (errors name it). */
export function loadEvalCheckpoint(file: string, state: EvalState): void {
  const { tensors, metadata } = loadSafetensors(file);
  if (metadata['rdarts.kind'] !== 'evaluation' || metadata['rdarts.layout'] !== 'torch') {
    throw new Error(`loadEvalCheckpoint ${file}: not an evaluation checkpoint in PyTorch layout`);
  }
  const expected: Record<string, { shape: number[]; dtype: 'F32' }> = {};
  for (const v of state.net.variables) {
    const spec = { shape: torchShape(v.layout, v.variable.shape), dtype: 'F32' as const };
    expected[v.name] = spec;
    if (v.trainable && `${SGD_PREFIX}${v.name}.momentum_buffer` in tensors) expected[`${SGD_PREFIX}${v.name}.momentum_buffer`] = spec;
  }
  checkTensorSet(tensors, expected, `loadEvalCheckpoint ${file}`);
  const layouts = new Map(state.net.variables.map((v) => [v.name, v.layout]));
  tf.tidy(() => {
    for (const v of state.net.variables) v.variable.assign(fromTorchRecord(tensors[v.name], v.layout));
  });
  const sgd = new Map<string, tf.Tensor>();
  for (const [name, r] of Object.entries(tensors)) {
    if (name.startsWith(SGD_PREFIX))
      sgd.set(
        name.slice(SGD_PREFIX.length),
        fromTorchRecord(r, layouts.get(name.slice(SGD_PREFIX.length, -'.momentum_buffer'.length)) as TorchLayout),
      );
  }
  state.opt.loadState(sgd);
  tf.dispose([...sgd.values()]);
}

/** Options of `ensureEvaluation`. */
export interface EnsureEvaluationOptions {
  /** Folder of evaluation directories (default `<resultsDir()>/evals`). */
  readonly root?: string;
  /** The evaluation directory itself, instead of `<root>/<evalId>`. */
  readonly dir?: string;
  /** Both splits, instead of loading `config.dataset` (tests). */
  readonly data?: DatasetSplits;
  /** Where the genotype came from, recorded in eval.json when the evaluation starts. */
  readonly source?: EvalSource;
  /** Progress display on stderr (default 'bar': plain lines when stderr is not a terminal). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after this many epochs of this call: an interruption, for tests. */
  readonly maxEpochs?: number;
  readonly hooks?: {
    readonly step?: (info: TrainStepInfo) => void;
    readonly epoch?: (record: EvalEpochRecord) => void;
  };
}

/** How ensureEvaluation found the evaluation, and eval.json after it. */
export interface EvaluationResult {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly evaluation: StoredEvaluation;
}

/** Progress lines on stderr: a step counter on a terminal ('bar'), one line per epoch otherwise. */
function progressWriter(mode: ProgressMode, epochs: number, stream: NodeJS.WriteStream = process.stderr) {
  const bar = mode === 'bar' && stream.isTTY === true;
  return {
    step(i: TrainStepInfo) {
      if (bar)
        stream.write(
          `\r${epochLabel(i.epoch, epochs)} step ${i.step}/${i.steps} | train loss ${i.train.loss.toFixed(3)} acc ${i.train.accuracy.toFixed(3)}\u001b[K`,
        );
    },
    epoch(r: EvalEpochRecord) {
      if (mode === 'off') return;
      const test = r.testAccuracy === undefined ? '' : `, test acc ${r.testAccuracy.toFixed(3)} (${r.testImages} images)`;
      stream.write(
        `${bar ? '\r' : ''}${epochLabel(r.epoch, epochs)} done in ${r.seconds.toFixed(1)} s: lr ${r.lr.toFixed(4)}, ` +
          `drop path ${r.dropPathProb.toFixed(3)}, train loss ${r.trainLoss.toFixed(3)} acc ${r.trainAccuracy.toFixed(3)}${test}${bar ? '\u001b[K' : ''}\n`,
      );
    },
  };
}

/** The stored file without its directory, with `epochs` replaced. */
function withoutDir(stored: StoredEvaluation, epochs: readonly EvalEpochRecord[]): EvalFile {
  const { dir: _dir, ...file } = stored;
  return { ...file, epochs };
}

function writeEvalFile(dir: string, file: EvalFile): void {
  writeFileAtomic(path.join(dir, EVAL_FILE), JSON.stringify(file, null, 2) + '\n');
}

/**
 * Reads, resumes or starts the evaluation of `genotype` under `config` (file header); resolves when
 * it is finished (or interrupted by `maxEpochs`). An eval.json of another evaluation in the
 * directory throws, naming it.
 */
export async function ensureEvaluation(
  genotype: Genotype,
  config: TrainConfig,
  options: EnsureEvaluationOptions = {},
): Promise<EvaluationResult> {
  const checked = checkTrainConfig(config, 'ensureEvaluation');
  const g = plainGenotype(genotype);
  const id = evalId(g, checked);
  const dir = options.dir ?? evalDirFor(g, checked, options.root);
  // The job protocol (lib/runs/job.ts): finished? may compute? data and lock; finished meanwhile? resume.
  return ensureJob({
    dir,
    // The stored evaluation of `d`, checked to be this one.
    read: (d) => {
      const stored = readEvaluationIfAny(d);
      if (stored && stored.evalId !== id) throw new Error(`ensureEvaluation: ${d} holds evaluation ${stored.evalId}, not ${id}`);
      return stored;
    },
    finished: (stored) => (stored?.done ? { status: 'finished' as const, evaluation: stored } : undefined),
    label: (stored) => `evaluation ${id} (${stored ? `${stored.epochs.length}/${checked.epochs} epochs` : 'not started'})`,
    hint: 'compute it with `rdarts experiment --preset P --evaluate` (the planned evaluations) or `rdarts evaluate`, then call again',
    lockLabel: `evaluation ${id}`,
    saved: (d) => savedEpochsMessage(readEvaluationIfAny(d)?.epochs.length ?? 0, checked.epochs),
    prepare: () => evaluationData(checked, options.data),
    resume: async (data, d, stored) => {
      const state = createEvalState(g, checked, data);
      try {
        return await continueEvaluation(d, id, g, checked, data, state, stored, options);
      } finally {
        disposeEvalState(state);
      }
    },
  });
}

/** ensureEvaluation's work in a locked directory: resume (or start) the evaluation and finish it. */
async function continueEvaluation(
  dir: string,
  id: string,
  g: Genotype,
  checked: TrainConfig,
  data: EvalData,
  state: EvalState,
  stored: StoredEvaluation | undefined,
  options: EnsureEvaluationOptions,
): Promise<EvaluationResult> {
  // Resume rule (file header): after the latest checkpoint that has a record.
  const records = stored ? [...stored.epochs] : [];
  const folder = path.join(dir, RUN_FILES.checkpoints);
  for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
    if (/^\..+\.tmp$/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
  }
  for (const e of checkpointEpochs(dir)) if (e >= records.length) fs.rmSync(checkpointFile(dir, e), { force: true });
  const latest = latestCheckpoint(dir, records.length);
  const startEpoch = latest === undefined ? 0 : latest.epoch + 1;
  if (latest) loadEvalCheckpoint(latest.file, state);
  records.length = startEpoch;
  let file: EvalFile = stored
    ? withoutDir(stored, records)
    : {
        evalId: id,
        genotype: g,
        config: checked,
        source: options.source ?? null,
        createdAt: new Date().toISOString(),
        backend: backendInfo()?.name ?? tf.getBackend(),
        versions: softwareVersions(),
        params: { withoutAuxiliary: state.net.numParams({ auxiliary: false }), withAuxiliary: state.net.numParams({ auxiliary: true }) },
        epochs: [],
        done: false,
      };
  writeEvalFile(dir, file);
  const progress = progressWriter(options.progress ?? 'bar', checked.epochs);
  const stop = options.maxEpochs === undefined ? checked.epochs : Math.min(checked.epochs, startEpoch + options.maxEpochs);
  for (let epoch = startEpoch; epoch < stop; epoch++) {
    const record = await trainEpoch(checked, data, state, epoch, (info) => {
      progress.step(info);
      options.hooks?.step?.(info);
    });
    saveEvalCheckpoint(checkpointFile(dir, epoch), state, { evalId: id, epoch });
    file = { ...file, epochs: [...file.epochs, record] };
    writeEvalFile(dir, file);
    for (const e of checkpointEpochs(dir)) if (e < epoch) fs.rmSync(checkpointFile(dir, e), { force: true });
    progress.epoch(record);
    options.hooks?.epoch?.(record);
  }
  if (file.epochs.length < checked.epochs) return { status: 'interrupted', evaluation: readEvaluation(dir) };
  const started = Date.now();
  const test = evaluate(state.net, data.test, checked.batchSize, data.testImages, mixSeed(checked.seed, -5));
  const seconds = file.epochs.reduce((s, r) => s + r.seconds, 0) + (Date.now() - started) / 1000;
  writeEvalFile(dir, {
    ...file,
    done: true,
    testError: 1 - test.accuracy,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    testImages: data.testImages,
    seconds,
    finishedAt: new Date().toISOString(),
  });
  return { status: startEpoch > 0 ? 'resumed' : 'started', evaluation: readEvaluation(dir) };
}
