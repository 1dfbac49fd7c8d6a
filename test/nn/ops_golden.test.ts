import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { batchNorm, type BatchNormState } from '../../lib/nn/batchnorm';
import { conv2d, depthwiseConv2d } from '../../lib/nn/conv';
import { sepConv } from '../../lib/nn/conv_ops';
import { factorizedReduce } from '../../lib/nn/factorized_reduce';
import { avgPool3x3, maxPool3x3, relu } from '../../lib/nn/pool';
import { crossEntropy } from '../../lib/nn/loss';
import { mixOutputs, mixingWeights } from '../../lib/problems/darts/supernet/mixed_op';
import { assertNoTensorLeak } from '../helpers';
import { assertMatches, goldenCases, type GoldenCase, tensorOf } from './golden';

type Fn = (...inputs: tf.Tensor[]) => tf.Tensor;

/** How to compute one fixture case: its inputs, the function, and the stored name of each input's gradient. */
interface Recipe {
  readonly inputs: readonly string[];
  readonly grads: readonly string[];
  readonly fn: (c: GoldenCase) => Fn;
}

const TRAIN = { training: true, updateRunningStats: false };

/** A BN state with fresh running statistics, in a tidy scope of the caller. */
function bnState(channels: number, weight?: tf.Tensor, bias?: tf.Tensor): BatchNormState {
  return {
    weight,
    bias,
    eps: 1e-5,
    momentum: 0.1,
    runningMean: tf.variable(tf.zeros([channels]), false),
    runningVar: tf.variable(tf.ones([channels]), false),
  };
}

function withState<T>(channels: number[], run: (states: BatchNormState[]) => T): T {
  const states = channels.map((c) => bnState(c));
  try {
    return run(states);
  } finally {
    for (const s of states) {
      s.runningMean.dispose();
      s.runningVar.dispose();
    }
  }
}

const param = (c: GoldenCase, key: string) => (c.params[key] as number[])[0];
const x4 = (t: tf.Tensor) => t as tf.Tensor4D;

function recipeFor(name: string): Recipe {
  if (name.startsWith('conv')) {
    return { inputs: ['x', 'w'], grads: ['dx', 'dw'], fn: (c) => (x, w) => conv2d(x4(x), x4(w), param(c, 'stride'), param(c, 'padding')) };
  }
  if (name.startsWith('dw')) {
    return {
      inputs: ['x', 'w'],
      grads: ['dx', 'dw'],
      fn: (c) => (x, w) => depthwiseConv2d(x4(x), x4(w), param(c, 'stride'), param(c, 'padding'), param(c, 'dilation')),
    };
  }
  if (name.startsWith('maxpool')) return { inputs: ['x'], grads: ['dx'], fn: (c) => (x) => maxPool3x3(x4(x), param(c, 'stride')) };
  if (name.startsWith('avgpool')) return { inputs: ['x'], grads: ['dx'], fn: (c) => (x) => avgPool3x3(x4(x), param(c, 'stride')) };
  if (name === 'relu') return { inputs: ['x'], grads: ['dx'], fn: () => (x) => relu(x4(x)) };
  if (name === 'bn_train_noaffine') {
    return { inputs: ['x'], grads: ['dx'], fn: () => (x) => withState([3], ([s]) => batchNorm(x4(x), s, true, false)) };
  }
  if (name === 'bn_train_affine') {
    return {
      inputs: ['x', 'gamma', 'beta'],
      grads: ['dx', 'dgamma', 'dbeta'],
      fn: () => (x, g, b) => withState([3], ([s]) => batchNorm(x4(x), { ...s, weight: g, bias: b }, true, false)),
    };
  }
  if (name.startsWith('factorized_reduce')) {
    return {
      inputs: ['x', 'w1', 'w2'],
      grads: ['dx', 'dw1', 'dw2'],
      fn: () => (x, w1, w2) => withState([4], ([s]) => factorizedReduce(x4(x), x4(w1), x4(w2), s, TRAIN)),
    };
  }
  if (name === 'sep_conv_3x3_s2') {
    return {
      inputs: ['x', 'w1', 'w2', 'w3', 'w4'],
      grads: ['dx', 'dw1', 'dw2', 'dw3', 'dw4'],
      fn: () => (x, w1, w2, w3, w4) =>
        withState([4, 4], ([a, b]) =>
          sepConv(
            x4(x),
            [
              { dw: x4(w1), pw: x4(w2), bn: a },
              { dw: x4(w3), pw: x4(w4), bn: b },
            ],
            2,
            1,
            TRAIN,
          ),
        ),
    };
  }
  if (name === 'softmax_ce') {
    // The search's loss lives in lib/search/step.ts; its golden case is checked here with the rest.
    return {
      inputs: ['logits'],
      grads: ['dlogits'],
      fn: (c) => (logits) => crossEntropy(logits as tf.Tensor2D, tf.tensor1d((c.labels as { data: number[] }).data, 'int32')),
    };
  }
  if (name === 'mixed_edge') {
    return {
      inputs: ['alpha', 't1', 't2', 't3'],
      grads: ['dalpha', 'dt1', 'dt2', 'dt3'],
      fn: () => (alpha, t1, t2, t3) =>
        mixOutputs(mixingWeights(alpha.reshape([1, 3]) as tf.Tensor2D).reshape([3]) as tf.Tensor1D, [x4(t1), x4(t2), x4(t3)]),
    };
  }
  throw new Error(`no recipe for golden case ${name}`);
}

/** Forward and gradients of sum(y * dy) (of the loss itself for softmax_ce), all owned by the caller. */
function run(c: GoldenCase, recipe: Recipe): { y: tf.Tensor; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const inputs = recipe.inputs.map((n) => tensorOf(c, n));
    const f = recipe.fn(c);
    const y = f(...inputs);
    const dy = c.dy === undefined ? tf.onesLike(y) : tensorOf(c, 'dy');
    const grads = tf.grads((...args: tf.Tensor[]) => f(...args))(inputs, dy);
    return { y, grads };
  });
}

describe('primitive ops against PyTorch (ops_golden.json)', () => {
  const cases = goldenCases();
  it('has a recipe for every case of the fixture', () => {
    assert.ok(Object.keys(cases).length >= 24);
    for (const name of Object.keys(cases)) recipeFor(name);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: forward and gradients match within 1e-4 of the tensor's scale, leaking nothing`, async () => {
      const recipe = recipeFor(name);
      const { y, grads } = run(c, recipe);
      assertMatches(y, c, c.loss === undefined ? 'y' : 'loss', `${name} forward`);
      recipe.grads.forEach((g, i) => assertMatches(grads[i], c, g, `${name} ${g}`));
      tf.dispose([y, ...grads]);
      await assertNoTensorLeak(() => {
        const out = run(c, recipe);
        tf.dispose([out.y, ...out.grads]);
      });
    });
  }

  it('mixed_edge: mixingWeights gives the stored mixing weights', () => {
    const c = cases.mixed_edge;
    const w = tf.tidy(() => mixingWeights(tensorOf(c, 'alpha').reshape([1, 3]) as tf.Tensor2D).reshape([3]));
    assertMatches(w, c, 'weights', 'mixing weights', 1e-6);
    w.dispose();
  });
});
