import * as assert from 'assert';
import { trainAugment } from '../../lib/data/augment';
import { DATASET_NAMES } from '../../lib/data/dataset';
import { DATA_SOURCES, DATASETS, loadDataset, parseDatasetName } from '../../lib/data/registry';
import { tempDir } from '../helpers';

describe('DATASETS', () => {
  it('describes every data set; SVHN digits are not flipped', () => {
    assert.deepStrictEqual(Object.keys(DATASETS), [...DATASET_NAMES]);
    assert.deepStrictEqual(
      DATASET_NAMES.map((n) => DATASETS[n].classes),
      [10, 10, 100, 10, 10],
    );
    assert.deepStrictEqual(
      DATASET_NAMES.map((n) => trainAugment(DATASETS[n]).flip),
      [true, true, true, false, true],
    );
    assert.deepStrictEqual(
      DATASET_NAMES.map((n) => [DATASETS[n].trainImages, DATASETS[n].testImages]),
      [
        [60000, 10000],
        [50000, 10000],
        [50000, 10000],
        [73257, 26032],
        [50000, 10000],
      ],
    );
    assert.strictEqual(DATASETS['cifar10-jpeg'].label, 'CIFAR-10 (JPEG copy)');
  });

  it("gives Fashion-MNIST's split sizes as its published files hold them (Debian's dataset-fashion-mnist)", function () {
    let splits;
    try {
      splits = loadDataset('fashion-mnist');
    } catch {
      this.skip(); // no data files on this machine (the set-up command installs them)
    }
    assert.deepStrictEqual([splits.train.n, splits.test.n], [DATASETS['fashion-mnist'].trainImages, DATASETS['fashion-mnist'].testImages]);
  });
});

describe('DATA_SOURCES', () => {
  it('lists an MD5 (32 hex digits) for every file; the CIFAR-10 JPEG copy has no official download', () => {
    assert.deepStrictEqual(DATA_SOURCES['cifar10-jpeg'], []);
    for (const n of DATASET_NAMES.filter((d) => d !== 'cifar10-jpeg')) {
      assert.ok(DATA_SOURCES[n].length > 0);
      for (const s of DATA_SOURCES[n]) assert.match(s.md5, /^[0-9a-f]{32}$/, s.url);
    }
  });
});

describe('parseDatasetName', () => {
  it('accepts known names and rejects others, naming the argument', () => {
    assert.strictEqual(parseDatasetName('svhn'), 'svhn');
    assert.throws(
      () => parseDatasetName('mnist', '--dataset'),
      /--dataset="mnist" is not a data set; use one of fashion-mnist, cifar10, cifar100, svhn, cifar10-jpeg/,
    );
  });
});

describe('loadDataset', () => {
  it('dispatches to the loader of the name', () => {
    const tmp = tempDir();
    try {
      assert.throws(() => loadDataset('cifar100', { dir: tmp.dir }), /CIFAR-100 not found/);
      assert.throws(() => loadDataset('svhn', { dir: tmp.dir }), /SVHN not found/);
    } finally {
      tmp.cleanup();
    }
  });
});
