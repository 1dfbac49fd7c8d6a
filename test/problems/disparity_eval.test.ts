/**
 * The discrete disparity network of a genotype and its training from scratch
 * (lib/problems/disparity/network.ts `DisparityNetwork`, lib/train/disparity_train.ts): the
 * discrete network builds only the genotype's edges and has no alphas; with its weights copied into
 * the search supernet and alphas that put all weight on the genotype's ops (and on `none` elsewhere)
 * the supernet computes the same predictions (the supernet is checked against finite differences
 * and PyTorch elsewhere); the evaluation's test numbers against a hand count; an evaluation stopped
 * after one epoch and resumed ends with the numbers of an uninterrupted one; bad configs and a
 * missing real pair are refused, naming the field or the file.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { tf } from '../../lib/backend';
import { STEREO_SPLITS, stereoPairs } from '../../lib/data/stereo_synthetic';
import { DISPARITY_PRESETS } from '../../lib/problems/disparity/config';
import { packStereo } from '../../lib/problems/disparity/data';
import {
  DISPARITY_ALPHA_NAMES,
  DisparityNetwork,
  type DisparityNetworkConfig,
  DisparitySupernet,
} from '../../lib/problems/disparity/network';
import { disparityErrorSums } from '../../lib/problems/disparity/ops';
import {
  AUTODISPNET_PRIMITIVES,
  AUTODISPNET_RELEASED,
  type AutoDispNetGenotype,
  autoDispNetEdges,
  chosenEdges,
} from '../../lib/spaces/autodispnet';
import { resolveDisparityTrainConfig } from '../../lib/train/disparity_config';
import { constantErrors, ensureDisparityEvaluation, medianDisparity, testDisparity } from '../../lib/train/disparity_train';
import { assertNoTensorLeak, withTempDir } from '../helpers';

const NET_BN: DisparityNetworkConfig = {
  C: 2,
  stemMultiplier: 2,
  featureDepth: 1,
  encoderDepth: 2,
  decoderDepth: 2,
  maxDisplacement: 2,
  batchNorm: true,
};
const NET_SMALL: DisparityNetworkConfig = {
  C: 1,
  stemMultiplier: 2,
  featureDepth: 1,
  encoderDepth: 1,
  decoderDepth: 1,
  maxDisplacement: 1,
  batchNorm: false,
};

/** A genotype other than the released one, with every op of the space somewhere. */
const MIXED: AutoDispNetGenotype = {
  normal: [
    ['sep_conv_3x3', 0],
    ['dil_conv_5x5', 1],
    ['max_pool_3x3', 2],
    ['skip_connect', 0],
    ['avg_pool_3x3', 3],
    ['sep_conv_5x5', 1],
  ],
  reduce: [
    ['dil_conv_3x3', 0],
    ['skip_connect', 1],
    ['max_pool_3x3', 0],
    ['sep_conv_3x3', 2],
    ['avg_pool_3x3', 1],
    ['dil_conv_5x5', 3],
  ],
  upsample: [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['dil_conv_3x3', 2],
    ['sep_conv_5x5', 3],
    ['avg_pool_3x3', 4],
    ['max_pool_3x3', 2],
    ['dil_conv_5x5', 5],
    ['skip_connect', 3],
  ],
};

/** Synthetic pairs of a size (the smoke generator's options). */
function pairs(height: number, width: number, n: number, split: number = STEREO_SPLITS.test) {
  const { seed, maxShapes, texture, colour, augment } = DISPARITY_PRESETS.smoke.data as {
    seed: number;
    maxShapes: number;
    texture: 'noise';
    colour: 'rgb';
    augment: number;
  };
  return stereoPairs({ seed, height, width, maxShapes, texture, colour, augment, dmax: width / 8 }, split, n);
}

