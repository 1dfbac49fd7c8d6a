/**
 * The language-modelling search problem end to end through the generic search code: the BPTT
 * windows and their lr factors, the carried hidden states (which pass a stream goes on from), the
 * alphas' validation stream, epoch records with the recurrent genotype and the curvature, a resumed
 * run byte-identical to an uninterrupted one, no tensor left behind, the config's checks.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { batchify, bpttWindow, buildCorpus } from '../../lib/data/ptb';
import { measureCurvature } from '../../lib/hessian/track';
import { checkPtbConfig, PTB_CONFIG_CODEC, resolvePtbConfig } from '../../lib/problems/ptb/config';
import { loadCorpus, textSearchData, trainWindows } from '../../lib/problems/ptb/data';
import type { PassOptions } from '../../lib/nn/model';
import { RecurrentSearchModel } from '../../lib/problems/ptb/model';
import { problemCodecs, problemEntry } from '../../lib/problems/registry';
import { listRuns, readRun } from '../../lib/runs/store';
import { runSearch } from '../../lib/search/run';
import { weightStep } from '../../lib/search/step';
import { Sgd } from '../../lib/nn/optim';
import { checkRecurrentGenotype, deriveRecurrentGenotype } from '../../lib/spaces/recurrent';
import { assertNoTensorLeak, withTempDir } from '../helpers';

/** A small smoke search: 1,200 training tokens in 8 streams (150 rows, 15 windows of 10). */
const config = (over: object = {}) => resolvePtbConfig('smoke', { trainTokens: 1200, epochs: 3, ...over });

/** A corpus whose valid split is shorter than train, so the alphas' window row wraps around. */
const corpus = () => {
  const words = (n: number, k: number) => Array.from({ length: n }, (_, i) => `w${(i * k) % 13}`).join(' ');
  return buildCorpus({ train: ` ${words(95, 5)}\n`, valid: ` ${words(31, 3)}\n`, test: ` ${words(11, 2)}\n` });
};

const small = { batchSize: 3, evalBatchSize: 2, bptt: 4, halfBpttProb: 0.5, size: 4 };
const plan = { epoch: 0, epochs: 1, batchSize: 3, seed: 7 };

