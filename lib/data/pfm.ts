/**
 * The PFM format (Portable Float Map), in which FlyingThings3D, Sintel's tools and Middlebury 2014
 * store disparities: three ASCII header lines, then raw float32 values.
 *   - `Pf` (1 channel) or `PF` (3 channels, interleaved RGB);
 *   - `width height`;
 *   - a scale whose sign gives the byte order of the data (negative: little-endian, positive:
 *     big-endian) and whose magnitude nothing here uses;
 *   - width x height x channels float32 values, rows stored bottom to top.
 * We read the header tokens separated by any whitespace, as the netpbm readers do, and accept a
 * CRLF after the scale (some Windows writers); everything after is data and must be exactly the
 * size the header announces. In memory, rows run top to bottom, as in every other image here.
 */
import { writeFileAtomic } from '../io/atomic';
import { fileError } from './dataset';
import { readDataFile } from './files';

/** A decoded PFM image. */
export interface PfmImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Values row-major, top row first, channels interleaved (HWC): height x width x channels. */
  readonly data: Float32Array;
  /** The byte order the file used (read) or is to use (write). */
  readonly littleEndian?: boolean;
  /** The magnitude of the header's scale (1 when written here). */
  readonly scale?: number;
}

/** How to write a PFM file. */
export interface PfmWriteOptions {
  /** Byte order of the data (default true: the order of every common machine, and FlyingThings3D's). */
  readonly littleEndian?: boolean;
  /** Magnitude of the header's scale (default 1); its sign is set by the byte order. */
  readonly scale?: number;
}

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;

/** Parses PFM bytes; `file` names the source in errors. */
export function parsePfm(buf: Uint8Array, file = 'PFM data'): PfmImage {
  let at = 0;
  // One header token: skip whitespace, take the run of non-whitespace (at most 64 bytes, so that
  // a binary file is not scanned whole for a token).
  const token = (what: string): string => {
    while (at < buf.length && isSpace(buf[at])) at++;
    const start = at;
    while (at < buf.length && !isSpace(buf[at]) && at - start < 64) at++;
    if (at === start) throw fileError(file, `is truncated: the header ends before the ${what}`);
    if (at >= buf.length) throw fileError(file, `is truncated: nothing after the ${what} in the header`);
    return String.fromCharCode(...buf.subarray(start, at));
  };
  const magic = token('magic number');
  if (magic !== 'Pf' && magic !== 'PF') {
    throw fileError(file, `wrong magic ${JSON.stringify(magic.slice(0, 8))}: not a PFM file (expected "Pf" for 1 channel or "PF" for 3)`);
  }
  const channels = magic === 'PF' ? 3 : 1;
  const dims = [token('width'), token('height')].map((t, i) => {
    const what = i === 0 ? 'width' : 'height';
    if (!/^\d+$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) {
      throw fileError(file, `bad ${what} ${JSON.stringify(t)} in the PFM header (expected a positive integer)`);
    }
    return Number(t);
  });
  const [width, height] = dims;
  const scaleText = token('scale');
  const scale = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(scaleText) ? Number(scaleText) : NaN;
  if (!Number.isFinite(scale) || scale === 0) {
    throw fileError(
      file,
      `bad scale ${JSON.stringify(scaleText)} in the PFM header (expected a non-zero number; its sign gives the byte order)`,
    );
  }
  // Exactly one whitespace byte ends the header (two for CRLF): the data may begin with bytes
  // that look like whitespace.
  if (buf[at] === 0x0d && buf[at + 1] === 0x0a) at += 2;
  else at += 1;
  const count = width * height * channels;
  const have = buf.length - at;
  if (have < 4 * count) {
    throw fileError(file, `is truncated: ${have} bytes of data, expected ${4 * count} for ${width}x${height}x${channels} float32 values`);
  }
  if (have > 4 * count)
    throw fileError(file, `has ${have - 4 * count} bytes after the data of ${width}x${height}x${channels} float32 values`);
  const littleEndian = scale < 0;
  const view = new DataView(buf.buffer, buf.byteOffset + at, 4 * count);
  const data = new Float32Array(count);
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    // File row y is image row height - 1 - y.
    const from = y * row;
    const to = (height - 1 - y) * row;
    for (let i = 0; i < row; i++) data[to + i] = view.getFloat32(4 * (from + i), littleEndian);
  }
  return { width, height, channels, data, littleEndian, scale: Math.abs(scale) };
}

/** Reads a PFM file (a gzip-compressed one too) or parses PFM bytes. Errors name the file. */
export function readPfm(source: string | Uint8Array): PfmImage {
  return typeof source === 'string' ? parsePfm(readDataFile(source), source) : parsePfm(source);
}

/** The bytes of a PFM file holding `image` (rows written bottom to top). */
export function encodePfm(image: PfmImage, options: PfmWriteOptions = {}): Buffer {
  const { width, height, channels, data } = image;
  for (const [v, what] of [
    [width, 'width'],
    [height, 'height'],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`PFM: ${what}=${v} is not a positive integer`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`PFM: channels=${String(channels)}; PFM holds 1 or 3`);
  if (data.length !== width * height * channels) {
    throw new Error(`PFM: ${data.length} values do not make a ${width}x${height}x${channels} image`);
  }
  const littleEndian = options.littleEndian ?? image.littleEndian ?? true;
  const scale = options.scale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale)))
    throw new Error(`PFM: scale=${scale} must be a positive number (the sign encodes the byte order)`);
  const header = Buffer.from(`${channels === 3 ? 'PF' : 'Pf'}\n${width} ${height}\n${littleEndian ? -scale : scale}\n`, 'latin1');
  const out = Buffer.alloc(header.length + 4 * data.length);
  header.copy(out);
  const view = new DataView(out.buffer, out.byteOffset + header.length, 4 * data.length);
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    const from = (height - 1 - y) * row;
    for (let i = 0; i < row; i++) view.setFloat32(4 * (y * row + i), data[from + i], littleEndian);
  }
  return out;
}

/** Writes `image` to `file` as PFM (atomically, creating the folders). */
export function writePfm(file: string, image: PfmImage, options: PfmWriteOptions = {}): void {
  writeFileAtomic(file, encodePfm(image, options));
}
