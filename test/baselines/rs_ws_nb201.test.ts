/**
 * RS-ws on NAS-Bench-201 (lib/baselines/rs_ws_spaces.ts): the supernet's discrete pass against the
 * mixture with one-hot weights (values, gradients, running statistics), the uniform draw of cells,
 * and a whole run (stored, repeated, resumed), besides the DARTS runs of test/baselines/rs_ws.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { ensureRsWs } from '../../lib/baselines/rs_ws';
import { nb201RsWs, rsWsSpace, sampleNb201Cell } from '../../lib/baselines/rs_ws_spaces';
import { baselineId, readBaselineConfig } from '../../lib/baselines/store';
import { Rng } from '../../lib/nn/random';
import { resolveNb201Config } from '../../lib/problems/nb201/config';
import { NB201_ALPHA_NAME, Nb201Supernet } from '../../lib/problems/nb201/supernet';
import { lossAndGrads, type StepModel } from '../../lib/search/step';
import type { Batch } from '../../lib/nn/loss';
import { NB201_OPS, parseNb201Arch } from '../../lib/spaces/nb201';
import { nb201Setting } from '../../lib/analysis/nb201_claims';
import { readNb201Baselines } from '../../lib/analysis/nb201_random';
import { nb201Accuracies } from '../../lib/data/nb201_table';
import { assertNoTensorLeak, tempDir, withoutSeconds } from '../helpers';
import { fakeDataset, smokeConfig } from '../search/fixtures';
import { synthetic } from '../problems/nb201_fixtures';

const ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|';
const PARAMS = { samples: 6, scoreBatches: 2, topK: 3 };

/** What a run stored, without wall-clock times (the rest must repeat exactly). */
function batchOf(n: number, C = 3): Batch {
  const x = tf.randomUniform([n, 16, 16, C], -1, 1, 'float32', 7) as tf.Tensor4D;
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => (i * 3) % 10),
    'int32',
  );
  return { x, y };
}

