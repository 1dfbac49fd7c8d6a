/**
 * The safetensors file format (huggingface/safetensors), without dependencies, so that checkpoints
 * open in PyTorch (`safetensors.torch.load_file`). Layout: an 8-byte little-endian u64 N, then N
 * bytes of UTF-8 JSON `{"__metadata__": {key: value}, name: {dtype, shape, data_offsets: [begin,
 * end]}}` padded with spaces, then the tensors' bytes, little-endian, C order, contiguous; offsets
 * count from the first byte after the header. Mapping a model's variables to names lives elsewhere.
 */
import * as fs from 'fs';
import { TextDecoder, TextEncoder } from 'util';
import { writeFileAtomic } from '../io/atomic';

type ArrayCtor = { new (buffer: ArrayBuffer): TensorData; readonly name: string };

/** Bytes per element and the typed array that holds each supported dtype. */
export const SAFETENSORS_DTYPES = {
  F32: { size: 4, array: Float32Array as ArrayCtor },
  F64: { size: 8, array: Float64Array as ArrayCtor },
  I32: { size: 4, array: Int32Array as ArrayCtor },
  I64: { size: 8, array: BigInt64Array as ArrayCtor },
  U8: { size: 1, array: Uint8Array as ArrayCtor },
  BOOL: { size: 1, array: Uint8Array as ArrayCtor }, // one byte per value, 0 or 1
} as const;
export type Dtype = keyof typeof SAFETENSORS_DTYPES;

