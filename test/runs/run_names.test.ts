import * as assert from 'assert';
import { distinguishingFields } from '../../lib/runs/run_names';

describe('distinguishingFields', () => {
  it('names each config by the leaves that differ between them, nested paths dotted, a missing one as -', () => {
    const base = { space: 's3', seed: 0, regularization: { l2: 3e-4, dropPathProb: 0 }, report: { progress: 'bar' } };
    const names = distinguishingFields([
      base,
      { ...base, seed: 1, regularization: { l2: 0.0081, dropPathProb: 0 }, report: { progress: 'off' } },
      { ...base, earlyStop: 'stop' },
      undefined,
    ]);
    assert.deepStrictEqual(names, [
      ['earlyStop=-', 'regularization.l2=0.0003', 'seed=0'],
      ['earlyStop=-', 'regularization.l2=0.0081', 'seed=1'],
      ['earlyStop=stop', 'regularization.l2=0.0003', 'seed=0'],
      [],
    ]);
  });

  it('leaves out the omitted fields, by their first part or whole path, and gives nothing for identical configs', () => {
    const a = { seed: 0, augment: { cutout: null, cropPad: 4 } };
    const b = { seed: 1, augment: { cutout: { length: 16, prob: 1 }, cropPad: 4 } };
    assert.deepStrictEqual(distinguishingFields([a, b], ['seed']), [
      ['augment.cutout=null', 'augment.cutout.length=-', 'augment.cutout.prob=-'],
      ['augment.cutout=-', 'augment.cutout.length=16', 'augment.cutout.prob=1'],
    ]);
    assert.deepStrictEqual(distinguishingFields([a, a]), [[], []]);
  });
});
