/**
 * The recurrent cell's second-order alpha gradient (lib/search/step.ts, `clip` as the language-model
 * search passes it) against a PyTorch float64 restatement of the DARTS code's unrolled step for the
 * recurrent cell (test/fixtures/make_recurrent_unrolled_torch.py): both clips, the clip
 * coefficient scaling the implicit term (also where above 1), the passes on the training window
 * scored without TAR, and the validation pass at the unrolled weights (its last output is what
 * the stream carries on). Two cases: one where both gradients are clipped, one where none is.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, tf } from '../../lib/backend';
import type { PassOptions } from '../../lib/nn/model';
import { Sgd } from '../../lib/nn/optim';
import { recurrentWindowLoss } from '../../lib/problems/ptb/network';
import { unrolledAlphaGrads } from '../../lib/search/step';
import { relativeGap } from '../helpers';
import { fixtureNoise, fixtureWindow, noiseTensors } from './recurrent_fixture';

interface UnrolledCase {
  readonly name: string;
  readonly sizes: { V: number; T: number; B: number; H: number };
  readonly eta: number;
  readonly wdecay: number;
  readonly clip: number;
  readonly trainTokens: number[];
  readonly validTokens: number[];
  readonly inputs: Record<string, { shape: number[]; data: number[] }>;
  readonly clipCoef: number;
  readonly validLoss: number;
  readonly firstOrderAtUnrolled: number[];
  readonly secondOrder: number[];
  readonly validLast: number[];
}

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'recurrent_unrolled_torch.json'), 'utf8')) as {
  cases: UnrolledCase[];
};

/** A window of the fixture: the batch of the test's model. */
interface Window {
  readonly stream: 'train' | 'valid';
  readonly inputs: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  readonly h0: tf.Tensor2D;
}

describe("the recurrent cell's second-order alpha gradient against PyTorch (test/fixtures/make_recurrent_unrolled_torch.py)", () => {
  before(async () => {
    await initBackend();
  });

  for (const c of FIXTURE.cases) {
    it(`${c.name}: the unrolled step's alpha gradient (clip coefficient ${c.clipCoef.toFixed(3)})`, () => {
      const input = (k: string) => tf.tensor(c.inputs[k].data, c.inputs[k].shape);
      const { T, B } = c.sizes;
      const weights = new Map(['embedding', 'bias', 'w0', 'ws'].map((k) => [k, tf.variable(input(k))]));
      const alphas = tf.variable(input('alphas'));
      const noise = fixtureNoise(input);
      const window = (stream: 'train' | 'valid', tokens: number[], h0: string): Window => ({
        stream,
        ...fixtureWindow(tokens, T, B),
        h0: input(h0) as tf.Tensor2D,
      });
      const train = window('train', c.trainTokens, 'h0train');
      const valid = window('valid', c.validTokens, 'h0valid');
      let validLast: number[] = [];
      const w = (k: string) => weights.get(k) as tf.Variable;
      // The search model's loss (lib/problems/ptb/model.ts) on the fixture's fixed masks: TAR
      // (beta 0.5, so that leaving it in would show) on training windows unless the pass scores
      // the architecture's objective.
      const model = {
        weights,
        alphaParams: new Map([['alphas', alphas]]),
        metric: () => 0,
        loss: (b: Window, o: PassOptions) =>
          tf.tidy(() => {
            const tar = b.stream === 'train' && o.objective !== 'architecture' ? 0.5 : 0;
            const ws = tf.unstack(w('ws')) as tf.Tensor2D[];
            const r = recurrentWindowLoss(
              {
                embedding: w('embedding') as tf.Tensor2D,
                decoderBias: w('bias') as tf.Tensor1D,
                cell: { w0: w('w0') as tf.Tensor2D, ws },
                alphas: alphas as tf.Tensor2D,
              },
              b.inputs,
              b.targets,
              b.h0,
              noise,
              tar,
            );
            if (b.stream === 'valid') validLast = Array.from(tf.slice(r.outputs, [T - 1, 0, 0], [1, -1, -1]).dataSync());
            return { loss: r.loss, output: r.logProbs };
          }),
      };
      const sgd = new Sgd(weights, { momentum: 0, weightDecay: c.wdecay });
      const before = [...weights.values()].map((v) => Array.from(v.dataSync()));
      try {
        const r = unrolledAlphaGrads(model, sgd, valid, {
          order: 'second',
          trainBatch: train,
          lr: c.eta,
          momentum: 0,
          weightDecay: c.wdecay,
          seed: 0,
          clip: c.clip,
        });
        const grad = Array.from((r.grads.get('alphas') as tf.Tensor).dataSync());
        tf.dispose([...r.grads.values()]);
        assert.ok(Math.abs(r.loss - c.validLoss) < 1e-5 * c.validLoss, `L_val(w') ${r.loss} vs ${c.validLoss}`);
        assert.ok(relativeGap(validLast, c.validLast) < 1e-5, `the last output at w': ${relativeGap(validLast, c.validLast)}`);
        const gap = relativeGap(grad, c.secondOrder);
        assert.ok(gap < 2e-3, `second-order alpha gradient: relative gap ${gap}`);
        // The implicit term matters here: the first-order gradient at w' alone is far from it.
        assert.ok(relativeGap(c.firstOrderAtUnrolled, c.secondOrder) > 20 * gap, 'the fixture separates first from second order');
        [...weights.values()].forEach((v, i) => assert.deepStrictEqual(Array.from(v.dataSync()), before[i], 'the weights are restored'));
      } finally {
        tf.dispose([...weights.values(), alphas, train.inputs, train.targets, train.h0, valid.inputs, valid.targets, valid.h0]);
        tf.dispose(noiseTensors(noise));
      }
    });
  }
});
