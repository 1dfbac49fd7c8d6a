/**
 * The disparity search problem (lib/problems/disparity): its config and presets, the data's
 * batches, the supernet's shapes, its loss's gradients in the weights and the alphas against
 * central finite differences at two tiny sizes (kinks frozen by a pattern, so that the differences
 * see a smooth function), the alphas' substitution, no tensor left behind, and a search end to end
 * through the generic runner: a curvature record, a genotype, and a run killed after epoch 1 and
 * resumed whose records are byte-identical to an uninterrupted one's.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import type { PassOptions } from '../../lib/nn/model';
import { ActivationPattern } from '../../lib/nn/pattern';
import {
  checkDisparityConfig,
  DISPARITY_CONFIG_CODEC,
  DISPARITY_PRESETS,
  type DisparityConfig,
  resolveDisparityConfig,
} from '../../lib/problems/disparity/config';
import { loadStereoSplits, stereoSearchData } from '../../lib/problems/disparity/data';
import {
  DISPARITY_ALPHA_NAMES,
  type DisparityNetworkConfig,
  DisparitySupernet,
  type StereoBatch,
} from '../../lib/problems/disparity/network';
import { disparityProblem } from '../../lib/problems/disparity/problem';
import { problemEntry } from '../../lib/problems/registry';
import { readRun } from '../../lib/runs/store';
import { runSearch } from '../../lib/search/run';
import { lossAndGrads } from '../../lib/search/step';
import { checkAutoDispNetGenotype } from '../../lib/spaces/autodispnet';
import { assertNoTensorLeak, withTempDir } from '../helpers';

/** The two tiny sizes of the gradient checks: 8 x 16 without BN (3 cells), 16 x 32 with BN (5 cells, the miniature's layout). */
const TINY: readonly {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly network: DisparityNetworkConfig;
}[] = [
  {
    name: '8x16, C 1, no BN',
    height: 8,
    width: 16,
    network: { C: 1, stemMultiplier: 2, featureDepth: 1, encoderDepth: 1, decoderDepth: 1, maxDisplacement: 1, batchNorm: false },
  },
  {
    name: '16x32, C 2, BN',
    height: 16,
    width: 32,
    network: { C: 2, stemMultiplier: 2, featureDepth: 1, encoderDepth: 2, decoderDepth: 2, maxDisplacement: 2, batchNorm: true },
  },
];

/** A batch of `n` synthetic pairs of the size. */
function tinyBatch(height: number, width: number, n: number): StereoBatch {
  const splits = loadStereoSplits({
    ...DISPARITY_PRESETS.smoke.data,
    height,
    width,
    dmax: width / 8,
    train: n,
    valid: 1,
    test: 0,
  } as DisparityConfig['data']);
  const data = stereoSearchData(splits);
  const [batch] = data.weightBatches({ epoch: 0, epochs: 1, batchSize: n, seed: 0 });
  return batch;
}

const disposeBatch = (b: StereoBatch) => tf.dispose([b.left, b.right, b.disparity]);

/** The smoke preset at 8 x 16 with the 3-cell network: 8 + 8 pairs, batch 4, 3 Hessian products (tests). */
const searchConfig = (over: object = {}) =>
  resolveDisparityConfig('smoke', {
    data: { height: 8, width: 16, train: 8, valid: 8, test: 4 },
    batchSize: 4,
    network: { C: 2, encoderDepth: 1, decoderDepth: 1, maxDisplacement: 1 },
    hessian: { maxProducts: 3 },
    ...over,
  });

