import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { timePointwise } from '../../lib/bench/pointwise';
import { relaxedSimd } from '../../lib/kernels/wasm_module';

describe('the pointwise benchmark (lib/bench/pointwise.ts)', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });

  it('times ours and the replaced paths of the three passes, compares both with float64, and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const rows = timePointwise(1, 2, [
      [9, 8, 12, 1],
      [9, 6, 4, 2],
    ]);
    // The forward and the input gradient sum in XNNPACK's order (plain build); the filter
    // gradient's sums run in chunks of pixels where the general kernel's run per image row, except
    // at stride 2, where it is the general kernel.
    const plain = !relaxedSimd();
    assert.deepStrictEqual(
      rows.map((r) => [r.shape, r.pass, r.bitIdentical]),
      [
        ['2x9x9x8->12 s1', 'forward', plain],
        ['2x9x9x8->12 s1', 'input_grad', plain],
        ['2x9x9x8->12 s1', 'filter_grad', false],
        ['2x9x9x6->4 s2', 'forward', plain],
        ['2x9x9x6->4 s2', 'input_grad', plain],
        ['2x9x9x6->4 s2', 'filter_grad', true],
      ],
    );
    for (const r of rows) {
      assert.ok(r.oursMs >= 0 && r.beforeMs >= 0, JSON.stringify(r));
      assert.ok(r.oursRelErr < 1e-5 && r.beforeRelErr < 1e-5, JSON.stringify(r));
    }
    assert.strictEqual(tf.memory().numTensors, before);
  });
});
