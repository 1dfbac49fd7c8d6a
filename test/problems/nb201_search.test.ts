/**
 * The NAS-Bench-201 search problem end to end through the generic search code: epoch records with the
 * cell string and its benchmark accuracies, the full 30 x 30 curvature, Nesterov SGD through a
 * checkpoint (a resumed run is byte-identical), the config's checks and presets, the registry.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib/backend';
import { nb201Accuracies } from '../../lib/data/nb201_table';
import { checkNb201Config, NB201_CONFIG_CODEC, NB201_PAPER, resolveNb201Config } from '../../lib/problems/nb201/config';
import { nb201Problem } from '../../lib/problems/nb201/problem';
import { Nb201Supernet } from '../../lib/problems/nb201/supernet';
import { problemCodecs, problemEntry } from '../../lib/problems/registry';
import { loadSafetensors } from '../../lib/runs/safetensors';
import { listRuns, readRun } from '../../lib/runs/store';
import { runSearch } from '../../lib/search/run';
import { nb201ArchString } from '../../lib/spaces/nb201';
import { assertNoTensorLeak, withTempDir } from '../helpers';
import { synthetic } from './nb201_fixtures';

const config = () => resolveNb201Config('smoke', { epochs: 3 });

describe('the NAS-Bench-201 search problem', function () {
  this.timeout(120_000);

  it('searches end to end: each epoch its cell string, the benchmark accuracies of that cell, the full 30 x 30 curvature when due', () =>
    withTempDir(async (root) => {
      const { status, run } = await runSearch(nb201Problem(config(), synthetic()), { root, progress: 'off' });
      assert.strictEqual(status, 'started');
      assert.strictEqual(run.epochs.length, 3);
      for (const r of run.epochs) {
        assert.strictEqual(r.alphas.length, 6);
        assert.strictEqual(r.genotype.arch, nb201ArchString(r.alphas));
        assert.deepStrictEqual(r.benchmark, nb201Accuracies(r.genotype.arch));
        for (const row of r.weights) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      }
      assert.deepStrictEqual(
        run.epochs.map((r) => r.hessian?.products),
        [30, undefined, 30],
      );
      assert.strictEqual(run.epochs[2].hessian!.vector.length, 30);
      assert.notDeepStrictEqual(run.epochs[2].alphas, run.epochs[0].alphas, 'the alphas move');
      assert.deepStrictEqual(run.genotype, { epoch: 2, genotype: run.epochs[2].genotype });
      const stored = JSON.parse(fs.readFileSync(path.join(run.dir, 'config.json'), 'utf8'));
      assert.strictEqual(stored.config.problem, 'nb201');
      assert.strictEqual(readRun(run.dir, NB201_CONFIG_CODEC).epochs.length, 3);
      // Listed with the registry's codecs (`rdarts runs`); without them, named as another problem's run.
      const [listed] = listRuns(root, problemCodecs());
      assert.deepStrictEqual(
        [listed.problem, listed.status, listed.epochs, listed.seed, listed.dataset],
        ['nb201', 'done', 3, 0, 'cifar10-jpeg'],
      );
      assert.match(listRuns(root)[0].error ?? '', /a run of the problem "nb201", which this listing was not given a codec for/);
    }));

  it('resumes from a checkpoint (Nesterov momentum and all) byte-identical to an uninterrupted run', () =>
    withTempDir(async (root) => {
      const whole = await runSearch(nb201Problem(config(), synthetic()), { root: path.join(root, 'a'), progress: 'off' });
      const cut = await runSearch(nb201Problem(config(), synthetic()), { root: path.join(root, 'b'), progress: 'off', maxEpochs: 1 });
      assert.strictEqual(cut.status, 'interrupted');
      const ckpt = loadSafetensors(path.join(cut.run.dir, 'checkpoint', 'epoch-0.safetensors'));
      assert.strictEqual(ckpt.metadata['optimizer.weights.nesterov'], 'true');
      assert.ok(Object.keys(ckpt.tensors).includes('arch_parameters'));
      const resumed = await runSearch(nb201Problem(config(), synthetic()), { root: path.join(root, 'b'), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      const epochs = (dir: string) => fs.readFileSync(path.join(dir, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(epochs(resumed.run.dir), epochs(whole.run.dir));
    }));

  it('keeps no tensors across forward and backward passes', async () => {
    const net = new Nb201Supernet({ C: 2, N: 1, classes: 10, inChannels: 3, seed: 1 });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([1, 2], 'int32');
    try {
      await assertNoTensorLeak(() =>
        tf.tidy(() => {
          tf.variableGrads(() => net.loss({ x, y }, { training: true }).loss, [...net.weights.values(), net.alphas]);
        }),
      );
    } finally {
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it("the paper preset is the benchmark's recipe; the reduced presets change only sizes, data and curvature interval", () => {
    const p = resolveNb201Config('paper');
    assert.deepStrictEqual(
      [p.dataset, p.epochs, p.batchSize, p.C, p.N, p.trainPortion, p.trainSubset, p.order],
      ['cifar10', 50, 64, 16, 5, 0.5, null, 'first'],
    );
    assert.deepStrictEqual(p.weightOptimizer, { lrMax: 0.025, lrMin: 0.001, momentum: 0.9, gradClip: 5, nesterov: true });
    assert.deepStrictEqual(p.alphaOptimizer, { lr: 3e-4, betas: [0.5, 0.999], eps: 1e-8, weightDecay: 1e-3 });
    assert.deepStrictEqual(p.regularization, { l2: 5e-4, dropPathProb: 0 });
    assert.deepStrictEqual([p.hessian.method, p.hessian.evalEvery, p.hessian.scheme], ['full', 1, 'central']);
    assert.strictEqual(p.stepOrder, 'weight-first');
    // 'alpha-first' names the same run as no stepOrder (the runs made before the field existed).
    const { stepOrder: _order, ...before } = resolveNb201Config('mini');
    const alphaFirst = resolveNb201Config('mini', { stepOrder: 'alpha-first' });
    assert.strictEqual(NB201_CONFIG_CODEC.id(alphaFirst), NB201_CONFIG_CODEC.id(checkNb201Config(before)));
    assert.notStrictEqual(NB201_CONFIG_CODEC.id(alphaFirst), NB201_CONFIG_CODEC.id(resolveNb201Config('mini')));
    const mini = resolveNb201Config('mini');
    assert.deepStrictEqual(
      [mini.dataset, mini.C, mini.N, mini.trainSubset, mini.epochs, mini.hessian.evalEvery],
      ['cifar10-jpeg', 8, 1, 10000, 50, 2],
    );
    assert.deepStrictEqual(
      [mini.weightOptimizer, mini.alphaOptimizer, mini.regularization],
      [p.weightOptimizer, p.alphaOptimizer, p.regularization],
    );
  });

  it('refuses a bad config, naming the field, and a DARTS config', () => {
    assert.throws(
      () => resolveNb201Config('smoke', { regularization: { dropPathProb: 0.2 } }),
      /regularization\.dropPathProb: the NAS-Bench-201 supernet has no drop path/,
    );
    assert.throws(() => resolveNb201Config('smoke', { layers: 5 }), /unknown key "layers"/);
    assert.throws(() => resolveNb201Config('smoke', { N: 0 }), /N: must be a positive integer/);
    assert.throws(() => resolveNb201Config('huge'), /preset="huge" is not a preset/);
    assert.throws(
      () => checkNb201Config({ ...NB201_PAPER, problem: 'darts' }, 'x.json'),
      /NAS-Bench-201 search config \(x\.json\): problem/,
    );
  });

  it('is registered: `rdarts search --problem nb201` builds it from a preset and prints its cell string', () => {
    const entry = problemEntry('nb201');
    const problem = entry.problem('smoke', { seed: 3 }, 'test');
    assert.strictEqual(problem.config.seed, 3);
    assert.strictEqual(problem.label, 'nas-bench-201 C2 N1, seed 3');
    assert.strictEqual(
      entry.formatGenotype({ arch: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|' }),
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
    );
  });
});
