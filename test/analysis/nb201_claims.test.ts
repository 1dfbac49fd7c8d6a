/** The paper's claims judged on NAS-Bench-201 (lib/analysis/nb201_claims.ts). */
import * as assert from 'assert';
import type { StoredNb201Run } from '../../lib/analysis/nb201_figure';
import { type Nb201ClaimInput, NB201_ES_METHOD, nb201ClaimInputs, nb201Claims, nb201Correlation } from '../../lib/analysis/nb201_claims';
import { NB201_PAPER } from '../../lib/problems/nb201/config';
import { MIXED, nb201Record, SKIP } from './nb201_fixtures';

/**
 * 40 epochs, eigenvalue every 2 epochs and at the last. `late` null: a flat 0.1 and MIXED cells
 * throughout at CIFAR-10 `flat`; else 0.1 before epoch 20 and `late` from it, MIXED cells up to
 * epoch 29 and SKIP from 30, accuracy 94 - epoch / 8 (final error 10.875). With late >= 0.5 the
 * code's rule (evalEvery 2) fires at epoch 22 and returns epoch 10's cell (error 7.25).
 */
function run(options: { seed: number; late: number | null; l2?: number; stepOrder?: string; flat?: number; images?: number }): {
  name: string;
  run: StoredNb201Run;
} {
  const { seed, late, l2 = NB201_PAPER.regularization.l2, stepOrder = 'weight-first', flat = 93, images = null } = options;
  const epochs = Array.from({ length: 40 }, (_, epoch) => {
    const measured = epoch % 2 === 0 || epoch === 39;
    const eigenvalue = late === null || epoch < 20 ? 0.1 : late;
    const arch = late !== null && epoch >= 30 ? SKIP : MIXED;
    return nb201Record(epoch, arch, { cifar10: late === null ? flat : 94 - epoch / 8, ...(measured ? { eigenvalue } : {}) });
  });
  const config = {
    ...NB201_PAPER,
    seed,
    epochs: 40,
    stepOrder,
    trainSubset: images,
    regularization: { ...NB201_PAPER.regularization, l2 },
    hessian: { ...NB201_PAPER.hessian, evalEvery: 2 },
  };
  return { name: `${l2}-${seed}-${stepOrder}`, run: { runId: `r${seed}`, config, epochs, decisions: [] } as unknown as StoredNb201Run };
}