describe('the language-modelling search problem (lib/problems/ptb)', function () {
  this.timeout(300_000);

  it('walks the training streams in windows of bptt or floor(bptt / 2) drawn from (seed, epoch), the last cut short', () => {
    const w = trainWindows(100, 10, 0.3, 5, 2);
    assert.deepStrictEqual(trainWindows(100, 10, 0.3, 5, 2), w);
    assert.notDeepStrictEqual(trainWindows(100, 10, 0.3, 5, 3), w);
    for (let k = 1; k < w.length; k++) assert.ok(w[k].start === w[k - 1].start + w[k - 1].length);
    assert.ok(w.slice(0, -1).every((x) => x.length === 10 || x.length === 5));
    assert.ok(
      w.some((x) => x.length === 5),
      'some half windows at probability 0.3',
    );
    const last = w[w.length - 1];
    // As the code's `while i < rows - 2`: the windows stop once fewer than two rows are left.
    assert.ok(last.start < 98 && last.start + last.length >= 98 && last.start + last.length <= 99);
    assert.deepStrictEqual(trainWindows(23, 10, 0, 0, 0), [
      { start: 0, length: 10, drawn: 10 },
      { start: 10, length: 10, drawn: 10 },
      { start: 20, length: 2, drawn: 10 },
    ]);
    assert.ok(
      trainWindows(40, 9, 1, 0, 0)
        .slice(0, -1)
        .every((x) => x.length === 4),
    );
  });

  it('carries each stream from the last pass on its window that kept the alphas; the alphas follow the training rows on the validation streams', async () => {
    const c = corpus();
    const data = textSearchData(small, c);
    const model = new RecurrentSearchModel(c.vocabulary.length, { ...resolvePtbConfig('smoke'), size: 4 });
    const train = batchify(c.train, 3);
    const valid = batchify(c.valid, 3);
    const ids = (t: tf.Tensor) => [...t.dataSync()];
    const stateOf = (b: { state: { current(): tf.Tensor } }) => {
      const t = b.state.current();
      const v = ids(t);
      t.dispose();
      return v;
    };
    const sgd = new Sgd(model.weights, { momentum: 0, weightDecay: 0 });
    try {
      const windows = trainWindows(train.rows, 4, 0.5, 7, 0);
      const it = data.weightBatches(plan)[Symbol.iterator]();
      let lastOut: number[] = [];
      let lastValid: number[] = [];
      for (let k = 0; k < windows.length; k++) {
        const w = it.next().value!;
        const expected = bpttWindow(train, windows[k].start, windows[k].length);
        assert.deepStrictEqual([ids(w.inputs), ids(w.targets)], [[...expected.inputs], [...expected.targets]]);
        // The drawn length, also for the last window cut short (the code sets the lr before cutting).
        assert.strictEqual(data.lrScale!(w), windows[k].drawn / 4);
        // The window starts where the last pass that kept the alphas left its stream (zeros first).
        assert.deepStrictEqual(ids(w.h0), k === 0 ? new Array(12).fill(0) : lastOut);
        const a = data.alphaBatch(plan, k);
        const av = bpttWindow(valid, windows[k].start % (valid.rows - 1), 4);
        assert.deepStrictEqual(ids(a.inputs), [...av.inputs]);
        assert.deepStrictEqual(ids(a.h0), k === 0 ? new Array(12).fill(0) : lastValid);
        // An alpha pass, a curvature-like pass (alphas substituted: carries nothing), a weight pass.
        tf.tidy(() => {
          model.loss(a, { training: true, seed: 1 });
        });
        lastValid = stateOf(a);
        tf.tidy(() => {
          model.loss(w, { training: true, seed: 9, alphas: new Map([['alphas', tf.zeros([36, 5])]]) });
        });
        assert.deepStrictEqual(stateOf(w), ids(w.h0), 'a pass with substituted alphas leaves the stream');
        const step = weightStep(model, sgd, w, { lr: 0.1, gradClip: 0.25, seed: 3 });
        assert.ok(Number.isFinite(step.loss));
        lastOut = stateOf(w);
        assert.notDeepStrictEqual(lastOut, ids(w.h0));
        data.dispose(a);
        data.dispose(w);
      }
      assert.ok(it.next().done);
      assert.strictEqual(data.steps(plan), windows.length);
      // A new epoch starts every stream from zeros again.
      const [first] = data.weightBatches({ ...plan, epoch: 1 });
      assert.ok(ids(first.h0).every((v) => v === 0));
      data.dispose(first);
      // The evaluation walks the validation split in evalBatchSize streams, every token once.
      let tokens = 0;
      for (const b of data.evalBatches(3)) {
        tokens += model.examples(b);
        data.dispose(b);
      }
      assert.strictEqual(tokens, data.alphaExamples);
      assert.strictEqual(data.alphaExamples, (Math.floor(c.valid.length / 2) - 1) * 2);
    } finally {
      sgd.dispose();
      model.dispose();
      data.release?.();
    }
  });

  it("leaves the alphas' stream where it was when the curvature is measured on its window (every pass substitutes the alphas)", async () => {
    const c = corpus();
    const data = textSearchData(small, c);
    const model = new RecurrentSearchModel(c.vocabulary.length, { ...resolvePtbConfig('smoke'), size: 4 });
    const [w] = data.weightBatches(plan);
    const a = data.alphaBatch(plan, 0);
    try {
      const state = () => {
        const t = a.state.current();
        const v = [...t.dataSync()];
        t.dispose();
        return v;
      };
      const before = state();
      const h = await measureCurvature(model, a, { method: 'lanczos', maxProducts: 3, seed: 1 });
      assert.ok(Number.isFinite(h.dominantEigenvalue));
      assert.deepStrictEqual(state(), before);
    } finally {
      data.dispose(w);
      data.dispose(a);
      model.dispose();
      data.release?.();
    }
  });

  it("measures the curvature with dropout off where hessian.passes is 'eval': no masks, whatever the seed, as the eval-mode loss", async () => {
    const c = corpus();
    const data = textSearchData(small, c);
    const model = new RecurrentSearchModel(c.vocabulary.length, { ...resolvePtbConfig('smoke'), size: 4 });
    const a = data.alphaBatch(plan, 0);
    try {
      const before = tf.memory().numTensors;
      // A fixed start, so that the seed reaches only the loss's random draws.
      const start = Array.from({ length: 180 }, (_, i) => Math.cos(i));
      const settings = { method: 'lanczos', maxProducts: 6, tolerance: 0, start, seed: 1, step: 3e-4 } as const;
      const eval1 = await measureCurvature(model, a, { ...settings, passes: 'eval' });
      const eval2 = await measureCurvature(model, a, { ...settings, seed: 2, passes: 'eval' });
      const train1 = await measureCurvature(model, a, settings);
      const train2 = await measureCurvature(model, a, { ...settings, seed: 2 });
      assert.strictEqual(tf.memory().numTensors, before);
      assert.strictEqual(eval1.passes, 'eval');
      assert.strictEqual(train1.passes, undefined, 'training-mode records are as before');
      assert.deepStrictEqual(
        [eval2.dominantEigenvalue, eval2.vector],
        [eval1.dominantEigenvalue, eval1.vector],
        'no random draw in eval mode',
      );
      assert.notDeepStrictEqual(
        [train2.dominantEigenvalue, train2.vector],
        [train1.dominantEigenvalue, train1.vector],
        'the masks follow the seed in training mode',
      );
      // An independent route to the same function: the model's loss forced into eval mode.
      const evalOnly = {
        alphaParams: model.alphaParams,
        examples: (b: typeof a) => model.examples(b),
        loss: (b: typeof a, o: PassOptions) => model.loss(b, { ...o, training: false }),
      };
      const forced = await measureCurvature(evalOnly, a, settings);
      assert.deepStrictEqual([forced.dominantEigenvalue, forced.vector], [eval1.dominantEigenvalue, eval1.vector]);
      assert.notDeepStrictEqual([train1.dominantEigenvalue, train1.vector], [eval1.dominantEigenvalue, eval1.vector]);
    } finally {
      data.dispose(a);
      model.dispose();
      data.release?.();
    }
  });

  it('draws its masks from the pass seed (equal seeds, equal losses), none in eval mode, and scores the alphas by the NLL alone', () => {
    const c = corpus();
    const data = textSearchData(small, c);
    const cfg = { ...resolvePtbConfig('smoke'), size: 4, tarBeta: 0.5 };
    const model = new RecurrentSearchModel(c.vocabulary.length, cfg);
    try {
      const [w] = data.weightBatches(plan);
      const a = data.alphaBatch(plan, 0);
      const loss = (b: typeof w, training: boolean, seed: number) =>
        tf.tidy(
          () => model.loss(b, { training, seed, alphas: new Map([['alphas', model.alphaParams.get('alphas')!]]) }).loss.dataSync()[0],
        );
      assert.strictEqual(loss(w, true, 1), loss(w, true, 1));
      assert.notStrictEqual(loss(w, true, 1), loss(w, true, 2));
      assert.strictEqual(loss(w, false, 1), loss(w, false, 2));
      // The same window scored as the alphas' stream: no TAR, so a lower loss at beta 0.5.
      const asValid = { ...w, stream: 'valid' as const };
      assert.ok(loss(asValid, false, 0) < loss(w, false, 0));
      data.dispose(w);
      data.dispose(a);
    } finally {
      model.dispose();
      data.release?.();
    }
  });

  it('searches end to end through the registry: recurrent genotypes, the curvature, and a resumed run byte-identical to an uninterrupted one', () =>
    withTempDir(async (root) => {
      const problem = () => problemEntry('ptb').problem('smoke', { trainTokens: 1200, epochs: 3 } as object, 'test');
      const before = tf.memory().numTensors;
      const whole = await runSearch(problem(), { root: path.join(root, 'a'), progress: 'off' });
      assert.strictEqual(tf.memory().numTensors, before, 'a whole search leaves no tensor behind');
      assert.strictEqual(whole.status, 'started');
      const { run } = whole;
      assert.strictEqual(run.epochs.length, 3);
      for (const r of run.epochs) {
        const rec = r as unknown as { alphas: number[][]; weights: number[][]; genotype: ReturnType<typeof deriveRecurrentGenotype> };
        assert.strictEqual(rec.alphas.length, 36);
        checkRecurrentGenotype(rec.genotype);
        assert.deepStrictEqual(rec.genotype, deriveRecurrentGenotype(rec.weights));
        assert.ok(Number.isFinite(r.valid.loss) && r.valid.loss > 0);
        assert.ok(r.hessian && Number.isFinite(r.hessian.dominantEigenvalue), 'the curvature every epoch at smoke');
        assert.strictEqual(r.hessian.vector.length, 180);
        assert.strictEqual(r.hessian.passes, 'eval', "the reduced presets' hessian.passes reaches the measurement");
      }
      const stored = JSON.parse(fs.readFileSync(path.join(run.dir, 'config.json'), 'utf8'));
      assert.strictEqual(stored.config.problem, 'ptb');
      assert.match(stored.data, /synthetic corpus \(seed 0, 200 words; the source's own perplexity: valid [\d.]+, test [\d.]+\)/);
      assert.strictEqual(readRun(run.dir, PTB_CONFIG_CODEC).epochs.length, 3);
      assert.deepStrictEqual(
        listRuns(root + '/a', problemCodecs()).map((r) => [r.problem, r.status, r.epochs]),
        [['ptb', 'done', 3]],
      );
      const cut = await runSearch(problem(), { root: path.join(root, 'b'), progress: 'off', maxEpochs: 1 });
      assert.strictEqual(cut.status, 'interrupted');
      const resumed = await runSearch(problem(), { root: path.join(root, 'b'), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      const epochs = (dir: string) => fs.readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(epochs(resumed.run.dir), epochs(run.dir));
    }));

  it('searches at second order (the unrolled step clipped as the DARTS rnn code, test/problems/recurrent_unrolled_torch.test.ts), leaving no tensor behind', () =>
    withTempDir(async (root) => {
      const problem = problemEntry('ptb').problem('smoke', { trainTokens: 800, epochs: 1, order: 'second' } as object, 'test');
      assert.strictEqual(problem.unrolledClip, 0.25, "the weights' clip of the recipe");
      const before = tf.memory().numTensors;
      const { run } = await runSearch(problem, { root, progress: 'off' });
      assert.strictEqual(tf.memory().numTensors, before);
      assert.strictEqual(run.config.order, 'second');
      const first = await runSearch(problemEntry('ptb').problem('smoke', { trainTokens: 800, epochs: 1 } as object, 'test'), {
        root,
        progress: 'off',
      });
      const [a, b] = [run.epochs[0], first.run.epochs[0]] as unknown as {
        search: { loss: number };
        valid: { loss: number };
        alphas: number[][];
      }[];
      assert.ok(Number.isFinite(a.search.loss) && Number.isFinite(a.valid.loss));
      assert.notDeepStrictEqual(a.alphas, b.alphas, 'the second-order step moves the alphas otherwise than the first');
    }));

  it('keeps no tensors across passes and gradients', async () => {
    const c = corpus();
    const data = textSearchData(small, c);
    const model = new RecurrentSearchModel(c.vocabulary.length, { ...resolvePtbConfig('smoke'), size: 4 });
    const [w] = data.weightBatches(plan);
    try {
      await assertNoTensorLeak(() =>
        tf.tidy(() => {
          tf.variableGrads(
            () => model.loss(w, { training: true, seed: 1 }).loss,
            [...model.weights.values(), ...model.alphaParams.values()],
          );
        }),
      );
    } finally {
      data.dispose(w);
      model.dispose();
      data.release?.();
    }
  });

  it('validates its config, naming the field; a corpus of another source replaces the preset corpus whole', () => {
    assert.throws(
      () => resolvePtbConfig('smoke', { regularization: { dropPathProb: 0.2 } }),
      /regularization\.dropPathProb: the recurrent cell has no drop path/,
    );
    assert.throws(() => resolvePtbConfig('smoke', { dropout: { output: 1 } }), /dropout\.output: must be in \[0, 1\)/);
    assert.throws(() => resolvePtbConfig('smoke', { hessian: { passes: 'test' } }), /hessian\.passes/);
    assert.throws(() => resolvePtbConfig('smoke', { corpus: { source: 'ptb', folder: '' } }), /corpus\.folder: must name a folder/);
    assert.throws(() => checkPtbConfig({ ...resolvePtbConfig('smoke'), bptt: 1 }), /bptt: must be >= 2/);
    assert.throws(() => resolvePtbConfig('smoke', { evalBatchSize: 1 }), /evalBatchSize: must be >= 2 \(batch normalisation/);
    const c = resolvePtbConfig('smoke', { corpus: { source: 'ptb-resplit', folder: 'ptb', every: 10 } });
    assert.deepStrictEqual(c.corpus, { source: 'ptb-resplit', folder: 'ptb', every: 10 });
    assert.deepStrictEqual(resolvePtbConfig('smoke', { corpus: { words: 50 } }).corpus.source, 'synthetic');
    assert.throws(() => loadCorpus({ ...c, corpus: { source: 'ptb', folder: '/nonexistent/ptb' } }), /text corpus .*not found/);
    assert.throws(
      () => loadCorpus({ ...resolvePtbConfig('smoke'), trainTokens: 10 ** 6 }),
      /trainTokens=1000000 exceeds the \d+ training tokens/,
    );
    // The paper preset is the DARTS code's search recipe.
    const p = resolvePtbConfig('paper');
    assert.deepStrictEqual(
      [p.size, p.batchSize, p.evalBatchSize, p.bptt, p.halfBpttProb, p.epochs, p.tarBeta, p.seed, p.order],
      [300, 256, 10, 35, 0.05, 50, 1e-3, 3, 'first'],
    );
    assert.deepStrictEqual(p.dropout, { output: 0.75, hidden: 0.25, x: 0.75, input: 0.2, embedding: 0 });
    assert.deepStrictEqual(p.weightOptimizer, { lrMax: 20, lrMin: 20, momentum: 0, gradClip: 0.25 });
    assert.deepStrictEqual(p.alphaOptimizer, { lr: 3e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-3 });
    assert.strictEqual(p.regularization.l2, 5e-7);
    assert.strictEqual(PTB_CONFIG_CODEC.id(config()), PTB_CONFIG_CODEC.id(config({ report: { progress: 'bar' } })));
  });
});