/** Writes a pair as Middlebury-style files (RGB PNGs, disparity x 4 in an 8-bit grey PNG, 0 = unknown). */
function writeMiddlebury(dir: string, height: number, width: number): { left: string; right: string; disparity: string; scale: number } {
  const [p] = pairs(height, width, 1, STEREO_SPLITS.valid);
  const png = (values: (i: number, c: number) => number) => {
    const img = new PNG({ width, height });
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) img.data[4 * i + c] = values(i, c);
      img.data[4 * i + 3] = 255;
    }
    return PNG.sync.write(img, { colorType: 2 });
  };
  const files = { left: path.join(dir, 'l.png'), right: path.join(dir, 'r.png'), disparity: path.join(dir, 'd.png'), scale: 4 };
  fs.writeFileSync(
    files.left,
    png((i, c) => Math.round(255 * p.left[3 * i + c])),
  );
  fs.writeFileSync(
    files.right,
    png((i, c) => Math.round(255 * p.right[3 * i + c])),
  );
  // The first row unknown (0), to exercise the mask.
  fs.writeFileSync(
    files.disparity,
    png((i) => (i < width || !Number.isFinite(p.disparity[i]) ? 0 : Math.round(4 * p.disparity[i]))),
  );
  return files;
}

describe('the discrete disparity network of a genotype (DisparityNetwork)', () => {
  it('builds only the genotype edges, one op each, and has no alphas', () => {
    const net = new DisparityNetwork(NET_BN, 0, null, MIXED);
    const supernet = new DisparitySupernet(NET_BN, 0);
    try {
      assert.strictEqual(net.alphaParams.size, 0);
      const edgesOf = (prefix: string) =>
        new Set(net.variables.filter((v) => v.name.startsWith(`${prefix}.edges.`)).map((v) => Number(v.name.split('.')[3])));
      // Every edge holding variables is one of the genotype's, and every convolution's edge holds some
      // (a pool's hold BN statistics, an identity none).
      for (const [prefix, cell] of [
        ['feature_cells.0', 'reduce'],
        ['encoder_cells.0', 'normal'],
        ['encoder_cells.1', 'reduce'],
        ['decoder_cells.0', 'upsample'],
        ['decoder_cells.1', 'upsample'],
      ] as const) {
        const chosen = chosenEdges(MIXED, cell);
        const held = edgesOf(prefix);
        assert.ok(
          [...held].every((e) => chosen.some((c) => c.edge.edge === e)),
          `${prefix}: edges ${[...held]} beyond the genotype's`,
        );
        for (const c of chosen.filter((x) => /conv/.test(x.op)))
          assert.ok(held.has(c.edge.edge), `${prefix}: no variables on edge ${c.edge.edge} (${c.op})`);
      }
      assert.ok(net.numParams() < supernet.numParams() / 3, `${net.numParams()} of the supernet's ${supernet.numParams()}`);
      const [left, right] = [
        tf.randomUniform([1, 16, 32, 3], 0, 1, 'float32', 1),
        tf.randomUniform([1, 16, 32, 3], 0, 1, 'float32', 2),
      ] as tf.Tensor4D[];
      assert.throws(
        () => net.forward(left, right, { training: true, alphas: supernet.alphaParams }),
        /discrete network of a genotype has no alphas/,
      );
      tf.dispose([left, right]);
    } finally {
      net.dispose();
      supernet.dispose();
    }
  });

  it('without feature cells (featureDepth 0) the correlation reads the stems: predictions at 1/4 and 1/2, supernet and discrete', () => {
    const network = { ...NET_SMALL, C: 2, featureDepth: 0 };
    for (const net of [new DisparitySupernet(network, 0), new DisparityNetwork(network, 0, null, MIXED)]) {
      const [left, right] = [
        tf.randomUniform([1, 8, 16, 3], 0, 1, 'float32', 1),
        tf.randomUniform([1, 8, 16, 3], 0, 1, 'float32', 2),
      ] as tf.Tensor4D[];
      const p = net.forward(left, right, { training: true, seed: 0 });
      assert.deepStrictEqual(
        p.map((t) => t.shape),
        [
          [1, 2, 4, 1],
          [1, 4, 8, 1],
        ],
      );
      tf.dispose([left, right, ...p]);
      net.dispose();
    }
  });

  for (const [name, genotype] of [
    ['AutoDispNet-C', AUTODISPNET_RELEASED],
    ['a genotype with every op', MIXED],
  ] as const) {
    it(`${name}: the supernet with the discrete weights and one-hot alphas predicts what the discrete network predicts (16 x 32, BN)`, () => {
      const net = new DisparityNetwork(NET_BN, 3, null, genotype);
      const supernet = new DisparitySupernet(NET_BN, 4);
      const [left, right] = [
        tf.randomUniform([2, 16, 32, 3], 0, 1, 'float32', 5),
        tf.randomUniform([2, 16, 32, 3], 0, 1, 'float32', 6),
      ] as tf.Tensor4D[];
      try {
        const superVars = new Map(supernet.variables.map((v) => [v.name, v.variable]));
        for (const v of net.variables) {
          // edges.<e>.<rest> of a discrete cell is edges.<e>.<op index>.<rest> in the supernet.
          const m = /^(.*\.edges\.(\d+))\.(.*)$/.exec(v.name);
          let target = v.name;
          if (m) {
            const cell = v.name.startsWith('decoder')
              ? 'upsample'
              : v.name.startsWith('feature') || v.name.startsWith('encoder_cells.1')
                ? 'reduce'
                : 'normal';
            const op = chosenEdges(genotype, cell).find((c) => c.edge.edge === Number(m[2]))?.op as string;
            target = `${m[1]}.${AUTODISPNET_PRIMITIVES.indexOf(op as never)}.${m[3]}`;
          }
          const s = superVars.get(target);
          assert.ok(s, `the supernet has no ${target} (for ${v.name})`);
          s.assign(v.variable);
        }
        for (const cell of ['normal', 'reduce', 'upsample'] as const) {
          const rows = autoDispNetEdges(cell).map(() => AUTODISPNET_PRIMITIVES.map((op) => (op === 'none' ? 40 : 0)));
          for (const c of chosenEdges(genotype, cell)) rows[c.edge.edge] = AUTODISPNET_PRIMITIVES.map((op) => (op === c.op ? 40 : 0));
          (supernet.alphaParams.get(DISPARITY_ALPHA_NAMES[cell]) as tf.Variable).assign(tf.tensor2d(rows));
        }
        const a = net.forward(left, right, { training: true, seed: 0 });
        const b = supernet.forward(left, right, { training: true, seed: 0 });
        assert.strictEqual(a.length, b.length);
        a.forEach((p, i) => {
          const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(p, b[i]))).dataSync()[0] / Math.max(tf.max(tf.abs(b[i])).dataSync()[0], 1e-6));
          assert.ok(gap < 1e-4, `prediction ${i}: relative gap ${gap}`);
        });
        tf.dispose([...a, ...b]);
      } finally {
        tf.dispose([left, right]);
        net.dispose();
        supernet.dispose();
      }
    });
  }
});