describe('nb201Claims', () => {
  it('judges the collapse, the rise, each method and DARTS-ES against the spread of DARTS seeds, on the weight-first runs', () => {
    const runs = [
      run({ seed: 0, late: 0.5 }),
      run({ seed: 1, late: 0.6 }),
      run({ seed: 0, late: null, l2: 0.0081, flat: 93 }),
      run({ seed: 1, late: null, l2: 0.0081, flat: 92 }),
      // Another step order: in the correlation, not in the claims.
      run({ seed: 0, late: 2, stepOrder: 'alpha-first' }),
    ];
    const inputs = nb201ClaimInputs(runs);
    assert.deepStrictEqual(
      inputs.map((r) => [r.method, r.parameterFree, r.eigenLast, r.finalErrorPct, r.esErrorPct]),
      [
        ['DARTS', 6, 0.5, 10.875, 7.25],
        ['DARTS', 6, 0.6, 10.875, 7.25],
        // The code's rule does not fire on a flat eigenvalue: DARTS-ES returns the final cell.
        ['R-DARTS(L2) 0.0081', 3, 0.1, 7, 7],
        ['R-DARTS(L2) 0.0081', 3, 0.1, 8, 8],
        ['DARTS', 6, 2, 10.875, 7.25],
      ],
    );
    const claims = nb201Claims(inputs);
    const verdict = (start: string) => {
      const row = claims.find((c) => c.finding.startsWith(start));
      assert.ok(row, `no claim starting "${start}" in ${claims.map((c) => c.finding).join(' / ')}`);
      return [row.measured, row.verdict];
    };
    assert.deepStrictEqual(verdict("DARTS's final cell collapses"), ['2 of 2 seeds (6, 6 edges)', 'holds']);
    assert.deepStrictEqual(verdict('the dominant eigenvalue rises'), ['5.50 over 2 seed(s)', 'holds']);
    // DARTS's last eigenvalues 0.5 and 0.6 (spread 0.1); its errors equal (spread 0).
    assert.deepStrictEqual(verdict('R-DARTS(L2) 0.0081 ends with lower curvature'), [
      '0.100 vs 0.550 (spread 0.100; permutation p 0.167 of at least 0.167)',
      'holds',
    ]);
    assert.deepStrictEqual(verdict('R-DARTS(L2) 0.0081 finds a cell'), [
      '7.50 vs 10.88 (spread 0.00; permutation p 0.167 of at least 0.167)',
      'holds',
    ]);
    assert.deepStrictEqual(verdict(`${NB201_ES_METHOD} finds a cell`), [
      '7.25 vs 10.88 (spread 0.00; paired sign-flip p 0.250 of at least 0.250)',
      'holds',
    ]);
    // Both DARTS runs collapse from epoch 30, after the eigenvalue's step at epoch 20; the rule returns epoch 10's cell.
    assert.deepStrictEqual(verdict('the dominant eigenvalue has risen by the time'), [
      '2 of 2 seeds (epoch 30: 0.500, first 0.100, last 0.500; epoch 30: 0.600, first 0.100, last 0.600)',
      'holds',
    ]);
    assert.deepStrictEqual(verdict(`${NB201_ES_METHOD} returns a cell from before`), [
      '2 of 2 seeds (returns epoch 10, collapse from 30; returns epoch 10, collapse from 30)',
      'holds',
    ]);
    // DARTS-'s counter-evidence: both DARTS runs' eigenvalues rose (x5, x6), but their final cells
    // lie 4.875 points above their best (epoch 0's, 6.00); the flat runs did not rise.
    assert.deepStrictEqual(verdict('counter-evidence (DARTS-'), ['0 of 2 searches whose eigenvalue rose', 'does not hold']);
    const kept = inputs.map((r, i) => (i === 1 ? { ...r, finalErrorPct: (r.bestErrorPct as number) + 0.5 } : r));
    const seen = nb201Claims(kept).find((c) => c.finding.startsWith('counter-evidence'));
    assert.deepStrictEqual([seen?.measured, seen?.verdict], ['1 of 2 searches whose eigenvalue rose (DARTS seed 1: 0.50)', 'holds']);
    // Only flat runs (no rise): nothing to judge by; one risen run without the loss: not enough to say it is never seen.
    const counter = (rows: Nb201ClaimInput[]) => nb201Claims(rows).find((c) => c.finding.startsWith('counter-evidence'));
    assert.deepStrictEqual(
      [counter(inputs.slice(2, 4))?.measured, counter(inputs.slice(2, 4))?.verdict],
      ['no search whose eigenvalue rose', 'inconclusive'],
    );
    assert.deepStrictEqual(
      [counter(inputs.slice(1, 4))?.measured, counter(inputs.slice(1, 4))?.verdict],
      ['0 of 1 searches whose eigenvalue rose', 'inconclusive'],
    );
    // DARTS-ES's curvature is its DARTS run's: not a claim of its own.
    assert.ok(!claims.some((c) => c.finding.startsWith(NB201_ES_METHOD) && c.finding.includes('curvature')));
    // The 4 weight-first runs enter the correlation (the alpha-first one is another setting); fewer
    // than the paper's 24 searches: inconclusive whatever r is.
    const [last] = claims.slice(-1);
    assert.match(last.finding, /^the last measured eigenvalue correlates/);
    assert.match(last.measured, /^Pearson r = -?\d\.\d\d \(95% CI .* over 4 searches$/);
    assert.strictEqual(last.verdict, 'inconclusive');
    assert.deepStrictEqual(
      nb201Correlation(inputs).map((c) => [c.statistic, c.n]),
      [
        ['pearson', 4],
        ['spearman', 4],
      ],
    );
    // One DARTS seed cannot judge the collapse.
    assert.strictEqual(nb201Claims(inputs.slice(1, 4))[0].verdict, 'inconclusive');
    // Runs of another size are another setting: judged apart, each finding named by its setting.
    const small = nb201ClaimInputs([run({ seed: 0, late: 0.5, images: 2560 }), run({ seed: 1, late: 0.5, images: 2560 })]);
    const both = nb201Claims([...inputs, ...small]);
    const collapses = both.filter((c) => c.finding.includes("DARTS's final cell collapses"));
    const rest = `40 epochs, C ${NB201_PAPER.C}, N ${NB201_PAPER.N}, batch ${NB201_PAPER.batchSize}, ${NB201_PAPER.order} order, alpha lr ${NB201_PAPER.alphaOptimizer.lr}`;
    assert.deepStrictEqual(
      collapses.map((c) => [c.finding.split(': ')[0], c.measured]),
      [
        [`${NB201_PAPER.dataset}, ${NB201_PAPER.trainSubset ?? 'all'} images, ${rest}`, '2 of 2 seeds (6, 6 edges)'],
        [`${NB201_PAPER.dataset}, 2560 images, ${rest}`, '2 of 2 seeds (6, 6 edges)'],
      ],
    );
    // Each setting has its own correlation, over its own searches.
    const measured = both.filter((c) => c.finding.includes('correlates')).map((c) => c.measured);
    assert.strictEqual(measured.length, 2);
    assert.match(measured[0], / over 4 searches$/);
    assert.strictEqual(measured[1], '2 searches: 2 points; a coefficient needs 3');
    // A run without epochs has no final cell: named, not counted as a seed that did not collapse.
    const empty = run({ seed: 3, late: 0.5 });
    assert.throws(() => nb201ClaimInputs([{ ...empty, run: { ...empty.run, epochs: [] } }]), /the run r3 \(.*\) has no epochs/);
  });

  it("judges the correlation by Pearson's bootstrap interval once there are 24 searches", () => {
    const base = nb201ClaimInputs([run({ seed: 0, late: 0.5 })])[0];
    const points = (sign: number): Nb201ClaimInput[] =>
      Array.from({ length: 24 }, (_, i) => ({ ...base, name: `p${i}`, eigenLast: i, finalErrorPct: 50 + sign * (i + (i % 3)) }));
    const last = (inputs: Nb201ClaimInput[]) => nb201Claims(inputs).slice(-1)[0];
    assert.strictEqual(last(points(1)).verdict, 'holds');
    assert.strictEqual(last(points(-1)).verdict, 'does not hold');
    assert.strictEqual(last(points(1).slice(0, 23)).verdict, 'inconclusive');
    const [pearson, spearman] = nb201Correlation(points(1));
    assert.deepStrictEqual([pearson.statistic, pearson.n, spearman.statistic], ['pearson', 24, 'spearman']);
    assert.ok((pearson.estimate as number) > 0.9);
    // Constant errors: no coefficient, and the claim is inconclusive, saying why.
    const flat = last(points(0).map((p) => ({ ...p, finalErrorPct: 5 })));
    assert.deepStrictEqual(
      [flat.verdict, flat.measured],
      ['inconclusive', '24 searches: benchmark test error of the final cell (%) is the same for every point'],
    );
  });
});
