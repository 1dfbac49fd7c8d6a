import * as assert from 'assert';
import { PRESETS } from '../../lib/config/preset';
import { dartsProblem } from '../../lib/problems/darts/problem';
import { DEFAULT_SEARCH_CONFIG, PRESET_RUNTIME, SEARCH_PRESETS } from '../../lib/config/presets';
import {
  adamOptions,
  canonicalConfig,
  checkConfig,
  ConfigError,
  ConfigOverrides,
  resolveConfig,
  runId,
  SearchConfig,
  sgdOptions,
} from '../../lib/config/search_config';

/** A deep copy of `value` with its object keys in reverse order at every level. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((k) => [k, reversedKeys((value as Record<string, unknown>)[k])]),
  );
}

describe('SEARCH_PRESETS', () => {
  it('has a valid config and a run time for every preset name', () => {
    for (const name of PRESETS) {
      assert.deepStrictEqual(checkConfig(SEARCH_PRESETS[name], name), SEARCH_PRESETS[name]);
      assert.match(PRESET_RUNTIME[name], /\d/);
    }
  });

  it('paper is the default, with docs/method.md §1 settings', () => {
    const c = SEARCH_PRESETS.paper;
    assert.strictEqual(c, DEFAULT_SEARCH_CONFIG);
    assert.deepStrictEqual(
      [c.dataset, c.layers, c.C, c.batchSize, c.epochs, c.trainSubset, c.trainPortion],
      ['cifar10', 8, 16, 64, 50, null, 0.5],
    );
    assert.deepStrictEqual(c.weightOptimizer, { lrMax: 0.025, lrMin: 0.001, momentum: 0.9, gradClip: 5 });
    assert.deepStrictEqual([c.alphaOptimizer.lr, c.alphaOptimizer.betas, c.alphaOptimizer.weightDecay], [3e-4, [0.5, 0.999], 1e-3]);
    assert.deepStrictEqual([c.regularization, c.augment.cutout, c.earlyStop], [{ l2: 3e-4, dropPathProb: 0 }, null, 'off']);
  });

  it('scales smoke and quick down on Fashion-MNIST', () => {
    const { smoke, quick } = SEARCH_PRESETS;
    assert.deepStrictEqual([smoke.layers, smoke.C, smoke.batchSize, smoke.epochs, smoke.trainSubset], [3, 2, 8, 2, 64]);
    assert.deepStrictEqual([quick.space, quick.dataset, quick.layers, quick.C, quick.batchSize], ['s3', 'fashion-mnist', 5, 8, 64]);
  });

  it('is deeply frozen', () => {
    assert.throws(() => {
      // @ts-expect-error the config is readonly
      SEARCH_PRESETS.quick.weightOptimizer.lrMax = 1;
    }, TypeError);
  });
});

describe('resolveConfig', () => {
  it('returns the preset when there are no overrides', () => {
    assert.deepStrictEqual(resolveConfig('quick'), SEARCH_PRESETS.quick);
  });

  it('merges overrides deeply, replacing arrays and null', () => {
    const c = resolveConfig('smoke', {
      seed: 3,
      weightOptimizer: { lrMax: 0.05 },
      alphaOptimizer: { betas: [0.9, 0.99] },
      augment: { cutout: { length: 16, prob: 1 } },
      trainSubset: null,
    });
    assert.deepStrictEqual(c.weightOptimizer, { ...SEARCH_PRESETS.smoke.weightOptimizer, lrMax: 0.05 });
    assert.deepStrictEqual(c.alphaOptimizer.betas, [0.9, 0.99]);
    assert.deepStrictEqual(c.augment, { cropPad: 4, flip: null, cutout: { length: 16, prob: 1 } });
    assert.deepStrictEqual([c.seed, c.trainSubset, c.layers], [3, null, 3]);
    assert.deepStrictEqual(SEARCH_PRESETS.smoke.augment.cutout, null);
  });

  it('rejects a negative batch size, naming the field and the value', () => {
    assert.throws(
      () => resolveConfig('quick', { batchSize: -3 }, '--set'),
      (e: Error) =>
        e instanceof ConfigError &&
        /^search config \(preset quick \+ --set\): batchSize: must be a positive integer, got -3$/.test(e.message),
    );
  });

  it('rejects an unknown space or data set, naming the choices', () => {
    assert.throws(() => resolveConfig('quick', { space: 's9' as never }), /space: must be one of s1, s2, s3, s4, darts, got "s9"/);
    assert.throws(
      () => resolveConfig('quick', { dataset: 'mnist' as never }),
      /dataset: must be one of fashion-mnist, cifar10, cifar100, svhn, cifar10-jpeg, got "mnist"/,
    );
  });

  it('suggests the known key nearest a typo and lists the valid keys there', () => {
    assert.throws(
      () => resolveConfig('quick', { hessian: { evalEvry: 2 } } as unknown as ConfigOverrides),
      /hessian: unknown key "evalEvry" \(did you mean "evalEvery"\?\); valid keys of hessian: evalEvery, method, maxProducts, tolerance, step, scheme, recordMatrix/,
    );
    assert.throws(
      () => resolveConfig('quick', { Seed: 2 } as unknown as ConfigOverrides),
      /unknown key "Seed" \(did you mean "seed"\?\); valid keys: space, dataset, seed,/,
    );
    // Nothing close: no guess, the valid keys only.
    assert.throws(
      () => resolveConfig('quick', { hessian: { frequency: 2 } } as unknown as ConfigOverrides),
      (e: Error) => /unknown key "frequency"; valid keys of hessian: /.test(e.message) && !e.message.includes('did you mean'),
    );
  });

  it('names a partial config passed where a whole one is needed (the API), and how to build one', () => {
    assert.throws(
      () => dartsProblem({ preset: 'smoke' } as unknown as SearchConfig),
      /dartsProblem; a whole config comes from resolveConfig\(preset, overrides\)\): space: required/,
    );
  });

  it('rejects unknown keys at any level', () => {
    assert.throws(() => resolveConfig('quick', { batchsize: 32 } as ConfigOverrides), /: unknown key "batchsize"/);
    assert.throws(() => resolveConfig('quick', { hessian: { every: 2 } } as ConfigOverrides), /hessian: unknown key "every"/);
  });

  it('rejects a wrong type, naming the field', () => {
    assert.throws(() => resolveConfig('quick', { seed: '3' as never }), /seed: must be number, got "3"/);
    assert.throws(() => resolveConfig('quick', { augment: { flip: 1 as never } }), /augment\.flip: must be boolean, got 1/);
    assert.throws(() => resolveConfig('quick', { augment: { cutout: { length: 16 } } }), /augment\.cutout\.prob: required/);
  });

  it('checks the fields against each other', () => {
    assert.throws(() => resolveConfig('quick', { weightOptimizer: { lrMin: 0.1 } }), /weightOptimizer\.lrMin: must be <= lrMax/);
    assert.throws(() => resolveConfig('smoke', { trainSubset: 1 }), /trainSubset: leaves an empty half at trainPortion 0.5, got 1/);
  });

  it('lists every problem and rejects an unknown preset', () => {
    assert.throws(
      () => resolveConfig('quick', { epochs: 0, C: 1.5 }),
      /epochs: must be a positive integer, got 0; C: must be a positive integer, got 1.5/,
    );
    assert.throws(() => resolveConfig('huge'), /preset="huge" is not a preset/);
  });
});

describe('checkConfig', () => {
  it('reads back a config that went through JSON', () => {
    const c = SEARCH_PRESETS.mini;
    assert.deepStrictEqual(checkConfig(JSON.parse(JSON.stringify(c)), 'config.json'), c);
    assert.throws(() => checkConfig({ ...c, report: undefined }, 'config.json'), /\(config\.json\): report: required/);
  });
});

describe('runId', () => {
  const base: SearchConfig = SEARCH_PRESETS.quick;

  it('is 12 hex digits, stable across key order', () => {
    assert.match(runId(base), /^[0-9a-f]{12}$/);
    const shuffled = reversedKeys(base) as SearchConfig;
    assert.notStrictEqual(JSON.stringify(shuffled), JSON.stringify(base));
    assert.strictEqual(canonicalConfig(shuffled), canonicalConfig(base));
    assert.strictEqual(runId(shuffled), runId(base));
  });

  it('changes with the seed and with any field that changes results', () => {
    const changes: ConfigOverrides[] = [
      { seed: 1 },
      { order: 'second' },
      { trainSubset: 4096 },
      { weightOptimizer: { lrMax: 0.05 } },
      { alphaOptimizer: { betas: [0.9, 0.999] } },
      { regularization: { l2: 9e-4 } },
      { hessian: { evalEvery: 1 } },
      { augment: { cutout: { length: 16, prob: 1 } } },
      { earlyStop: 'stop' },
    ];
    const ids = new Set([runId(base), ...changes.map((o) => runId(resolveConfig('quick', o)))]);
    assert.strictEqual(ids.size, changes.length + 1);
  });

  it('ignores the progress settings', () => {
    assert.strictEqual(runId(resolveConfig('quick', { report: { progress: 'off', logEvery: 1 } })), runId(base));
    assert.doesNotMatch(canonicalConfig(base), /report|progress/);
  });
});

describe('sgdOptions and adamOptions', () => {
  it('map the config onto the optimisers, the weight decay from regularization.l2', () => {
    const c = resolveConfig('quick', { regularization: { l2: 8.1e-3 } });
    assert.deepStrictEqual(sgdOptions(c), { momentum: 0.9, weightDecay: 8.1e-3 });
    // The scaled presets' alpha lr is 3e-3 (lib/config/presets.ts says why); the paper's 3e-4.
    assert.deepStrictEqual(adamOptions(c), { lr: 3e-3, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
    assert.strictEqual(adamOptions(resolveConfig('paper')).lr, 3e-4);
  });
});
