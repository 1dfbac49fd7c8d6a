/**
 * Training a recurrent genotype from scratch as a language model (lib/train/lm_train.ts): the
 * windows' lengths, the switch to averaged SGD, an evaluation end to end on the synthetic corpus
 * (its test perplexity near the source's own), a resumed training identical to an uninterrupted one,
 * no tensor left behind, and the command's references.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { syntheticCorpus } from '../../lib/data/synthetic_corpus';
import { loadCorpus } from '../../lib/problems/ptb/data';
import { ngramReference } from '../../lib/problems/ptb/ngram';
import { DARTS_V1_RECURRENT, DARTS_V2_RECURRENT } from '../../lib/spaces/recurrent';
import { resolveLmTrainConfig } from '../../lib/train/lm_config';
import { evaluateLmCommand, resolveRecurrentGenotype } from '../../lib/train/lm_evaluate_command';
import { ensureLmEvaluation, lmTrainWindows, startsAveraging } from '../../lib/train/lm_train';
import { withTempDir } from '../helpers';

describe('training a recurrent genotype as a language model (lib/train/lm_train.ts)', function () {
  this.timeout(300_000);

  it('draws the windows as the code: bptt or bptt / 2, then N(., std), at least 5 and at most bptt + delta, from (seed, epoch)', () => {
    const c = resolveLmTrainConfig('paper', { lengthStd: 5, halfBpttProb: 0.3 });
    const w = lmTrainWindows(2000, c, 4);
    assert.deepStrictEqual(lmTrainWindows(2000, c, 4), w);
    assert.notDeepStrictEqual(lmTrainWindows(2000, c, 5), w);
    for (let k = 1; k < w.length; k++) assert.strictEqual(w[k].start, w[k - 1].start + w[k - 1].drawn);
    assert.ok(w.every((x) => x.drawn >= 5 && x.drawn <= 55 && Number.isInteger(x.drawn)));
    assert.ok(w.some((x) => x.drawn < 25) && w.some((x) => x.drawn > 35), 'both the half and the full windows, jittered');
    const last = w[w.length - 1];
    assert.ok(last.start < 1998 && last.start + last.length <= 1999);
    // No jitter, no halves: windows of exactly bptt.
    const fixed = lmTrainWindows(100, resolveLmTrainConfig('paper', { lengthStd: 0, halfBpttProb: 0 }), 0);
    assert.deepStrictEqual(
      fixed.map((x) => x.drawn),
      [35, 35, 35],
    );
  });

  it('starts averaging once the validation loss exceeds the best of all but the last nonmono epochs', () => {
    assert.strictEqual(startsAveraging([5, 4, 3], 3.5, 3), false, 'needs more than nonmono earlier epochs');
    assert.strictEqual(startsAveraging([5, 4, 3, 2], 4.5, 3), false, 'not above the best before the last 3 (5)');
    assert.strictEqual(startsAveraging([5, 4, 3, 2], 5.5, 3), true);
    assert.strictEqual(startsAveraging([4, 5], 4.5, 1), true, 'above 4, the best before the last epoch');
    assert.strictEqual(startsAveraging([5, 4], 4.5, 1), false, 'below 5, the best before the last epoch');
  });

  it('trains and tests end to end near the source perplexity; a resumed training equals an uninterrupted one; no tensor is left', () =>
    withTempDir(async (root) => {
      // At lr 30 the validation loss at epoch 3 (4.953) exceeds the best before epoch 2 (4.934), so epochs 4 and 5 run averaged SGD.
      const config = resolveLmTrainConfig('smoke', { epochs: 6, nonmono: 1, lr: 30 });
      const before = tf.memory().numTensors;
      const whole = await ensureLmEvaluation(DARTS_V2_RECURRENT, config, 'DARTS_V2', { root: path.join(root, 'a') });
      assert.strictEqual(tf.memory().numTensors, before, 'no tensor left behind');
      assert.ok(whole.done);
      assert.strictEqual(whole.epochs.length, 6);
      assert.deepStrictEqual(
        whole.epochs.map((r) => r.averaged),
        [false, false, false, false, true, true],
      );
      // The averaging follows the rule epoch by epoch, whatever the losses did.
      let averaging = false;
      whole.epochs.forEach((r, e) => {
        assert.strictEqual(r.averaged, averaging, `epoch ${e}`);
        averaging ||= startsAveraging(
          whole.epochs.slice(0, e).map((x) => x.valid.loss),
          r.valid.loss,
          1,
        );
      });
      const best = whole.epochs.reduce((a, r) => (r.valid.loss < a.valid.loss ? r : a));
      assert.deepStrictEqual([whole.done.bestEpoch, whole.done.valid], [best.epoch, best.valid]);
      // No model beats the source that wrote the text by much; an untrained one is near the vocabulary size.
      const s = syntheticCorpus({ seed: 0, vocabulary: 200 });
      assert.ok(whole.done.test.perplexity > 0.9 * s.test.optimalPerplexity, `test perplexity ${whole.done.test.perplexity}`);
      assert.ok(whole.done.test.perplexity < 150, `test perplexity ${whole.done.test.perplexity}`);
      // The references are stored with the result: those of the corpus the evaluation read, and the network beats the unigram.
      const { corpus } = loadCorpus(config);
      assert.deepStrictEqual(whole.done.reference, ngramReference(corpus));
      assert.ok(
        whole.done.test.perplexity < whole.done.reference.unigram.test,
        `${whole.done.test.perplexity} vs unigram ${whole.done.reference.unigram.test}`,
      );
      const cut = await ensureLmEvaluation(DARTS_V2_RECURRENT, config, 'DARTS_V2', { root: path.join(root, 'b'), maxEpochs: 5 });
      assert.strictEqual(cut.done, undefined);
      assert.strictEqual(cut.epochs.length, 5);
      const resumed = await ensureLmEvaluation(DARTS_V2_RECURRENT, config, 'DARTS_V2', { root: path.join(root, 'b') });
      const strip = (f: typeof whole) => ({ ...f, epochs: f.epochs.map((r) => ({ ...r, seconds: 0 })), done: { ...f.done, seconds: 0 } });
      assert.deepStrictEqual(strip(resumed), strip(whole));
      assert.deepStrictEqual(fs.readdirSync(path.join(root, 'b', whole.id, 'checkpoint')), ['epoch-5.safetensors']);
      // Read back, not trained again.
      const again = await ensureLmEvaluation(DARTS_V2_RECURRENT, config, 'DARTS_V2', { root: path.join(root, 'a') });
      assert.deepStrictEqual(again, whole);
    }));

  it('stops on a diverged epoch, naming it, and keeps the stored ones', () =>
    withTempDir(async (root) => {
      const config = resolveLmTrainConfig('smoke', { epochs: 2, lr: 1e30 });
      await assert.rejects(ensureLmEvaluation(DARTS_V2_RECURRENT, config, 'DARTS_V2', { root }), /epoch 0 diverged .* lower the lr/);
    }));

  it('takes the evaluation config from a JSON file over the preset, naming a bad file or field and training nothing then', () =>
    withTempDir(async (root) => {
      const file = path.join(root, 'eval.json');
      fs.writeFileSync(file, JSON.stringify({ epochs: 1, size: 8 }));
      const out = path.join(root, 'evals');
      const r = await evaluateLmCommand('DARTS_V1', { preset: 'smoke', config: file, seed: 3, out });
      assert.deepStrictEqual(r.config, resolveLmTrainConfig('smoke', { epochs: 1, size: 8, seed: 3 }));
      assert.ok(r.done);
      fs.writeFileSync(file, JSON.stringify({ epochs: 1, sise: 8 }));
      await assert.rejects(evaluateLmCommand('DARTS_V1', { preset: 'smoke', config: file, out: path.join(root, 'other') }), /sise/);
      await assert.rejects(
        evaluateLmCommand('DARTS_V1', { preset: 'smoke', config: path.join(root, 'none.json') }),
        /none\.json does not exist/,
      );
      assert.ok(!fs.existsSync(path.join(root, 'other')), 'nothing written');
    }));

  it('evaluates a published cell by name and names what it cannot find', () => {
    assert.deepStrictEqual(resolveRecurrentGenotype('DARTS_V1'), { genotype: DARTS_V1_RECURRENT, source: 'DARTS_V1' });
    withTempDir((runs) => assert.throws(() => resolveRecurrentGenotype('abc123', runs), /no run "abc123"/));
  });
});
