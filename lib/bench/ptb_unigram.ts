/**
 * The reference a language model must beat (results/ptb/README.md): the perplexity of a unigram
 * model of an evaluation preset's training tokens (add-a smoothed counts) on its validation and test
 * splits. A trained network at or above it has learned the word frequencies, not the context.
 * Usage: RDARTS_DATA=... npx tsx lib/bench/ptb_unigram.ts [PRESET=mini]
 */
import { loadCorpus } from '../problems/ptb/data';
import { resolveLmTrainConfig } from '../train/lm_config';

const preset = process.argv[2] ?? 'mini';
const { corpus, source } = loadCorpus(resolveLmTrainConfig(preset));
const V = corpus.vocabulary.length;
const counts = new Float64Array(V);
for (const t of corpus.train) counts[t] += 1;
const n = corpus.train.length;
for (const [split, tokens] of [
  ['valid', corpus.valid],
  ['test', corpus.test],
] as const) {
  for (const add of [0.1, 0.5]) {
    let nll = 0;
    for (const t of tokens) nll -= Math.log((counts[t] + add) / (n + add * V));
    const perplexity = Math.exp(nll / tokens.length);
    console.log(JSON.stringify({ preset, source, split, add, vocabulary: V, trainTokens: n, tokens: tokens.length, perplexity }));
  }
}
