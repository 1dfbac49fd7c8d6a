/**
 * The cross-domain plan (lib/experiments/cross_domain.ts): the committed grid file that
 * `rdarts grid` runs is the plan the notebook reads, and the plan resolves at every preset.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { crossDomainDirs, LM_GRID, lmPlan } from '../../lib/experiments/cross_domain';
import { DISPARITY_GRID, disparityCrossDomainDirs, disparityPlan, disparityPresetFor } from '../../lib/experiments/cross_domain_disparity';
import { repoRoot } from '../helpers';

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
      ],
    );
    // The dropout runs raise the hidden and input dropouts only (R-DARTS(DP)'s analogue, docs/method.md §9).
    assert.deepStrictEqual(mini[3].config.dropout, { ...mini[0].config.dropout, hidden: 0.5, input: 0.4 });
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
    assert.ok(disparityCrossDomainDirs('mini').runs.endsWith(path.join('results', 'disparity', 'runs')));
  });
});
