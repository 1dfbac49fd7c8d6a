/**
 * Writers of small files in the real data formats, for the loader tests: IDX (optionally gzip),
 * CIFAR binary records, and MATLAB Level 5 MAT-files (plain or zlib-compressed elements, as
 * MATLAB's `save -v7` writes them). Written from the format documents, independently of the
 * readers in lib/data; the MAT writer was also checked once against scipy.io.loadmat.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Dataset } from '../../lib/data/dataset';

/** An IDX file of unsigned bytes: magic 0x0000080N, big-endian dims, data. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x800 | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(Array.from(data))]);
}

/** Writes `bytes` to dir/name, gzip-compressed when the name ends in .gz; returns the path. */
export function writeFile(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, name.endsWith('.gz') ? zlib.gzipSync(bytes) : bytes);
  return file;
}

/** A tiny image set: image i has pixel p (of `size`) = (7 i + 3 p) mod 256, with `labels`. */
export function tinyImages(n: number, size: number): Uint8Array {
  const out = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) out[i * size + p] = (7 * i + 3 * p) % 256;
  return out;
}

/**
 * CIFAR binary records of NHWC 32x32x3 `images`: the label bytes, then the R, G and B planes.
 * `labels[i]` is the list of label bytes of record i ([fine] for CIFAR-10, [coarse, fine] for 100).
 */
export function cifarBytes(images: Uint8Array, labels: number[][]): Buffer {
  const lb = labels[0].length;
  const out = Buffer.alloc(labels.length * (lb + 3072));
  labels.forEach((ls, i) => {
    const base = i * (lb + 3072);
    ls.forEach((v, b) => {
      out[base + b] = v;
    });
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[base + lb + c * 1024 + p] = images[i * 3072 + 3 * p + c];
    }
  });
  return out;
}

/** One variable of a MAT-file: its class (6 double, 9 uint8, ...), data type (2 uint8, 9 double). */
export interface MatVar {
  readonly name: string;
  readonly mxClass: number;
  readonly dims: number[];
  readonly type: 2 | 9;
  /** Values in column-major order. */
  readonly values: ArrayLike<number>;
}

function pad8(b: Buffer): Buffer {
  return b.length % 8 === 0 ? b : Buffer.concat([b, Buffer.alloc(8 - (b.length % 8))]);
}

/** A data element: small format (<= 4 bytes) or tag + data padded to 8 bytes. */
function element(type: number, data: Buffer): Buffer {
  const tag = Buffer.alloc(data.length <= 4 ? 4 : 8);
  if (data.length <= 4) {
    tag.writeUInt32LE((data.length << 16) | type, 0);
    return pad8(Buffer.concat([tag, data]));
  }
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return pad8(Buffer.concat([tag, data]));
}

function matrix(v: MatVar): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(v.mxClass, 0);
  const dims = Buffer.alloc(4 * v.dims.length);
  v.dims.forEach((d, i) => dims.writeInt32LE(d, 4 * i));
  const data = v.type === 2 ? Buffer.from(Array.from(v.values)) : Buffer.from(new Float64Array(Array.from(v.values)).buffer);
  const body = Buffer.concat([element(6, flags), element(5, dims), element(1, Buffer.from(v.name, 'latin1')), element(v.type, data)]);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(14, 0);
  tag.writeUInt32LE(body.length, 4);
  return Buffer.concat([tag, body]);
}

/** A Level 5 MAT-file holding `vars`, each compressed (miCOMPRESSED) when `compress`. */
export function matBytes(vars: MatVar[], compress: boolean): Buffer {
  const head = Buffer.alloc(128, ' ');
  head.write('MATLAB 5.0 MAT-file, Platform: GLNXA64, written by robust-darts-ts tests', 0, 'latin1');
  head.fill(0, 116, 124);
  head.writeUInt16LE(0x0100, 124);
  head.write('IM', 126, 'latin1');
  const parts = vars.map((v) => {
    const m = matrix(v);
    if (!compress) return m;
    const z = zlib.deflateSync(m);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    return Buffer.concat([tag, z]);
  });
  return Buffer.concat([head, ...parts]);
}

/** SVHN's layout of NHWC 32x32x3 images: X [32, 32, 3, n] column-major, y [n, 1] with 0 stored as 10. */
export function svhnVars(images: Uint8Array, labels: number[], yType: 2 | 9 = 2): MatVar[] {
  const n = labels.length;
  const x = new Uint8Array(n * 3072);
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < 32; h++) {
      for (let w = 0; w < 32; w++) {
        for (let c = 0; c < 3; c++) x[i * 3072 + c * 1024 + w * 32 + h] = images[i * 3072 + (h * 32 + w) * 3 + c];
      }
    }
  }
  return [
    { name: 'X', mxClass: 9, dims: [32, 32, 3, n], type: 2, values: x },
    { name: 'y', mxClass: yType === 2 ? 9 : 6, dims: [n, 1], type: yType, values: labels.map((l) => (l === 0 ? 10 : l)) },
  ];
}

/** A hand-made data set (name fashion-mnist unless given) of `n` images of h x w x c. */
export function toyDataset(
  n: number,
  h: number,
  w: number,
  c: number,
  options: {
    images?: Uint8Array;
    labels?: number[];
    mean?: number[];
    std?: number[];
    name?: Dataset['name'];
  } = {},
): Dataset {
  return {
    name: options.name ?? 'fashion-mnist',
    split: 'train',
    n,
    height: h,
    width: w,
    channels: c,
    classes: 10,
    images: options.images ?? tinyImages(n, h * w * c),
    labels: Int32Array.from(options.labels ?? Array.from({ length: n }, (_, i) => i % 10)),
    mean: options.mean ?? new Array<number>(c).fill(0),
    std: options.std ?? new Array<number>(c).fill(1),
  };
}