describe('RS-ws on NAS-Bench-201', function () {
  this.timeout(120_000);

  describe("the supernet's discrete pass", () => {
    for (const C of [2, 4]) {
      it(`equals the mixture with one-hot weights, and only the chosen ops get gradients and statistics (C ${C})`, () => {
        const net = new Nb201Supernet({ C, N: 1, classes: 10, inChannels: 3, seed: 3 });
        const batch = batchOf(6);
        const ops = parseNb201Arch(ARCH).map((op) => NB201_OPS.indexOf(op));
        // exp(-1e4) is 0 in float32: the softmax is exactly one-hot.
        const oneHot = tf.tensor2d(ops.map((k) => NB201_OPS.map((_, j) => (j === k ? 1e4 : 0))));
        const view = (options: object): StepModel<Batch> => ({
          weights: net.weights,
          alphaParams: net.alphaParams,
          loss: (b, o) => net.loss(b, { ...o, ...options }),
          metric: (out, b) => net.metric(out, b),
        });
        const stats = () => new Map([...net.buffers].map(([name, v]) => [name, v.arraySync()]));
        const before = stats();
        const discrete = lossAndGrads(view({ architecture: { arch: ARCH } }), batch, net.weights, 1, true);
        const updated = stats();
        const mixed = lossAndGrads(view({ alphas: new Map([[NB201_ALPHA_NAME, oneHot]]) }), batch, net.weights, 1, false);
        const close = (a: tf.Tensor, b: tf.Tensor, what: string) => {
          const err = tf.tidy(() => a.sub(b).abs().max().dataSync()[0] / Math.max(1e-6, b.abs().max().dataSync()[0]));
          assert.ok(err < 1e-5, `${what}: relative error ${err}`);
        };
        close(discrete.output, mixed.output, 'logits');
        close(discrete.loss, mixed.loss, 'loss');
        // edge (1<-0) runs nor_conv_3x3 (op 3): its conv has a gradient; its nor_conv_1x1 (op 2) none.
        assert.ok(discrete.grads.has('cells.0.edges.1<-0.3.op.1.weight'));
        assert.ok(!discrete.grads.has('cells.0.edges.1<-0.2.op.1.weight'), 'an op that did not run has no gradient');
        for (const [name, g] of discrete.grads) close(g, mixed.grads.get(name) as tf.Tensor, name);
        for (const [name, g] of mixed.grads) {
          if (!discrete.grads.has(name))
            assert.strictEqual(
              tf.tidy(() => g.abs().max().dataSync()[0]),
              0,
              `${name}: zero in the mixture`,
            );
        }
        // Only the ops that ran moved their running statistics.
        const moved = [...before.keys()].filter((name) => JSON.stringify(before.get(name)) !== JSON.stringify(updated.get(name)));
        assert.ok(moved.includes('cells.0.edges.1<-0.3.op.2.running_mean'));
        assert.ok(!moved.some((name) => name.startsWith('cells.0.edges.1<-0.2.')), 'the unused op kept its statistics');
        tf.dispose([discrete.loss, discrete.output, mixed.loss, mixed.output, oneHot, batch.x, batch.y]);
        tf.dispose([...discrete.grads.values(), ...mixed.grads.values()]);
        net.dispose();
      });
    }

    it('refuses alphas beside an architecture, and a bad cell, naming it', async () => {
      const net = new Nb201Supernet({ C: 2, N: 1, classes: 10, inChannels: 3, seed: 0 });
      const batch = batchOf(2);
      assert.throws(
        () => net.loss(batch, { training: true, architecture: { arch: ARCH }, alphas: new Map([[NB201_ALPHA_NAME, net.alphas]]) }),
        /exclude each other/,
      );
      assert.throws(
        () => net.loss(batch, { training: true, architecture: { arch: '|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|' } }),
        /unknown op "conv"/,
      );
      await assertNoTensorLeak(() =>
        tf.dispose(Object.values(net.loss(batch, { training: true, updateRunningStats: false, architecture: { arch: ARCH } }))),
      );
      tf.dispose([batch.x, batch.y]);
      net.dispose();
    });
  });

  it('draws every op of every edge uniformly, none included, as a function of the stream', () => {
    assert.deepStrictEqual(sampleNb201Cell(new Rng(5)), sampleNb201Cell(new Rng(5)));
    const draws = 3000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(NB201_OPS.length).fill(0));
    const rng = new Rng(11);
    for (let i = 0; i < draws; i++) parseNb201Arch(sampleNb201Cell(rng).arch).forEach((op, e) => counts[e][NB201_OPS.indexOf(op)]++);
    // Each share is 0.2 with a standard deviation of 0.0073 at 3,000 draws: 0.16-0.24 is over 5 of them.
    for (const row of counts) for (const c of row) assert.ok(c / draws > 0.16 && c / draws < 0.24, `share ${c / draws}`);
  });

  describe('a whole run', () => {
    let root: string;
    let cleanup: () => void;
    beforeEach(() => ({ dir: root, cleanup } = tempDir()));
    afterEach(() => cleanup());
    const config = () => resolveNb201Config('smoke');

    it("trains for the search's steps, scores cells of the benchmark's space, stores the result under the NAS-Bench-201 config", async () => {
      const run = await ensureRsWs(config(), { root, train: synthetic(), progress: 'off', ...PARAMS });
      assert.strictEqual(run.status, 'started');
      assert.strictEqual(run.dir, path.join(root, 'baselines', baselineId(config(), 'rs-ws', PARAMS)));
      // 32 weight images / batch 8: 4 steps an epoch, 2 epochs, as the smoke search.
      assert.deepStrictEqual(
        run.epochs.map((r) => [r.epoch, r.steps]),
        [
          [0, 4],
          [1, 4],
        ],
      );
      assert.deepStrictEqual(readBaselineConfig(run.dir).config, config());
      for (const s of run.samples) parseNb201Arch(s.genotype.arch);
      const result = run.result;
      assert.ok(result);
      assert.deepStrictEqual(result.genotype, run.samples[result.best].genotype);
      assert.ok(result.top.some((c) => c.index === result.best));
      const again = await ensureRsWs(config(), { root, train: synthetic(), ...PARAMS });
      assert.strictEqual(again.status, 'finished');
      assert.deepStrictEqual(again.result, result);
    });

    it('repeats exactly, and resumes after interruptions with the results of an uninterrupted run', async () => {
      const opts = { train: synthetic(), progress: 'off' as const, ...PARAMS };
      const whole = await ensureRsWs(config(), { root: path.join(root, 'whole'), ...opts });
      const twice = await ensureRsWs(config(), { root: path.join(root, 'twice'), ...opts });
      assert.deepStrictEqual(
        withoutSeconds([twice.epochs, twice.samples, twice.result]),
        withoutSeconds([whole.epochs, whole.samples, whole.result]),
      );
      const cut = path.join(root, 'cut');
      assert.strictEqual((await ensureRsWs(config(), { root: cut, ...opts, maxEpochs: 1 })).status, 'interrupted');
      assert.strictEqual((await ensureRsWs(config(), { root: cut, ...opts, maxSamples: 4 })).samples.length, 4);
      const last = await ensureRsWs(config(), { root: cut, ...opts });
      assert.strictEqual(last.status, 'resumed');
      assert.deepStrictEqual(
        withoutSeconds([last.epochs, last.samples, last.result]),
        withoutSeconds([whole.epochs, whole.samples, whole.result]),
      );
    });

    it("is read back for notebook 06 with its cell's benchmark error; a DARTS baseline beside it is not", async () => {
      const run = await ensureRsWs(config(), { root, train: synthetic(), progress: 'off', ...PARAMS });
      await ensureRsWs(smokeConfig(), { root, train: fakeDataset(), progress: 'off', ...PARAMS });
      assert.strictEqual(fs.readdirSync(path.join(root, 'baselines')).length, 2);
      const arch = (run.result?.genotype as { arch: string }).arch;
      assert.deepStrictEqual(readNb201Baselines(path.join(root, 'baselines')), [
        {
          id: path.basename(run.dir),
          method: 'RS-ws (6 samples, 2 score batches, top 3)',
          seed: 0,
          setting: nb201Setting(config()),
          arch,
          errorPct: 100 - nb201Accuracies(arch).cifar10,
        },
      ]);
      assert.deepStrictEqual(readNb201Baselines(path.join(root, 'nothing')), []);
    });

    it('refuses a bad config or another problem before writing anything, naming what is wrong', async () => {
      await assert.rejects(
        ensureRsWs({ ...config(), regularization: { l2: 5e-4, dropPathProb: 0.2 } }, { root, train: synthetic() }),
        /dropPathProb/,
      );
      assert.throws(() => rsWsSpace({ ...config(), problem: 'ptb' } as never), /got problem "ptb"/);
      assert.throws(() => nb201RsWs({ ...config(), C: 0 }), /C/);
      assert.deepStrictEqual(fs.readdirSync(root), []);
    });
  });
});
