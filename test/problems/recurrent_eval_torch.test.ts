/**
 * The discrete recurrent cell of a genotype (lib/problems/ptb/eval_cell.ts) against a PyTorch
 * float64 restatement of the DARTS code's evaluation cell (test/fixtures/make_recurrent_eval_torch.py):
 * the outputs over a window and the gradient of sum(outputs * R) in x, h0, W0 and W_1..8, for the
 * published DARTS_V2 and DARTS_V1 cells at two sizes, without and with masks; and the language
 * model around it: NLL, NLL + TAR and every gradient, with every dropout mask fixed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, tf } from '../../lib/backend';
import { recurrentEvalCell } from '../../lib/problems/ptb/eval_cell';
import { languageModelLoss } from '../../lib/problems/ptb/network';
import { DARTS_V1_RECURRENT, DARTS_V2_RECURRENT, type RecurrentGenotype } from '../../lib/spaces/recurrent';
import { assertNoTensorLeak, relativeGap } from '../helpers';
import { fixtureNoise, fixtureWindow, noiseTensors } from './recurrent_fixture';

type Tensors = Record<string, { shape: number[]; data: number[] }>;
const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'recurrent_eval_torch.json'), 'utf8')) as {
  cases: { name: string; genotype: string; inputs: Tensors; outputs: number[]; grads: Record<string, number[]> }[];
  networks: {
    name: string;
    genotype: string;
    sizes: { T: number; B: number };
    beta: number;
    tokens: number[];
    inputs: Tensors;
    nll: number;
    loss: number;
    grads: Record<string, number[]>;
  }[];
};

const GENOTYPES: Record<string, RecurrentGenotype> = { DARTS_V2: DARTS_V2_RECURRENT, DARTS_V1: DARTS_V1_RECURRENT };

describe('the discrete recurrent cell against PyTorch (test/fixtures/make_recurrent_eval_torch.py)', () => {
  before(async () => {
    await initBackend();
  });

  for (const c of FIXTURE.cases) {
    it(`${c.name}: the outputs and every gradient`, async () => {
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const [x, h0, w0, ws, r] = ['x', 'h0', 'w0', 'ws', 'r'].map(input);
      const masks = c.inputs.mx ? { x: input('mx') as tf.Tensor2D, h: input('mh') as tf.Tensor2D } : {};
      const g = GENOTYPES[c.genotype];
      const cell = (xv: tf.Tensor, hv: tf.Tensor, w0v: tf.Tensor, wsv: tf.Tensor) =>
        recurrentEvalCell(g, xv as tf.Tensor3D, hv as tf.Tensor2D, { w0: w0v as tf.Tensor2D, ws: tf.unstack(wsv) as tf.Tensor2D[] }, masks);
      const outputs = tf.tidy(() => cell(x, h0, w0, ws));
      const gap = relativeGap(await outputs.data(), c.outputs);
      assert.ok(gap < 1e-5, `outputs: ${gap}`);
      const loss = (...a: tf.Tensor[]) => tf.sum(tf.mul(cell(a[0], a[1], a[2], a[3]), r)) as tf.Scalar;
      const grads = tf.tidy(() => tf.grads(loss)([x, h0, w0, ws]));
      ['x', 'h0', 'w0', 'ws'].forEach((name, k) => {
        const gk = relativeGap(grads[k].dataSync(), c.grads[name]);
        assert.ok(gk < 1e-4, `gradient in ${name}: relative gap ${gk}`);
      });
      await assertNoTensorLeak(() => tf.tidy(() => tf.grads(loss)([x, h0, w0, ws])).forEach((t) => t.dispose()));
      tf.dispose([x, h0, w0, ws, r, outputs, ...grads, ...Object.values(masks)]);
    });
  }

  for (const c of FIXTURE.networks) {
    it(`the language model, ${c.name}: NLL, NLL + TAR and every gradient (tied decoder, all dropouts fixed)`, async () => {
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const { T, B } = c.sizes;
      const { inputs, targets } = fixtureWindow(c.tokens, T, B);
      const params = ['embedding', 'bias', 'h0', 'w0', 'ws'].map(input);
      const noise = fixtureNoise(input);
      const g = GENOTYPES[c.genotype];
      const window = (e: tf.Tensor, b: tf.Tensor, h: tf.Tensor, w: tf.Tensor, wsv: tf.Tensor) =>
        languageModelLoss(
          e as tf.Tensor2D,
          b as tf.Tensor1D,
          (xs, h0, m) => recurrentEvalCell(g, xs, h0, { w0: w as tf.Tensor2D, ws: tf.unstack(wsv) as tf.Tensor2D[] }, m),
          inputs,
          targets,
          h as tf.Tensor2D,
          noise,
          c.beta,
        );
      const [nll, loss] = tf.tidy(() => {
        const r = window(params[0], params[1], params[2], params[3], params[4]);
        return [r.nll.dataSync()[0], r.loss.dataSync()[0]];
      });
      assert.ok(Math.abs(nll - c.nll) < 1e-5 * Math.abs(c.nll), `nll ${nll} vs ${c.nll}`);
      assert.ok(Math.abs(loss - c.loss) < 1e-5 * Math.abs(c.loss), `loss ${loss} vs ${c.loss}`);
      const f = (...a: tf.Tensor[]) => window(a[0], a[1], a[2], a[3], a[4]).loss;
      const grads = tf.tidy(() => tf.grads(f)(params));
      ['embedding', 'bias', 'h0', 'w0', 'ws'].forEach((name, k) => {
        const gk = relativeGap(grads[k].dataSync(), c.grads[name]);
        assert.ok(gk < 1e-4, `gradient in ${name}: relative gap ${gk}`);
      });
      await assertNoTensorLeak(() => tf.tidy(() => tf.grads(f)(params)).forEach((t) => t.dispose()));
      tf.dispose([inputs, targets, ...params, ...grads, ...noiseTensors(noise)]);
    });
  }
});
