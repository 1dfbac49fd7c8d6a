/**
 * The seam's proof (lib/search/problem.ts): a toy problem (./toy_problem.ts: two mixed edges on a
 * synthetic regression) searched end to end by the generic code: records, resume after a kill,
 * checkpoints, curvature tracking, DARTS-ES and DARTS-ADA.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { mixSeed } from '../../lib/nn/random';
import { readRun, runDirFor } from '../../lib/runs/store';
import { cosineLr, disposeSearchState, initialState, searchEpoch } from '../../lib/search/loop';
import { runSearch } from '../../lib/search/run';
import { alphaStep, weightStep } from '../../lib/search/step';
import { repoRoot, withTempDir } from '../helpers';
import { TOY_CODEC, TOY_OPS, toyConfig, toyProblem } from './toy_problem';

// The original code's debug series (as test/search/controller.test.ts): fires at epoch 20, stop epoch 8.
const debugSeries = (epoch: number, rollbacks: number) => (epoch >= 8 && rollbacks === 0 ? 2.0 : 0.1);

describe('the toy search problem through the generic search code', function () {
  this.timeout(120_000);

  it('searches end to end: records with its own architecture fields, curvature at the due epochs, a genotype', () =>
    withTempDir(async (root) => {
      const { status, run } = await runSearch(toyProblem(toyConfig()), { root, progress: 'off' });
      assert.strictEqual(status, 'started');
      assert.ok(run.done);
      assert.strictEqual(run.epochs.length, 6);
      assert.deepStrictEqual(
        run.epochs.map((r) => r.hessian !== undefined),
        [true, false, true, false, true, true],
      );
      for (const r of run.epochs) {
        assert.deepStrictEqual(Object.keys(r.alphas), ['edge1', 'edge2']);
        assert.ok(Object.values(r.genotype).every((op) => (TOY_OPS as readonly string[]).includes(op)));
        assert.ok(Number.isFinite(r.train.loss) && r.valid.accuracy >= 0 && r.valid.accuracy <= 1);
      }
      const h = run.epochs[4].hessian!;
      assert.strictEqual(h.vector.length, 6, 'the curvature is over the 2 x 3 alphas');
      assert.ok(Number.isFinite(h.dominantEigenvalue) && h.products > 0);
      assert.ok(run.epochs[5].train.loss < run.epochs[0].train.loss, 'the weights learn');
      assert.notDeepStrictEqual(run.epochs[5].alphas, run.epochs[0].alphas, 'the alphas move');
      assert.deepStrictEqual(run.genotype, { epoch: 5, genotype: run.epochs[5].genotype });
      // The store reads it back with the toy's codec; a second call finds it finished.
      assert.deepStrictEqual(readRun(run.dir, TOY_CODEC).epochs.length, 6);
      assert.strictEqual((await runSearch(toyProblem(toyConfig()), { root, progress: 'off' })).status, 'finished');
    }));

  it("with hessian.batches, measures the curvature of the mean loss over the epoch's last alpha batches", () =>
    withTempDir(async (root) => {
      const one = (await runSearch(toyProblem(toyConfig()), { root, progress: 'off' })).run;
      const three = (await runSearch(toyProblem(toyConfig({ hessian: { batches: 3 } })), { root, progress: 'off' })).run;
      assert.notStrictEqual(three.runId, one.runId);
      const [h1, h3] = [one.epochs[4].hessian!, three.epochs[4].hessian!];
      assert.strictEqual(h1.batches, undefined);
      assert.strictEqual(h3.batches, 3);
      assert.strictEqual(h3.batchSize, 3 * h1.batchSize);
      assert.notStrictEqual(h3.dominantEigenvalue, h1.dominantEigenvalue);
      // Everything but the curvature is the same search.
      assert.deepStrictEqual(
        three.epochs.map((r) => r.alphas),
        one.epochs.map((r) => r.alphas),
      );
    }));

  it("takes the weight step before the alpha step where the config's stepOrder says so (NAS-Bench-201's script)", async () => {
    const alphasAfterEpoch = async (stepOrder?: 'alpha-first' | 'weight-first') => {
      const problem = toyProblem({ ...toyConfig({ epochs: 1, hessian: { method: 'off' } }), ...(stepOrder ? { stepOrder } : {}) });
      const data = problem.loadData();
      const state = initialState(problem, data);
      try {
        return (await searchEpoch(problem, data, state, 0)).alphas;
      } finally {
        disposeSearchState(state);
      }
    };
    // By hand: each iteration's weight step, then its alpha step, with the loop's seeds.
    const problem = toyProblem(toyConfig({ epochs: 1, hessian: { method: 'off' } }));
    const c = problem.config;
    const data = problem.loadData();
    const s = initialState(problem, data);
    const plan = { epoch: 0, epochs: 1, batchSize: c.batchSize, seed: c.seed };
    const lr = cosineLr(0, 1, c.weightOptimizer.lrMax, c.weightOptimizer.lrMin);
    let step = 0;
    for (const train of data.weightBatches(plan)) {
      const stepSeed = mixSeed(c.seed, 0, step++);
      const val = data.alphaBatch(plan, stepSeed);
      weightStep(s.net, s.weightOpt, train, { lr, gradClip: c.weightOptimizer.gradClip, seed: mixSeed(stepSeed, 2), dropPathProb: 0 });
      alphaStep(s.net, s.weightOpt, s.alphaOpt, val, {
        order: c.order,
        trainBatch: train,
        lr,
        momentum: s.weightOpt.options.momentum,
        weightDecay: s.weightOpt.options.weightDecay,
        seed: mixSeed(stepSeed, 1),
        dropPathProb: 0,
      });
      data.dispose(train);
      data.dispose(val);
    }
    const byHand = Object.fromEntries([...s.net.alphaParams].map(([k, v]) => [k, Array.from(v.dataSync())]));
    disposeSearchState(s);
    assert.deepStrictEqual(await alphasAfterEpoch('weight-first'), byHand);
    assert.notDeepStrictEqual(await alphasAfterEpoch(), byHand);
    assert.deepStrictEqual(await alphasAfterEpoch('alpha-first'), await alphasAfterEpoch());
  });

  it('resumes after a kill from its checkpoint, byte-identical to an uninterrupted run', () =>
    withTempDir(async (root) => {
      const whole = await runSearch(toyProblem(toyConfig()), { root: path.join(root, 'a'), progress: 'off' });
      const cut = await runSearch(toyProblem(toyConfig()), { root: path.join(root, 'b'), progress: 'off', maxEpochs: 3 });
      assert.strictEqual(cut.status, 'interrupted');
      assert.ok(fs.existsSync(path.join(cut.run.dir, 'checkpoint', 'epoch-2.safetensors')));
      const resumed = await runSearch(toyProblem(toyConfig()), { root: path.join(root, 'b'), progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      const epochs = (r: typeof whole) => fs.readFileSync(path.join(r.run.dir, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(epochs(resumed), epochs(whole));
    }));

  it("DARTS-ES stops at the decision with the stop epoch's genotype", () =>
    withTempDir(async (root) => {
      const config = toyConfig({ epochs: 22, earlyStop: 'stop', controller: { startEpoch: 20 } });
      const { run } = await runSearch(toyProblem(config), { root, progress: 'off', fakeCurvature: debugSeries });
      assert.strictEqual(run.epochs.length, 21);
      assert.deepStrictEqual(
        run.decisions.map((d) => [d.action, d.decisionEpoch, d.stopEpoch]),
        [['stop', 20, 8]],
      );
      assert.deepStrictEqual(run.genotype, { epoch: 8, genotype: run.epochs[8].genotype });
    }));

  it("DARTS-ADA rolls back to the stop epoch's checkpoint, raises L2 and searches on", () =>
    withTempDir(async (root) => {
      const config = toyConfig({ epochs: 22, earlyStop: 'adaptive', controller: { startEpoch: 20 } });
      const { run } = await runSearch(toyProblem(config), { root, progress: 'off', fakeCurvature: debugSeries });
      assert.ok(run.done);
      assert.strictEqual(run.epochs.length, 22);
      const [d] = run.decisions;
      assert.deepStrictEqual([run.decisions.length, d.action, d.stopEpoch, d.l2.before, d.l2.after], [1, 'rollback', 8, 3e-4, 3e-4 * 10]);
      assert.strictEqual(d.discarded?.length, 12);
      assert.ok(run.epochs.slice(0, 9).every((r) => r.regularization?.l2 === 3e-4));
      assert.ok(run.epochs.slice(9).every((r) => r.regularization?.l2 === 3e-4 * 10));
      // The epoch after the rollback differs from the discarded one: the weights decay harder.
      assert.notDeepStrictEqual(run.epochs[9].alphas, d.discarded?.[0].alphas);
    }));

  it('DARTS-ADA keeps the checkpoint of a second rollback that reaches further back than the first', () =>
    withTempDir(async (root) => {
      // Every epoch measured, decisions from epoch 7, a stop epoch 6 back (the PTB mini setting). The
      // first firing at 8 rolls back to 2; after it, one at 7 reaches back to 1, which the pruning
      // after epoch 8 (keeping 2..8) had deleted.
      const config = toyConfig({
        epochs: 12,
        earlyStop: 'adaptive',
        hessian: { evalEvery: 1 },
        controller: { startEpoch: 7, maxL2: 1 },
      });
      const series = (epoch: number, rollbacks: number) => ((rollbacks === 0 && epoch >= 8) || (rollbacks === 1 && epoch >= 7) ? 10 : 0.1);
      const { run } = await runSearch(toyProblem(config), { root, progress: 'off', fakeCurvature: series });
      assert.ok(run.done);
      assert.deepStrictEqual(
        run.decisions.map((d) => [d.action, d.decisionEpoch, d.stopEpoch]),
        [
          ['rollback', 8, 2],
          ['rollback', 7, 1],
        ],
      );
      assert.strictEqual(run.epochs.length, 12);
    }));

  it('survives a process killed in the middle of a search (SIGKILL), resuming to the same records', async () =>
    withTempDir(async (root) => {
      const config = toyConfig({ epochs: 120 });
      const killed = path.join(root, 'killed');
      const dir = runDirFor(config, killed, TOY_CODEC);
      const script = `const { initBackend } = require(${JSON.stringify(path.join(repoRoot, 'lib/backend'))});
        const { runSearch } = require(${JSON.stringify(path.join(repoRoot, 'lib/search/run'))});
        const { toyConfig, toyProblem } = require(${JSON.stringify(path.join(__dirname, 'toy_problem'))});
        initBackend().then(() => runSearch(toyProblem(toyConfig({ epochs: 120 })), { root: ${JSON.stringify(killed)}, progress: 'off' }));`;
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: repoRoot, stdio: 'ignore' });
      const epochsFile = path.join(dir, 'epochs.jsonl');
      const deadline = Date.now() + 60_000;
      while (!(fs.existsSync(epochsFile) && fs.readFileSync(epochsFile, 'utf8').split('\n').length > 3) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const stored = fs.readFileSync(epochsFile, 'utf8').trim().split('\n').length;
      assert.ok(stored >= 3 && stored < 120, `killed after ${stored} epochs`);
      const resumed = await runSearch(toyProblem(config), { root: killed, progress: 'off' });
      assert.strictEqual(resumed.status, 'resumed');
      const whole = await runSearch(toyProblem(config), { root: path.join(root, 'whole'), progress: 'off' });
      const epochs = (d: string) => fs.readFileSync(path.join(d, 'epochs.jsonl'), 'utf8');
      assert.strictEqual(epochs(resumed.run.dir), epochs(whole.run.dir));
    }));
});
