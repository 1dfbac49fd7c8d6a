/** Reading test/fixtures/ops_golden.json (PyTorch float64 answers in our NHWC / HWIO layouts). */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { assertClose, repoRoot } from '../helpers';

export interface StoredTensor {
  readonly shape: number[];
  readonly data: number[];
}

export interface GoldenCase {
  readonly op: string;
  readonly params: Record<string, unknown>;
  readonly [tensor: string]: StoredTensor | unknown;
}

let cache: Record<string, GoldenCase> | undefined;

/** Every case of the fixture, by name. */
export function goldenCases(): Record<string, GoldenCase> {
  if (!cache) {
    const file = path.join(repoRoot, 'test', 'fixtures', 'ops_golden.json');
    cache = (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: Record<string, GoldenCase> }).cases;
  }
  return cache;
}

/** The stored tensor `name` of `c`. */
export function stored(c: GoldenCase, name: string): StoredTensor {
  const t = c[name] as StoredTensor | undefined;
  if (!t || !Array.isArray(t.shape)) throw new Error(`golden case has no tensor ${name}`);
  return t;
}

/** The stored tensor as a float32 tf tensor (the caller owns it). */
export function tensorOf(c: GoldenCase, name: string): tf.Tensor {
  const t = stored(c, name);
  return tf.tensor(t.data, t.shape, 'float32');
}

/**
 * Asserts `actual` equals the stored `name` within `rel` relative to the tensor's scale:
 * |a - e| <= rel * max(1, max|e|), so float32 accumulation error of large sums passes and an
 * error in a small entry of a large tensor is still caught.
 */
export function assertMatches(actual: tf.Tensor, c: GoldenCase, name: string, what: string, rel = 1e-4): void {
  const expected = stored(c, name);
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`${what}: shape [${actual.shape}] != [${expected.shape}]`);
  }
  const scale = expected.data.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  assertClose(actual.dataSync(), expected.data, rel * scale, what);
}
