/**
 * Training a recurrent genotype from scratch as a language model and testing it (docs/method.md §9;
 * the DARTS code's rnn/train.py): the discrete cell (lib/problems/ptb/eval_cell.ts) in the language
 * model around it, trained on the training split in `batchSize` streams. Each epoch walks the
 * streams in windows whose length is drawn from (seed, epoch) as the code draws it (./lm_config.ts),
 * the hidden state carried across windows and reset each epoch; per window NLL + TAR, gradients
 * clipped to `gradClip` by total norm, SGD with weight decay at lr x length / bptt. After each epoch
 * the validation perplexity (`evalBatchSize` streams, bptt windows, no dropout); after the first epoch
 * whose validation loss exceeds the best of all but the last `nonmono` earlier epochs, averaged SGD
 * (t0 0, lambda 0: SGD steps, and the running mean of the iterates since the switch, which then is
 * what is validated and kept). The parameters of the best validation loss are tested at the end
 * (`testBatchSize` streams).
 *
 * Storage, `<root>/<id>/` (root defaults to `<resultsDir()>/evals`, id = lmEvalId(config, genotype)):
 *   lm_eval.json                       the genotype, config, source, versions, the epoch records
 *                                      and, when done, the test numbers; rewritten atomically;
 *   checkpoint/epoch-<e>.safetensors   the weights (`w.`), the averages (`avg.`, once averaging),
 *                                      the best parameters (`best.`), and in its metadata the steps
 *                                      averaged; only the latest is kept.
 * Epoch e writes its checkpoint before its record, so a record always has its checkpoint; resume
 * starts after the latest record. Every draw is a function of (seed, epoch, step): a resumed
 * training ends with the numbers of an uninterrupted one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo, tf } from '../backend';
import { batchify, bpttWindow, type Streams } from '../data/ptb';
import { clipScale, Sgd } from '../nn/optim';
import { Init, mixSeed, Rng, SEED_KEYS } from '../nn/random';
import { loadCorpus } from '../problems/ptb/data';
import { ngramReference, type NgramReference } from '../problems/ptb/ngram';
import { recurrentEvalCell } from '../problems/ptb/eval_cell';
import { cellWeights, dropoutNoise, languageModelWeights } from '../problems/ptb/model';
import { languageModelLoss } from '../problems/ptb/network';
import { yieldToSignals } from '../runs/interrupt';
import { ensureJob } from '../runs/job';
import { loadSafetensors, type TensorSet } from '../runs/safetensors';
import { checkRecurrentGenotype, type RecurrentGenotype } from '../spaces/recurrent';
import { softwareVersions } from '../versions';
import { evalCheckpoint, type EvaluationOptions, readEvalFile, storeEvalEpoch, tensorRecords, writeEvalFile } from './eval_files';
import { evalsRoot } from './train';
import { lmEvalId, type LmTrainConfig } from './lm_config';

/** Loss per token and its perplexity. */
export interface Perplexity {
  readonly loss: number;
  readonly perplexity: number;
}

export interface LmEpochRecord {
  readonly epoch: number;
  readonly steps: number;
  /** The training NLL per token (dropout on, TAR left out). */
  readonly train: Perplexity;
  readonly valid: Perplexity;
  /** Whether the epoch ran averaged SGD (its validation is of the averaged parameters). */
  readonly averaged: boolean;
  readonly seconds: number;
}

export interface LmEvalFile {
  readonly kind: 'lm-evaluation';
  readonly id: string;
  readonly genotype: RecurrentGenotype;
  readonly config: LmTrainConfig;
  /** Where the genotype came from, in a few words (a run id, a name). */
  readonly source: string;
  readonly data: string;
  readonly backend: string;
  readonly versions: Record<string, string>;
  readonly params: number;
  readonly epochs: LmEpochRecord[];
  readonly done?: {
    readonly bestEpoch: number;
    readonly valid: Perplexity;
    readonly test: Perplexity;
    readonly seconds: number;
    /** The unigram and bigram models of the same training tokens (../problems/ptb/ngram.ts): what the network must beat. Absent in records made before it was stored. */
    readonly reference?: NgramReference;
  };
}

