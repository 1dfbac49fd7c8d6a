import * as assert from 'assert';
import * as path from 'path';
import {
  CIFAR100_FILES,
  CIFAR100_LAYOUT,
  CIFAR10_FILES,
  CIFAR10_LAYOUT,
  loadCifar10,
  loadCifar100,
  parseCifarRecords,
} from '../../lib/data/cifar';
import { channelStats } from '../../lib/data/dataset';
import { tempDir } from '../helpers';
import { cifarBytes, tinyImages, writeFile } from './formats';

describe('parseCifarRecords', () => {
  it('turns the R, G, B planes of each record into NHWC pixels', () => {
    const rec = new Uint8Array(3073);
    rec[0] = 4;
    rec[1 + 33] = 11; // red plane, row 1, column 1
    rec[1 + 1024 + 33] = 22; // green
    rec[1 + 2048 + 33] = 33; // blue
    const r = parseCifarRecords(rec, 'one.bin', CIFAR10_LAYOUT);
    assert.deepStrictEqual([r.n, r.labels[0]], [1, 4]);
    assert.deepStrictEqual([...r.images.subarray(33 * 3, 33 * 3 + 3)], [11, 22, 33]);
  });

  it('rejects a size that is not a multiple of the record, naming the file', () => {
    assert.throws(
      () => parseCifarRecords(new Uint8Array(3073 * 2 + 5), 'data_batch_1.bin', CIFAR10_LAYOUT),
      /^Error: data_batch_1\.bin: size 6151 bytes is not a positive multiple of the 3073-byte record/,
    );
    assert.throws(() => parseCifarRecords(new Uint8Array(3073), 'train.bin', CIFAR100_LAYOUT), /3074-byte record/);
    assert.throws(() => parseCifarRecords(new Uint8Array(0), 'empty.bin', CIFAR10_LAYOUT), /empty\.bin: size 0 bytes/);
  });

  it('rejects labels out of range, naming the record', () => {
    const rec = new Uint8Array(3074);
    rec[0] = 20;
    assert.throws(
      () => parseCifarRecords(rec, 'train.bin', CIFAR100_LAYOUT),
      /train\.bin: label byte 0 of record 0 is 20, out of range \[0, 20\)/,
    );
    rec[0] = 19;
    rec[1] = 100;
    assert.throws(() => parseCifarRecords(rec, 'train.bin', CIFAR100_LAYOUT), /label byte 1 of record 0 is 100, out of range \[0, 100\)/);
  });
});

describe('loadCifar10', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('reads the five training batches in order and the test batch', () => {
    const dir = path.join(tmp.dir, 'cifar-10-batches-bin');
    const all = tinyImages(7, 3072);
    // Batch k holds images k (and 5, 6 in the last one); labels are 9 - image index.
    CIFAR10_FILES.train.forEach((name, k) => {
      const ids = k < 4 ? [k] : [4, 5];
      const imgs = new Uint8Array(ids.flatMap((i) => [...all.subarray(i * 3072, (i + 1) * 3072)]));
      writeFile(
        dir,
        name,
        cifarBytes(
          imgs,
          ids.map((i) => [9 - i]),
        ),
      );
    });
    writeFile(dir, CIFAR10_FILES.test[0], cifarBytes(all.subarray(6 * 3072), [[0]]));
    const { train, test } = loadCifar10({ env: { RDARTS_DATA: tmp.dir } });
    assert.deepStrictEqual([train.n, test.n, train.channels, train.classes], [6, 1, 3, 10]);
    assert.deepStrictEqual([...train.labels], [9, 8, 7, 6, 5, 4]);
    assert.deepStrictEqual(train.images, all.subarray(0, 6 * 3072));
    assert.deepStrictEqual(test.images, all.subarray(6 * 3072));
    assert.deepStrictEqual(train.mean, channelStats(all.subarray(0, 6 * 3072), 3).mean);
  });

  it('names the missing batch', () => {
    writeFile(tmp.dir, 'data_batch_1.bin', cifarBytes(tinyImages(1, 3072), [[1]]));
    assert.throws(
      () => loadCifar10({ dir: tmp.dir }),
      /CIFAR-10 not found; looked in: .*\(missing data_batch_2\.bin, data_batch_3\.bin, data_batch_4\.bin, data_batch_5\.bin, test_batch\.bin\)/,
    );
  });
});

describe('loadCifar100', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('uses the fine labels (100 classes)', () => {
    const imgs = tinyImages(3, 3072);
    writeFile(
      tmp.dir,
      CIFAR100_FILES.train[0],
      cifarBytes(imgs, [
        [19, 99],
        [0, 42],
        [5, 7],
      ]),
    );
    writeFile(tmp.dir, CIFAR100_FILES.test[0], cifarBytes(imgs.subarray(0, 3072), [[1, 3]]));
    const { train, test } = loadCifar100({ dir: tmp.dir });
    assert.deepStrictEqual([train.n, train.classes, train.name], [3, 100, 'cifar100']);
    assert.deepStrictEqual([...train.labels, ...test.labels], [99, 42, 7, 3]);
    assert.deepStrictEqual(train.images, imgs);
  });
});
