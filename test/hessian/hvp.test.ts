import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { alphaObjective, flatAlphas } from '../../lib/hessian/alpha_loss';
import { HessianOperator, hessianMatrix, hvp, lossGradient } from '../../lib/hessian/hvp';
import type { LossOfAlphas } from '../../lib/hessian/alpha_loss';
import { avgPool3x3 } from '../../lib/nn/pool';
import { crossEntropy } from '../../lib/nn/loss';
import { assertNoTensorLeak, repoRoot } from '../helpers';
import { smokeBatch, smokeSupernet } from './fixtures';

interface Stored {
  shape: number[];
  data: number[];
}
const golden = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/hvp_golden.json'), 'utf8')) as {
  network: {
    x: Stored;
    w1: Stored;
    w2: Stored;
    w3: Stored;
    b3: Stored;
    y: number[];
    alphas: number[];
    loss: number;
    gradient: number[];
    hessian: number[][];
  };
  quadratic: { A: number[][]; b: number[]; point: number[] };
};

const maxAbs = (m: number[][]) => Math.max(...m.map((r) => Math.max(...r.map(Math.abs))));
function assertMatrixClose(actual: number[][], expected: number[][], relTol: number, what: string): void {
  const scale = maxAbs(expected);
  actual.forEach((row, i) =>
    row.forEach((v, j) => {
      if (Math.abs(v - expected[i][j]) > relTol * scale)
        assert.fail(`${what}[${i}][${j}] = ${v}, expected ${expected[i][j]} (tolerance ${relTol} x ${scale})`);
    }),
  );
}

/** The quadratic 0.5 a^T A a + b^T a: its Hessian is A. */
function quadratic(): LossOfAlphas {
  const { A, b } = golden.quadratic;
  return (a) =>
    tf.tidy(() => {
      const col = a.reshape([-1, 1]);
      const quad = tf.matMul(tf.matMul(col, tf.tensor2d(A), true), col).reshape([]);
      return tf.add(tf.mul(0.5, quad), tf.sum(tf.mul(a, tf.tensor1d(b)))) as tf.Scalar;
    });
}

/** The smooth two-edge network of make_hvp_golden.py (tanh, softplus, average pooling). */
function smoothNetwork(): LossOfAlphas {
  const g = golden.network;
  const t = (s: Stored) => tf.tensor(s.data, s.shape);
  return (a) =>
    tf.tidy(() => {
      const x = t(g.x) as tf.Tensor4D;
      const [w1, w2] = [t(g.w1) as tf.Tensor4D, t(g.w2) as tf.Tensor4D];
      const s = tf.softmax(a.reshape([2, 3]));
      const [s1, s2] = [s.slice([0, 0], [1, 3]).reshape([3]), s.slice([1, 0], [1, 3]).reshape([3])];
      const pick = (v: tf.Tensor, k: number) => v.slice([k], [1]).reshape([]);
      const m1 = tf.addN([
        tf.tanh(tf.conv2d(x, w1, 1, 'same')).mul(pick(s1, 0)),
        avgPool3x3(x, 1).mul(pick(s1, 1)),
        x.mul(pick(s1, 2)),
      ]) as tf.Tensor4D;
      const m2 = tf.addN([
        tf.softplus(tf.conv2d(m1, w2, 1, 'same')).mul(pick(s2, 0)),
        tf.tanh(m1).mul(pick(s2, 1)),
        avgPool3x3(m1, 1).mul(pick(s2, 2)),
      ]);
      const logits = tf.matMul(m2.mean([1, 2]) as tf.Tensor2D, t(g.w3) as tf.Tensor2D).add(t(g.b3)) as tf.Tensor2D;
      return crossEntropy(logits, tf.tensor1d(g.y, 'int32'));
    });
}

describe('lossGradient', () => {
  it('equals PyTorch float64 on the smooth network', () => {
    const g = lossGradient(smoothNetwork(), golden.network.alphas);
    golden.network.gradient.forEach((v, i) => assert.ok(Math.abs(g[i] - v) < 1e-5, `gradient[${i}] = ${g[i]}, expected ${v}`));
  });
});

