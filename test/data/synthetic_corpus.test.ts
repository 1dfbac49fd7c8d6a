import * as assert from 'assert';
import { buildCorpus, EOS } from '../../lib/data/ptb';
import { logLikelihood, sampleTokens, syntheticCorpus, syntheticSource, tokensToText } from '../../lib/data/synthetic_corpus';

/** p(ids) by enumerating every path of states and every topic of every sentence: the model's definition, term by term. */
function bruteForce(src: ReturnType<typeof syntheticSource>, ids: number[]): number {
  const { words, states: S, topics: T, topicSwitch, start, transition, eos, emission } = src;
  const sentences = ids.filter((x) => x === words).length + (ids[ids.length - 1] === words ? 0 : 1);
  let total = 0;
  const n = ids.length;
  for (let code = 0; code < S ** n; code++) {
    const s = Array.from({ length: n }, (_, t) => Math.floor(code / S ** t) % S);
    for (let zc = 0; zc < T ** sentences; zc++) {
      const z = Array.from({ length: sentences }, (_, k) => Math.floor(zc / T ** k) % T);
      let p = 1 / T;
      for (let k = 1; k < sentences; k++) p *= (1 - topicSwitch) * (z[k] === z[k - 1] ? 1 : 0) + topicSwitch / T;
      let sentence = 0;
      for (let t = 0; t < n; t++) {
        const newSentence = t === 0 || ids[t - 1] === words;
        p *= newSentence ? start[s[t]] : transition[s[t - 1] * S + s[t]];
        const x = ids[t];
        p *= x === words ? eos[s[t]] : (1 - eos[s[t]]) * emission[(s[t] * T + z[sentence]) * words + x];
        if (x === words) sentence++;
      }
      total += p;
    }
  }
  return total;
}

describe('the synthetic corpus with a known best perplexity (lib/data/synthetic_corpus.ts)', () => {
  it("computes each sequence's likelihood as the sum over every hidden path (forward algorithm against enumeration)", () => {
    const src = syntheticSource({ seed: 3, vocabulary: 4, states: 2, topics: 2, topicSwitch: 0.3, sentenceLength: 3 });
    for (const ids of [
      [0, 1, 4, 2, 4, 3],
      [4, 4, 1],
      [2, 3, 1, 0, 4],
    ]) {
      const forward = logLikelihood(src, Int32Array.from(ids));
      assert.ok(Math.abs(forward - Math.log(bruteForce(src, ids))) < 1e-12, `${ids}: ${forward}`);
    }
  });

  it('is the same text for the same seed, reads back through the PTB loader token for token', () => {
    const a = syntheticCorpus({ seed: 1, tokens: { train: 600, valid: 200, test: 200 } });
    const b = syntheticCorpus({ seed: 1, tokens: { train: 600, valid: 200, test: 200 } });
    assert.strictEqual(a.train.text, b.train.text);
    assert.notStrictEqual(a.train.text, syntheticCorpus({ seed: 2, tokens: { train: 600 } }).train.text);
    const ids = sampleTokens(a.source, 300, 9);
    const corpus = buildCorpus({ train: tokensToText(ids, a.source.words), valid: '', test: '' });
    assert.deepStrictEqual(
      [...corpus.train].map((i) => corpus.vocabulary[i]),
      [...ids].map((x) => (x === a.source.words ? EOS : `w${x}`)),
    );
  });

  it('has a best perplexity below what a unigram model fitted on the training split achieves', () => {
    const c = syntheticCorpus({ seed: 0, tokens: { train: 20000, test: 5000 } });
    const corpus = buildCorpus({ train: c.train.text, valid: '', test: c.test.text });
    const counts = new Float64Array(corpus.vocabulary.length).fill(0.5); // add-half smoothing
    for (const i of corpus.train) counts[i]++;
    const total = counts.reduce((x, y) => x + y, 0);
    const unigram = Math.exp(-corpus.test.reduce((sum, i) => sum + Math.log(counts[i] / total), 0) / corpus.test.length);
    assert.ok(c.test.optimalPerplexity > 1 && c.test.optimalPerplexity < unigram, `best ${c.test.optimalPerplexity}, unigram ${unigram}`);
    assert.strictEqual(corpus.test.length, c.test.tokens);
  });

  it('names a bad setting', () => {
    assert.throws(() => syntheticSource({ vocabulary: 2 }), /vocabulary must be an integer >= 4/);
    assert.throws(() => syntheticSource({ topicSwitch: 2 }), /topicSwitch must be in \[0, 1\]/);
  });
});
