import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { Adam, Sgd } from '../../lib/nn/optim';
import { alphaStep, unrolledAlphaGrads, weightStep } from '../../lib/search/step';
import { Batch, crossEntropy } from '../../lib/nn/loss';
import { getSpace } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';
import { assertClose } from '../helpers';

// A smoke supernet: S3, 5 cells (2 reductions), C = 4, 8x8x1 images, batch 8.
function setup(seed = 3) {
  const net = new SearchNetwork({ space: getSpace('s3'), C: 4, layers: 5, classes: 10, inChannels: 1, seed });
  const batch = (s: number): Batch => ({
    x: tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', s) as tf.Tensor4D,
    y: tf.tidy(() => tf.randomUniformInt([8], 0, 10, s + 1).toFloat()) as tf.Tensor1D,
  });
  const sgd = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
  const adam = new Adam(net.alphaParams, { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 });
  const train = batch(11);
  const val = batch(21);
  const dispose = () => {
    sgd.dispose();
    adam.dispose();
    tf.dispose([train.x, train.y, val.x, val.y]);
    net.dispose();
  };
  return { net, sgd, adam, train, val, dispose };
}

const snapshot = (vars: Iterable<tf.Variable>) => [...vars].map((v) => v.dataSync().slice());

describe('crossEntropy', () => {
  it('equals -log softmax at the label, averaged (closed form)', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const loss = crossEntropy(logits, tf.tensor1d([2, 0])).dataSync()[0];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    assertClose([loss], [(lse - 3 + Math.log(3)) / 2], 1e-6, 'loss');
  });
});

describe('weightStep', () => {
  it('changes the weights only, lowers the loss on a repeated batch, and keeps the tensor count', () => {
    const s = setup();
    const alphas0 = snapshot([s.net.alphas.normal, s.net.alphas.reduce]);
    const losses: number[] = [];
    let count = -1;
    for (let i = 0; i < 6; i++) {
      losses.push(weightStep(s.net, s.sgd, s.train, { lr: 0.05, gradClip: 5 }).loss);
      if (i === 1) count = tf.memory().numTensors;
    }
    assert.strictEqual(tf.memory().numTensors, count, 'tensors leaked across steps');
    assert.deepStrictEqual(snapshot([s.net.alphas.normal, s.net.alphas.reduce]), alphas0);
    assert.ok(losses[5] < losses[0], `loss ${losses[0]} -> ${losses[5]}`);
    s.dispose();
  });
});

describe('alphaStep', () => {
  it('first order: changes the alphas only', () => {
    const s = setup();
    const w0 = snapshot(s.net.weights.values());
    const a0 = snapshot([s.net.alphas.normal]);
    alphaStep(s.net, s.sgd, s.adam, s.val, { order: 'first' });
    assert.deepStrictEqual(snapshot(s.net.weights.values()), w0);
    assert.notDeepStrictEqual(snapshot([s.net.alphas.normal]), a0);
    s.dispose();
  });

  it('second order: restores the weights exactly, and equals the first order when xi = 0', () => {
    const s = setup();
    weightStep(s.net, s.sgd, s.train, { lr: 0.025, gradClip: 5 }); // a momentum buffer exists
    const w0 = snapshot(s.net.weights.values());
    const opts = { order: 'second' as const, trainBatch: s.train, momentum: 0.9, weightDecay: 3e-4 };
    const second = unrolledAlphaGrads(s.net, s.sgd, s.val, { ...opts, lr: 0.025 });
    assert.deepStrictEqual(snapshot(s.net.weights.values()), w0, 'weights restored');
    const zero = unrolledAlphaGrads(s.net, s.sgd, s.val, { ...opts, lr: 0 });
    const first = tf.variableGrads(() => crossEntropy(s.net.forward(s.val.x, { training: true }), s.val.y), [s.net.alphas.normal]);
    assertClose(zero.grads.get('alphas_normal')!.dataSync(), first.grads[s.net.alphas.normal.name].dataSync(), 1e-4, 'xi=0');
    // The implicit term is not zero at xi > 0.
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(second.grads.get('alphas_normal')!, zero.grads.get('alphas_normal')!))).dataSync()[0]);
    assert.ok(diff > 0, 'second order differs from first order');
    tf.dispose([...second.grads.values(), ...zero.grads.values(), first.value, ...Object.values(first.grads)]);
    s.dispose();
  });
});

describe('a two-iteration search step', () => {
  async function twoIterations(backend: 'wasm' | 'cpu', order: 'first' | 'second') {
    await initBackend({ force: backend });
    const s = setup(5);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const a = alphaStep(s.net, s.sgd, s.adam, s.val, { order, trainBatch: s.train, lr: 0.025, momentum: 0.9, weightDecay: 3e-4 });
      const w = weightStep(s.net, s.sgd, s.train, { lr: 0.025, gradClip: 5 });
      losses.push(a.loss, w.loss);
      counts.push(tf.memory().numTensors);
    }
    s.dispose();
    return { losses, counts };
  }

  for (const order of ['first', 'second'] as const) {
    it(`gives the same losses on wasm and cpu (${order} order), with a constant tensor count`, async function () {
      const start = (await initBackend()).name;
      if (start !== 'wasm' && start !== 'cpu') this.skip();
      const wasm = await twoIterations('wasm', order);
      const cpu = await twoIterations('cpu', order);
      await initBackend({ force: start });
      assertClose(wasm.losses, cpu.losses, 1e-4, 'losses');
      assert.strictEqual(wasm.counts[0], wasm.counts[1], 'wasm tensor count');
      assert.strictEqual(cpu.counts[0], cpu.counts[1], 'cpu tensor count');
    });
  }
});
