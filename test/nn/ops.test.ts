import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { FactorizedReduce } from '../../lib/nn/factorized_reduce';
import { countElements, ForwardContext, type Op } from '../../lib/nn/module';
import { OPS } from '../../lib/nn/ops';
import { PRIMITIVES } from '../../lib/spaces/primitives';
import { assertNoTensorLeak } from '../helpers';
import { assertMatches, goldenCases, type GoldenCase, tensorOf } from './golden';

const TRAIN = () => new ForwardContext({ training: true, updateRunningStats: false, seed: 0 });

/** Sets the op's variables named in `assign` from the case's tensors; runs forward and all gradients. */
function runOp(op: Op, c: GoldenCase, assign: Record<string, string>) {
  for (const [varName, tensorName] of Object.entries(assign)) {
    const v = op.variables.find((e) => e.name === varName);
    assert.ok(v, `op has a variable ${varName}`);
    const value = tensorOf(c, tensorName);
    v.variable.assign(value);
    value.dispose();
  }
  const x0 = tensorOf(c, 'x');
  const x = tf.variable(x0);
  x0.dispose();
  const dy = tensorOf(c, 'dy');
  const vars = [x, ...Object.keys(assign).map((n) => op.variables.find((e) => e.name === n)!.variable)];
  const { value, grads } = tf.variableGrads(
    () =>
      op
        .apply(x as tf.Tensor4D, TRAIN())
        .mul(dy)
        .sum() as tf.Scalar,
    vars,
  );
  const y = op.apply(x as tf.Tensor4D, TRAIN());
  const out = { y, dx: grads[x.name], dw: Object.keys(assign).map((_, i) => grads[vars[i + 1].name]) };
  tf.dispose([x, dy, value]);
  return out;
}

describe('OPS', () => {
  it('builds every op name of lib/spaces/primitives.ts', () => {
    assert.deepStrictEqual(Object.keys(OPS).sort(), [...PRIMITIVES].sort());
  });

  it('gives each op the DARTS parameter count at C = 16 (by hand: depthwise K*K*C, pointwise C*C)', () => {
    const C = 16;
    const expected: Record<string, [number, number]> = {
      none: [0, 0],
      max_pool_3x3: [0, 0],
      avg_pool_3x3: [0, 0],
      noise: [0, 0],
      skip_connect: [0, 2 * C * (C / 2)],
      sep_conv_3x3: [2 * (9 * C + C * C), 2 * (9 * C + C * C)],
      sep_conv_5x5: [2 * (25 * C + C * C), 2 * (25 * C + C * C)],
      dil_conv_3x3: [9 * C + C * C, 9 * C + C * C],
      dil_conv_5x5: [25 * C + C * C, 25 * C + C * C],
    };
    for (const name of PRIMITIVES) {
      for (const [i, stride] of [1, 2].entries()) {
        const op = OPS[name](C, stride, false);
        assert.strictEqual(countElements(op.variables.filter((v) => v.trainable)), expected[name][i], `${name} stride ${stride}`);
        op.dispose();
      }
    }
  });

  it("names the variables as the DARTS code's operations.py", () => {
    const names = (op: Op) => op.variables.map((v) => v.name);
    const sep = OPS.sep_conv_3x3(4, 1, false);
    assert.deepStrictEqual(names(sep), [
      'op.1.weight',
      'op.2.weight',
      'op.3.running_mean',
      'op.3.running_var',
      'op.5.weight',
      'op.6.weight',
      'op.7.running_mean',
      'op.7.running_var',
    ]);
    const dil = OPS.dil_conv_5x5(4, 2, true);
    assert.deepStrictEqual(names(dil), ['op.1.weight', 'op.2.weight', 'op.3.weight', 'op.3.bias', 'op.3.running_mean', 'op.3.running_var']);
    assert.deepStrictEqual(dil.variables[0].variable.shape, [5, 5, 4, 1]);
    const fr = OPS.skip_connect(4, 2, false);
    assert.deepStrictEqual(names(fr), ['conv_1.weight', 'conv_2.weight', 'bn.running_mean', 'bn.running_var']);
    [sep, dil, fr].forEach((op) => op.dispose());
  });

  it('maps [N, H, W, C] to [N, ceil(H / s), ceil(W / s), C] for every op, odd and even sizes', () => {
    const x = tf.randomNormal([2, 7, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    for (const name of PRIMITIVES) {
      for (const stride of [1, 2]) {
        const op = OPS[name](4, stride, false);
        const y = op.apply(x, TRAIN());
        assert.deepStrictEqual(y.shape, stride === 1 ? [2, 7, 8, 4] : [2, 4, 4, 4], `${name} stride ${stride}`);
        if (y !== x) y.dispose();
        op.dispose();
      }
    }
    x.dispose();
  });

  it('rejects a bad C or stride, naming it', () => {
    assert.throws(() => OPS.sep_conv_3x3(0, 1, false), /C=0 is not an integer >= 1/);
    assert.throws(() => OPS.none(4, 3, false), /stride=3; use 1 or 2/);
    assert.throws(() => new FactorizedReduce(3, 5, false), /cout=5 is odd/);
  });

  it('sep_conv_3x3 at stride 2 reproduces PyTorch with the golden weights set by name', async () => {
    const c = goldenCases().sep_conv_3x3_s2;
    const op = OPS.sep_conv_3x3(4, 2, false);
    const assign = { 'op.1.weight': 'w1', 'op.2.weight': 'w2', 'op.5.weight': 'w3', 'op.6.weight': 'w4' };
    const { y, dx, dw } = runOp(op, c, assign);
    assertMatches(y, c, 'y', 'y');
    assertMatches(dx, c, 'dx', 'dx');
    ['dw1', 'dw2', 'dw3', 'dw4'].forEach((n, i) => assertMatches(dw[i], c, n, n));
    tf.dispose([y, dx, ...dw]);
    await assertNoTensorLeak(() => {
      const o = runOp(op, c, assign);
      tf.dispose([o.y, o.dx, ...o.dw]);
    });
    op.dispose();
  });

  for (const name of ['factorized_reduce', 'factorized_reduce_odd_padded']) {
    it(`FactorizedReduce reproduces PyTorch (${name})`, () => {
      const c = goldenCases()[name];
      const op = new FactorizedReduce(3, 4, false);
      const { y, dx, dw } = runOp(op, c, { 'conv_1.weight': 'w1', 'conv_2.weight': 'w2' });
      assertMatches(y, c, 'y', 'y');
      assertMatches(dx, c, 'dx', 'dx');
      assertMatches(dw[0], c, 'dw1', 'dw1');
      assertMatches(dw[1], c, 'dw2', 'dw2');
      tf.dispose([y, dx, ...dw]);
      op.dispose();
    });
  }
});
