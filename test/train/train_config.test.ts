import * as assert from 'assert';
import { PRESETS } from '../../lib/config/preset';
import {
  checkTrainConfig,
  DEFAULT_TRAIN_CONFIG,
  resolveTrainConfig,
  TRAIN_PRESET_RUNTIME,
  TRAIN_PRESETS,
  TrainConfigError,
} from '../../lib/train/train_config';

describe('TRAIN_PRESETS', () => {
  it('has a valid config and a run time for every preset name', () => {
    for (const name of PRESETS) {
      assert.deepStrictEqual(checkTrainConfig(TRAIN_PRESETS[name], name), TRAIN_PRESETS[name]);
      assert.match(TRAIN_PRESET_RUNTIME[name], /\d/);
    }
  });

  it('paper is the default, with the settings of docs/method.md §5', () => {
    const c = TRAIN_PRESETS.paper;
    assert.strictEqual(c, DEFAULT_TRAIN_CONFIG);
    assert.deepStrictEqual(
      [c.dataset, c.layers, c.C, c.epochs, c.batchSize, c.lrMax, c.lrMin, c.momentum, c.weightDecay, c.gradClip],
      ['cifar10', 20, 36, 600, 96, 0.025, 0, 0.9, 3e-4, 5],
    );
    assert.deepStrictEqual([c.auxiliaryWeight, c.dropPathProb, c.cutout], [0.4, 0.2, { length: 16, prob: 1 }]);
    assert.deepStrictEqual([c.trainSubset, c.testSubset, c.epochTestSubset], [null, null, null]);
  });

  it("scales smoke, quick and mini down on Fashion-MNIST, keeping the paper's optimiser and regularisers", () => {
    for (const name of ['smoke', 'quick', 'mini'] as const) {
      const c = TRAIN_PRESETS[name];
      assert.strictEqual(c.dataset, 'fashion-mnist');
      // Cutout 14 on 28 x 28: the quarter of the image that 16 is on 32 x 32.
      assert.deepStrictEqual([c.lrMax, c.auxiliaryWeight, c.dropPathProb, c.cutout], [0.025, 0.4, 0.2, { length: 14, prob: 1 }]);
    }
    assert.deepStrictEqual([TRAIN_PRESETS.mini.layers, TRAIN_PRESETS.mini.C], [8, 16]);
  });

  it('is deeply frozen', () => {
    assert.throws(() => {
      // @ts-expect-error the config is readonly
      TRAIN_PRESETS.mini.cutout.length = 1;
    }, TypeError);
  });
});

describe('checkTrainConfig', () => {
  const bad = (overrides: Record<string, unknown>) => () => checkTrainConfig({ ...TRAIN_PRESETS.smoke, ...overrides }, 'test');

  it('names the field of each problem', () => {
    assert.throws(bad({ batchSize: 0 }), /evaluation config \(test\): batchSize: must be a positive integer, got 0/);
    assert.throws(bad({ dataset: 'mnist' }), /dataset: must be one of fashion-mnist, cifar10, cifar100, svhn, cifar10-jpeg, got "mnist"/);
    assert.throws(bad({ cutout: { length: 16 } }), /cutout\.prob: required/);
    assert.throws(bad({ dropPathProb: 1 }), /dropPathProb: must be in \[0, 1\)/);
    assert.throws(bad({ lrMin: 1 }), /lrMin: must be <= lrMax \(0.025\)/);
    assert.throws(bad({ layers: 1 }), /auxiliaryWeight: needs layers >= 2/);
    assert.throws(bad({ epochTestSubset: 65 }), /epochTestSubset: must be <= testSubset \(64\)/);
    assert.throws(bad({ l2: 3e-4 }), /unknown key "l2"/);
    assert.throws(bad({ seed: undefined }), /seed: required/);
  });

  it('lists every problem at once', () => {
    try {
      bad({ epochs: -1, C: 1.5 })();
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof TrainConfigError);
      assert.deepStrictEqual(
        e.issues.map((i) => i.split(':')[0]),
        ['C', 'epochs'],
      );
    }
  });

  it('accepts a head-less, Cutout-less config of one cell', () => {
    assert.strictEqual(checkTrainConfig({ ...TRAIN_PRESETS.smoke, layers: 1, auxiliaryWeight: 0, cutout: null }).layers, 1);
  });
});

describe('resolveTrainConfig', () => {
  it("replaces the preset's fields with the overrides and validates the result", () => {
    assert.deepStrictEqual(resolveTrainConfig('mini', { seed: 3 }), { ...TRAIN_PRESETS.mini, seed: 3 });
    assert.throws(
      () => resolveTrainConfig('mini', { seed: -1 }, '--seed'),
      /preset mini \+ --seed\): seed: must be an integer >= 0, got -1/,
    );
  });

  it('rejects an unknown preset, naming it', () => {
    assert.throws(() => resolveTrainConfig('huge'), /preset="huge" is not a preset; use one of smoke, quick, mini, paper/);
  });
});