describe('training a disparity genotype from scratch (lib/train/disparity_train.ts)', () => {
  it('disparityErrorSums counts |error|, > 1 px and > 3 px over the known pixels (a hand count)', () => {
    // A 1 x 2 x 4 prediction at full size against a truth with one unknown pixel.
    const prediction = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 4, 1]);
    const truth = tf.tensor4d([0.5, 3, 2, NaN, 0, 5, 6, 2], [1, 2, 4, 1]);
    const r = disparityErrorSums(prediction, truth);
    // errors 0.5, 2, 0, -, 4, 0, 0, 5: sum 11.5 over 7 known; > 1: 3; > 3: 2.
    assert.deepStrictEqual({ ...r, absolute: +r.absolute.toFixed(5) }, { absolute: 11.5, over1: 3, over3: 2, known: 7 });
    tf.dispose([prediction, truth]);
  });

  it('the constant reference: the median of the known disparities, and its errors by hand', () => {
    const split = {
      n: 1,
      height: 1,
      width: 6,
      left: new Float32Array(18),
      right: new Float32Array(18),
      disparity: Float32Array.from([4, NaN, 1, 7, 2, 0.5]),
    };
    // Known 0.5, 1, 2, 4, 7: median 2; errors from 2: 2, 1, 5, 0, 1.5.
    assert.strictEqual(medianDisparity(split), 2);
    assert.deepStrictEqual(constantErrors(split, 2), { epe: 9.5 / 5, over1: 3 / 5, over3: 1 / 5, pairs: 1, knownPixels: 5 });
    assert.strictEqual(medianDisparity({ ...split, disparity: Float32Array.from([3, 1, NaN, 2, 8]) }), 2.5);
  });

  it('testDisparity leaves no tensor behind', async () => {
    const net = new DisparityNetwork(NET_SMALL, 0, null, MIXED);
    const split = packStereo(pairs(8, 16, 3), 'test');
    await assertNoTensorLeak(() => testDisparity(net, split, 2));
    net.dispose();
  });

  const config = (files: { left: string; right: string; disparity: string; scale: number }, over: object = {}) =>
    resolveDisparityTrainConfig('smoke', {
      data: { height: 8, width: 16, train: 4, valid: 4, test: 3 },
      network: NET_SMALL,
      batchSize: 4,
      real: [{ name: 'tiny', ...files, downscale: 2 }],
      ...over,
    });

  it('an evaluation stopped after one epoch and resumed ends with the numbers of an uninterrupted one; the real pair is downscaled and cropped', async function () {
    this.timeout(120_000);
    await withTempDir(async (dir) => {
      const files = writeMiddlebury(dir, 19, 36);
      const c = config(files);
      const whole = await ensureDisparityEvaluation(MIXED, c, 'test', { root: path.join(dir, 'a') });
      await ensureDisparityEvaluation(MIXED, c, 'test', { root: path.join(dir, 'b'), maxEpochs: 1 });
      const partial = JSON.parse(fs.readFileSync(path.join(dir, 'b', whole.id, 'disparity_eval.json'), 'utf8'));
      assert.strictEqual(partial.epochs.length, 1);
      assert.strictEqual(partial.done, undefined);
      const resumed = await ensureDisparityEvaluation(MIXED, c, 'test', { root: path.join(dir, 'b') });
      const strip = (f: typeof whole) => ({ epochs: f.epochs.map(({ seconds: _s, ...r }) => r), done: { ...f.done, seconds: 0 } });
      assert.deepStrictEqual(strip(resumed), strip(whole));
      const d = whole.done as NonNullable<typeof whole.done>;
      // 19 x 36 halved is 9 x 18, cropped to the network's multiple of 8: 8 x 16, the first row unknown.
      assert.deepStrictEqual([d.real[0].height, d.real[0].width], [8, 16]);
      assert.ok(d.real[0].knownPixels < 8 * 16 && d.real[0].knownPixels > 0);
      for (const e of [d.synthetic as NonNullable<typeof d.synthetic>, d.real[0]]) {
        assert.ok(Number.isFinite(e.epe) && e.epe >= 0);
        assert.ok(e.over3 <= e.over1 && e.over1 <= 1 && e.over3 >= 0, JSON.stringify(e));
      }
      assert.strictEqual(d.synthetic?.pairs, 3);
      // The constant reference is scored on the same pixels (its value: the training disparities' median, at most dmax 2).
      assert.ok(d.constant.value > 0 && d.constant.value <= 2, `median ${d.constant.value}`);
      assert.strictEqual(d.constant.real[0].knownPixels, d.real[0].knownPixels);
      assert.strictEqual(d.constant.synthetic?.knownPixels, d.synthetic?.knownPixels);
      // Read back, not recomputed.
      const again = await ensureDisparityEvaluation(MIXED, c, 'test', { root: path.join(dir, 'a') });
      assert.deepStrictEqual(again, whole);
    });
  });

  it('refuses a bad config naming the field, and a missing real pair naming the file, before writing anything', async () => {
    await withTempDir(async (dir) => {
      const files = writeMiddlebury(dir, 19, 36);
      assert.throws(() => config(files, { lrMin: 1 }), /lrMin: must be <= lrMax/);
      assert.throws(() => config(files, { real: [{ name: 'x', ...files, downscale: 0 }] }), /real\.0\.downscale/);
      const missing = config({ ...files, left: path.join(dir, 'nope.png') });
      await assert.rejects(ensureDisparityEvaluation(MIXED, missing, 'test', { root: path.join(dir, 'out') }), /nope\.png/);
      assert.ok(!fs.existsSync(path.join(dir, 'out')));
      const tooSmall = config(files, { real: [{ name: 'small', ...files, downscale: 4 }] });
      await assert.rejects(
        ensureDisparityEvaluation(MIXED, tooSmall, 'test', { root: path.join(dir, 'out') }),
        /real pair small: 9x4 is smaller than the network's multiple 8/,
      );
    });
  });
});
