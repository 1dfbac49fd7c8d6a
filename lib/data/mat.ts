/**
 * A minimal reader of MATLAB Level 5 MAT-files (the format of SVHN's `*_32x32.mat`), written from
 * MathWorks' "MAT-File Format" document (R2019b). Why not `mat-for-js`: see the note below.
 *
 * What it reads: a little-endian file ("IM" at byte 126, version 0x0100) whose top-level elements
 * are numeric, real, full matrices (mxClass 6..13: double, single, int8..uint32), plain or
 * zlib-compressed (miCOMPRESSED). Each becomes a typed array of its stored type, in MATLAB's
 * column-major order, with no copy for uint8 data. Other top-level variables (cell, struct, char,
 * sparse, complex, 64-bit) are skipped; a big-endian or v7.3 (HDF5) file is refused.
 *
 * Why not mat-for-js 1.1.0 (the package first planned for it): measured here, it returns wrong values for
 * arrays of three or more dimensions (a 2x3x4 `arange` written by scipy comes back with entries
 * repeated and missing; 2-D arrays are right), and SVHN's X is 4-D. It also pushes every value into
 * a JavaScript array and builds nested arrays: a test-sized SVHN file (26,032 images) took 5.2 s and
 * 2.5 GB of memory, against 0.33 s and 0.4 GB here. It is an ES module under GPL-3.0-or-later.
 */
import * as zlib from 'zlib';
import { fileError } from './dataset';

/** A typed array of one of the numeric MAT storage types we read. */
export type MatNumeric = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** One numeric variable of a MAT-file. */
export interface MatVariable {
  readonly name: string;
  /** MATLAB's array class (6 double, 7 single, 8 int8, 9 uint8, ..., 13 uint32). */
  readonly mxClass: number;
  /** MATLAB's dimensions, e.g. [32, 32, 3, N]. */
  readonly dims: number[];
  /** The values, column-major, in the type they were stored in (may differ from the class). */
  readonly data: MatNumeric;
}

const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
type Ctor = { new (b: ArrayBufferLike, byteOffset?: number, length?: number): MatNumeric; BYTES_PER_ELEMENT: number };
const STORAGE: Record<number, Ctor> = {
  1: Int8Array,
  2: Uint8Array,
  3: Int16Array,
  4: Uint16Array,
  5: Int32Array,
  6: Uint32Array,
  7: Float32Array,
  9: Float64Array,
};

interface Element {
  readonly type: number;
  /** Byte range of the element's data within the buffer. */
  readonly start: number;
  readonly end: number;
  /** Where the next element starts. */
  readonly next: number;
}

/** Reads the data element tag at `at` (full 8-byte tag or the 4-byte small-element format). */
function readTag(buf: Uint8Array, view: DataView, at: number, file: string, padded: boolean): Element {
  if (at + 8 > buf.length) throw fileError(file, `is truncated: a data element tag at byte ${at} runs past the end (${buf.length} bytes)`);
  const first = view.getUint32(at, true);
  if (first >>> 16 !== 0) {
    const bytes = first >>> 16;
    if (bytes > 4) throw fileError(file, `corrupt small data element at byte ${at} (${bytes} bytes)`);
    return { type: first & 0xffff, start: at + 4, end: at + 4 + bytes, next: at + 8 };
  }
  const bytes = view.getUint32(at + 4, true);
  const end = at + 8 + bytes;
  if (end > buf.length) {
    throw fileError(file, `is truncated: the data element at byte ${at} needs ${bytes} bytes, the file ends at ${buf.length}`);
  }
  return { type: first, start: at + 8, end, next: padded ? at + 8 + Math.ceil(bytes / 8) * 8 : end };
}

/** Decodes one miMATRIX element; returns undefined for classes this reader skips. */
function readMatrix(buf: Uint8Array, m: Element, file: string): MatVariable | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const sub = buf.subarray(0, m.end);
  const flags = readTag(sub, view, m.start, file, true);
  const word = view.getUint32(flags.start, true);
  const mxClass = word & 0xff;
  const complex = (word & 0x800) !== 0;
  const dimsEl = readTag(sub, view, flags.next, file, true);
  const dims: number[] = [];
  for (let p = dimsEl.start; p < dimsEl.end; p += 4) dims.push(view.getInt32(p, true));
  const nameEl = readTag(sub, view, dimsEl.next, file, true);
  const name = Buffer.from(buf.buffer, buf.byteOffset + nameEl.start, nameEl.end - nameEl.start).toString('latin1');
  if (mxClass < 6 || mxClass > 13 || complex) return undefined;
  const real = readTag(sub, view, nameEl.next, file, true);
  const ctor = STORAGE[real.type];
  if (!ctor) throw fileError(file, `variable ${name}: unsupported storage type ${real.type}`);
  const bytes = real.end - real.start;
  if (bytes % ctor.BYTES_PER_ELEMENT !== 0) throw fileError(file, `variable ${name}: ${bytes} bytes of type ${real.type}`);
  const abs = buf.byteOffset + real.start;
  const data =
    abs % ctor.BYTES_PER_ELEMENT === 0
      ? new ctor(buf.buffer, abs, bytes / ctor.BYTES_PER_ELEMENT)
      : new ctor(buf.buffer.slice(abs, abs + bytes)); // unaligned: copy
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw fileError(file, `variable ${name} holds ${data.length} values, its dimensions [${dims.join(', ')}] need ${count}`);
  }
  return { name, mxClass, dims, data };
}

/** Reads every numeric variable of a Level 5 MAT-file, by name. Errors name the file. */
export function readMat(buf: Uint8Array, file: string): Map<string, MatVariable> {
  if (buf.length < 128) throw fileError(file, `is truncated: ${buf.length} bytes, shorter than the 128-byte MAT header`);
  const head = Buffer.from(buf.buffer, buf.byteOffset, 128);
  if (!head.toString('latin1', 0, 6).startsWith('MATLAB')) throw fileError(file, 'is not a MAT-file (no "MATLAB" text header)');
  const endian = head.toString('latin1', 126, 128);
  if (endian === 'MI') throw fileError(file, 'is a big-endian MAT-file, which this reader does not support');
  if (endian !== 'IM') throw fileError(file, `wrong endian indicator "${endian}" at byte 126`);
  const version = head.readUInt16LE(124);
  if (version !== 0x0100) {
    throw fileError(
      file,
      `MAT version 0x${version.toString(16)} is not Level 5 (0x0100)` +
        (version === 0x0200 ? '; v7.3 (HDF5) files are not supported, re-save with -v7' : ''),
    );
  }
  const out = new Map<string, MatVariable>();
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let at = 128; at < buf.length;) {
    const el = readTag(buf, view, at, file, true);
    let v: MatVariable | undefined;
    if (el.type === MI_COMPRESSED) {
      let inner: Buffer;
      try {
        inner = zlib.inflateSync(buf.subarray(el.start, el.end));
      } catch (e) {
        throw fileError(file, `the compressed element at byte ${at} cannot be inflated (${(e as Error).message})`);
      }
      const innerView = new DataView(inner.buffer, inner.byteOffset, inner.byteLength);
      const m = readTag(inner, innerView, 0, file, false);
      if (m.type === MI_MATRIX) v = readMatrix(inner, m, file);
    } else if (el.type === MI_MATRIX) {
      v = readMatrix(buf, el, file);
    }
    if (v) out.set(v.name, v);
    at = el.type === MI_COMPRESSED ? el.end : el.next; // compressed elements are not padded
  }
  return out;
}
