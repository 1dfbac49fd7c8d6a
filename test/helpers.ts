/** Small helpers shared by the tests. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../lib/backend';

/** A fresh temporary folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'rdarts-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `fn` in a fresh temporary directory and removes it afterwards, whatever `fn` does. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix?: string): Promise<T> {
  const { dir, cleanup } = tempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    cleanup();
  }
}

/** Runs `fn` twice and asserts that the second run leaves no more tensors than the first. */
export async function assertNoTensorLeak(fn: () => unknown): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;
  await fn();
  assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked across calls');
}

/** Asserts |actual - expected| <= tol * max(1, |expected|) element-wise. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'value'): void {
  assert.strictEqual(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > tol * Math.max(1, Math.abs(expected[i]))) {
      assert.fail(`${what}[${i}] = ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..');

/** Largest |actual - expected| over the largest |expected|: a gap relative to the tensor's scale. */
export function relativeGap(actual: ArrayLike<number>, expected: readonly number[]): number {
  assert.strictEqual(actual.length, expected.length);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    gap = Math.max(gap, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return gap / scale;
}

/**
 * A value without its `seconds` fields, at any depth: records compared across runs, whose wall
 * times differ (the golden records, resumed against whole runs).
 */
export function withoutSeconds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSeconds);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== 'seconds')
      .map(([k, x]) => [k, withoutSeconds(x)]),
  );
}
