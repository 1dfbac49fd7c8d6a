/**
 * The references a trained language model must beat (docs/method.md §9), counted from the training
 * tokens alone:
 *   unigram: p(w) = (count(w) + a) / (n + a V), add-a smoothing (a = 0.1): a model that knows the
 *            word frequencies and no context;
 *   bigram:  lambda p(w | previous) + (1 - lambda) p_unigram(w), p(w | previous) the maximum
 *            likelihood estimate; after a previous word never seen before another, the unigram
 *            alone (so that every context's probabilities sum to 1); lambda picked on the
 *            validation split from a fixed grid: one word of context, no learning.
 * A network at the unigram's perplexity has learnt the frequencies only (its cell is not being
 * measured); one below the bigram's uses more context than a count table of one word.
 */
import type { TextCorpus } from '../../data/ptb';

/** The add-a smoothing of the unigram reference. */
export const UNIGRAM_ADD = 0.1;
/** The bigram's interpolation weights tried, the best on the validation split kept. */
export const BIGRAM_LAMBDAS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Validation and test perplexity of one reference. */
export interface ReferencePerplexity {
  readonly valid: number;
  readonly test: number;
}

export interface NgramReference {
  readonly trainTokens: number;
  readonly unigram: ReferencePerplexity & { readonly add: number };
  readonly bigram: ReferencePerplexity & { readonly lambda: number };
}

/** What both references are counted from: the training tokens' word, previous-word and pair counts. */
export interface NgramCounts {
  readonly vocabulary: number;
  /** Training tokens. */
  readonly n: number;
  readonly words: Float64Array;
  /** How often each word is the previous word of a pair (its count, less one if it ends the tokens). */
  readonly previous: Float64Array;
  /** Pair counts keyed previous * vocabulary + next. */
  readonly pairs: ReadonlyMap<number, number>;
  /** The add-a smoothing of the unigram. */
  readonly add: number;
}

/** The counts of `train` over a vocabulary of `vocabulary` words, made once for every score. */
export function ngramCounts(train: ArrayLike<number>, vocabulary: number, add = UNIGRAM_ADD): NgramCounts {
  const words = new Float64Array(vocabulary);
  const previous = new Float64Array(vocabulary);
  const pairs = new Map<number, number>();
  for (let i = 0; i < train.length; i++) {
    words[train[i]] += 1;
    if (i === 0) continue;
    const key = train[i - 1] * vocabulary + train[i];
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    previous[train[i - 1]] += 1;
  }
  return { vocabulary, n: train.length, words, previous, pairs, add };
}

/** The unigram's p(w) (file header). */
function unigramProbability(c: NgramCounts, w: number): number {
  return (c.words[w] + c.add) / (c.n + c.add * c.vocabulary);
}

/** Perplexity of the add-a unigram model of `counts` on `tokens` (every token scored). */
export function unigramPerplexity(counts: NgramCounts, tokens: ArrayLike<number>): number {
  if (tokens.length < 1) throw new Error('unigramPerplexity: needs at least 1 token');
  let nll = 0;
  for (let i = 0; i < tokens.length; i++) nll -= Math.log(unigramProbability(counts, tokens[i]));
  return Math.exp(nll / tokens.length);
}

/**
 * Perplexity of the bigram interpolated with the unigram, at weight `lambda`, on `tokens` from
 * their second (the first has no previous word); the unigram alone after a word never seen as a
 * previous word in the training tokens.
 */
export function bigramPerplexity(counts: NgramCounts, tokens: ArrayLike<number>, lambda: number): number {
  if (!(lambda >= 0 && lambda < 1)) throw new Error(`bigramPerplexity: lambda ${lambda} must be in [0, 1)`);
  if (tokens.length < 2) throw new Error('bigramPerplexity: needs at least 2 tokens');
  const { previous, pairs, vocabulary } = counts;
  let nll = 0;
  for (let i = 1; i < tokens.length; i++) {
    const [a, b] = [tokens[i - 1], tokens[i]];
    const unigram = unigramProbability(counts, b);
    nll -= Math.log(previous[a] > 0 ? (lambda * (pairs.get(a * vocabulary + b) ?? 0)) / previous[a] + (1 - lambda) * unigram : unigram);
  }
  return Math.exp(nll / (tokens.length - 1));
}

/** Both references of `corpus` (file header): its training tokens, scored on its validation and test splits. */
export function ngramReference(corpus: Pick<TextCorpus, 'train' | 'valid' | 'test' | 'vocabulary'>): NgramReference {
  const { train, valid, test } = corpus;
  const counts = ngramCounts(train, corpus.vocabulary.length);
  let lambda = BIGRAM_LAMBDAS[0];
  let best = Infinity;
  for (const l of BIGRAM_LAMBDAS) {
    const p = bigramPerplexity(counts, valid, l);
    if (p < best) [best, lambda] = [p, l];
  }
  return {
    trainTokens: train.length,
    unigram: { add: counts.add, valid: unigramPerplexity(counts, valid), test: unigramPerplexity(counts, test) },
    bigram: { lambda, valid: best, test: bigramPerplexity(counts, test, lambda) },
  };
}
