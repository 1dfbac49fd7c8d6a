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
      mini.map((e) => [e.config.seed, e.config.regularization.l2, e.config.earlyStop]),
      [
        [0, 5e-7, 'off'],
        [0, 5e-5, 'off'],
        [0, 5e-7, 'adaptive'],
        [1, 5e-7, 'off'],
        [1, 5e-5, 'off'],
        [1, 5e-7, 'adaptive'],
      ],
    );
    assert.ok(crossDomainDirs('mini').runs.endsWith(path.join('results', 'ptb', 'runs')));
  });
});
