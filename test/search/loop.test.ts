import * as assert from 'assert';
import { tf } from '../../lib/backend';
import type { SearchConfig } from '../../lib/config/search_config';
import { checkImplemented, cosineLr, createSearchState, disposeSearchState, epochAugment, searchData, searchEpoch } from '../../lib/search/loop';
import type { EpochRecord } from '../../lib/search/records';
import { fakeDataset, smokeConfig } from './fixtures';

/** Runs `epochs` epochs from scratch and returns the records without their timings. */
function run(config: SearchConfig, epochs: number): Omit<EpochRecord, 'seconds'>[] {
  const data = searchData(config, fakeDataset());
  const state = createSearchState(config, data);
  const out: Omit<EpochRecord, 'seconds'>[] = [];
  for (let e = 0; e < epochs; e++) {
    const { seconds, ...rest } = searchEpoch(config, data, state, e);
    assert.ok(seconds.search > 0);
    out.push(rest);
  }
  disposeSearchState(state);
  return out;
}

describe('cosineLr', () => {
  it("is PyTorch's CosineAnnealingLR: lrMax at epoch 0, the midpoint at half, towards lrMin", () => {
    assert.strictEqual(cosineLr(0, 50, 0.025, 0.001), 0.025);
    assert.ok(Math.abs(cosineLr(25, 50, 0.025, 0.001) - 0.013) < 1e-12);
    assert.ok(Math.abs(cosineLr(50, 50, 0.025, 0.001) - 0.001) < 1e-12);
  });
});

describe('searchEpoch', () => {
  it('records losses, accuracies, alphas, softmax weights and a genotype per epoch', () => {
    const config = smokeConfig();
    const [r0, r1] = run(config, 2);
    assert.deepStrictEqual([r0.epoch, r1.epoch, r0.steps], [0, 1, 3]);  // 24 weight images / batch 8
    assert.strictEqual(r0.lr, 0.025);
    assert.ok(r1.lr < r0.lr);
    for (const r of [r0, r1]) {
      assert.ok(Number.isFinite(r.train.loss) && r.valid.accuracy >= 0 && r.valid.accuracy <= 1);
      assert.strictEqual(r.alphas.normal.length, 14);
      for (const row of r.weights.reduce) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      assert.strictEqual(r.genotype.normal.length, 8);
    }
    assert.notDeepStrictEqual(r1.alphas, r0.alphas, 'the alphas moved');
  });

  it('is reproducible: the same seed gives identical records, another seed different ones', () => {
    const config = smokeConfig();
    assert.deepStrictEqual(run(config, 2), run(config, 2));
    assert.notDeepStrictEqual(run(smokeConfig({ seed: 9 }), 1)[0].alphas, run(config, 1)[0].alphas);
  });

  it('leaks no tensors across epochs (second order included)', () => {
    const config = smokeConfig({ order: 'second' });
    const data = searchData(config, fakeDataset());
    const state = createSearchState(config, data);
    searchEpoch(config, data, state, 0);
    const before = tf.memory().numTensors;
    searchEpoch(config, data, state, 1);
    assert.strictEqual(tf.memory().numTensors, before);
    disposeSearchState(state);
  });
});

describe('epochAugment', () => {
  it("raises Cutout's probability linearly from 0 at the first epoch to its maximum at the last (PAPER.md 4)", () => {
    const a = { pad: 4, flip: true, cutout: { length: 16, prob: 0.8 } };
    assert.strictEqual(epochAugment(a, 0, 5).cutout?.prob, 0);
    assert.strictEqual(epochAugment(a, 2, 5).cutout?.prob, 0.4);
    assert.strictEqual(epochAugment(a, 4, 5).cutout?.prob, 0.8);
    assert.strictEqual(epochAugment({ pad: 4, flip: true }, 3, 5).cutout, undefined);
  });
});

describe('checkImplemented', () => {
  it('refuses settings the loop does not carry out yet, naming each', () => {
    assert.throws(() => checkImplemented(smokeConfig({ earlyStop: 'adaptive', regularization: { dropPathProb: 0.2 } })),
      /not implemented yet: earlyStop=adaptive \(DARTS-ES \/ DARTS-ADA\); regularization\.dropPathProb=0\.2/);
    assert.throws(() => checkImplemented(smokeConfig({ hessian: { method: 'lanczos' } })), /hessian\.method=lanczos/);
    checkImplemented(smokeConfig());
  });
});

describe('searchEpoch on S4 (the noise op)', () => {
  it('records the same validation numbers in two identical runs (eval-mode noise is seeded)', () => {
    const config = smokeConfig({ space: 's4', epochs: 1 });
    assert.deepStrictEqual(run(config, 1)[0].valid, run(config, 1)[0].valid);
  });
});
