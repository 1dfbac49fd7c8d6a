/**
 * A seeded synthetic corpus whose best possible perplexity is known exactly: the test corpus of the
 * language-modelling search (CI, unit tests), written in the PTB format (./ptb.ts) so that the real
 * loader reads it. The source is a hidden Markov model over pairs (syntax state s, topic z):
 *   - within a sentence, s follows a seeded transition matrix and z stays;
 *   - each step emits `<eos>` with the state's probability, else a word from the state's own
 *     Zipf(1.1) distribution over a random quarter of the vocabulary, with the topic's own words
 *     weighted four times, mixed with 1 % of the uniform distribution over every word;
 *   - after `<eos>`, s restarts from the start distribution and z is kept with probability
 *     1 - topicSwitch, else drawn anew: the topic carries across sentences, so memory pays.
 * `logLikelihood` runs the forward algorithm over (s, z) given the tokens (the transition after an
 * `<eos>` is the restart), so exp(-logLikelihood / n) is the perplexity of the source itself on
 * those tokens: no model of the stream can do better in expectation. Words are named w0, w1, ...
 */
import { mixSeed, Rng } from '../nn/random';

export interface SyntheticCorpusOptions {
  readonly seed?: number;
  /** Words besides `<eos>` (default 200). */
  readonly vocabulary?: number;
  /** Syntax states (default 16) and topics (default 4). */
  readonly states?: number;
  readonly topics?: number;
  /** Probability that a new sentence draws its topic anew (default 0.1). */
  readonly topicSwitch?: number;
  /** Mean sentence length in tokens, `<eos>` included (default 20). */
  readonly sentenceLength?: number;
}

/** The generating model: probabilities as plain arrays. */
export interface SyntheticSource {
  readonly words: number;
  readonly states: number;
  readonly topics: number;
  readonly topicSwitch: number;
  /** Start distribution of s, [states]. */
  readonly start: Float64Array;
  /** Transition of s within a sentence, [states x states]. */
  readonly transition: Float64Array;
  /** Probability of `<eos>` per state, [states]. */
  readonly eos: Float64Array;
  /** Word distribution given (s, z), excluding `<eos>`, [states x topics x words]. */
  readonly emission: Float64Array;
}

const normalise = (a: Float64Array, from: number, n: number) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[from + i];
  for (let i = 0; i < n; i++) a[from + i] /= sum;
};

/** The model of `options` (file header), drawn from its seed. */
export function syntheticSource(options: SyntheticCorpusOptions = {}): SyntheticSource {
  const words = options.vocabulary ?? 200;
  const states = options.states ?? 16;
  const topics = options.topics ?? 4;
  const topicSwitch = options.topicSwitch ?? 0.1;
  const meanLength = options.sentenceLength ?? 20;
  for (const [v, what, min] of [
    [words, 'vocabulary', 4],
    [states, 'states', 1],
    [topics, 'topics', 1],
  ] as const)
    if (!Number.isInteger(v) || v < min) throw new Error(`synthetic corpus: ${what} must be an integer >= ${min}, got ${v}`);
  if (!(topicSwitch >= 0 && topicSwitch <= 1)) throw new Error(`synthetic corpus: topicSwitch must be in [0, 1], got ${topicSwitch}`);
  if (!(meanLength > 1)) throw new Error(`synthetic corpus: sentenceLength must be > 1, got ${meanLength}`);
  const rng = new Rng(mixSeed(options.seed ?? 0, 0x70b));
  const start = Float64Array.from({ length: states }, () => 0.1 + rng.uniform());
  normalise(start, 0, states);
  const transition = Float64Array.from({ length: states * states }, () => rng.uniform() ** 3);
  for (let s = 0; s < states; s++) normalise(transition, s * states, states);
  // <eos> probabilities spread around 1 / meanLength (the mean length of a geometric sentence).
  const eos = Float64Array.from({ length: states }, () => Math.min(0.9, (2 * rng.uniform()) / meanLength));
  const topicWords = Array.from({ length: topics }, () => new Set(Array.from({ length: Math.max(1, words >> 3) }, () => rng.int(words))));
  const emission = new Float64Array(states * topics * words);
  for (let s = 0; s < states; s++) {
    // The state's quarter of the vocabulary, in a random order of rank (Zipf 1.1 over ranks).
    const own = Array.from({ length: Math.max(1, words >> 2) }, () => rng.int(words));
    for (let z = 0; z < topics; z++) {
      const at = (s * topics + z) * words;
      own.forEach((w, rank) => (emission[at + w] += (1 / (rank + 1) ** 1.1) * (topicWords[z].has(w) ? 4 : 1)));
      normalise(emission, at, words);
      // 1 % spread over every word: each word is possible in each state, so every likelihood is finite.
      for (let w = 0; w < words; w++) emission[at + w] = 0.99 * emission[at + w] + 0.01 / words;
    }
  }
  return { words, states, topics, topicSwitch, start, transition, eos, emission };
}

