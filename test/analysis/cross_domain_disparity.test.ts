/**
 * The disparity part of the cross-domain notebook (lib/analysis/cross_domain_disparity.ts) and the
 * curvature columns it shares with the language model's (lib/analysis/cross_domain.ts), on
 * hand-made records whose answers are known.
 */
import * as assert from 'assert';
import { crossDomainFindings, curvatureColumns } from '../../lib/analysis/cross_domain';
import {
  type DisparityCrossDomainEntry,
  disparityCrossDomainRows,
  disparityEigenFigure,
  disparityMethod,
  type StoredDisparityRun,
  TEST_EPE,
} from '../../lib/analysis/cross_domain_disparity';
import { resolveDisparityConfig } from '../../lib/problems/disparity/config';
import { AUTODISPNET_RELEASED, type AutoDispNetGenotype } from '../../lib/spaces/autodispnet';
import type { DisparityEvalFile } from '../../lib/train/disparity_train';

const base = resolveDisparityConfig('quick');

/** A genotype whose upsampling cell is all skips and whose other cells are the released ones. */
const skippy: AutoDispNetGenotype = {
  ...AUTODISPNET_RELEASED,
  upsample: AUTODISPNET_RELEASED.upsample.map(([, input]) => ['skip_connect', input] as const),
};

/** A stored run with epochs whose eigenvalues are `eigen` (null: not measured) and validation EPEs 2, 1.9, ... */
function run(overrides: object, eigen: (number | null)[], decisions: unknown[] = []): StoredDisparityRun {
  const config = resolveDisparityConfig('quick', overrides);
  const epochs = eigen.map((e, epoch) => ({
    epoch,
    valid: { loss: 1, accuracy: 2 - epoch / 10 },
    genotype: epoch === eigen.length - 1 ? skippy : AUTODISPNET_RELEASED,
    ...(e === null ? {} : { hessian: { dominantEigenvalue: e } }),
  }));
  // Only the fields the analysis reads; the rest of a stored run does not matter here.
  return {
    runId: 'r',
    config,
    dir: '',
    epochs,
    done: true,
    genotype: { epoch: eigen.length - 1, genotype: skippy },
    decisions,
  } as unknown as StoredDisparityRun;
}

const errors = (epe: number) => ({ epe, over1: 0.5, over3: epe / 10, pairs: 4, knownPixels: 100 });
const evaluation = (epe: number, constant: number): DisparityEvalFile =>
  ({
    done: { synthetic: errors(epe), real: [], constant: { value: 1.5, synthetic: errors(constant), real: [] }, seconds: 1 },
  }) as unknown as DisparityEvalFile;