/** Element storage: F32 Float32Array, F64 Float64Array, I32 Int32Array, I64 BigInt64Array, U8/BOOL Uint8Array. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** One tensor: `data` holds product(shape) values in C (row-major) order; shape [] is a scalar. */
export interface TensorRecord {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

/** Tensors by name. */
export type TensorSet = Record<string, TensorRecord>;

/** What a safetensors file holds: the tensors and the string-to-string `__metadata__`. */
export interface SafetensorsContents {
  tensors: TensorSet;
  metadata: Record<string, string>;
}

const METADATA = '__metadata__';
const RESERVED = ['', METADATA, '__proto__']; // '__proto__' would set a prototype, not a key
const DTYPE_LIST = Object.keys(SAFETENSORS_DTYPES).join(', ');
const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reverses each element's bytes in place on a big-endian host (a no-op on little-endian ones). */
function toLittleEndian(bytes: Uint8Array, size: number): void {
  if (hostLittleEndian || size === 1) return;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function checkBool(data: Uint8Array, where: string): void {
  const bad = data.findIndex((v) => v > 1);
  if (bad >= 0) throw new Error(`${where}: BOOL value ${data[bad]} at index ${bad} is not 0 or 1`);
}

/**
 * Encodes `tensors` (written in sorted name order) and string `metadata` as safetensors bytes.
 * Deterministic: the same input gives the same bytes. The caller owns the returned array.
 */
export function encodeSafetensors(tensors: TensorSet, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  const metaKeys = Object.keys(metadata).sort();
  for (const key of metaKeys) {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') throw new Error(`encodeSafetensors: metadata "${key}" is a ${typeof value}, not a string`);
  }
  if (metaKeys.length > 0) header[METADATA] = Object.fromEntries(metaKeys.map((k) => [k, metadata[k]]));
  const names = Object.keys(tensors).sort();
  const begins: number[] = [];
  let offset = 0;
  for (const name of names) {
    const where = `encodeSafetensors: tensor "${name}"`;
    const { dtype, shape, data } = tensors[name];
    if (RESERVED.includes(name)) throw new Error(`${where}: the name is reserved or empty`);
    if (!isDtype(dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}; use one of ${DTYPE_LIST}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw new Error(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
    }
    const { array } = SAFETENSORS_DTYPES[dtype];
    if (!(data instanceof array)) {
      throw new Error(`${where}: dtype ${dtype} needs a ${array.name}, got ${data?.constructor?.name}`);
    }
    if (data.length !== product(shape)) {
      throw new Error(`${where}: shape [${shape}] holds ${product(shape)} values but data has ${data.length}`);
    }
    if (dtype === 'BOOL') checkBool(data as Uint8Array, where);
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    begins.push(offset);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n); // pad the header with spaces
  names.forEach((name, i) => {
    const { dtype, data } = tensors[name];
    const begin = 8 + n + begins[i];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), begin);
    toLittleEndian(out.subarray(begin, begin + data.byteLength), SAFETENSORS_DTYPES[dtype].size);
  });
  return out;
}

/**
 * Decodes and validates safetensors `bytes`; `source` (a path, or 'buffer') names the input in
 * errors. Every tensor's data is copied into a fresh, aligned typed array the caller owns.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'buffer'): SafetensorsContents {
  const fail = (problem: string): Error => new Error(`safetensors ${source}: ${problem}`);
  if (bytes.length < 8) throw fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw fail(`header length ${n} goes beyond the file (${bytes.length} bytes)`);
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw fail(`header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header is not a JSON object');
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: TensorSet = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw fail(`__metadata__ "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (name === '__proto__') throw fail(`${where}: the name is reserved`);
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (!isDtype(dtype)) throw fail(`${where}: unknown dtype ${JSON.stringify(dtype)}; known: ${DTYPE_LIST}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw fail(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw fail(`${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLength) {
      throw fail(`${where}: data_offsets [${begin}, ${end}] are out of range of the ${dataLength}-byte data buffer`);
    }
    const { size, array } = SAFETENSORS_DTYPES[dtype];
    const expected = product(shape) * size;
    if (end - begin !== expected) throw fail(`${where}: ${end - begin} bytes, but ${dtype} shape [${shape}] needs ${expected}`);
    // A fresh, aligned copy (on a Buffer, slice would return a view).
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    toLittleEndian(copy, size);
    const data = new array(copy.buffer);
    if (dtype === 'BOOL') checkBool(data as Uint8Array, `safetensors ${source}: ${where}`);
    tensors[name] = { dtype, shape: [...shape], data };
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const { name, begin, end } of spans) {
    if (begin < covered) {
      throw fail(`tensor "${name}": data_offsets [${begin}, ${end}] overlap the previous tensor (ending at ${covered})`);
    }
    if (begin > covered) throw fail(`data buffer has a gap: bytes ${covered} to ${begin} belong to no tensor`);
    covered = end;
  }
  if (covered !== dataLength) {
    throw fail(`tensors cover ${covered} of the ${dataLength}-byte data buffer; the rest belongs to no tensor`);
  }
  return { tensors, metadata };
}

/** Writes `tensors` and `metadata` to `file` as safetensors, atomically, creating parent folders. */
export function saveSafetensors(file: string, tensors: TensorSet, metadata?: Record<string, string>): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** Reads and validates the safetensors `file`; errors name the path. */
export function loadSafetensors(file: string): SafetensorsContents {
  if (!fs.existsSync(file)) throw new Error(`loadSafetensors: no file at ${file}`);
  return decodeSafetensors(fs.readFileSync(file), file);
}

/**
 * Checks that `actual` holds exactly the `expected` names, shapes and (where given) dtypes, as when
 * loading a checkpoint into a model. Throws one error from `source` listing every missing name,
 * every extra name and every misshapen tensor.
 */
export function checkTensorSet(
  actual: TensorSet,
  expected: Record<string, { shape: readonly number[]; dtype?: Dtype }>,
  source: string,
): void {
  const missing = Object.keys(expected)
    .filter((k) => !(k in actual))
    .sort();
  const extra = Object.keys(actual)
    .filter((k) => !(k in expected))
    .sort();
  const misshapen: string[] = [];
  for (const name of Object.keys(expected)
    .filter((k) => k in actual)
    .sort()) {
    const want = expected[name];
    const got = actual[name];
    const shapeOk = want.shape.length === got.shape.length && want.shape.every((d, i) => d === got.shape[i]);
    if (!shapeOk || (want.dtype !== undefined && want.dtype !== got.dtype)) {
      misshapen.push(`${name} (expected ${want.dtype ?? ''}[${want.shape}], found ${got.dtype}[${got.shape}])`);
    }
  }
  if (missing.length + extra.length + misshapen.length === 0) return;
  const lines = [`${source}: tensors do not match the model`];
  if (missing.length > 0) lines.push(`  missing: ${missing.join(', ')}`);
  if (extra.length > 0) lines.push(`  extra: ${extra.join(', ')}`);
  if (misshapen.length > 0) lines.push(`  misshapen: ${misshapen.join('; ')}`);
  throw new Error(lines.join('\n'));
}
