/**
 * The cross-domain plan (lib/experiments/cross_domain.ts): the committed grid file that
 * `rdarts grid` runs is the plan the notebook reads, and the plan resolves at every preset.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { crossDomainDirs, ensureDomain, LM_GRID, lmPlan } from '../../lib/experiments/cross_domain';
import { resolvePtbConfig } from '../../lib/problems/ptb/config';
import { ptbProblem } from '../../lib/problems/ptb/problem';
import { NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { runSearch } from '../../lib/search/run';
import type { RecurrentGenotype } from '../../lib/spaces/recurrent';
import { DISPARITY_GRID, disparityPlan, disparityPresetFor } from '../../lib/experiments/cross_domain_disparity';
import { repoRoot, withTempDir } from '../helpers';

describe('the cross-domain plan (lib/experiments/cross_domain.ts)', () => {
  it('is the committed results/ptb/grid.json, and resolves at smoke and mini', () => {
    const file = JSON.parse(fs.readFileSync(path.join(repoRoot, 'results', 'ptb', 'grid.json'), 'utf8'));
    assert.deepStrictEqual(file, LM_GRID);
    const smoke = lmPlan('smoke');
    assert.deepStrictEqual(
      smoke.map((e) => e.name),
      Object.keys(LM_GRID.runs),
    );
    assert.ok(smoke.every((e) => e.config.corpus.source === 'synthetic' && e.config.epochs === 2));
    const mini = lmPlan('mini');
    assert.deepStrictEqual(
      mini.map((e) => [e.config.seed, e.config.regularization.l2, e.config.earlyStop, e.config.dropout.hidden]),
      [
        [0, 5e-7, 'off', 0.25],
        [0, 5e-5, 'off', 0.25],
        [0, 5e-7, 'adaptive', 0.25],
        [0, 5e-7, 'off', 0.5],
        [1, 5e-7, 'off', 0.25],
        [1, 5e-5, 'off', 0.25],
        [1, 5e-7, 'adaptive', 0.25],
        [1, 5e-7, 'off', 0.5],
        [0, 1.5e-4, 'off', 0.25],
        [1, 1.5e-4, 'off', 0.25],
        [0, 5e-7, 'off', 0.75],
        [1, 5e-7, 'off', 0.75],
      ],
    );
    // The dropout runs raise the hidden and input dropouts only (R-DARTS(DP)'s analogue, docs/method.md §9).
    assert.deepStrictEqual(mini[3].config.dropout, { ...mini[0].config.dropout, hidden: 0.5, input: 0.4 });
    assert.deepStrictEqual(mini[10].config.dropout, { ...mini[0].config.dropout, hidden: 0.75, input: 0.6 });
    assert.ok(mini.every((e) => e.config.hessian.batches === 4 && e.config.hessian.evalEvery === 1 && e.config.trainTokens === 20000));
    // DARTS-ES / ADA can decide within the 10 epochs (the code's rule would wait until epoch 22).
    assert.ok(mini.every((e) => e.config.controller.startEpoch === 6 && e.config.epochs === 10));
    assert.ok(crossDomainDirs('mini').runs.endsWith(path.join('results', 'ptb', 'runs')));
  });

  it('is the committed results/disparity/grid.json for disparity; the notebook at mini reads its quick preset', () => {
    const file = JSON.parse(fs.readFileSync(path.join(repoRoot, 'results', 'disparity', 'grid.json'), 'utf8'));
    assert.deepStrictEqual(file, DISPARITY_GRID);
    assert.deepStrictEqual(
      ['smoke', 'quick', 'mini', 'paper'].map((p) => disparityPresetFor(p)),
      ['smoke', 'quick', 'quick', 'paper'],
    );
    assert.throws(() => disparityPresetFor('large'), /preset/);
    const smoke = disparityPlan('smoke');
    assert.deepStrictEqual(
      smoke.map((e) => e.name),
      Object.keys(DISPARITY_GRID.runs),
    );
    assert.ok(smoke.every((e) => e.config.epochs === 2 && e.config.data.source === 'synthetic'));
    const mini = disparityPlan('mini');
    assert.deepStrictEqual(
      mini.map((e) => [e.config.seed, e.config.regularization.l2, e.config.earlyStop]),
      [
        [0, 3e-4, 'off'],
        [0, 9e-4, 'off'],
        [0, 2.7e-3, 'off'],
        [0, 3e-4, 'adaptive'],
        [1, 3e-4, 'off'],
        [1, 9e-4, 'off'],
        [1, 2.7e-3, 'off'],
        [1, 3e-4, 'adaptive'],
      ],
    );
    // The curvature after every epoch, and DARTS-ES / ADA deciding within the 10 epochs.
    assert.ok(mini.every((e) => e.config.epochs === 10 && e.config.hessian.evalEvery === 1 && e.config.controller.startEpoch === 6));
    assert.ok(mini.every((e) => e.config.alphaOptimizer.lr === 3e-3));
    assert.ok(crossDomainDirs('mini', 'disparity').runs.endsWith(path.join('results', 'disparity', 'runs')));
  });

  it('in read-only mode leaves out an unfinished search, and keeps a finished one without its unfinished evaluation', () =>
    withTempDir(async (root) => {
      const config = (seed: number) => resolvePtbConfig('smoke', { trainTokens: 1200, epochs: 1, seed }, 'test');
      const dirs = { runs: path.join(root, 'runs'), evals: path.join(root, 'evals') };
      const finished = await runSearch(ptbProblem(config(0)), { root: dirs.runs, progress: 'off' });
      const lines: string[] = [];
      const before = process.env[NO_COMPUTE_ENV];
      process.env[NO_COMPUTE_ENV] = '1';
      try {
        const entries = await ensureDomain(
          {
            plan: [
              { name: 'a', config: config(0) },
              { name: 'b', config: config(1) },
            ],
            dirs,
            problem: ptbProblem,
            read: (_g: RecurrentGenotype) => undefined as { done?: true } | undefined,
            ensure: () => Promise.reject(new Error('read-only: no evaluation may run')),
            evalId: () => 'e1',
            describe: () => '',
          },
          (line) => lines.push(line),
        );
        assert.deepStrictEqual(
          entries.map((e) => [e.name, e.run.runId, e.evaluation]),
          [['a', finished.run.runId, undefined]],
        );
        assert.deepStrictEqual(lines.slice(1), [
          'a: evaluation e1 not finished (read-only: left out)',
          `b: search ${ptbProblem(config(1)).codec.id(config(1))} not finished (read-only: left out)`,
        ]);
        assert.deepStrictEqual(fs.readdirSync(dirs.runs), [finished.run.runId], 'nothing of b was written');
      } finally {
        if (before === undefined) delete process.env[NO_COMPUTE_ENV];
        else process.env[NO_COMPUTE_ENV] = before;
      }
    }));
});
