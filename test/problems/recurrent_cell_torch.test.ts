/**
 * The DARTS recurrent search cell (lib/problems/ptb/search_cell.ts) against a PyTorch float64
 * restatement of the DARTS code's (test/fixtures/make_recurrent_cell_torch.py): the outputs over a
 * window and the gradient of sum(outputs * R) in every input (x, h0, W0, W_1..8, the alphas), at
 * two sizes, without and with the variational masks.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, tf } from '../../lib/backend';
import { recurrentSearchCell } from '../../lib/problems/ptb/search_cell';
import { assertNoTensorLeak } from '../helpers';

interface Case {
  readonly name: string;
  readonly sizes: { T: number; B: number; E: number; H: number };
  readonly inputs: Record<string, { shape: number[]; data: number[] }>;
  readonly outputs: number[];
  readonly loss: number;
  readonly grads: Record<'x' | 'h0' | 'w0' | 'ws' | 'alphas', number[]>;
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'recurrent_cell_torch.json'), 'utf8')) as {
  cases: Case[];
};

/** Largest |a - b| over the largest |b|: the tolerance is relative to the tensor's scale. */
function relativeGap(actual: ArrayLike<number>, expected: readonly number[]): number {
  assert.strictEqual(actual.length, expected.length);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    gap = Math.max(gap, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return gap / scale;
}

describe('the DARTS recurrent search cell against PyTorch (test/fixtures/make_recurrent_cell_torch.py)', () => {
  before(async () => {
    await initBackend();
  });

  for (const c of FIXTURE.cases) {
    it(`${c.name}: the outputs and every gradient`, async () => {
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const [x, h0, w0, ws, alphas, r] = ['x', 'h0', 'w0', 'ws', 'alphas', 'r'].map(input);
      const masks = c.inputs.mx ? { x: input('mx') as tf.Tensor2D, h: input('mh') as tf.Tensor2D } : {};
      const loss = (xv: tf.Tensor, hv: tf.Tensor, w0v: tf.Tensor, wsv: tf.Tensor, av: tf.Tensor) =>
        tf.sum(
          tf.mul(
            recurrentSearchCell(
              xv as tf.Tensor3D,
              hv as tf.Tensor2D,
              { w0: w0v as tf.Tensor2D, ws: tf.unstack(wsv) as tf.Tensor2D[] },
              av as tf.Tensor2D,
              masks,
            ),
            r,
          ),
        ) as tf.Scalar;
      const outputs = tf.tidy(() =>
        recurrentSearchCell(
          x as tf.Tensor3D,
          h0 as tf.Tensor2D,
          { w0: w0 as tf.Tensor2D, ws: tf.unstack(ws) as tf.Tensor2D[] },
          alphas as tf.Tensor2D,
          masks,
        ),
      );
      assert.ok(relativeGap(await outputs.data(), c.outputs) < 1e-5, `outputs: ${relativeGap(await outputs.data(), c.outputs)}`);
      const grads = tf.tidy(() => tf.grads(loss)([x, h0, w0, ws, alphas]));
      const names = ['x', 'h0', 'w0', 'ws', 'alphas'] as const;
      for (let k = 0; k < names.length; k++) {
        const gap = relativeGap(await grads[k].data(), c.grads[names[k]]);
        assert.ok(gap < 1e-4, `gradient in ${names[k]}: relative gap ${gap}`);
      }
      await assertNoTensorLeak(() => tf.tidy(() => tf.grads(loss)([x, h0, w0, ws, alphas])).forEach((g) => g.dispose()));
      tf.dispose([x, h0, w0, ws, alphas, r, outputs, ...grads, ...Object.values(masks)]);
    });
  }
});
