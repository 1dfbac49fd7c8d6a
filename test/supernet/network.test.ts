import * as assert from 'assert';
import { tf } from '../../lib/backend';
import { SearchNetwork, type SupernetConfig } from '../../lib/problems/darts/supernet/network';
import { torchStateDictShapes } from '../../lib/problems/darts/supernet/names';
import { SPACE_NAMES, SPACES, type SpaceName } from '../../lib/spaces/spaces';
import { assertNoTensorLeak } from '../helpers';

/** A small supernet for forward tests (C 4, 8x8 images). */
function small(space: SpaceName, overrides: Partial<SupernetConfig> = {}): SearchNetwork {
  return new SearchNetwork({ space: SPACES[space], C: 4, layers: 3, classes: 10, inChannels: 3, seed: 0, ...overrides });
}

const images = (seed = 11) => tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

function values(network: SearchNetwork): number[] {
  return [...network.weights.values(), network.alphas.normal, network.alphas.reduce].flatMap((v) => Array.from(v.dataSync()));
}

describe('SearchNetwork.numParams', () => {
  // docs/method.md §2: supernet weight counts at C = 16, L = 8, 3 input channels.
  const PAPER: Record<SpaceName, [number, number]> = {
    s1: [405146, 428276],
    s2: [665466, 688596],
    s3: [665466, 688596],
    s4: [624506, 647636],
    darts: [1930618, 1953748],
  };
  for (const space of SPACE_NAMES) {
    it(`matches docs/method.md for ${space} with 10 and 100 classes`, () => {
      for (const [i, classes] of [10, 100].entries()) {
        const net = new SearchNetwork({ space: SPACES[space], C: 16, layers: 8, classes, inChannels: 3, seed: 0 });
        assert.strictEqual(net.numParams(), PAPER[space][i], `${space}, ${classes} classes`);
        net.dispose();
      }
    });
  }
});

