import * as assert from 'assert';
import { dataFingerprint } from '../../lib/data/fingerprint';
import { fakeDataset } from '../search/fixtures';

describe('dataFingerprint', () => {
  it('depends on the images and labels of the range only, and refuses a range outside the data', () => {
    const d = fakeDataset();
    assert.match(dataFingerprint(d), /^[0-9a-f]{12}$/);
    assert.strictEqual(dataFingerprint(d, 0, 10), dataFingerprint(fakeDataset(), 0, 10));
    assert.notStrictEqual(dataFingerprint(d, 0, 10), dataFingerprint(d, 1, 11));
    const relabelled = fakeDataset();
    relabelled.labels[3] = (relabelled.labels[3] + 1) % 10;
    assert.notStrictEqual(dataFingerprint(relabelled, 0, 10), dataFingerprint(d, 0, 10));
    assert.strictEqual(dataFingerprint(relabelled, 4, 10), dataFingerprint(d, 4, 10));
    assert.throws(() => dataFingerprint(d, 5, 49), /\[5, 49\) is not a range of fashion-mnist's 48 images/);
  });
});
