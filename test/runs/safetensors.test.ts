import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  checkTensorSet,
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  saveSafetensors,
  TensorRecord,
  TensorSet,
} from '../../lib/runs/safetensors';
import { repoRoot, tempDir } from '../helpers';

/** A safetensors file built by hand: the header JSON (padded with spaces to 8 bytes), then `data`. */
function fileOf(header: unknown, data: number[] = []): Uint8Array {
  let json = typeof header === 'string' ? header : JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(Buffer.from(json, 'utf8'), 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

const sample: TensorSet = {
  'cell.0.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-7, -1e30]) },
  alphas: { dtype: 'F64', shape: [2], data: new Float64Array([Math.PI, -0]) },
  step: { dtype: 'I32', shape: [], data: new Int32Array([-7]) },
  count: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 0n, 2n ** 62n]) },
  empty: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
  none: { dtype: 'F32', shape: [4, 0, 2], data: new Float32Array(0) },
  mask: { dtype: 'BOOL', shape: [2, 2], data: new Uint8Array([1, 0, 0, 1]) },
  bytes: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
};

describe('encodeSafetensors', () => {
  it('writes one F32 [2] tensor holding [1, 2] byte for byte as the format specifies', () => {
    const json = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes
    const expected = Uint8Array.from([
      56,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // u64 little-endian header length: 54 padded to 56
      ...Buffer.from(json + '  ', 'ascii'),
      0x00,
      0x00,
      0x80,
      0x3f, // 1.0f little-endian
      0x00,
      0x00,
      0x00,
      0x40, // 2.0f little-endian
    ]);
    const bytes = encodeSafetensors({ x: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(expected));
  });

  it('writes the tensors contiguously in sorted name order, metadata first', () => {
    const bytes = encodeSafetensors(sample, { z: '1', format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.strictEqual(n % 8, 0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
    assert.deepStrictEqual(Object.keys(header), ['__metadata__', ...Object.keys(sample).sort()]);
    assert.deepStrictEqual(header.__metadata__, { format: 'pt', z: '1' });
    assert.deepStrictEqual(header.alphas.data_offsets, [0, 16]);
    assert.deepStrictEqual(header.bytes.data_offsets, [16, 19]);
    assert.strictEqual(bytes.length, 8 + n + 6 * 4 + 2 * 8 + 4 + 3 * 8 + 4 + 3);
  });

  it('is deterministic whatever order the tensors were added in', () => {
    const reversed = Object.fromEntries(Object.entries(sample).reverse());
    assert.deepStrictEqual(encodeSafetensors(reversed), encodeSafetensors(sample));
  });

  it('rejects data that does not fit the shape or dtype, and reserved names', () => {
    const bad = (t: unknown) => () => encodeSafetensors({ w: t } as unknown as TensorSet);
    assert.throws(bad({ dtype: 'F32', shape: [3], data: new Float32Array(2) }), /tensor "w": shape \[3\] holds 3 values but data has 2/);
    assert.throws(bad({ dtype: 'I32', shape: [2], data: new Float32Array(2) }), /"w": dtype I32 needs a Int32Array, got Float32Array/);
    assert.throws(bad({ dtype: 'F16', shape: [1], data: new Float32Array(1) }), /"w": unknown dtype "F16"/);
    assert.throws(bad({ dtype: 'F32', shape: [-1], data: new Float32Array(1) }), /"w": shape \[-1\] must be/);
    assert.throws(bad({ dtype: 'BOOL', shape: [1], data: new Uint8Array([2]) }), /"w": BOOL value 2/);
    const one: TensorRecord = { dtype: 'U8', shape: [], data: new Uint8Array(1) };
    assert.throws(() => encodeSafetensors({ __metadata__: one }), /"__metadata__": the name is reserved/);
    assert.throws(() => encodeSafetensors({}, { n: 1 as unknown as string }), /metadata "n" is a number, not a string/);
  });
});

describe('decodeSafetensors', () => {
  it('round-trips every dtype, scalars, empty tensors and metadata', () => {
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(sample, { format: 'pt' }));
    assert.deepStrictEqual(tensors, sample);
    assert.deepStrictEqual(metadata, { format: 'pt' });
    assert.deepStrictEqual(decodeSafetensors(encodeSafetensors({})), { tensors: {}, metadata: {} });
  });

  it('copies data into aligned arrays even when the input starts at an odd offset', () => {
    const bytes = encodeSafetensors(sample);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const { tensors } = decodeSafetensors(shifted.subarray(3));
    assert.deepStrictEqual(tensors, sample);
    shifted.fill(0);
    assert.strictEqual(tensors.step.data[0], -7); // a copy, not a view
  });

  it('accepts tensors listed out of data order', () => {
    const bytes = fileOf({ b: f32(4, 8), a: f32(0, 4) }, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
    const { tensors } = decodeSafetensors(bytes);
    assert.deepStrictEqual([tensors.a.data[0], tensors.b.data[0]], [1, 2]);
  });

  it('rejects a file shorter than 8 bytes', () => {
    assert.throws(() => decodeSafetensors(new Uint8Array(5), 'x.st'), /safetensors x\.st: file is 5 bytes, shorter than the 8-byte/);
  });

  it('rejects a header length beyond the end of the file', () => {
    const bytes = fileOf({});
    bytes[0] = 200;
    assert.throws(() => decodeSafetensors(bytes, 'x.st'), /x\.st: header length 200 goes beyond the file \(16 bytes\)/);
    bytes.set([0, 0, 0, 0, 0, 0, 0, 0x80]); // 2^63: must not wrap around
    assert.throws(() => decodeSafetensors(bytes, 'x.st'), /x\.st: header length 9223372036854775808 goes beyond/);
  });

  it('rejects a header that is not a JSON object', () => {
    assert.throws(() => decodeSafetensors(fileOf('{"a":'), 'x.st'), /x\.st: header is not UTF-8 JSON/);
    assert.throws(() => decodeSafetensors(fileOf('[1]'), 'x.st'), /x\.st: header is not a JSON object/);
    assert.throws(() => decodeSafetensors(fileOf({ __metadata__: { n: 1 } }), 'x.st'), /x\.st: __metadata__ "n" is not a string/);
  });

  it('rejects an unknown dtype and malformed shapes or offsets', () => {
    const one = (entry: unknown) => () => decodeSafetensors(fileOf({ w: entry }, [0, 0, 0, 0]), 'x.st');
    assert.throws(one({ ...f32(0, 4), dtype: 'F16' }), /x\.st: tensor "w": unknown dtype "F16"; known: F32, F64/);
    assert.throws(one({ ...f32(0, 4), shape: [1.5] }), /x\.st: tensor "w": shape \[1\.5\] is not a list/);
    assert.throws(one({ ...f32(0, 4), data_offsets: [4, 0] }), /x\.st: tensor "w": data_offsets \[4,0\] is not \[begin, end\]/);
    assert.throws(one(null), /x\.st: tensor "w": unknown dtype undefined/);
  });

  it('rejects data_offsets out of range of the data buffer', () => {
    const bytes = fileOf({ w: f32(0, 8) }, [0, 0, 0, 0]);
    assert.throws(() => decodeSafetensors(bytes, 'x.st'), /x\.st: tensor "w": data_offsets \[0, 8\] are out of range of the 4-byte/);
  });

  it('rejects overlapping tensors', () => {
    const bytes = fileOf({ a: f32(0, 8), b: f32(4, 8) }, new Array(8).fill(0));
    assert.throws(() => decodeSafetensors(bytes, 'x.st'), /x\.st: tensor "b": data_offsets \[4, 8\] overlap the previous tensor/);
  });

  it('rejects a gap between tensors and bytes after the last tensor', () => {
    const gap = fileOf({ a: f32(0, 4), b: f32(8, 12) }, new Array(12).fill(0));
    assert.throws(() => decodeSafetensors(gap, 'x.st'), /x\.st: data buffer has a gap: bytes 4 to 8 belong to no tensor/);
    const tail = fileOf({ a: f32(0, 4) }, new Array(6).fill(0));
    assert.throws(() => decodeSafetensors(tail, 'x.st'), /x\.st: tensors cover 4 of the 6-byte data buffer/);
  });

  it('rejects a byte length that is not product(shape) times the dtype size', () => {
    const bytes = fileOf({ w: f32(0, 8, [3]) }, new Array(8).fill(0));
    assert.throws(() => decodeSafetensors(bytes, 'x.st'), /x\.st: tensor "w": 8 bytes, but F32 shape \[3\] needs 12/);
  });

  it('reads the file written by the independent Python writer (test/fixtures/safetensors_ref.py)', () => {
    const bytes = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'reference.safetensors'));
    const { tensors, metadata } = decodeSafetensors(bytes);
    const expected: TensorSet = {
      'a.weight': { dtype: 'F32', shape: [2, 3], data: new Float32Array([0.5, -1.25, 3.0, 1024.0, -0.0078125, 6.5]) },
      'b.index': { dtype: 'I32', shape: [4], data: new Int32Array([-2147483648, -1, 0, 2147483647]) },
      'c.mask': { dtype: 'U8', shape: [3], data: new Uint8Array([0, 127, 255]) },
    };
    assert.deepStrictEqual(tensors, expected);
    assert.deepStrictEqual(metadata, { format: 'pt', source: 'safetensors_ref.py' });
    assert.deepStrictEqual(Buffer.from(encodeSafetensors(expected, metadata)), bytes); // byte for byte
  });
});

describe('saveSafetensors', () => {
  it('writes a file that loadSafetensors reads back, leaving no temporary file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'ckpt', 'model.safetensors');
      saveSafetensors(file, sample, { epoch: '3' });
      assert.deepStrictEqual(loadSafetensors(file), { tensors: sample, metadata: { epoch: '3' } });
      assert.deepStrictEqual(fs.readdirSync(path.dirname(file)), ['model.safetensors']);
    } finally {
      cleanup();
    }
  });
});

