import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CHECK_TOLERANCE, relativeErrors, worstOf } from '../../lib/engine/differential';
import { repoRoot } from '../helpers';

/** Whether this CPU has fused multiply-add (arm64 always; x86-64 where /proc/cpuinfo lists fma). */
function hasFma(): boolean {
  if (process.arch === 'arm64') return true;
  try {
    return /^flags\s*:.*\bfma\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** The probe's gradients with our kernels' plain (`0`) or relaxed-SIMD (`1`) build. */
function probe(relaxed: '0' | '1'): { relaxedSimd: boolean; grads: Record<string, number[]> } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'relaxed_probe.ts')], {
    cwd: repoRoot,
    env: { ...process.env, RDARTS_WASM_RELAXED: relaxed, RDARTS_WASM_THREADS: '' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe("our kernels' relaxed-SIMD build (RDARTS_WASM_RELAXED=1)", () => {
  it('is the build that runs when asked for: every supernet gradient within the check tolerance of the plain build, and not bit-identical', function () {
    this.timeout(300_000);
    const [plain, relaxed] = [probe('0'), probe('1')];
    assert.deepStrictEqual([plain.relaxedSimd, relaxed.relaxedSimd], [false, true]);
    const toArrays = (g: Record<string, number[]>) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Float64Array.from(v)]));
    const errors = relativeErrors(toArrays(relaxed.grads), toArrays(plain.grads));
    assert.ok(Object.keys(errors).length > 20, `${Object.keys(errors).length} tensors compared`);
    const worst = worstOf(errors);
    assert.ok(worst.error <= CHECK_TOLERANCE, `${worst.tensor}: ${worst.error}`);
    // One rounding instead of two: a fused multiply-add moves the last bits of some gradients
    // (where the CPU has FMA; else the runtime multiplies and adds, and nothing tells the builds apart).
    if (hasFma()) {
      const differing = Object.values(errors).filter((e) => e > 0).length;
      assert.ok(differing > 0, 'the relaxed build gave bit-identical gradients: is it loaded?');
    }
  });
});
