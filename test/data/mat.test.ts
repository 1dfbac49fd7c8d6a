import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readMat } from '../../lib/data/mat';
import { matBytes, MatVar } from './formats';

const VARS: MatVar[] = [
  { name: 'X', mxClass: 9, dims: [2, 3, 2], type: 2, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255] },
  { name: 'labels', mxClass: 6, dims: [3, 1], type: 9, values: [10, 1.5, -2] },
];

describe('readMat', () => {
  for (const compress of [false, true]) {
    it(`reads numeric variables of ${compress ? 'compressed' : 'plain'} elements, column-major, in their stored type`, () => {
      const vars = readMat(matBytes(VARS, compress), 'v.mat');
      assert.deepStrictEqual([...vars.keys()], ['X', 'labels']);
      const x = vars.get('X')!;
      assert.deepStrictEqual([x.mxClass, x.dims, x.data instanceof Uint8Array], [9, [2, 3, 2], true]);
      assert.deepStrictEqual([...x.data], VARS[0].values);
      const y = vars.get('labels')!;
      assert.deepStrictEqual([y.dims, y.data instanceof Float64Array, [...y.data]], [[3, 1], true, [10, 1.5, -2]]);
    });
  }

  it('reads a file written by scipy.io.savemat (compressed, with a char variable it skips)', () => {
    // Written by fixtures/make_svhn_scipy.py (scipy 1.17.1, savemat with compression): X uint8
    // [32, 32, 3, 2] = tinyImages(2, 3072) transposed to (H, W, C, N), y uint8 [[10], [3]], a char `note`.
    const buf = fs.readFileSync(path.join(__dirname, 'fixtures', 'svhn_scipy.mat'));
    const vars = readMat(buf, 'svhn_scipy.mat');
    assert.deepStrictEqual([...vars.keys()], ['X', 'y']);
    assert.deepStrictEqual(vars.get('X')!.dims, [32, 32, 3, 2]);
    assert.deepStrictEqual([...vars.get('y')!.data], [10, 3]);
    // X(h=6, w=8, c=1, n=2) in MATLAB's 1-based indices: image 1, pixel (5*32+7)*3 + 0.
    assert.strictEqual(vars.get('X')!.data[5 + 32 * 7 + 1024 * 0 + 3072 * 1], (7 * 1 + 3 * ((5 * 32 + 7) * 3)) % 256);
  });

  it('rejects non-MAT, big-endian, v7.3 and truncated files, naming the file', () => {
    const good = matBytes(VARS, false);
    assert.throws(
      () => readMat(Buffer.from('hello'), 'a.mat'),
      /^Error: a\.mat: is truncated: 5 bytes, shorter than the 128-byte MAT header/,
    );
    const notMat = Buffer.from(good);
    notMat.write('HDF5', 0);
    assert.throws(() => readMat(notMat, 'b.mat'), /b\.mat: is not a MAT-file/);
    const big = Buffer.from(good);
    big.write('MI', 126, 'latin1');
    assert.throws(() => readMat(big, 'c.mat'), /c\.mat: is a big-endian MAT-file/);
    const v73 = Buffer.from(good);
    v73.writeUInt16LE(0x0200, 124);
    assert.throws(
      () => readMat(v73, 'd.mat'),
      /d\.mat: MAT version 0x200 is not Level 5 \(0x0100\); v7\.3 \(HDF5\) files are not supported/,
    );
    assert.throws(
      () => readMat(good.subarray(0, good.length - 40), 'e.mat'),
      /e\.mat: is truncated: the data element at byte \d+ needs \d+ bytes/,
    );
    const z = matBytes(VARS, true);
    assert.throws(() => readMat(z.subarray(0, z.length - 10), 'f.mat'), /f\.mat: is truncated/);
    const zbad = Buffer.from(z);
    zbad[136] ^= 0xff; // first byte of the zlib stream
    assert.throws(() => readMat(zbad, 'g.mat'), /g\.mat: the compressed element at byte 128 cannot be inflated/);
  });

  it('rejects a variable whose data does not fill its dimensions', () => {
    const bad: MatVar = { name: 'X', mxClass: 9, dims: [2, 3], type: 2, values: [1, 2, 3, 4, 5] };
    assert.throws(() => readMat(matBytes([bad], true), 'h.mat'), /h\.mat: variable X holds 5 values, its dimensions \[2, 3\] need 6/);
  });
});
