import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { timePointwise } from '../../lib/bench/pointwise';
import { relaxedSimd } from '../../lib/kernels/wasm_module';

describe('the pointwise benchmark (lib/bench/pointwise.ts)', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  it('times ours and the replaced paths of both passes, compares both with float64, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const rows = timePointwise(1, 2, [
      [9, 8, 12, 1],
      [9, 6, 4, 2],
    ]);
    // Both sum in XNNPACK's order (plain build).
    const plain = !relaxedSimd();
    assert.deepStrictEqual(
      rows.map((r) => [r.shape, r.pass, r.bitIdentical]),
      [
        ['2x9x9x8->12 s1', 'forward', plain],
        ['2x9x9x8->12 s1', 'input_grad', plain],
        ['2x9x9x6->4 s2', 'forward', plain],
        ['2x9x9x6->4 s2', 'input_grad', plain],
      ],
    );
    for (const r of rows) {
      assert.ok(r.oursMs >= 0 && r.beforeMs >= 0, JSON.stringify(r));
      assert.ok(r.oursRelErr < 1e-5 && r.beforeRelErr < 1e-5, JSON.stringify(r));
    }
    assert.strictEqual(tf.memory().numTensors, before);
  });
});
