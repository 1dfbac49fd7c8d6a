/**
 * The data of a language-modelling search (docs/method.md §9), as the DARTS code's search feeds it:
 *   - the weights train on the training split, cut into `batchSize` streams and walked in windows
 *     of truncated BPTT: bptt tokens, or floor(bptt / 2) with probability halfBpttProb, the lengths
 *     drawn from (seed, epoch); the weights' lr of a window is scaled by its drawn length / bptt;
 *   - the alphas train on the validation split (not a half of train, as in the image problems),
 *     cut into `batchSize` streams: for the training window at row i, the alphas' window is the
 *     one at row i mod (rows - 1), bptt long, so the two streams advance together;
 *   - the epoch's evaluation walks the validation split in `evalBatchSize` streams, bptt windows.
 * Each stream (train, valid, eval) carries its hidden state from one window to the next: a window
 * starts from its stream's state when it is drawn (`h0`), and every pass of the model on it
 * without substituted alphas sets the stream's state to the pass's last output (./model.ts). So
 * the state a stream goes on from is that of the last such pass of a step: the weight step's for
 * train, the alpha step's for valid (the DARTS code's `hidden` and `hidden_valid`). Every stream
 * starts from zeros at each epoch, as the code re-initialises its states per epoch: an epoch
 * replays exactly from a checkpoint taken at its start.
 */
import { tf } from '../../backend';
import {
  batchify,
  bpttWindow,
  capVocabulary,
  readResplitCorpus,
  readTextCorpus,
  type Streams,
  type TextCorpus,
  buildCorpus,
} from '../../data/ptb';
import { syntheticCorpus } from '../../data/synthetic_corpus';
import { mixSeed, Rng, SEED_KEYS } from '../../nn/random';
import type { EpochPlan, SearchData } from '../../search/problem';
import type { PtbConfig } from './config';

/** A stream's carried hidden state [B, H]; owns its tensor. */
export class CarriedState {
  private h: tf.Tensor2D;

  constructor(
    readonly streams: number,
    readonly size: number,
  ) {
    this.h = tf.zeros([streams, size]);
  }

  /** A copy of the state (the caller owns it). */
  current(): tf.Tensor2D {
    return this.h.clone();
  }

  /** Goes on from `next` [B, H] (copied, kept outside any tidy). */
  carry(next: tf.Tensor2D): void {
    const old = this.h;
    this.h = tf.keep(next.clone());
    old.dispose();
  }

  /** Back to zeros (the start of an epoch or of an evaluation). */
  reset(): void {
    const old = this.h;
    this.h = tf.keep(tf.zeros([this.streams, this.size]));
    old.dispose();
  }

  dispose(): void {
    this.h.dispose();
  }
}

/** Which stream a window belongs to. */
export type StreamName = 'train' | 'valid' | 'eval';

/** One BPTT window of one stream: the batch of the language-modelling search. */
export interface TextWindow {
  readonly stream: StreamName;
  /** Token ids [T, B] (int32) and the next token of each [T, B]. */
  readonly inputs: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  /** The stream's hidden state when the window was drawn [B, H]. */
  readonly h0: tf.Tensor2D;
  /** Where passes on the window carry their last output to. */
  readonly state: CarriedState;
  /** The weights' lr factor: length / bptt. */
  readonly lrScale: number;
}

/** The start row and length of each training window of an epoch (file header: the DARTS code's loop). */
export function trainWindows(
  rows: number,
  bptt: number,
  halfProb: number,
  seed: number,
  epoch: number,
): { start: number; length: number; drawn: number }[] {
  const rng = new Rng(mixSeed(seed, epoch, SEED_KEYS.bpttLengths));
  const out: { start: number; length: number; drawn: number }[] = [];
  // As the code: `while i < rows - 1 - 1`, the step (and the lr's scale) being the drawn length even where the window is cut short.
  for (let i = 0; i < rows - 2;) {
    const drawn = rng.uniform() < halfProb ? Math.floor(bptt / 2) : bptt;
    out.push({ start: i, length: Math.min(drawn, rows - 1 - i), drawn });
    i += drawn;
  }
  return out;
}

