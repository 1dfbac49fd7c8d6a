import * as assert from 'assert';
import { createHash } from 'crypto';
import { tf } from '../../lib/backend';
import { torchStateDictShapes } from '../../lib/problems/darts/supernet/names';
import { DARTS_V2 } from '../../lib/spaces/genotype';
import { EvalNetwork, type EvalForwardOptions, type EvalNetworkConfig } from '../../lib/train/network';
import { assertNoTensorLeak } from '../helpers';
import { EVAL_FIXTURE } from './fixture';

/** The fixture's digest: sha256 of "<name>:<d0>,<d1>,...\n" per state_dict entry. */
function digest(shapes: Record<string, number[]>): string {
  return createHash('sha256')
    .update(
      Object.entries(shapes)
        .map(([n, s]) => `${n}:${s.join(',')}\n`)
        .join(''),
    )
    .digest('hex');
}

function build(overrides: Partial<EvalNetworkConfig> = {}): EvalNetwork {
  return new EvalNetwork({ genotype: DARTS_V2, C: 4, layers: 5, classes: 10, inChannels: 1, auxiliary: true, seed: 0, ...overrides });
}

/** 2 Fashion-MNIST-sized images. */
const images = () => tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;

/** The logits of one forward pass as numbers (disposes the outputs). */
function logitsOf(net: EvalNetwork, x: tf.Tensor4D, options: EvalForwardOptions): number[] {
  const out = net.forward(x, { updateRunningStats: false, ...options });
  const values = Array.from(out.logits.dataSync());
  tf.dispose([out.logits, out.auxLogits ?? []]);
  return values;
}

describe('EvalNetwork.numParams', () => {
  it('matches PyTorch for DARTS_V2 at 20 cells and 36 channels (CIFAR-10), names and shapes included', () => {
    const fx = EVAL_FIXTURE.configs.darts_v2_cifar10;
    const net = new EvalNetwork({ genotype: DARTS_V2, C: 36, layers: 20, classes: 10, inChannels: 3, auxiliary: true, seed: 0 });
    assert.strictEqual(net.numParams({ auxiliary: true }), fx.num_params);
    assert.strictEqual(net.numParams({ auxiliary: false }), fx.num_params_without_auxiliary);
    assert.strictEqual(fx.num_params_without_auxiliary, 3349342, "the DARTS paper's 3.3M");
    const shapes = torchStateDictShapes(net);
    assert.strictEqual(Object.keys(shapes).length, fx.num_state_dict_entries);
    assert.strictEqual(digest(shapes), fx.state_dict_sha256);
    net.dispose();
  });

  it('is the same with and without the auxiliary head when the network has none', () => {
    const net = build({ auxiliary: false });
    assert.strictEqual(net.numParams({ auxiliary: true }), net.numParams({ auxiliary: false }));
    assert.ok(net.variables.every((v) => !v.name.startsWith('auxiliary_head.')));
    net.dispose();
  });
});