const FILE = 'lm_eval.json';
const ppl = (loss: number): Perplexity => ({ loss, perplexity: Math.exp(loss) });

/** The windows of training epoch `epoch` over `rows` rows (file header; the code's draw of seq_len). */
export function lmTrainWindows(rows: number, c: LmTrainConfig, epoch: number): { start: number; length: number; drawn: number }[] {
  const rng = new Rng(mixSeed(c.seed, epoch, SEED_KEYS.lmTrainLengths));
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
  const out: { start: number; length: number; drawn: number }[] = [];
  for (let i = 0; i < rows - 2;) {
    const base = rng.uniform() < c.halfBpttProb ? c.bptt / 2 : c.bptt;
    const drawn = Math.min(Math.max(5, Math.floor(base + c.lengthStd * normal())), c.bptt + c.maxLengthDelta);
    out.push({ start: i, length: Math.min(drawn, rows - 1 - i), drawn });
    i += drawn;
  }
  return out;
}

/**
 * Whether averaging starts after an epoch of validation loss `loss`, the earlier epochs' being
 * `earlier`: when more than `nonmono` came before and `loss` exceeds the best of all but the last
 * `nonmono` of them (the code's non-monotone trigger).
 */
export function startsAveraging(earlier: readonly number[], loss: number, nonmono: number): boolean {
  return earlier.length > nonmono && loss > Math.min(...earlier.slice(0, -nonmono));
}

/** The language model of a genotype: its weights and the loss of a window. */
class GenotypeLm {
  readonly weights: Map<string, tf.Variable>;

  constructor(
    readonly genotype: RecurrentGenotype,
    readonly vocabulary: number,
    readonly config: LmTrainConfig,
  ) {
    this.weights = languageModelWeights(vocabulary, config.size, new Init(config.seed));
  }

