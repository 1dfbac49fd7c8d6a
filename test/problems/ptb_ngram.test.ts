/**
 * The n-gram references of a language model (lib/problems/ptb/ngram.ts) against closed forms on a
 * corpus small enough to count by hand, and the choice of the bigram's weight on the validation split.
 */
import * as assert from 'assert';
import { bigramPerplexity, BIGRAM_LAMBDAS, ngramCounts, ngramReference, unigramPerplexity } from '../../lib/problems/ptb/ngram';

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('the n-gram references of a language model (lib/problems/ptb/ngram.ts)', () => {
  // Three words; counts 2, 2, 1 of 5; pairs 0->1 twice, 1->0 once, 1->2 once.
  const train = Int32Array.from([0, 1, 0, 1, 2]);
  const counts = ngramCounts(train, 3);

  it('scores the add-a unigram by its closed form', () => {
    // p(0) = p(1) = 2.1 / 5.3, p(2) = 1.1 / 5.3.
    close(unigramPerplexity(counts, [0, 1]), 5.3 / 2.1, 'two frequent words');
    close(unigramPerplexity(counts, [0, 2]), Math.sqrt((5.3 / 2.1) * (5.3 / 1.1)), 'a frequent and a rare word');
    close(unigramPerplexity(ngramCounts(train, 3, 1), [2]), 8 / 2, 'add 1: (1 + 1) / (5 + 3)');
  });

  it('scores the interpolated bigram by its closed form, from the second token', () => {
    const u = (c: number) => (c + 0.1) / 5.3;
    // 0 -> 1: conditional 1 (both pairs after 0 go to 1); 1 -> 2: conditional 1/2; 2 was never a previous word: the unigram alone.
    for (const lambda of [0, 0.3, 0.9]) {
      const p = [lambda * 1 + (1 - lambda) * u(2), lambda * 0.5 + (1 - lambda) * u(1), u(2)];
      close(bigramPerplexity(counts, [0, 1, 2, 0], lambda), Math.exp(-p.reduce((s, x) => s + Math.log(x), 0) / 3), `lambda ${lambda}`);
    }
    close(bigramPerplexity(counts, [2, 1], 0), unigramPerplexity(counts, [1]), 'lambda 0 is the unigram');
    assert.throws(() => bigramPerplexity(counts, [0, 1], 1), /lambda 1 must be in \[0, 1\)/);
    assert.throws(() => bigramPerplexity(counts, [0], 0.5), /at least 2 tokens/);
    assert.throws(() => unigramPerplexity(counts, []), /at least 1 token/);
    // A word's count as a previous word is not its count: in 0 1 2 1, word 1 occurs twice but precedes a word once (1 -> 2).
    const other = Int32Array.from([0, 1, 2, 1]);
    const v = (c: number) => (c + 0.1) / 4.3;
    close(
      bigramPerplexity(ngramCounts(other, 3), [1, 2], 0.5),
      1 / (0.5 * 1 + 0.5 * v(1)),
      'the conditional divides by the previous-word count',
    );
  });

  it('picks the bigram weight on the validation split and reports both splits', () => {
    const corpus = { vocabulary: ['a', 'b', 'c'], train, valid: Int32Array.from([0, 1, 0, 1]), test: Int32Array.from([1, 2, 1, 0]) };
    const r = ngramReference(corpus);
    const onValid = BIGRAM_LAMBDAS.map((l) => bigramPerplexity(counts, corpus.valid, l));
    assert.strictEqual(r.bigram.lambda, BIGRAM_LAMBDAS[onValid.indexOf(Math.min(...onValid))]);
    // Validation text that follows the training pairs exactly: the largest weight wins.
    assert.strictEqual(r.bigram.lambda, BIGRAM_LAMBDAS[BIGRAM_LAMBDAS.length - 1]);
    close(r.bigram.valid, Math.min(...onValid), 'valid');
    close(r.bigram.test, bigramPerplexity(counts, corpus.test, r.bigram.lambda), 'test');
    close(r.unigram.test, unigramPerplexity(counts, corpus.test), 'unigram test');
    assert.strictEqual(r.trainTokens, 5);
    // The counts: words, previous words (the last token precedes nothing) and pairs.
    assert.deepStrictEqual([...counts.words], [2, 2, 1]);
    assert.deepStrictEqual([...counts.previous], [2, 2, 0]);
    assert.deepStrictEqual(
      [...counts.pairs].sort(([a], [b]) => a - b),
      [
        [1, 2],
        [3, 1],
        [5, 1],
      ],
    );
  });
});
