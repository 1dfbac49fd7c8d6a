import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplits, labelHistogram } from '../../lib/data/dataset';
import { locateFiles } from '../../lib/data/files';
import { FASHION_MNIST_FILES, FASHION_MNIST_SYSTEM_DIR, loadFashionMnist, parseIdx } from '../../lib/data/idx';
import { assertClose, tempDir } from '../helpers';
import { idxBytes, tinyImages, writeFile } from './formats';

describe('parseIdx', () => {
  it('reads the dimensions and the data', () => {
    const r = parseIdx(idxBytes([2, 1, 3], [1, 2, 3, 4, 5, 6]), 'a', 3);
    assert.deepStrictEqual(r.dims, [2, 1, 3]);
    assert.deepStrictEqual([...r.data], [1, 2, 3, 4, 5, 6]);
  });

  it('rejects a wrong magic number, a truncated file and trailing bytes, naming the file', () => {
    assert.throws(
      () => parseIdx(idxBytes([3], [1, 2, 3]), 'lab', 3),
      /^Error: lab: is truncated: 11 bytes, shorter than the 16-byte IDX header/,
    );
    assert.throws(() => parseIdx(idxBytes([1, 1, 1], [1]), 'img', 1), /^Error: img: wrong magic number 0x00000803, expected 0x00000801/);
    const bad = idxBytes([2], [1, 2]);
    bad[2] = 0x0d; // float data
    assert.throws(() => parseIdx(bad, 'f', 1), /f: wrong magic number 0x00000d01/);
    assert.throws(
      () => parseIdx(idxBytes([2, 2, 2], [1, 2, 3]), 'cut', 3),
      /^Error: cut: is truncated: 3 bytes of data, expected 8 for shape \[2, 2, 2\]/,
    );
    assert.throws(() => parseIdx(idxBytes([2], [1, 2, 3]), 'long', 1), /long: has 1 bytes after the data of shape \[2\]/);
  });
});

/** Writes a small Fashion-MNIST-like set (28x28, 10 classes) in IDX files into `dir`. */
function writeTinyFashion(dir: string, gz: boolean, trainLabels = [3, 0, 9]): void {
  const ext = gz ? '.gz' : '';
  const [ti, tl] = FASHION_MNIST_FILES.train;
  const [vi, vl] = FASHION_MNIST_FILES.test;
  writeFile(dir, ti + ext, idxBytes([3, 28, 28], tinyImages(3, 784)));
  writeFile(dir, tl + ext, idxBytes([3], trainLabels));
  writeFile(dir, vi + ext, idxBytes([2, 28, 28], tinyImages(2, 784).reverse()));
  writeFile(dir, vl + ext, idxBytes([2], [1, 2]));
}

describe('loadFashionMnist', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  for (const gz of [true, false]) {
    it(`reads ${gz ? 'gzip' : 'plain'} IDX files from RDARTS_DATA`, () => {
      writeTinyFashion(path.join(tmp.dir, 'fashion-mnist'), gz);
      const { train, test } = loadFashionMnist({ env: { RDARTS_DATA: tmp.dir } });
      assert.deepStrictEqual([train.n, train.height, train.width, train.channels, train.classes], [3, 28, 28, 1, 10]);
      assert.deepStrictEqual([...train.labels], [3, 0, 9]);
      assert.deepStrictEqual([...test.labels], [1, 2]);
      assert.deepStrictEqual([...train.images.subarray(784, 787)], [7, 10, 13]); // image 1: (7 + 3p) mod 256
      assert.strictEqual(test.mean, train.mean);
    });
  }

  it('fails on a missing file, a label out of range and mismatched counts', () => {
    writeTinyFashion(tmp.dir, true, [3, 0, 10]);
    assert.throws(() => loadFashionMnist({ dir: tmp.dir }), /train-labels-idx1-ubyte\.gz: label 10 of record 2 is out of range \[0, 10\)/);
    writeFile(tmp.dir, 'train-labels-idx1-ubyte.gz', idxBytes([2], [3, 0]));
    assert.throws(
      () => loadFashionMnist({ dir: tmp.dir }),
      /train-labels-idx1-ubyte\.gz: holds 2 labels but .*train-images-idx3-ubyte\.gz holds 3 images/,
    );
    fs.rmSync(path.join(tmp.dir, 't10k-images-idx3-ubyte.gz'));
    assert.throws(
      () => loadFashionMnist({ dir: tmp.dir }),
      /Fashion-MNIST not found; looked in: .* \(missing t10k-images-idx3-ubyte\.gz or t10k-images-idx3-ubyte\)/,
    );
  });

  it('fails on a truncated gzip file and on images of the wrong size', () => {
    writeTinyFashion(tmp.dir, true);
    const file = path.join(tmp.dir, 'train-images-idx3-ubyte.gz');
    const gz = fs.readFileSync(file);
    fs.writeFileSync(file, gz.subarray(0, gz.length >> 1));
    assert.throws(() => loadFashionMnist({ dir: tmp.dir }), /train-images-idx3-ubyte\.gz: is not a valid gzip file/);
    writeFile(tmp.dir, 'train-images-idx3-ubyte.gz', idxBytes([3, 28, 27], tinyImages(3, 28 * 27)));
    assert.throws(() => loadFashionMnist({ dir: tmp.dir }), /train-images-idx3-ubyte\.gz: images are 28x27, expected 28x28/);
  });

  describe('on the real Fashion-MNIST', () => {
    let real: DatasetSplits;
    before(function () {
      try {
        locateFiles(
          'Fashion-MNIST',
          'fashion-mnist',
          [...FASHION_MNIST_FILES.train, ...FASHION_MNIST_FILES.test].map((n) => [`${n}.gz`, n]),
          {},
          [FASHION_MNIST_SYSTEM_DIR],
        );
      } catch {
        this.skip();
      }
      const t0 = performance.now();
      real = loadFashionMnist();
      console.log(`      (loaded Fashion-MNIST in ${(performance.now() - t0).toFixed(0)} ms)`);
    });

    it('holds 60,000 + 10,000 images of 28x28x1 in 10 classes, 6,000 and 1,000 per class', () => {
      assert.deepStrictEqual(
        [real.train.n, real.test.n, real.train.height, real.train.width, real.train.channels],
        [60000, 10000, 28, 28, 1],
      );
      assert.deepStrictEqual(labelHistogram(real.train.labels, 10), new Array(10).fill(6000));
      assert.deepStrictEqual(labelHistogram(real.test.labels, 10), new Array(10).fill(1000));
    });

    it('matches values computed with numpy (labels, pixel sums, mean and std)', () => {
      // numpy 2.4 on the gunzipped files: y[:10], x[0].sum(), x[59999].sum(), x.mean()/255, x.std()/255.
      assert.deepStrictEqual([...real.train.labels.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
      assert.deepStrictEqual([...real.test.labels.subarray(0, 10)], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
      const sum = (i: number): number => real.train.images.subarray(i * 784, (i + 1) * 784).reduce((a, b) => a + b, 0);
      assert.deepStrictEqual([sum(0), sum(59999), real.train.images[12345 * 784 + 14 * 28 + 14]], [76247, 16684, 193]);
      assertClose(real.train.mean, [0.2860405969887955], 1e-12, 'mean');
      assertClose(real.train.std, [0.35302424451492254], 1e-12, 'std');
    });
  });
});
