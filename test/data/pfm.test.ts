import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { encodePfm, parsePfm, readPfm, writePfm } from '../../lib/data/pfm';
import { tempDir } from '../helpers';

/** float32 values as bytes in the given byte order (written independently of lib/data/pfm.ts). */
function floats(values: number[], littleEndian: boolean): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => (littleEndian ? b.writeFloatLE(v, 4 * i) : b.writeFloatBE(v, 4 * i)));
  return b;
}

const pfm = (header: string, values: number[], littleEndian: boolean) =>
  Buffer.concat([Buffer.from(header, 'latin1'), floats(values, littleEndian)]);

/** Bit patterns, so that NaN and -0 compare exactly. */
const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe('PFM (lib/data/pfm.ts)', () => {
  it('reads hand-built files: rows bottom to top, the byte order from the sign of the scale', () => {
    // 2 wide, 2 high, little-endian: the file's first row is the image's bottom row.
    const le = parsePfm(pfm('Pf\n2 2\n-1.0\n', [3, 4, 1, 2], true));
    assert.deepStrictEqual([le.width, le.height, le.channels, le.littleEndian, le.scale], [2, 2, 1, true, 1]);
    assert.deepStrictEqual([...le.data], [1, 2, 3, 4]);
    const be = parsePfm(pfm('Pf\n1 2\n0.5\n', [-7.25, 1e-3], false));
    assert.deepStrictEqual([be.littleEndian, be.scale], [false, 0.5]);
    assert.deepStrictEqual([...be.data], [Math.fround(1e-3), -7.25]);
    const rgb = parsePfm(pfm('PF\n2 1\n-1\n', [0.5, 1, 2, 3, 4, 5], true));
    assert.deepStrictEqual([rgb.channels, ...rgb.data], [3, 0.5, 1, 2, 3, 4, 5]);
    // Header tokens split by any whitespace, and a CRLF after the scale.
    assert.deepStrictEqual([...parsePfm(pfm('Pf 2\t1  -1\r\n', [6, 7], true)).data], [6, 7]);
  });

  it('writes the known bytes', () => {
    const image = { width: 2, height: 2, channels: 1 as const, data: Float32Array.of(1, 2, 3, 4) };
    assert.deepStrictEqual(encodePfm(image), pfm('Pf\n2 2\n-1\n', [3, 4, 1, 2], true));
    assert.deepStrictEqual(encodePfm(image, { littleEndian: false, scale: 2 }), pfm('Pf\n2 2\n2\n', [3, 4, 1, 2], false));
  });

  it('round-trips 1 and 3 channels in both byte orders, bit for bit, through files', () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const channels of [1, 3] as const)
        for (const littleEndian of [true, false]) {
          const width = 5;
          const height = 3;
          const data = Float32Array.from({ length: width * height * channels }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3));
          data.set([Infinity, -0, NaN, -Infinity], 0);
          const file = path.join(dir, `x${channels}${littleEndian}.pfm`);
          writePfm(file, { width, height, channels, data }, { littleEndian });
          const back = readPfm(file);
          assert.deepStrictEqual([back.width, back.height, back.channels, back.littleEndian], [width, height, channels, littleEndian]);
          assert.deepStrictEqual(bits(back.data), bits(data));
          assert.deepStrictEqual(bits(readPfm(fs.readFileSync(file)).data), bits(data));
        }
    } finally {
      cleanup();
    }
  });

  it('rejects a wrong magic, bad dimensions, a bad scale, truncated or overlong data, naming the file', () => {
    const bad = (header: string, n: number, message: RegExp) =>
      assert.throws(() => parsePfm(pfm(header, Array(n).fill(1), true), 'd.pfm'), message);
    bad('P5\n2 2\n-1\n', 4, /^Error: d\.pfm: wrong magic "P5": not a PFM file/);
    bad('PFx\n2 2\n-1\n', 4, /d\.pfm: wrong magic "PFx"/);
    bad('Pf\n0 2\n-1\n', 0, /d\.pfm: bad width "0" in the PFM header/);
    bad('Pf\n2 -2\n-1\n', 4, /d\.pfm: bad height "-2"/);
    bad('Pf\n2 2.5\n-1\n', 4, /d\.pfm: bad height "2.5"/);
    bad('Pf\n2 2\nabc\n', 4, /d\.pfm: bad scale "abc" in the PFM header \(expected a non-zero number/);
    bad('Pf\n2 2\n0\n', 4, /d\.pfm: bad scale "0"/);
    bad('Pf\n2 2\n-1\n', 3, /^Error: d\.pfm: is truncated: 12 bytes of data, expected 16 for 2x2x1 float32 values/);
    bad('PF\n2 2\n-1\n', 4, /d\.pfm: is truncated: 16 bytes of data, expected 48 for 2x2x3/);
    bad('Pf\n2 2\n-1\n', 5, /d\.pfm: has 4 bytes after the data of 2x2x1/);
    assert.throws(() => parsePfm(Buffer.from('Pf\n2'), 'h.pfm'), /h\.pfm: is truncated: nothing after the width/);
    assert.throws(() => parsePfm(Buffer.from('Pf\n2 2\n-1'), 'h.pfm'), /h\.pfm: is truncated: nothing after the scale/);
    assert.throws(() => parsePfm(Buffer.alloc(0), 'e.pfm'), /e\.pfm: is truncated: the header ends before the magic number/);
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'cut.pfm');
      fs.writeFileSync(file, pfm('Pf\n3 1\n-1\n', [1, 2], true));
      assert.throws(
        () => readPfm(file),
        (e: Error) => e.message.startsWith(`${file}: is truncated`),
      );
      assert.throws(() => readPfm(path.join(dir, 'none.pfm')), /none\.pfm: cannot be read \(ENOENT\)/);
    } finally {
      cleanup();
    }
    assert.throws(() => encodePfm({ width: 2, height: 2, channels: 1, data: new Float32Array(3) }), /3 values do not make a 2x2x1 image/);
  });
});
