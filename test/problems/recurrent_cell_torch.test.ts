/**
 * The DARTS recurrent search cell (lib/problems/ptb/search_cell.ts) against a PyTorch float64
 * restatement of the DARTS code's (test/fixtures/make_recurrent_cell_torch.py): the outputs over a
 * window and the gradient of sum(outputs * R) in every input (x, h0, W0, W_1..8, the alphas), at
 * two sizes, without and with the variational masks; and the search network around it
 * (lib/problems/ptb/network.ts): NLL, NLL + TAR and every gradient, with every dropout mask fixed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, tf } from '../../lib/backend';
import { measureCurvature } from '../../lib/hessian/track';
import type { PassOptions } from '../../lib/nn/model';
import { recurrentWindowLoss } from '../../lib/problems/ptb/network';
import { recurrentSearchCell } from '../../lib/problems/ptb/search_cell';
import { assertNoTensorLeak, relativeGap } from '../helpers';
import { fixtureNoise, fixtureWindow, noiseTensors } from './recurrent_fixture';

interface Case {
  readonly name: string;
  readonly sizes: { T: number; B: number; E: number; H: number };
  readonly inputs: Record<string, { shape: number[]; data: number[] }>;
  readonly outputs: number[];
  readonly loss: number;
  readonly grads: Record<'x' | 'h0' | 'w0' | 'ws' | 'alphas', number[]>;
}

interface NetworkCase {
  readonly name: string;
  readonly sizes: { V: number; T: number; B: number; H: number };
  readonly beta: number;
  readonly tokens: number[];
  readonly inputs: Record<string, { shape: number[]; data: number[] }>;
  readonly nll: number;
  readonly loss: number;
  readonly grads: Record<'embedding' | 'bias' | 'h0' | 'w0' | 'ws' | 'alphas', number[]>;
  /** The three largest eigenvalues of the exact Hessian of the NLL in the alphas. */
  readonly alphaHessianTop: number[];
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'recurrent_cell_torch.json'), 'utf8')) as {
  cases: Case[];
  networks: NetworkCase[];
};

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

  for (const c of FIXTURE.networks) {
    it(`the search network, ${c.name}: NLL, NLL + TAR and every gradient (tied decoder, all dropouts fixed)`, async () => {
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const { T, B } = c.sizes;
      const { inputs, targets } = fixtureWindow(c.tokens, T, B);
      const [embedding, bias, h0, w0, ws, alphas] = ['embedding', 'bias', 'h0', 'w0', 'ws', 'alphas'].map(input);
      const noise = fixtureNoise(input);
      const window = (e: tf.Tensor, b: tf.Tensor, h: tf.Tensor, w: tf.Tensor, wsv: tf.Tensor, a: tf.Tensor) =>
        recurrentWindowLoss(
          {
            embedding: e as tf.Tensor2D,
            decoderBias: b as tf.Tensor1D,
            cell: { w0: w as tf.Tensor2D, ws: tf.unstack(wsv) as tf.Tensor2D[] },
            alphas: a as tf.Tensor2D,
          },
          inputs,
          targets,
          h as tf.Tensor2D,
          noise,
          c.beta,
        );
      const [nll, loss] = tf.tidy(() => {
        const r = window(embedding, bias, h0, w0, ws, alphas);
        return [r.nll, r.loss];
      });
      assert.ok(Math.abs((await nll.data())[0] - c.nll) < 1e-5 * Math.abs(c.nll), `nll ${(await nll.data())[0]} vs ${c.nll}`);
      assert.ok(Math.abs((await loss.data())[0] - c.loss) < 1e-5 * Math.abs(c.loss), `loss ${(await loss.data())[0]} vs ${c.loss}`);
      const grads = tf.tidy(() => tf.grads((e, b, h, w, wsv, a) => window(e, b, h, w, wsv, a).loss)([embedding, bias, h0, w0, ws, alphas]));
      const names = ['embedding', 'bias', 'h0', 'w0', 'ws', 'alphas'] as const;
      for (let k = 0; k < names.length; k++) {
        const gap = relativeGap(await grads[k].data(), c.grads[names[k]]);
        assert.ok(gap < 1e-4, `gradient in ${names[k]}: relative gap ${gap}`);
      }
      await assertNoTensorLeak(() =>
        tf
          .tidy(() => tf.grads((e, b, h, w, wsv, a) => window(e, b, h, w, wsv, a).loss)([embedding, bias, h0, w0, ws, alphas]))
          .forEach((g) => g.dispose()),
      );
      tf.dispose([inputs, targets, embedding, bias, h0, w0, ws, alphas, nll, loss, ...grads, ...noiseTensors(noise)]);
    });
  }
  for (const c of FIXTURE.networks) {
    it(`the search network, ${c.name}: the full 180 x 180 alpha Hessian (central differences) has the exact dominant eigenvalue within 0.1%, as has Lanczos at 20 products (ReLU kinks frozen)`, async function () {
      this.timeout(300_000);
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const { T, B } = c.sizes;
      const { inputs, targets } = fixtureWindow(c.tokens, T, B);
      const [embedding, bias, h0, w0, ws] = ['embedding', 'bias', 'h0', 'w0', 'ws'].map(input);
      const alphas = tf.variable(input('alphas'));
      const noise = fixtureNoise(input);
      const cell = { w0: w0 as tf.Tensor2D, ws: tf.unstack(ws) as tf.Tensor2D[] };
      // The alphas' loss of the search (beta 0), as a model the curvature tracking measures.
      const model = {
        alphaParams: new Map([['alphas', alphas]]),
        examples: () => T * B,
        loss: (_: unknown, o: PassOptions) =>
          tf.tidy(() => {
            const a = (o.alphas?.get('alphas') ?? alphas) as tf.Tensor2D;
            // The ReLUs follow the curvature's kink pattern, as RecurrentSearchModel's passes do.
            o.pattern?.beginPass();
            const r = recurrentWindowLoss(
              { embedding: embedding as tf.Tensor2D, decoderBias: bias as tf.Tensor1D, cell, alphas: a },
              inputs,
              targets,
              h0 as tf.Tensor2D,
              o.pattern ? { ...noise, cell: { ...noise.cell, relu: o.pattern } } : noise,
              0,
            );
            return { loss: r.nll, output: r.logProbs };
          }),
      };
      try {
        const h = await measureCurvature(model, undefined, {
          method: 'full',
          maxProducts: 180,
          tolerance: 1e-3,
          step: 1e-2,
          scheme: 'central',
          weightDecay: 0,
          seed: 0,
          recordMatrix: false,
        });
        const exact = c.alphaHessianTop[0];
        assert.strictEqual(h.products, 180);
        // With the ReLUs' kink pattern frozen (one site per node and time step) the differences
        // are of a smooth function: within 0.1 % of autograd's exact top (within 1 % before).
        assert.strictEqual(h.hvp.kinkSites, 8 * T);
        assert.ok(Math.abs(h.dominantEigenvalue - exact) < 1e-3 * Math.abs(exact), `ours ${h.dominantEigenvalue}, exact ${exact}`);
        const lanczos = await measureCurvature(model, undefined, {
          method: 'lanczos',
          maxProducts: 20,
          tolerance: 0,
          step: 1e-2,
          scheme: 'central',
          weightDecay: 0,
          seed: 0,
        });
        assert.ok(
          Math.abs(lanczos.dominantEigenvalue - exact) < 1e-3 * Math.abs(exact),
          `Lanczos ${lanczos.dominantEigenvalue}, exact ${exact}`,
        );
      } finally {
        tf.dispose([inputs, targets, embedding, bias, h0, w0, ws, alphas, ...cell.ws, ...noiseTensors(noise)]);
      }
    });
  }
});