describe('SearchNetwork', () => {
  it('has alphas [14, K] per space, apart from the weights', () => {
    const ks: Record<SpaceName, number> = { s1: 2, s2: 2, s3: 3, s4: 2, darts: 8 };
    for (const space of SPACE_NAMES) {
      const net = small(space, { layers: 1 });
      assert.deepStrictEqual(net.alphas.normal.shape, [14, ks[space]]);
      assert.deepStrictEqual(net.alphas.reduce.shape, [14, ks[space]]);
      assert.ok([...net.weights.values()].every((w) => w !== net.alphas.normal && w !== net.alphas.reduce));
      const a = net.alphas.normal.dataSync();
      assert.ok(
        a.every((v) => Math.abs(v) < 6e-3),
        'alphas are 1e-3 N(0, 1)',
      );
      net.dispose();
    }
  });

  it('puts reduction cells at floor(L/3) and floor(2L/3)', () => {
    const net = new SearchNetwork({ space: SPACES.s2, C: 2, layers: 8, classes: 10, inChannels: 1, seed: 0 });
    assert.deepStrictEqual(
      net.cells.map((c, i) => (c.reduction ? i : -1)).filter((i) => i >= 0),
      [2, 5],
    );
    net.dispose();
  });

  it('names weights and buffers as the PyTorch state_dict, with PyTorch shapes', () => {
    const net = new SearchNetwork({ space: SPACES.s3, C: 16, layers: 8, classes: 10, inChannels: 3, seed: 0 });
    const shapes = torchStateDictShapes(net);
    const names = Object.keys(shapes);
    assert.deepStrictEqual(names.slice(0, 5), [
      'stem.0.weight',
      'stem.1.weight',
      'stem.1.bias',
      'stem.1.running_mean',
      'stem.1.running_var',
    ]);
    assert.deepStrictEqual(shapes['stem.0.weight'], [48, 3, 3, 3]);
    assert.deepStrictEqual(shapes['cells.3.preprocess0.conv_1.weight'], [16, 64, 1, 1]);
    assert.deepStrictEqual(shapes['cells.0._ops.4._ops.2.op.1.weight'], [16, 1, 3, 3]);
    assert.deepStrictEqual(shapes['classifier.weight'], [10, 256]);
    assert.deepStrictEqual(names.slice(-2), ['classifier.weight', 'classifier.bias']);
    assert.deepStrictEqual(
      [...net.weights.keys()],
      names.filter((n) => !/running_(mean|var)$/.test(n)),
    );
    assert.deepStrictEqual(
      [...net.buffers.keys()],
      names.filter((n) => /running_(mean|var)$/.test(n)),
    );
    assert.ok([...net.buffers.values()].every((b) => !b.trainable));
    net.dispose();
  });

  it('maps [N, H, W, inChannels] images to [N, classes] logits', () => {
    const net = small('darts', { layers: 5 });
    const x = images();
    const y = net.forward(x, { training: true });
    assert.deepStrictEqual(y.shape, [2, 10]);
    assert.ok(y.dataSync().every(Number.isFinite));
    assert.throws(() => net.forward(tf.zeros([2, 8, 8, 1]) as tf.Tensor4D, { training: true }), /expected \[N, H, W, 3\]/);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('gives identical weights, alphas and logits for the same seed, different ones for another', () => {
    const [a, b, c] = [small('s1', { seed: 3 }), small('s1', { seed: 3 }), small('s1', { seed: 4 })];
    assert.deepStrictEqual(values(a), values(b));
    assert.notDeepStrictEqual(values(a), values(c));
    const x = images();
    const [ya, yb, yc] = [a, b, c].map((n) => n.forward(x, { training: true }));
    assert.deepStrictEqual(Array.from(ya.dataSync()), Array.from(yb.dataSync()));
    assert.notDeepStrictEqual(Array.from(ya.dataSync()), Array.from(yc.dataSync()));
    tf.dispose([x, ya, yb, yc]);
    [a, b, c].forEach((n) => n.dispose());
  });

  it('draws the noise of S4 from the forward seed: same seed, same logits; new seed, new logits', () => {
    const net = small('s4');
    const x = images();
    const run = (seed?: number) => {
      const y = net.forward(x, { training: true, updateRunningStats: false, seed });
      const v = Array.from(y.dataSync());
      y.dispose();
      return v;
    };
    assert.deepStrictEqual(run(1), run(1));
    assert.notDeepStrictEqual(run(1), run(2));
    assert.notDeepStrictEqual(run(), run());
    x.dispose();
    net.dispose();
  });

  it('updates the running statistics in training mode only, and uses them in eval mode', () => {
    const net = small('s3');
    const x = images();
    const rm = net.buffers.get('stem.1.running_mean')!;
    const before = Array.from(rm.dataSync());
    net.forward(x, { training: true, updateRunningStats: false }).dispose();
    assert.deepStrictEqual(Array.from(rm.dataSync()), before);
    const e1 = net.forward(x, { training: false });
    net.forward(x, { training: true }).dispose();
    assert.notDeepStrictEqual(Array.from(rm.dataSync()), before);
    const e2 = net.forward(x, { training: false });
    assert.notDeepStrictEqual(Array.from(e1.dataSync()), Array.from(e2.dataSync()));
    tf.dispose([x, e1, e2]);
    net.dispose();
  });

  it('gives a finite gradient to every weight and alpha, leaking no tensor', async () => {
    const net = small('darts');
    const x = images();
    const vars = [...net.weights.values(), net.alphas.normal, net.alphas.reduce];
    const step = () => tf.variableGrads(() => net.forward(x, { training: true }).square().mean() as tf.Scalar, vars);
    const { value, grads } = step();
    for (const v of vars) assert.ok(grads[v.name].dataSync().every(Number.isFinite), v.name);
    assert.ok(grads[net.alphas.normal.name].abs().sum().dataSync()[0] > 0);
    tf.dispose([value, ...Object.values(grads)]);
    await assertNoTensorLeak(() => {
      const r = step();
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    x.dispose();
    net.dispose();
  });

  it('leaks no tensor in forward (tidy) and frees everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const net = small('darts');
    const x = images();
    await assertNoTensorLeak(() =>
      tf.tidy(() => {
        net.forward(x, { training: true, seed: 1 });
      }),
    );
    x.dispose();
    net.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('rejects a bad config, naming the field', () => {
    assert.throws(() => small('s2', { C: 0 }), /config.C=0 is not an integer >= 1/);
    assert.throws(() => small('s2', { layers: 2.5 }), /config.layers=2.5/);
    assert.throws(() => small('s2', { seed: NaN }), /config.seed=NaN/);
  });
});