/** Draws `tokens` tokens (whole sentences: it stops at the first `<eos>` at or after that count) as word ids; `<eos>` is id `words`. */
export function sampleTokens(source: SyntheticSource, tokens: number, seed: number): Int32Array {
  const { words, states, topics, topicSwitch, start, transition, eos, emission } = source;
  const rng = new Rng(mixSeed(seed, 0x5a3));
  const draw = (p: Float64Array, from: number, n: number) => {
    let u = rng.uniform();
    for (let i = 0; i < n - 1; i++) if ((u -= p[from + i]) < 0) return i;
    return n - 1;
  };
  const out: number[] = [];
  let z = rng.int(topics);
  let s = draw(start, 0, states);
  for (;;) {
    if (rng.uniform() < eos[s]) {
      out.push(words);
      if (out.length >= tokens) return Int32Array.from(out);
      if (rng.uniform() < topicSwitch) z = rng.int(topics);
      s = draw(start, 0, states);
    } else {
      out.push(draw(emission, (s * topics + z) * words, words));
      s = draw(transition, s * states, states);
    }
  }
}

/** log p(ids) under the source (natural log), by the scaled forward algorithm over (s, z) (file header). */
export function logLikelihood(source: SyntheticSource, ids: Int32Array): number {
  const { words, states, topics, topicSwitch, start, transition, eos, emission } = source;
  const H = states * topics;
  let alpha = new Float64Array(H); // p(s_t, z | x_<t), before emitting x_t
  for (let s = 0; s < states; s++) for (let z = 0; z < topics; z++) alpha[s * topics + z] = start[s] / topics;
  let logp = 0;
  for (const x of ids) {
    // Emit x_t.
    const post = new Float64Array(H);
    let c = 0;
    for (let s = 0; s < states; s++)
      for (let z = 0; z < topics; z++) {
        const h = s * topics + z;
        const e = x === words ? eos[s] : (1 - eos[s]) * emission[h * words + x];
        post[h] = alpha[h] * e;
        c += post[h];
      }
    if (!(c > 0)) return -Infinity;
    logp += Math.log(c);
    // Move to t + 1: a restart after <eos>, the within-sentence transition otherwise.
    const next = new Float64Array(H);
    if (x === words) {
      const pz = new Float64Array(topics);
      for (let h = 0; h < H; h++) pz[h % topics] += post[h] / c;
      for (let s = 0; s < states; s++)
        for (let z = 0; z < topics; z++) next[s * topics + z] = start[s] * ((1 - topicSwitch) * pz[z] + topicSwitch / topics);
    } else {
      for (let s = 0; s < states; s++)
        for (let z = 0; z < topics; z++) {
          const p = post[s * topics + z] / c;
          if (p === 0) continue;
          for (let s2 = 0; s2 < states; s2++) next[s2 * topics + z] += p * transition[s * states + s2];
        }
    }
    alpha = next;
  }
  return logp;
}

/** The ids as PTB-format text: one sentence a line, a blank before each word, `<eos>` ending the line. */
export function tokensToText(ids: Int32Array, words: number): string {
  const lines: string[] = [];
  let line: string[] = [];
  for (const x of ids) {
    if (x === words) {
      lines.push(line.length === 0 ? '' : ` ${line.join(' ')}`);
      line = [];
    } else line.push(`w${x}`);
  }
  if (line.length > 0) lines.push(` ${line.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** A whole synthetic corpus: the source, each split's text (PTB format) and its best possible perplexity. */
export function syntheticCorpus(
  options: SyntheticCorpusOptions & { readonly tokens?: Partial<Readonly<Record<'train' | 'valid' | 'test', number>>> } = {},
) {
  const source = syntheticSource(options);
  const sizes = { train: 5000, valid: 1000, test: 1000, ...options.tokens };
  const seed = options.seed ?? 0;
  const split = (name: 'train' | 'valid' | 'test', k: number) => {
    const ids = sampleTokens(source, sizes[name], mixSeed(seed, k));
    return {
      text: tokensToText(ids, source.words),
      optimalPerplexity: Math.exp(-logLikelihood(source, ids) / ids.length),
      tokens: ids.length,
    };
  };
  return { source, train: split('train', 1), valid: split('valid', 2), test: split('test', 3) };
}
