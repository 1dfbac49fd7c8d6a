/**
 * The references a language model must beat (results/ptb/README.md; lib/problems/ptb/ngram.ts): the
 * unigram and interpolated bigram models of an evaluation preset's training tokens, scored on its
 * validation and test splits, as one JSON line. Every evaluation stores the same numbers with its
 * result; this prints them without training.
 * Usage: RDARTS_DATA=... npx tsx lib/bench/ptb_reference.ts [PRESET=mini]
 */
import { loadCorpus } from '../problems/ptb/data';
import { ngramReference } from '../problems/ptb/ngram';
import { resolveLmTrainConfig } from '../train/lm_config';

const preset = process.argv[2] ?? 'mini';
const { corpus, source } = loadCorpus(resolveLmTrainConfig(preset));
console.log(
  JSON.stringify({
    preset,
    source,
    vocabulary: corpus.vocabulary.length,
    validTokens: corpus.valid.length,
    testTokens: corpus.test.length,
    ...ngramReference(corpus),
  }),
);
