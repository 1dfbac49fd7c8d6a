import * as assert from 'assert';
import { nb201PilotRow, pilotRow, strongestOpCounts } from '../../lib/analysis/pilot';
import type { Nb201Config } from '../../lib/problems/nb201/config';
import type { Nb201ArchitectureRecord } from '../../lib/problems/nb201/problem';
import type { StoredRun } from '../../lib/runs/run_read';
import type { EpochRecord } from '../../lib/runs/records';
import { getSpace } from '../../lib/spaces/spaces';
import { record, run, SKIPPY } from './failure_fixtures';
import { MIXED, nb201Record, SKIP } from './nb201_fixtures';

describe('strongestOpCounts', () => {
  it("counts the edges whose strongest op is parameter-free, and of those none's, none included", () => {
    const ops = [
      ['none', 'skip_connect', 'sep_conv_3x3'],
      ['none', 'skip_connect', 'sep_conv_3x3'],
      ['none', 'skip_connect', 'sep_conv_3x3'],
      ['none', 'skip_connect', 'sep_conv_3x3'],
    ] as const;
    const weights = [
      [0.5, 0.2, 0.3], // none
      [0.2, 0.5, 0.3], // skip
      [0.2, 0.3, 0.5], // sep
      [0.4, 0.2, 0.4], // a tie: the first, none
    ];
    assert.deepStrictEqual(strongestOpCounts(weights, ops), { parameterFree: 3, none: 2 });
    assert.throws(() => strongestOpCounts(weights.slice(1), ops), /3 rows of weights for 4 edges/);
  });
});

describe('pilotRow', () => {
  it("reads cost and outcome from a run: steps summed, the genotype's and the edges' parameter-free counts, the eigenvalue rise", () => {
    const space = getSpace('s3');
    // S3's edges are [none, skip, sep]: the last epoch leans to none on 9 edges, skip on 2, sep on 3.
    const leaning = space.normal.map((_, e) => (e < 9 ? [0.6, 0.2, 0.2] : e < 11 ? [0.2, 0.6, 0.2] : [0.2, 0.2, 0.6]));
    const epochs = [0, 1, 2, 3, 4].map(
      (e) => ({ ...record('s3', e, { eigenvalue: e === 0 ? 0.1 : e === 4 ? 0.4 : 0.2 }), steps: 20 }) as EpochRecord,
    );
    const last = { ...epochs[4], weights: { normal: leaning, reduce: epochs[4].weights.reduce }, valid: { loss: 1, accuracy: 0.61 } };
    const r = run('s3', SKIPPY, [...epochs.slice(0, 4), last as EpochRecord]);
    const stored = {
      ...r,
      config: { ...r.config, dataset: 'cifar10-jpeg', layers: 5, C: 8, trainSubset: 2560, alphaOptimizer: { lr: 3e-4 } },
    } as unknown as StoredRun;
    const row = pilotRow('s3-steps100', stored, 12.5);
    assert.deepStrictEqual(
      { ...row },
      {
        name: 's3-steps100',
        space: 's3',
        dataset: 'cifar10-jpeg',
        image: '32x32x3',
        layers: 5,
        C: 8,
        images: 2560,
        epochs: 5,
        weightSteps: 100,
        alphaLr: 3e-4,
        genotypeParameterFree: 5,
        edgesParameterFree: 11,
        edgesNone: 9,
        edges: 14,
        startEigenvalue: 0.1,
        endEigenvalue: 0.4,
        eigenvalueRatio: 4,
        supernetValid: 0.61,
        testErrorPct: 12.5,
      },
    );
    assert.strictEqual(pilotRow('x', stored).testErrorPct, '');
  });
});

describe('nb201PilotRow', () => {
  it("reads a NAS-Bench-201 search: the final cell's parameter-free and none edges, the eigenvalue rise, the benchmark's test error", () => {
    // 10 epochs, eigenvalue measured on even ones: 0.1, 0.1, 0.2, 0.3, 0.5; windows of 1 (a fifth of 5).
    const epochs = Array.from({ length: 10 }, (_, e) =>
      nb201Record(e, e < 9 ? MIXED : SKIP, {
        cifar10: e < 9 ? 90 : 54.3,
        ...(e % 2 === 0 ? { eigenvalue: [0.1, 0.1, 0.2, 0.3, 0.5][e / 2] } : {}),
      }),
    );
    const stored = {
      dir: '/runs/x',
      done: true,
      epochs,
      config: { problem: 'nb201', dataset: 'cifar10-jpeg', C: 8, N: 1, trainSubset: 2560, alphaOptimizer: { lr: 3e-4 } },
    } as unknown as StoredRun<Nb201Config, Nb201ArchitectureRecord>;
    const row = nb201PilotRow('nb201-steps100', stored);
    assert.deepStrictEqual(
      { ...row },
      {
        name: 'nb201-steps100',
        space: 'nb201',
        dataset: 'cifar10-jpeg',
        image: '32x32x3',
        layers: 5,
        C: 8,
        images: 2560,
        epochs: 10,
        weightSteps: 100,
        alphaLr: 3e-4,
        genotypeParameterFree: 6,
        edgesParameterFree: 6,
        edgesNone: 0,
        edges: 6,
        startEigenvalue: 0.1,
        endEigenvalue: 0.5,
        eigenvalueRatio: 5,
        supernetValid: 0.25,
        testErrorPct: 100 - 54.3,
      },
    );
    // MIXED as the final cell: 3 parameter-free edges (none, avg_pool, skip), one of them none.
    const mixed = nb201PilotRow('m', { ...stored, epochs: epochs.slice(0, 9) });
    assert.deepStrictEqual([mixed.edgesParameterFree, mixed.edgesNone, mixed.testErrorPct], [3, 1, 10]);
    assert.throws(() => nb201PilotRow('e', { ...stored, epochs: [] }), /has no epochs/);
  });
});
