import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { installLeanBackprop } from '../../lib/kernels/lean_backprop';
import { crossEntropy } from '../../lib/nn/loss';
import { getSpace } from '../../lib/spaces/spaces';
import { SearchNetwork } from '../../lib/problems/darts/supernet/network';
import { assertNoTensorLeak } from '../helpers';

/** Weight and alpha gradients of a smoke S3 supernet's loss, and the peak bytes while computing them. */
async function gradsAndPeak(net: SearchNetwork, x: tf.Tensor4D, y: tf.Tensor1D) {
  const vars = [...net.weights.values(), net.alphas.normal, net.alphas.reduce];
  let values: Float32Array[] = [];
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(net.forward(x, { training: true, seed: 1, updateRunningStats: false }), y),
      vars,
    );
    values = vars.map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
  });
  return { values, peak: profile.peakBytes };
}

describe('installLeanBackprop', () => {
  let net: SearchNetwork;
  let x: tf.Tensor4D;
  let y: tf.Tensor1D;
  before(() => {
    net = new SearchNetwork({ space: getSpace('s3'), C: 4, layers: 5, classes: 10, inChannels: 1, seed: 2 });
    x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    y = tf.tidy(() => tf.randomUniformInt([8], 0, 10, 4).toFloat()) as tf.Tensor1D;
  });
  after(() => {
    installLeanBackprop(true);
    tf.dispose([x, y]);
    net.dispose();
  });

  it("gives bit-identical gradients to tfjs's own backward pass, with a lower peak memory", async () => {
    installLeanBackprop(false);
    const stock = await gradsAndPeak(net, x, y);
    installLeanBackprop(true);
    const lean = await gradsAndPeak(net, x, y);
    stock.values.forEach((v, i) => assert.deepStrictEqual(lean.values[i], v, `gradient ${i}`));
    assert.ok(lean.peak < stock.peak, `peak ${lean.peak} vs ${stock.peak} bytes`);
  });

  it('leaks no tensors and keeps tf.grad semantics (closed form, repeated input, custom dy)', async () => {
    // f(a, b) = sum(a * a * b): df/da = 2 a b, df/db = a^2; a used twice by one node.
    const a = tf.tensor1d([1, -2, 3]);
    const b = tf.tensor1d([0.5, 4, -1]);
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.mul(p, p), q)))([a, b]);
    assert.deepStrictEqual(Array.from(ga.dataSync()), [1, -16, -6]);
    assert.deepStrictEqual(Array.from(gb.dataSync()), [1, 4, 9]);
    const dy = tf.tensor1d([1, 10, 100]);
    const g = tf.grad((p: tf.Tensor) => tf.mul(p, 3))(a, dy);
    assert.deepStrictEqual(Array.from(g.dataSync()), [3, 30, 300]);
    assert.ok(!dy.isDisposed, "a caller-provided dy stays the caller's");
    tf.dispose([ga, gb, g, dy, a, b]);
    await assertNoTensorLeak(() =>
      tf.tidy(() => {
        const v = tf.variableGrads(
          () => crossEntropy(net.forward(x, { training: true, updateRunningStats: false }), y),
          [net.alphas.normal],
        );
        tf.dispose([v.value, ...Object.values(v.grads)]);
      }),
    );
  });
});