describe('hvp', () => {
  it('gives A v for a quadratic (central and forward), plus weightDecay v', () => {
    const { A, point } = golden.quadratic;
    const v = [0.3, -1, 2, 0.5, 0, -0.7];
    const Av = A.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
    for (const scheme of ['central', 'forward'] as const) {
      const got = hvp(quadratic(), point, v, { scheme, weightDecay: 1e-3 });
      Av.forEach((e, i) =>
        assert.ok(
          Math.abs(got[i] - (e + 1e-3 * v[i])) < 1e-3 * Math.max(1, Math.abs(e)),
          `${scheme}: (Hv)[${i}] = ${got[i]}, expected ${e + 1e-3 * v[i]}`,
        ),
      );
    }
  });

  it('matches the exact Hessian of the smooth network within 1e-3 relative (central differences)', async () => {
    const op = new HessianOperator(smoothNetwork(), golden.network.alphas);
    const full = await hessianMatrix((v) => op.apply(v), 6);
    assertMatrixClose(full.matrix, golden.network.hessian, 1e-3, 'H');
    assert.ok(full.asymmetry < 1e-4, `asymmetry ${full.asymmetry}`);
    assert.strictEqual(op.products, 6);
    assert.strictEqual(op.gradients, 12);
  });

  it('is within 2e-2 relative of it with forward differences (error O(h)), at one gradient a product', async () => {
    const op = new HessianOperator(smoothNetwork(), golden.network.alphas, { scheme: 'forward' });
    const full = await hessianMatrix((v) => op.apply(v), 6);
    assertMatrixClose(full.matrix, golden.network.hessian, 2e-2, 'H (forward)');
    assert.strictEqual(op.gradients, 7);
  });

  it('is linear in v: H (2 v) = 2 H v, H 0 = 0', () => {
    const op = new HessianOperator(smoothNetwork(), golden.network.alphas);
    const v = [1, 0, -1, 0.5, 0.25, 0];
    const [a, b] = [op.apply(v), op.apply(v.map((x) => 2 * x))];
    a.forEach((x, i) => assert.ok(Math.abs(b[i] - 2 * x) < 1e-9 + 1e-6 * Math.abs(x)));
    assert.deepStrictEqual(Array.from(op.apply([0, 0, 0, 0, 0, 0])), [0, 0, 0, 0, 0, 0]);
  });

  it('rejects bad input, naming it', () => {
    assert.throws(() => hvp(quadratic(), [1, 2], [1, 2, 3]), /hvp: v has 3 values; expected 2/);
    assert.throws(() => hvp(quadratic(), golden.quadratic.point, [1, 0, 0, 0, NaN, 0]), /hvp: v\[4\] = NaN/);
    assert.throws(() => new HessianOperator(quadratic(), [1], { step: 0 }), /options\.step = 0/);
    assert.throws(() => new HessianOperator(quadratic(), [], {}), /alphas is empty/);
  });
});

describe('hessianMatrix', () => {
  it('symmetrises and reports the asymmetry of a non-symmetric operator', async () => {
    const M = [
      [1, 2],
      [0, 3],
    ];
    const r = await hessianMatrix((v) => M.map((row) => row[0] * v[0] + row[1] * v[1]), 2);
    assert.deepStrictEqual(r.matrix, [
      [1, 1],
      [1, 3],
    ]);
    assert.strictEqual(r.asymmetry, 2 / 3);
  });
  it('names a bad product', async () => {
    await assert.rejects(
      hessianMatrix(() => [1], 2),
      /hessianMatrix: product 0 has 1 values; expected 2/,
    );
  });
});

describe('alphaObjective on the S3 supernet (smoke size, seeded)', () => {
  const smokeNet = () => smokeSupernet(3, 0.5, [1, 2]);
  const batch = () => smokeBatch(5, (i) => i % 10);

  it('with frozen kinks, gives the same H v for steps from 1e-3 to 1e-1 (within 1%)', () => {
    const net = smokeNet();
    const b = batch();
    const obj = alphaObjective(net, b, { seed: 7 });
    assert.ok(obj.kinkSites > 0);
    const v = Array.from({ length: obj.alphas.length }, (_, i) => Math.sin(i + 1));
    const ref = new HessianOperator(obj.loss, obj.alphas, { step: 1e-2 }).apply(v);
    const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, y) => s + y * y, 0));
    for (const step of [1e-3, 3e-3, 3e-2, 1e-1]) {
      const got = new HessianOperator(obj.loss, obj.alphas, { step }).apply(v);
      const rel = norm(got.map((x, i) => x - ref[i])) / norm(ref);
      assert.ok(rel < 1e-2, `step ${step}: |Hv - Hv(1e-2)| / |Hv(1e-2)| = ${rel}`);
    }
    obj.dispose();
    net.dispose();
    tf.dispose([b.x, b.y]);
  });

  it('changes neither the alphas nor the running statistics, and leaks no tensors', async () => {
    const net = smokeNet();
    const b = batch();
    const before = { alphas: flatAlphas(net), stats: [...net.buffers.values()].map((t) => Array.from(t.dataSync())) };
    await assertNoTensorLeak(() => {
      const obj = alphaObjective(net, b, { seed: 7 });
      new HessianOperator(obj.loss, obj.alphas).apply(new Array(obj.alphas.length).fill(1));
      obj.dispose();
    });
    assert.deepStrictEqual(flatAlphas(net), before.alphas);
    assert.deepStrictEqual(
      [...net.buffers.values()].map((t) => Array.from(t.dataSync())),
      before.stats,
    );
    net.dispose();
    tf.dispose([b.x, b.y]);
  });

  it('the replayed loss equals the plain loss at the recorded alphas', () => {
    const net = smokeNet();
    const b = batch();
    const frozen = alphaObjective(net, b, { seed: 7 });
    const plain = alphaObjective(net, b, { seed: 7, freezeKinks: false });
    const at = (o: typeof frozen) => tf.tidy(() => o.loss(tf.tensor1d(Array.from(o.alphas))).dataSync()[0]);
    assert.ok(Math.abs(at(frozen) - at(plain)) < 1e-6, `${at(frozen)} vs ${at(plain)}`);
    frozen.dispose();
    net.dispose();
    tf.dispose([b.x, b.y]);
  });
});