describe('the disparity search problem (lib/problems/disparity)', function () {
  this.timeout(300_000);

  it('validates its presets and names the bad field of a config; the run id ignores `report` only', () => {
    for (const [name, c] of Object.entries(DISPARITY_PRESETS)) assert.deepStrictEqual(checkDisparityConfig(c, name), c);
    const smoke = resolveDisparityConfig('smoke');
    assert.strictEqual(DISPARITY_CONFIG_CODEC.id(smoke), DISPARITY_CONFIG_CODEC.id({ ...smoke, report: { progress: 'bar', logEvery: 3 } }));
    assert.notStrictEqual(DISPARITY_CONFIG_CODEC.id(smoke), DISPARITY_CONFIG_CODEC.id(resolveDisparityConfig('smoke', { seed: 1 })));
    assert.notStrictEqual(
      DISPARITY_CONFIG_CODEC.id(smoke),
      DISPARITY_CONFIG_CODEC.id(resolveDisparityConfig('smoke', { network: { batchNorm: false } })),
    );
    assert.match(DISPARITY_CONFIG_CODEC.id(smoke), /^[0-9a-f]{12}$/);
    assert.throws(
      () => resolveDisparityConfig('smoke', { data: { height: 20 } }),
      /data: the images are 20 x 64; this network needs multiples of 2\^3 = 8/,
    );
    assert.throws(
      () => resolveDisparityConfig('smoke', { network: { decoderDepth: 5 } }),
      /network: network.decoderDepth=5 exceeds the 3 finer levels/,
    );
    assert.throws(() => resolveDisparityConfig('smoke', { lossWeights: [1, 1] }), /lossWeights: needs 3 weights/);
    assert.throws(
      () => resolveDisparityConfig('smoke', { regularization: { dropPathProb: 0.2 } }),
      /dropPathProb: the disparity supernet has no drop path/,
    );
    assert.throws(() => resolveDisparityConfig('smoke', { network: { kernel: 3 } }), /kernel/);
    const folders = resolveDisparityConfig('smoke', { data: { source: 'folders', train: 'a', valid: 'b', test: null } });
    assert.deepStrictEqual(folders.data, { source: 'folders', train: 'a', valid: 'b', test: null });
    // The registry runs it from the CLI's arguments.
    assert.deepStrictEqual(problemEntry('disparity').preset('smoke'), smoke);
    assert.strictEqual(problemEntry('disparity').problem('smoke', { seed: 2 }, 'test').config.seed, 2);
  });

  it("batches the weights' pairs in a seeded order per epoch, draws the alphas' batches from the valid split, evaluates it in order", () => {
    const splits = loadStereoSplits({
      ...DISPARITY_PRESETS.smoke.data,
      height: 16,
      width: 32,
      train: 5,
      valid: 3,
      test: 2,
    } as DisparityConfig['data']);
    const data = stereoSearchData(splits);
    const plan = { epoch: 0, epochs: 2, batchSize: 2, seed: 7 };
    /** The first disparity of each pair of a batch (a fingerprint of the pair); disposes the batch. */
    const firstPixel = (b: StereoBatch) => {
      const v = Array.from(b.disparity.dataSync().filter((_, i) => i % (16 * 32) === 0));
      data.dispose(b);
      return v;
    };
    const epoch = (p: typeof plan) => [...data.weightBatches(p)].map(firstPixel);
    const e0 = epoch(plan);
    assert.strictEqual(e0.length, 3);
    assert.strictEqual(data.steps(plan), 3);
    assert.deepStrictEqual(epoch(plan), e0, 'the same epoch again');
    assert.notDeepStrictEqual(epoch({ ...plan, epoch: 1 }), e0, 'another epoch, another order');
    assert.deepStrictEqual(
      e0.flat().sort(),
      Array.from({ length: 5 }, (_, i) => splits.train.disparity[i * 16 * 32]).sort(),
      'every pair once',
    );
    const a = data.alphaBatch(plan, 3);
    assert.deepStrictEqual(a.left.shape, [2, 16, 32, 3]);
    assert.deepStrictEqual(a.disparity.shape, [2, 16, 32, 1]);
    const validFirst = Array.from({ length: 3 }, (_, i) => splits.valid.disparity[i * 16 * 32]);
    assert.ok(firstPixel(a).every((v) => validFirst.includes(v)));
    assert.deepStrictEqual([...data.evalBatches(2)].flatMap(firstPixel), validFirst);
    assert.strictEqual(data.alphaExamples, 3);
    assert.deepStrictEqual(
      [...data.testBatches(4)].map((b) => firstPixel(b).length),
      [2],
    );
  });

  it('predicts at 1/16, 1/8 and 1/4 of the image and holds 264 alphas by name', () => {
    const net = new DisparitySupernet(TINY[1].network, 0);
    const batch = tinyBatch(16, 32, 2);
    try {
      const predictions = net.forward(batch.left, batch.right, { training: false });
      assert.deepStrictEqual(
        predictions.map((p) => p.shape),
        [
          [2, 1, 2, 1],
          [2, 2, 4, 1],
          [2, 4, 8, 1],
        ],
      );
      assert.ok(
        predictions.every((p) => p.min().dataSync()[0] >= 0),
        'positive disparity (ReLU head)',
      );
      tf.dispose(predictions);
      assert.deepStrictEqual(
        [...net.alphaParams].map(([name, a]) => [name, a.shape]),
        [
          [DISPARITY_ALPHA_NAMES.normal, [9, 8]],
          [DISPARITY_ALPHA_NAMES.reduce, [9, 8]],
          [DISPARITY_ALPHA_NAMES.upsample, [15, 8]],
        ],
      );
      assert.deepStrictEqual(net.lossWeights, [1 / 16, 1 / 8, 1 / 4]);
      assert.throws(() => net.forward(tinyBatch(8, 16, 1).left, tinyBatch(8, 16, 1).right, { training: false }), /multiples of 2\^4 = 16/);
    } finally {
      disposeBatch(batch);
      net.dispose();
    }
  });

  for (const size of TINY) {
    it(`has the gradients of central finite differences in the weights and the alphas (${size.name})`, () => {
      const net = new DisparitySupernet(size.network, 3);
      const batch = tinyBatch(size.height, size.width, 2);
      const pattern = new ActivationPattern();
      const options: PassOptions = { training: true, updateRunningStats: false, seed: 1, pattern };
      try {
        tf.tidy(() => void net.loss(batch, options)); // records the kinks
        const lossAt = () => tf.tidy(() => net.loss(batch, options).loss.dataSync()[0]);
        /** Central difference of the loss in element i of v, step h; v restored exactly. */
        const central = (v: tf.Variable, i: number, h: number) => {
          const base = v.dataSync().slice();
          const at = (delta: number) => {
            const moved = base.slice();
            moved[i] += delta;
            v.assign(tf.tensor(moved, v.shape));
            return lossAt();
          };
          const d = (at(h) - at(-h)) / (2 * h);
          v.assign(tf.tensor(base, v.shape));
          return d;
        };
        const check = (
          params: ReadonlyMap<string, tf.Variable>,
          picks: (grads: Map<string, Float32Array>) => [string, number][],
          h: number,
          tol: number,
        ) => {
          const { value, grads } = tf.variableGrads(() => net.loss(batch, options).loss, [...params.values()]);
          const byName = new Map([...params].map(([k, v]) => [k, grads[v.name].dataSync() as Float32Array]));
          tf.dispose([value, ...Object.values(grads)]);
          const picked = picks(byName);
          assert.ok(picked.length >= 4);
          for (const [name, i] of picked) {
            const ad = byName.get(name)![i];
            const fd = central(params.get(name)!, i, h);
            if (process.env.FD_DEBUG) console.log(`${name}[${i}] ad ${ad} fd ${fd} rel ${Math.abs(fd - ad) / Math.abs(ad)}`);
            assert.ok(Math.abs(fd - ad) <= tol * Math.abs(ad) + 1e-5, `${name}[${i}]: autodiff ${ad}, finite differences ${fd}`);
          }
        };
        const largest = (g: Float32Array, k: number) =>
          Array.from(g.keys())
            .sort((a, b) => Math.abs(g[b]) - Math.abs(g[a]))
            .slice(0, k);
        // Alphas: the 3 largest entries of each cell type's gradient.
        check(
          net.alphaParams,
          (grads) => [...grads].flatMap(([name, g]) => largest(g, 3).map((i) => [name, i] as [string, number])),
          1e-2,
          2e-2,
        );
        // Weights: the largest entry of the stem, the correlation's reader, a transposed conv, a separable conv, the heads.
        const names = [...net.weights.keys()];
        const wanted = [
          /^stems\.0\.conv\.weight$/,
          /^encoder_cells\.0\.preprocess1\.conv\.weight$/,
          /^decoder_cells\.0\.upsample1\.conv\.weight$/,
          /^feature_cells\.0\.edges\.0\.4\.1\.pointwise\.weight$/,
          /^decoder_cells\.0\.edges\.14\.7\.0\.depthwise\.weight$/,
          /^pred_blocks\.0\.conv\.bias$/,
          /^pred_blocks\.1\.conv\.weight$/,
        ].map((re) => names.find((n) => re.test(n)) as string);
        assert.ok(wanted.every(Boolean), `weights found: ${wanted}`);
        check(net.weights, (grads) => wanted.map((name) => [name, largest(grads.get(name)!, 1)[0]] as [string, number]), 1e-3, 3e-2);
      } finally {
        pattern.dispose();
        disposeBatch(batch);
        net.dispose();
      }
    });
  }

  it('gives the same loss with its own alphas substituted, and with substituted alphas as with those alphas assigned', () => {
    const net = new DisparitySupernet(TINY[0].network, 5);
    const batch = tinyBatch(8, 16, 2);
    const options = { training: true, updateRunningStats: false, seed: 2 } as const;
    const lossOf = (o: PassOptions) => tf.tidy(() => net.loss(batch, o).loss.dataSync()[0]);
    try {
      const own = lossOf(options);
      const copies = new Map([...net.alphaParams].map(([k, v]) => [k, v.clone()]));
      assert.strictEqual(lossOf({ ...options, alphas: copies }), own);
      const other = new Map([...net.alphaParams].map(([k, v], i) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', 40 + i)]));
      const substituted = lossOf({ ...options, alphas: other });
      assert.notStrictEqual(substituted, own);
      for (const [k, v] of net.alphaParams) v.assign(other.get(k)!);
      assert.strictEqual(lossOf(options), substituted);
      assert.throws(() => lossOf({ ...options, alphas: new Map([...other].slice(1)) }), /options.alphas has no alphas_normal/);
      tf.dispose([...copies.values(), ...other.values()]);
    } finally {
      disposeBatch(batch);
      net.dispose();
    }
  });

  it('leaks no tensor across passes (training, evaluation, gradients, patterned passes), nor when made and disposed', async () => {
    await assertNoTensorLeak(() => new DisparitySupernet(TINY[1].network, 6).dispose());
    const net = new DisparitySupernet(TINY[1].network, 6);
    const batch = tinyBatch(16, 32, 2);
    try {
      await assertNoTensorLeak(() => {
        tf.tidy(() => {
          const r = net.loss(batch, { training: true, seed: 1 });
          net.metric(r.output, batch);
        });
        tf.tidy(() => void net.loss(batch, { training: false }));
        const g = lossAndGrads(net, batch, net.alphaParams, 1, false);
        tf.dispose([g.loss, g.output, ...g.grads.values()]);
        const pattern = new ActivationPattern();
        tf.tidy(() => void net.loss(batch, { training: true, updateRunningStats: false, pattern }));
        tf.tidy(() => void net.loss(batch, { training: true, updateRunningStats: false, pattern }));
        pattern.dispose();
      });
    } finally {
      disposeBatch(batch);
      net.dispose();
    }
  });

  it('searches end to end through runSearch: records with the genotype and the curvature; resumed after a kill, byte-identical', () =>
    withTempDir(async (root) => {
      const whole = await runSearch(disparityProblem(searchConfig()), { root: path.join(root, 'a'), progress: 'off' });
      assert.strictEqual(whole.status, 'started');
      assert.ok(whole.run.done);
      assert.strictEqual(whole.run.epochs.length, 2);
      for (const r of whole.run.epochs) {
        checkAutoDispNetGenotype(r.genotype);
        assert.deepStrictEqual([r.alphas.normal.length, r.alphas.reduce.length, r.alphas.upsample.length], [9, 9, 15]);
        assert.ok(Number.isFinite(r.train.loss) && r.valid.accuracy > 0, 'the EPE in px');
        const h = r.hessian!;
        assert.strictEqual(h.vector.length, 264, 'the curvature is over the 264 alphas');
        assert.ok(Number.isFinite(h.dominantEigenvalue) && h.products === 3 && h.hvp.kinkSites > 0);
      }
      assert.notDeepStrictEqual(whole.run.epochs[1].alphas, whole.run.epochs[0].alphas, 'the alphas move');
      assert.deepStrictEqual(whole.run.genotype, { epoch: 1, genotype: whole.run.epochs[1].genotype });
      assert.strictEqual(readRun(whole.run.dir, DISPARITY_CONFIG_CODEC).epochs.length, 2);

      const cut = await runSearch(disparityProblem(searchConfig()), { root: path.join(root, 'b'), progress: 'off', maxEpochs: 1 });
      assert.strictEqual(cut.status, 'interrupted');
      const resumed = await runSearch(disparityProblem(searchConfig()), { root: path.join(root, 'b'), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      const epochs = (r: typeof whole) => fs.readFileSync(path.join(r.run.dir, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(epochs(resumed), epochs(whole));
    }));
});
