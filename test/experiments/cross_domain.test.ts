/**
 * The cross-domain plan (lib/experiments/cross_domain.ts): the committed grid file that
 * `rdarts grid` runs is the plan the notebook reads, and the plan resolves at every preset.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { crossDomainDirs, LM_GRID, lmPlan } from '../../lib/experiments/cross_domain';
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
});