describe('loadSafetensors', () => {
  it('names the path of a missing or corrupt file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'none.safetensors');
      assert.throws(
        () => loadSafetensors(file),
        (e: Error) => e.message === `loadSafetensors: no file at ${file}`,
      );
      fs.writeFileSync(file, 'abc');
      assert.throws(
        () => loadSafetensors(file),
        (e: Error) => e.message.startsWith(`safetensors ${file}: file is 3 bytes`),
      );
    } finally {
      cleanup();
    }
  });
});

describe('checkTensorSet', () => {
  const model = { 'a.w': { shape: [2, 3] }, 'a.b': { shape: [3], dtype: 'F32' as const }, step: { shape: [] } };

  it('accepts a set with exactly the expected names and shapes', () => {
    const actual: TensorSet = {
      'a.w': { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) },
      'a.b': { dtype: 'F32', shape: [3], data: new Float32Array(3) },
      step: { dtype: 'I32', shape: [], data: new Int32Array(1) },
    };
    checkTensorSet(actual, model, 'ckpt');
  });

  it('lists every missing, extra and misshapen tensor in one error', () => {
    const actual: TensorSet = {
      'a.w': { dtype: 'F32', shape: [3, 2], data: new Float32Array(6) },
      'a.b': { dtype: 'F64', shape: [3], data: new Float64Array(3) },
      'x.1': { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      'x.0': { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    };
    assert.throws(
      () => checkTensorSet(actual, model, 'ckpt.safetensors'),
      (e: Error) => {
        assert.strictEqual(
          e.message,
          [
            'ckpt.safetensors: tensors do not match the model',
            '  missing: step',
            '  extra: x.0, x.1',
            '  misshapen: a.b (expected F32[3], found F64[3]); a.w (expected [2,3], found F32[3,2])',
          ].join('\n'),
        );
        return true;
      },
    );
  });
});
