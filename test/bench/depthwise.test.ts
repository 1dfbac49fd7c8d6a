import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { timeDepthwise } from '../../lib/bench/depthwise';
import { relaxedSimd } from '../../lib/kernels/wasm_module';

describe('the depthwise benchmark (lib/bench/depthwise.ts)', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  it('times both kernels on each shape, finds their outputs bit-identical (plain build), and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const rows = timeDepthwise(1, 2, [
      [9, 8, 3, 1, 1],
      [9, 5, 5, 2, 1],
      [8, 4, 3, 1, 2],
    ]);
    // The relaxed build's fused multiply-adds round once, XNNPACK's products and sums twice.
    const identical = !relaxedSimd();
    assert.deepStrictEqual(
      rows.map((r) => [r.shape, r.bitIdentical]),
      [
        ['2x9x9x8 k3 d1 s1', identical],
        ['2x9x9x5 k5 d2 s1', identical],
        ['2x8x8x4 k3 d1 s2', identical],
      ],
    );
    for (const r of rows) assert.ok(r.oursMs >= 0 && r.xnnpackMs >= 0, JSON.stringify(r));
    assert.strictEqual(tf.memory().numTensors, before);
  });
});