describe('the disparity cross-domain rows (lib/analysis/cross_domain_disparity.ts)', () => {
  it('names the method from the config against the preset', () => {
    assert.strictEqual(disparityMethod(base, base), 'DARTS');
    assert.strictEqual(disparityMethod(resolveDisparityConfig('quick', { regularization: { l2: 2.7e-3 } }), base), 'R-DARTS(L2) 0.0027');
    assert.strictEqual(disparityMethod(resolveDisparityConfig('quick', { earlyStop: 'adaptive' }), base), 'DARTS-ADA');
    assert.strictEqual(disparityMethod(resolveDisparityConfig('quick', { earlyStop: 'stop' }), base), 'DARTS-ES');
  });

  it('takes the curvature columns: first and last measured eigenvalue, DARTS-ES replayed, ADA rollbacks and final L2', () => {
    // The run's rule: the code's at evalEvery 1, from epoch 6 (the quick preset's controller.startEpoch), factor 1.3.
    const rising = run({}, [1, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
    const c = curvatureColumns(rising);
    assert.deepStrictEqual([c.epochs, c.eigenFirst, c.eigenLast, c.eigenRatio], [10, 1, 2, 2]);
    // At epoch 8 the mean of the last 5 (1.4) exceeds 1.3 x the mean 6 evaluations back (1): the cell of epoch 2.
    assert.strictEqual(c.esEpoch, 2);
    const flat = curvatureColumns(run({}, [null, 1, null, 1, 1, 1, 1, 1, 1, 1]));
    assert.deepStrictEqual([flat.eigenFirst, flat.eigenRatio, flat.esEpoch, flat.rollbacks, flat.l2], [1, 1, null, 0, 3e-4]);
    const rolled = curvatureColumns(
      run(
        { earlyStop: 'adaptive' },
        [1, 1],
        [
          { action: 'rollback', stopEpoch: 0, l2: { before: 3e-4, after: 3e-3 } },
          { action: 'rollback', stopEpoch: 1, l2: { before: 3e-3, after: 0.03 } },
        ],
      ),
    );
    // DARTS-ES's result on a run whose controller acted: its first decision's stop epoch (the
    // replay on this flat, spliced history would not fire).
    assert.deepStrictEqual([rolled.rollbacks, rolled.l2, rolled.esEpoch], [2, 0.03, 0]);
  });

  it('reads the EPEs, the parameter-free shares and the constant reference; a run without evaluation has nulls', () => {
    const entries: DisparityCrossDomainEntry[] = [
      { name: 'darts-s0', run: run({}, [0.01, 0.02, 0.04]), evaluation: evaluation(0.8, 1.4) },
      { name: 'l2-s0', run: run({ regularization: { l2: 9e-4 } }, [0.01, 0.01, 0.01]) },
    ];
    const [a, b] = disparityCrossDomainRows(entries, base);
    assert.strictEqual(a.method, 'DARTS');
    assert.strictEqual(a.searchValidEpe, 1.8, 'the last epoch validation EPE (the records keep it as accuracy)');
    assert.strictEqual(a.upsampleParameterFree, 1);
    // The released normal and reduction cells: 1 + 3 of their 12 ops parameter-free; the 8 upsampling skips.
    const released = [...AUTODISPNET_RELEASED.normal, ...AUTODISPNET_RELEASED.reduce].filter(([op]) =>
      ['skip_connect', 'max_pool_3x3', 'avg_pool_3x3', 'none'].includes(op),
    ).length;
    assert.strictEqual(a.parameterFree, (released + 8) / 20);
    assert.deepStrictEqual([a.testEpe, a.testOver3, a.constantEpe, a.eigenRatio], [0.8, 0.08, 1.4, 4]);
    assert.deepStrictEqual([b.method, b.testEpe, b.testOver3, b.constantEpe], ['R-DARTS(L2) 0.0009', null, null, null]);
  });

  it('judges the findings on the test EPE, in its own words and digits', () => {
    const rows = disparityCrossDomainRows(
      [
        { name: 'd0', run: run({}, [0.01, 0.03]), evaluation: evaluation(0.9, 1.4) },
        { name: 'd1', run: run({ seed: 1 }, [0.01, 0.05]), evaluation: evaluation(0.95, 1.4) },
        { name: 'l0', run: run({ regularization: { l2: 2.7e-3 } }, [0.01, 0.01]), evaluation: evaluation(0.7, 1.4) },
        { name: 'l1', run: run({ seed: 1, regularization: { l2: 2.7e-3 } }, [0.01, 0.01]), evaluation: evaluation(0.7, 1.4) },
      ],
      base,
    );
    const f = crossDomainFindings(rows, TEST_EPE);
    const epe = f.find((r) => r.finding === 'R-DARTS(L2) 0.0027 finds a cell with lower test EPE (px) than DARTS');
    assert.ok(epe, f.map((r) => r.finding).join('; '));
    assert.strictEqual(epe.measured, '0.700 vs 0.925 (spread 0.050; permutation p 0.167 of at least 0.167)');
    assert.strictEqual(epe.verdict, 'holds');
    assert.strictEqual(f[0].verdict, 'holds', 'the DARTS seeds rise 3x and 5x');
  });

  it('draws one eigenvalue trace per search, measured epochs only, seed 0 solid', () => {
    const fig = disparityEigenFigure(
      [
        { name: 'd0', run: run({}, [0.01, null, 0.04]) },
        { name: 'd1', run: run({ seed: 1 }, [0.02, 0.03, 0.05]) },
      ],
      base,
    );
    const traces = fig.data as { x: number[]; y: number[]; line: { dash: string; color: string } }[];
    assert.deepStrictEqual(
      traces.map((t) => [t.x, t.y, t.line.dash]),
      [
        [[0, 2], [0.01, 0.04], 'solid'],
        [[0, 1, 2], [0.02, 0.03, 0.05], 'dot'],
      ],
    );
    assert.strictEqual(traces[0].line.color, traces[1].line.color, 'one colour per method');
  });
});
