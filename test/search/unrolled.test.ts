import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { Sgd } from '../../lib/nn/optim';
import { type StepModel, unrolledAlphaGrads } from '../../lib/search/step';
import { accuracy, Batch, crossEntropy } from '../../lib/nn/loss';

// The second-order alpha gradient checked against an independent answer: central differences of
// the unrolled objective F(alpha) = L_val(w'(alpha), alpha), w'(alpha) = w - xi (mu m +
// grad_w L_train(w, alpha) + lambda w) (docs/method.md §1), on a smooth toy supernet (tanh, softmax
// mixing), where the step's only approximation, the finite-difference Hessian-vector product
// with eps = 0.01 / ||v||, is accurate.

/** logits = sum_k softmax(alpha_normal[0])_k tanh(x W_k) V + softmax(alpha_reduce[0]) . b */
class ToyNet implements StepModel<Batch> {
  readonly weights: Map<string, tf.Variable>;
  readonly alphas: { normal: tf.Variable; reduce: tf.Variable };
  readonly alphaParams: Map<string, tf.Variable>;
  constructor(seed: number) {
    const r = (shape: number[], s: number, scale: number) => tf.variable(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed + s), scale));
    this.weights = new Map([
      ['w0', r([12, 6], 1, 0.5)],
      ['w1', r([12, 6], 2, 0.5)],
      ['v', r([6, 3], 3, 0.5)],
      ['b', r([2, 3], 4, 0.5)],
    ]);
    this.alphas = { normal: r([1, 2], 5, 0.3), reduce: r([1, 2], 6, 0.3) };
    this.alphaParams = new Map([
      ['alphas_normal', this.alphas.normal],
      ['alphas_reduce', this.alphas.reduce],
    ]);
  }
  loss(batch: Batch): { loss: tf.Scalar; output: tf.Tensor } {
    const logits = this.forward(batch.x);
    return { loss: crossEntropy(logits, batch.y), output: logits };
  }
  metric(output: tf.Tensor, batch: Batch): number {
    return accuracy(output as tf.Tensor2D, batch.y);
  }
  forward(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0], 12]);
      const a = tf.softmax(this.alphas.normal).reshape([2]).unstack();
      const w = this.weights;
      const h = tf.add(
        tf.mul(tf.tanh(tf.matMul(flat, w.get('w0') as tf.Tensor2D)), a[0]),
        tf.mul(tf.tanh(tf.matMul(flat, w.get('w1') as tf.Tensor2D)), a[1]),
      );
      const bias = tf.matMul(tf.softmax(this.alphas.reduce), w.get('b') as tf.Tensor2D);
      return tf.add(tf.matMul(h as tf.Tensor2D, w.get('v') as tf.Tensor2D), bias) as tf.Tensor2D;
    });
  }
}

describe('unrolledAlphaGrads', () => {
  it("equals central differences of the unrolled objective L_val(w'(alpha), alpha) (smooth toy net)", () => {
    const net = new ToyNet(7);
    const batch = (s: number): Batch => ({
      x: tf.randomNormal([5, 2, 2, 3], 0, 1, 'float32', s) as tf.Tensor4D,
      y: tf.tensor1d([0, 1, 2, 1, 0]),
    });
    const train = batch(20);
    const val = batch(30);
    const sgd = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
    const [xi, mu, lambda] = [0.3, 0.9, 3e-4];
    const got = unrolledAlphaGrads(net, sgd, val, { order: 'second', trainBatch: train, lr: xi, momentum: mu, weightDecay: lambda });

    // F(alpha) computed directly, in float32, from its definition (no momentum buffer yet: m = 0).
    const F = (normal: number[], reduce: number[]): number =>
      tf.tidy(() => {
        net.alphas.normal.assign(tf.tensor2d([normal]));
        net.alphas.reduce.assign(tf.tensor2d([reduce]));
        const saved = new Map([...net.weights].map(([k, v]) => [k, v.clone()]));
        const { grads } = tf.variableGrads(() => crossEntropy(net.forward(train.x), train.y), [...net.weights.values()]);
        for (const p of net.weights.values()) p.assign(tf.sub(p, tf.mul(tf.add(grads[p.name], tf.mul(p, lambda)), xi)));
        const value = crossEntropy(net.forward(val.x), val.y).dataSync()[0];
        for (const [k, p] of net.weights) p.assign(saved.get(k) as tf.Tensor);
        return value;
      });
    const a0 = { normal: Array.from(net.alphas.normal.dataSync()), reduce: Array.from(net.alphas.reduce.dataSync()) };
    const h = 1e-2;
    for (const cell of ['normal', 'reduce'] as const) {
      for (let i = 0; i < 2; i++) {
        const plus = { normal: [...a0.normal], reduce: [...a0.reduce] };
        const minus = { normal: [...a0.normal], reduce: [...a0.reduce] };
        plus[cell][i] += h;
        minus[cell][i] -= h;
        const fd = (F(plus.normal, plus.reduce) - F(minus.normal, minus.reduce)) / (2 * h);
        const analytic = got.grads.get(`alphas_${cell}`)!.dataSync()[i];
        assert.ok(
          Math.abs(analytic - fd) <= 2e-3 * Math.max(1e-2, Math.abs(fd)) + 2e-5,
          `alphas_${cell}[${i}]: unrolled ${analytic}, central differences ${fd}`,
        );
      }
    }
    tf.dispose([...got.grads.values(), train.x, train.y, val.x, val.y]);
    sgd.dispose();
  });
});
