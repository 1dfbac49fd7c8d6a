import * as assert from 'assert';
import * as path from 'path';
import { spaceClaimInputs, spaceClaims, type SpaceClaimInput, spaceMethod } from '../../lib/analysis/space_claims';
import { DEFAULT_SEARCH_CONFIG } from '../../lib/config/presets';
import { readRun } from '../../lib/runs/run_read';
import { repoRoot } from '../helpers';

/** A search's claim input: DARTS, S3's 14 normal edges, with what a test varies. */
function input(over: Partial<SpaceClaimInput>): SpaceClaimInput {
  return {
    epochs: 50,
    eigenFirst: 0.1,
    eigenLast: 0.5,
    eigenRatio: 5,
    esEpoch: null,
    rollbacks: 0,
    l2: 3e-4,
    name: 'x',
    method: 'DARTS',
    seed: 0,
    space: 's3',
    edgesParameterFree: 11,
    edgesNone: 11,
    edges: 14,
    genotypeParameterFree: 0,
    collapsed: true,
    supernetValid: 0.5,
    ...over,
  };
}

const verdicts = (rows: ReturnType<typeof spaceClaims>) => rows.map((r) => [r.finding.split(':')[0], r.verdict]);

describe('spaceMethod', () => {
  it('names DARTS-ADA, R-DARTS(DP) and R-DARTS(L2) with their strengths, else DARTS', () => {
    const base = { earlyStop: 'off' as const, regularization: { ...DEFAULT_SEARCH_CONFIG.regularization, dropPathProb: 0 } };
    assert.strictEqual(spaceMethod(base), 'DARTS');
    assert.strictEqual(spaceMethod({ ...base, earlyStop: 'adaptive' }), 'DARTS-ADA');
    assert.strictEqual(spaceMethod({ ...base, regularization: { l2: 0.0081, dropPathProb: 0 } }), 'R-DARTS(L2) 0.0081');
    assert.strictEqual(spaceMethod({ ...base, regularization: { l2: 3e-4, dropPathProb: 0.2 } }), 'R-DARTS(DP) 0.2');
    assert.strictEqual(spaceMethod({ ...base, earlyStop: 'stop' }), 'DARTS-ES');
  });
});

describe('spaceClaims', () => {
  it('holds the collapse, the rise and a method beyond the spread of DARTS; leaves the test error unjudged', () => {
    const darts = [11, 10, 12].map((e, seed) => input({ seed, edgesParameterFree: e, edgesNone: e, eigenLast: 0.5 + 0.05 * seed }));
    const ada = [2, 3, 1].map((e, seed) =>
      input({ seed, method: 'DARTS-ADA', edgesParameterFree: e, edgesNone: e, collapsed: false, eigenLast: 0.2, eigenRatio: 2 }),
    );
    const rows = spaceClaims([...darts, ...ada]);
    assert.deepStrictEqual(verdicts(rows), [
      ["DARTS's final normal cell collapses, none counted", 'holds'],
      ['the dominant eigenvalue rises during a DARTS search', 'holds'],
      ['DARTS-ADA ends with lower curvature than DARTS', 'holds'],
      ['DARTS-ADA finds a cell with lower count of parameter-free edges in the final normal cell (none counted) than DARTS', 'holds'],
      ["each method's final genotype, trained from scratch, tests better than DARTS's", 'not measured'],
    ]);
    assert.match(rows[0].finding, /on 9 or more of its 14 edges the strongest op is parameter-free/);
    assert.strictEqual(rows[0].measured, '3 of 3 seeds (11 (11 none), 10 (10 none), 12 (12 none) of 14 edges)');
    assert.strictEqual(rows[3].measured, '2.0 vs 11.0 (spread 2.0)');
  });

  it('judges the collapse over DARTS seeds only: all, none, some, one, or no seed', () => {
    const collapse = (rows: SpaceClaimInput[]) => spaceClaims(rows)[0].verdict;
    const c = (collapsed: boolean, seed: number) => input({ collapsed, seed });
    assert.strictEqual(collapse([c(false, 0), c(false, 1), input({ method: 'DARTS-ADA' })]), 'does not hold');
    assert.strictEqual(collapse([c(true, 0), c(false, 1)]), 'inconclusive');
    assert.strictEqual(collapse([c(true, 0)]), 'inconclusive');
    assert.strictEqual(collapse([input({ method: 'DARTS-ADA' })]), 'not measured');
  });
});

describe('spaceClaimInputs', () => {
  it("reads a committed search: the pilot's S3 DARTS at 1,000 steps, collapsed onto none on 11 of 14 edges", () => {
    const run = readRun(path.join(repoRoot, 'results', 'pilot', 'runs', '47215bb98af1'));
    const [r] = spaceClaimInputs([{ name: 's3-steps1000', run }]);
    assert.deepStrictEqual(
      [r.method, r.seed, r.space, r.edgesParameterFree, r.edgesNone, r.edges, r.genotypeParameterFree, r.collapsed, r.rollbacks, r.epochs],
      ['DARTS', 0, 's3', 11, 11, 14, 0, true, 0, 50],
    );
    assert.ok(r.eigenRatio !== null && r.eigenRatio > 1.3, `the eigenvalue rose: ${r.eigenRatio}`);
  });
});