/** The corpus of `config` (read, or generated), with its vocabulary capped and train cut as the config says. */
export function loadCorpus(config: Pick<PtbConfig, 'corpus' | 'vocabulary' | 'trainTokens'>): { corpus: TextCorpus; source: string } {
  const c = config.corpus;
  let corpus: TextCorpus;
  let source: string;
  if (c.source === 'synthetic') {
    const s = syntheticCorpus({ seed: c.seed, vocabulary: c.words, tokens: { train: c.train, valid: c.valid, test: c.test } });
    corpus = buildCorpus({ train: s.train.text, valid: s.valid.text, test: s.test.text });
    source =
      `synthetic corpus (seed ${c.seed}, ${c.words} words; the source's own perplexity: ` +
      `valid ${s.valid.optimalPerplexity.toFixed(3)}, test ${s.test.optimalPerplexity.toFixed(3)})`;
  } else if (c.source === 'ptb') {
    corpus = readTextCorpus({ folder: c.folder });
    source = corpus.dir ?? c.folder;
  } else {
    corpus = readResplitCorpus(c.every, { folder: c.folder });
    source = `${corpus.dir ?? c.folder} (valid and test re-split, every ${c.every})`;
  }
  if (config.vocabulary !== null) corpus = capVocabulary(corpus, config.vocabulary);
  if (config.trainTokens !== null) {
    if (config.trainTokens > corpus.train.length)
      throw new Error(`trainTokens=${config.trainTokens} exceeds the ${corpus.train.length} training tokens of ${source}`);
    corpus = { ...corpus, train: corpus.train.subarray(0, config.trainTokens) };
  }
  return { corpus, source };
}

/** The search data of a language model (file header). */
export interface TextSearchData extends SearchData<TextWindow> {
  readonly corpus: TextCorpus;
  /** Frees the carried states. */
  release(): void;
}

/** The search data of `config` over `corpus` (file header); `source` is recorded in the run's config.json. */
export function textSearchData(
  config: Pick<PtbConfig, 'batchSize' | 'evalBatchSize' | 'bptt' | 'halfBpttProb' | 'size'>,
  corpus: TextCorpus,
  source?: string,
): TextSearchData {
  const { bptt, size } = config;
  const train = batchify(corpus.train, config.batchSize);
  const valid = batchify(corpus.valid, config.batchSize);
  const evalStreams = batchify(corpus.valid, config.evalBatchSize);
  const states = {
    train: new CarriedState(config.batchSize, size),
    valid: new CarriedState(config.batchSize, size),
    eval: new CarriedState(config.evalBatchSize, size),
  };
  const window = (stream: StreamName, streams: Streams, start: number, length: number): TextWindow => {
    const w = bpttWindow(streams, start, length);
    return {
      stream,
      inputs: tf.tensor2d(w.inputs, [w.length, streams.cols], 'int32'),
      targets: tf.tensor2d(w.targets, [w.length, streams.cols], 'int32'),
      h0: states[stream].current(),
      state: states[stream],
      lrScale: length / bptt, // the asked length: the code sets the lr before cutting the last window short
    };
  };
  // The start row of the training window last drawn: its alphas' window starts at row (start mod (rows - 1)).
  let trainStart = 0;
  return {
    corpus,
    *weightBatches(plan: EpochPlan) {
      states.train.reset();
      states.valid.reset();
      for (const { start, length } of trainWindows(train.rows, bptt, config.halfBpttProb, plan.seed, plan.epoch)) {
        trainStart = start;
        yield window('train', train, start, length);
      }
    },
    steps: (plan) => trainWindows(train.rows, bptt, config.halfBpttProb, plan.seed, plan.epoch).length,
    alphaBatch: () => window('valid', valid, trainStart % (valid.rows - 1), bptt),
    *evalBatches() {
      states.eval.reset();
      for (let i = 0; i < evalStreams.rows - 1; i += bptt) yield window('eval', evalStreams, i, bptt);
    },
    alphaExamples: (evalStreams.rows - 1) * evalStreams.cols,
    lrScale: (b) => b.lrScale,
    dispose: (b) => tf.dispose([b.inputs, b.targets, b.h0]),
    release: () => Object.values(states).forEach((s) => s.dispose()),
    ...(source === undefined ? {} : { source }),
  };
}