  /** NLL (+ TAR in training) of one window from h0; the last output is returned kept, as the next state. */
  window(streams: Streams, start: number, length: number, h0: tf.Tensor2D, seed: number | undefined) {
    const w = bpttWindow(streams, start, length);
    return tf.tidy(() => {
      const inputs = tf.tensor2d(w.inputs, [w.length, streams.cols], 'int32');
      const targets = tf.tensor2d(w.targets, [w.length, streams.cols], 'int32');
      const noise = seed === undefined ? {} : dropoutNoise(this.config, this.vocabulary, streams.cols, seed);
      const embedding = this.weights.get('embedding') as tf.Tensor2D;
      const bias = this.weights.get('decoder.bias') as tf.Tensor1D;
      const cell = cellWeights(this.weights);
      const r = languageModelLoss(
        embedding,
        bias,
        (xs, h, m) => recurrentEvalCell(this.genotype, xs, h, cell, m),
        inputs,
        targets,
        h0,
        noise,
        seed === undefined ? 0 : this.config.tarBeta,
      );
      const [T, B, H] = r.outputs.shape;
      return {
        loss: r.loss,
        nll: r.nll,
        next: tf.reshape(tf.slice(r.outputs, [T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D,
        tokens: T * B,
      };
    });
  }

  /** NLL per token over a split in streams of bptt windows, no dropout, the state carried from zeros. */
  evaluate(streams: Streams): number {
    let h = tf.zeros([streams.cols, this.config.size]) as tf.Tensor2D;
    let sum = 0;
    let tokens = 0;
    for (let i = 0; i < streams.rows - 1; i += this.config.bptt) {
      const r = this.window(streams, i, this.config.bptt, h, undefined);
      sum += r.nll.dataSync()[0] * r.tokens;
      tokens += r.tokens;
      tf.dispose([h, r.loss, r.nll]);
      h = r.next;
    }
    h.dispose();
    return sum / tokens;
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}

/** Copies of the current values of `vars`, by name (the caller disposes). */
const snapshot = (vars: ReadonlyMap<string, tf.Tensor>) => new Map([...vars].map(([k, v]) => [k, tf.keep(v.clone())]));
const assignAll = (vars: ReadonlyMap<string, tf.Variable>, values: ReadonlyMap<string, tf.Tensor>) => {
  for (const [k, v] of vars) v.assign(values.get(k) as tf.Tensor);
};
const disposeMap = (m: Map<string, tf.Tensor> | undefined) => m && tf.dispose([...m.values()]);
const fromRecords = (prefix: string, t: TensorSet, like: ReadonlyMap<string, tf.Tensor>) => {
  if (!(`${prefix}embedding` in t)) return undefined;
  return new Map([...like.keys()].map((k) => [k, tf.tensor(t[prefix + k].data as Float32Array, t[prefix + k].shape)]));
};

/** The stored evaluation of `genotype` under `config` in `root` (default `<resultsDir()>/evals`), finished or not; undefined if none. */
export function readLmEvaluation(genotype: RecurrentGenotype, config: LmTrainConfig, root = evalsRoot()): LmEvalFile | undefined {
  const file = path.join(root, lmEvalId(config, genotype), FILE);
  return readEvalFile<LmEvalFile>(file);
}

export type LmEvaluationOptions = EvaluationOptions<LmEpochRecord>;

/** Reads back, resumes or starts the evaluation of `genotype` under `config` (file header); `source` names where it came from. */
export async function ensureLmEvaluation(
  genotype: RecurrentGenotype,
  config: LmTrainConfig,
  source: string,
  options: LmEvaluationOptions = {},
): Promise<LmEvalFile> {
  checkRecurrentGenotype(genotype);
  const id = lmEvalId(config, genotype);
  const dir = path.join(options.root ?? evalsRoot(), id);
  const file = path.join(dir, FILE);
  const read = (): LmEvalFile | undefined => readEvalFile<LmEvalFile>(file);
  return ensureJob({
    dir,
    read: () => read(),
    finished: (s) => (s?.done ? s : undefined),
    label: () => `language-model evaluation ${id} (${source})`,
    hint: 'compute it with `rdarts evaluate-lm`',
    prepare: () => loadCorpus(config),
    create: ({ source: data, corpus }) => {
      if (!read()) {
        const params = corpus.vocabulary.length * (config.size + 1) + 4 * config.size * config.size + 8 * 2 * config.size * config.size;
        const info = backendInfo()?.name ?? tf.getBackend();
        const f: LmEvalFile = {
          kind: 'lm-evaluation',
          id,
          genotype,
          config,
          source,
          data,
          backend: info,
          versions: softwareVersions(),
          params,
          epochs: [],
        };
        fs.mkdirSync(dir, { recursive: true });
        writeEvalFile(file, f);
      }
      return dir;
    },
    resume: async ({ corpus }) => train(read() as LmEvalFile, corpus, dir, options),
  });
}

async function train(
  stored: LmEvalFile,
  corpus: ReturnType<typeof loadCorpus>['corpus'],
  dir: string,
  options: LmEvaluationOptions,
): Promise<LmEvalFile> {
  const c = stored.config;
  const file = path.join(dir, FILE);
  const trainStreams = batchify(corpus.train, c.batchSize);
  const validStreams = batchify(corpus.valid, c.evalBatchSize);
  const lm = new GenotypeLm(stored.genotype, corpus.vocabulary.length, c);
  const opt = new Sgd(lm.weights, { momentum: 0, weightDecay: c.weightDecay });
  let epochs = [...stored.epochs];
  let avg: Map<string, tf.Tensor> | undefined;
  let best: Map<string, tf.Tensor> | undefined;
  let averagedSteps = 0;
  const ckpt = (e: number) => evalCheckpoint(dir, e);
  try {
    if (epochs.length > 0) {
      const { tensors, metadata } = loadSafetensors(ckpt(epochs.length - 1));
      const w = fromRecords('w.', tensors, lm.weights) as Map<string, tf.Tensor>;
      assignAll(lm.weights, w);
      disposeMap(w);
      avg = fromRecords('avg.', tensors, lm.weights);
      best = fromRecords('best.', tensors, lm.weights);
      averagedSteps = Number(metadata.averagedSteps ?? 0);
    }
    const stop = options.maxEpochs === undefined ? c.epochs : Math.min(c.epochs, epochs.length + options.maxEpochs);
    for (let epoch = epochs.length; epoch < stop; epoch++) {
      const started = Date.now();
      const averaged = avg !== undefined;
      let h = tf.zeros([c.batchSize, c.size]) as tf.Tensor2D;
      let [nllSum, tokens, steps] = [0, 0, 0];
      for (const { start, length, drawn } of lmTrainWindows(trainStreams.rows, c, epoch)) {
        const seed = mixSeed(c.seed, epoch, steps);
        let next: tf.Tensor2D | undefined;
        let nll = 0;
        const { value, grads } = tf.variableGrads(() => {
          const r = lm.window(trainStreams, start, length, h, seed);
          next = tf.keep(r.next);
          nll = r.nll.dataSync()[0];
          tokens += r.tokens;
          nllSum += nll * r.tokens;
          return r.loss;
        }, [...lm.weights.values()]);
        const named = new Map([...lm.weights].map(([k, v]) => [k, grads[v.name]]));
        opt.step(named, (c.lr * drawn) / c.bptt, clipScale(named, c.gradClip).scale);
        tf.dispose([value, ...Object.values(grads), h]);
        h = next as tf.Tensor2D;
        if (avg) {
          // The running mean of the iterates since the switch (averaged SGD, t0 0).
          averagedSteps += 1;
          const k = averagedSteps;
          const old = avg;
          avg = new Map([...old].map(([name, a]) => [name, tf.tidy(() => tf.add(a, tf.div(tf.sub(lm.weights.get(name)!, a), k)))]));
          disposeMap(old);
        }
        steps += 1;
        await yieldToSignals();
      }
      h.dispose();
      // Validate the averaged parameters while averaging.
      const current = avg ? snapshot(lm.weights) : undefined;
      if (avg) assignAll(lm.weights, avg);
      const validLoss = lm.evaluate(validStreams);
      // The DARTS code reloads its last checkpoint on a NaN; we stop, naming it, and keep what is stored.
      if (!Number.isFinite(nllSum / tokens) || !Number.isFinite(validLoss))
        throw new Error(
          `evaluate-lm ${stored.id}: epoch ${epoch} diverged (training NLL ${nllSum / tokens}, validation ${validLoss}); ` +
            `lower the lr (${c.lr}); the stored epochs 0..${epoch - 1} are kept`,
        );
      if (validLoss < Math.min(...epochs.map((r) => r.valid.loss))) {
        disposeMap(best);
        best = snapshot(lm.weights);
      }
      if (current) {
        assignAll(lm.weights, current);
        disposeMap(current);
      }
      if (
        !avg &&
        startsAveraging(
          epochs.map((r) => r.valid.loss),
          validLoss,
          c.nonmono,
        )
      ) {
        avg = snapshot(lm.weights);
        averagedSteps = 0;
      }
      const record: LmEpochRecord = {
        epoch,
        steps,
        train: ppl(nllSum / tokens),
        valid: ppl(validLoss),
        averaged,
        seconds: (Date.now() - started) / 1000,
      };
      epochs = [...epochs, record];
      storeEvalEpoch(
        dir,
        file,
        epoch,
        {
          tensors: {
            ...tensorRecords('w.', lm.weights),
            ...(avg ? tensorRecords('avg.', avg) : {}),
            ...(best ? tensorRecords('best.', best) : {}),
          },
          metadata: { averagedSteps: String(averagedSteps) },
        },
        { ...stored, epochs },
      );
      options.onEpoch?.(record);
    }
    if (epochs.length < c.epochs) return { ...stored, epochs };
    // The test of the best validation parameters.
    assignAll(lm.weights, best as Map<string, tf.Tensor>);
    const testLoss = lm.evaluate(batchify(corpus.test, c.testBatchSize));
    const bestEpoch = epochs.reduce((a, r) => (r.valid.loss < a.valid.loss ? r : a)).epoch;
    const done = {
      bestEpoch,
      valid: epochs[bestEpoch].valid,
      test: ppl(testLoss),
      seconds: epochs.reduce((s, r) => s + r.seconds, 0),
      reference: ngramReference(corpus),
    };
    const finished: LmEvalFile = { ...stored, epochs, done };
    writeEvalFile(file, finished);
    return finished;
  } finally {
    disposeMap(avg);
    disposeMap(best);
    opt.dispose();
    lm.dispose();
  }
}