describe('EvalNetwork', () => {
  it("names and shapes its variables as PyTorch's state_dict (8 cells, C 16, 1 input channel)", () => {
    const fx = EVAL_FIXTURE.configs.darts_v2_small;
    const net = build({ C: 16, layers: 8 });
    const shapes = torchStateDictShapes(net);
    assert.deepStrictEqual(Object.keys(shapes), Object.keys(fx.shapes ?? {}));
    assert.deepStrictEqual(shapes, fx.shapes);
    assert.strictEqual(digest(shapes), fx.state_dict_sha256);
    assert.strictEqual(net.numParams({ auxiliary: true }), fx.num_params);
    assert.strictEqual(net.numParams({ auxiliary: false }), fx.num_params_without_auxiliary);
    assert.deepStrictEqual(
      [...net.weights.keys()],
      Object.keys(shapes).filter((n) => !/running_(mean|var)$/.test(n)),
    );
    assert.deepStrictEqual(
      [...net.buffers.keys()],
      Object.keys(shapes).filter((n) => /running_(mean|var)$/.test(n)),
    );
    net.dispose();
  });

  it('reduces at floor(L/3) and floor(2L/3) and feeds the auxiliary head from cell floor(2L/3)', () => {
    const net = build({ layers: 8, auxiliary: false });
    assert.deepStrictEqual(
      net.cells.map((c, i) => (c.reduction ? i : -1)).filter((i) => i >= 0),
      [2, 5],
    );
    assert.strictEqual(net.auxIndex, 5);
    net.dispose();
  });

  it('returns [N, classes] logits, and auxiliary logits in training mode only', () => {
    const net = build();
    const x = images();
    const train = net.forward(x, { training: true, dropPathProb: 0.2, seed: 1 });
    assert.deepStrictEqual(train.logits.shape, [2, 10]);
    assert.deepStrictEqual(train.auxLogits?.shape, [2, 10]);
    assert.ok(train.logits.dataSync().every(Number.isFinite));
    const test = net.forward(x, { training: false });
    assert.deepStrictEqual(test.logits.shape, [2, 10]);
    assert.strictEqual(test.auxLogits, undefined);
    const plain = build({ auxiliary: false, classes: 7 });
    const noAux = plain.forward(x, { training: true });
    assert.deepStrictEqual(noAux.logits.shape, [2, 7]);
    assert.strictEqual(noAux.auxLogits, undefined);
    assert.throws(() => net.forward(tf.zeros([2, 28, 28, 3]) as tf.Tensor4D, { training: true }), /expected \[N, H, W, 1\]/);
    tf.dispose([x, train.logits, train.auxLogits ?? [], test.logits, noAux.logits]);
    net.dispose();
    plain.dispose();
  });

  it('applies drop path in training mode only, seeded: p = 0 is no drop, the same seed the same masks', () => {
    const net = build({ auxiliary: false });
    const x = images();
    const none = logitsOf(net, x, { training: true });
    assert.deepStrictEqual(logitsOf(net, x, { training: true, dropPathProb: 0, seed: 3 }), none);
    const dropped = logitsOf(net, x, { training: true, dropPathProb: 0.5, seed: 3 });
    assert.deepStrictEqual(logitsOf(net, x, { training: true, dropPathProb: 0.5, seed: 3 }), dropped);
    assert.notDeepStrictEqual(dropped, none);
    assert.notDeepStrictEqual(logitsOf(net, x, { training: true, dropPathProb: 0.5, seed: 4 }), dropped);
    const evalNone = logitsOf(net, x, { training: false });
    assert.deepStrictEqual(logitsOf(net, x, { training: false, dropPathProb: 0.5, seed: 3 }), evalNone);
    assert.throws(() => net.forward(x, { training: true, dropPathProb: 1 }), /options\.dropPathProb=1/);
    x.dispose();
    net.dispose();
  });

  it('leaks no tensors across forward and backward passes', async () => {
    const net = build();
    const x = images();
    await assertNoTensorLeak(() => {
      const { value, grads } = tf.variableGrads(() => {
        const out = net.forward(x, { training: true, dropPathProb: 0.3, seed: 2 });
        return out.logits
          .square()
          .mean()
          .add((out.auxLogits as tf.Tensor2D).square().mean()) as tf.Scalar;
      });
      tf.dispose([value, ...Object.values(grads)]);
      tf.dispose(net.forward(x, { training: false }).logits);
    });
    x.dispose();
    net.dispose();
  });

  it('throws on a bad genotype, naming the entry', () => {
    const normal = [...DARTS_V2.normal];
    normal[3] = ['sep_conv_9x9' as never, 1];
    assert.throws(
      () => build({ genotype: { ...DARTS_V2, normal } }),
      /genotype\.normal\[3\] = \["sep_conv_9x9",1\]: op "sep_conv_9x9" is not in the op registry/,
    );
    assert.throws(() => build({ C: 0 }), /config\.C=0/);
    assert.throws(() => build({ auxiliary: 'yes' as never }), /config\.auxiliary=yes/);
  });
});
