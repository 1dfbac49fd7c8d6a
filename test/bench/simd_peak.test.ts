import * as assert from 'assert';
import { PEAK_CHAINS, peakModule } from '../../lib/bench/simd_peak';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, (...a: number[]) => number> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What `peak(iters, c)` must return, in float32 as the module computes it: chain k starts at k / chains. */
function expected(iters: number, c: number, chains: number): number {
  const f = Math.fround;
  const acc = Array.from({ length: chains }, (_, k) => f(k / chains));
  for (let i = 0; i < iters; i++) for (let k = 0; k < chains; k++) acc[k] = f(f(acc[k] * f(0.999)) + f(c));
  return acc.reduce((s, x) => f(s + x));
}

describe('the SIMD128 peak probe (lib/bench/simd_peak.ts)', () => {
  it('assembles a valid module whose multiply-add chains compute what float32 arithmetic gives', () => {
    for (const chains of [PEAK_CHAINS, 3]) {
      const bytes = peakModule(false, chains);
      assert.ok(WebAssembly.validate(bytes));
      const { peak } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
      for (const iters of [0, 1, 7])
        assert.strictEqual(peak(iters, 0.25), expected(iters, 0.25, chains), `${chains} chains, ${iters} steps`);
    }
  });
});
