import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadSvhn, parseSvhnMat, SVHN_FILES } from '../../lib/data/svhn';
import { tempDir } from '../helpers';
import { matBytes, svhnVars, tinyImages, writeFile } from './formats';

describe('parseSvhnMat', () => {
  it('converts X [32, 32, 3, N] to NHWC and maps label 10 to digit 0', () => {
    const imgs = tinyImages(3, 3072);
    for (const yType of [2, 9] as const) {
      const r = parseSvhnMat(matBytes(svhnVars(imgs, [0, 5, 9], yType), true), 'train_32x32.mat');
      assert.deepStrictEqual(r.images, imgs);
      assert.deepStrictEqual([r.n, ...r.labels], [3, 0, 5, 9]);
    }
  });

  it('reads the scipy-written fixture', () => {
    const r = parseSvhnMat(fs.readFileSync(path.join(__dirname, 'fixtures', 'svhn_scipy.mat')), 'svhn_scipy.mat');
    assert.deepStrictEqual(r.images, tinyImages(2, 3072));
    assert.deepStrictEqual([...r.labels], [0, 3]);
    // numpy: imgs[1, 5, 7] == [230, 233, 236]
    assert.deepStrictEqual([...r.images.subarray(3072 + (5 * 32 + 7) * 3, 3072 + (5 * 32 + 8) * 3)], [230, 233, 236]);
  });

  it('rejects a missing variable, a wrong shape, labels out of range and non-pixel values', () => {
    const [x, y] = svhnVars(tinyImages(2, 3072), [1, 2]);
    assert.throws(() => parseSvhnMat(matBytes([x], false), 't.mat'), /t\.mat: has no numeric variable y \(found: X\)/);
    assert.throws(
      () => parseSvhnMat(matBytes([{ ...x, dims: [32, 32, 6, 1] }, y], false), 't.mat'),
      /t\.mat: X has shape \[32, 32, 6, 1\], expected \[32, 32, 3, N\]/,
    );
    assert.throws(
      () => parseSvhnMat(matBytes([x, { ...y, dims: [1, 1], values: [1] }], false), 't.mat'),
      /t\.mat: y has shape \[1, 1\], expected \[2, 1\]/,
    );
    assert.throws(
      () => parseSvhnMat(matBytes([x, { ...y, values: [0, 3] }], false), 't.mat'),
      /t\.mat: label y\(1\) = 0 is out of range 1\.\.10/,
    );
    const xd = { ...x, mxClass: 6, type: 9 as const, values: Array.from(x.values, (v, i) => (i === 40 ? 256 : v)) };
    assert.throws(() => parseSvhnMat(matBytes([xd, y], false), 't.mat'), /t\.mat: X\(9,2,1,1\) = 256 is not a pixel value 0\.\.255/);
  });
});

describe('loadSvhn', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('reads train_32x32.mat and test_32x32.mat from RDARTS_DATA/svhn', () => {
    const dir = path.join(tmp.dir, 'svhn');
    const imgs = tinyImages(3, 3072);
    writeFile(dir, SVHN_FILES.train, matBytes(svhnVars(imgs, [1, 0, 4]), true));
    writeFile(dir, SVHN_FILES.test, matBytes(svhnVars(imgs.subarray(3072), [7, 8]), false));
    const { train, test } = loadSvhn({ env: { RDARTS_DATA: tmp.dir } });
    assert.deepStrictEqual([train.name, train.n, test.n, train.classes], ['svhn', 3, 2, 10]);
    assert.deepStrictEqual([...train.labels, ...test.labels], [1, 0, 4, 7, 8]);
    assert.deepStrictEqual(test.images, imgs.subarray(3072));
  });

  it('fails naming the missing file', () => {
    writeFile(tmp.dir, SVHN_FILES.train, matBytes(svhnVars(tinyImages(1, 3072), [1]), true));
    assert.throws(() => loadSvhn({ dir: tmp.dir }), /SVHN not found; looked in: .*\(missing test_32x32\.mat\)/);
  });
});
