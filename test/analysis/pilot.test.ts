import * as assert from 'assert';
import {
  collapseEdges,
  nb201PilotRow,
  pilotCollapse,
  pilotFindings,
  type PilotRow,
  pilotRow,
  strongestOpCounts,
} from '../../lib/analysis/pilot';
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

describe('pilotFindings', () => {
  const base: PilotRow = {
    name: 'x',
    space: 's3',
    dataset: 'cifar10-jpeg',
    image: '32x32x3',
    layers: 5,
    C: 8,
    images: 2560,
    epochs: 50,
    weightSteps: 1000,
    alphaLr: 3e-4,
    genotypeParameterFree: 2,
    edgesParameterFree: 9,
    edgesNone: 9,
    edges: 14,
    startEigenvalue: 0.1,
    endEigenvalue: 0.4,
    eigenvalueRatio: 4,
    supernetValid: 0.5,
    testErrorPct: '',
  };
  const nb201 = (seed: number, steps: number, edges: number, ratio: number, error: number): PilotRow => ({
    ...base,
    name: `nb201-${steps}-s${seed}`,
    space: 'nb201',
    images: steps === 1000 ? 2560 : 10000,
    weightSteps: steps,
    genotypeParameterFree: edges,
    edgesParameterFree: edges,
    edges: 6,
    eigenvalueRatio: ratio,
    testErrorPct: error,
  });

  it("asks the same share of the edges as of the genotype's 8 ops: 9 of 14, 5 of 8", () => {
    assert.deepStrictEqual([collapseEdges(14), collapseEdges(8), collapseEdges(13)], [9, 5, 9]);
  });

  it('judges a collapse as the failure analysis (5 of 8 in the genotype, the same share of edges with none) and NAS-Bench-201 (4 of 6)', () => {
    // 9 of 14 edges is 0.643 >= 5/8; 8 of 14 is 0.571 < 5/8.
    assert.deepStrictEqual(pilotCollapse(base), { genotype: false, withNone: true });
    assert.deepStrictEqual(pilotCollapse({ ...base, edgesParameterFree: 8, genotypeParameterFree: 5 }), {
      genotype: true,
      withNone: false,
    });
    assert.deepStrictEqual(pilotCollapse(nb201(0, 1000, 4, 2, 10)), { genotype: true, withNone: true });
    assert.deepStrictEqual(pilotCollapse(nb201(0, 1000, 3, 2, 10)), { genotype: false, withNone: false });
  });

  it('groups seeds by setting and names, per space, the cheapest setting where every seed collapsed and its eigenvalue rose', () => {
    const rows = [
      // Costlier settings first: the cheapest is found by cost, not by order. Same steps as the
      // next one, a larger model (cells x channels 5 x 16): costlier.
      { ...base, name: 's3-big', weightSteps: 3950, images: 10000 },
      { ...base, name: 's3-wide', C: 16 },
      base,
      // S2: collapsed but the eigenvalue flat (ratio 1.2 <= 1.3): no setting.
      { ...base, name: 's2', space: 's2', eigenvalueRatio: 1.2 },
      nb201(0, 1000, 3, 7, 10.17),
      nb201(1, 1000, 4, 9, 9.5),
      nb201(0, 3950, 6, 4.4, 15.81),
      nb201(1, 3950, 5, 4.1, 15.63),
    ];
    const lines = pilotFindings(rows);
    assert.strictEqual(lines.length, 6 + 3);
    assert.strictEqual(
      lines[2],
      'S3 at 1,000 weight steps (2,560 images, 5 cells, C 8, 32x32x3, cifar10-jpeg, alpha lr 0.0003), 1 seed: the cell collapsed in 1 of 1 ' +
        'with `none` counted (parameter-free edges 9 of 14) and in 0 of 1 in the genotype (parameter-free ops 2 of 8); the eigenvalue rose ' +
        '(above 1.3x) in 1 of 1 (x4.00).',
    );
    assert.strictEqual(
      lines[4],
      'NAS-Bench-201 at 1,000 weight steps (2,560 images, 5 cells, C 8, 32x32x3, cifar10-jpeg, alpha lr 0.0003), 2 seeds: the cell ' +
        'collapsed in 1 of 2 (parameter-free edges 3, 4 of 6); the eigenvalue rose (above 1.3x) in 2 of 2 (x7.00, x9.00); test error 10.17, 9.50 %.',
    );
    assert.match(
      lines[6],
      /^S3: the cheapest setting where .* every seed: S3 at 1,000 weight steps \(2,560 images, 5 cells, C 8, .*\), 1 seed only\.$/,
    );
    assert.match(lines[7], /^S2: no setting of the pilot so far where/);
    assert.match(
      lines[8],
      /^NAS-Bench-201: the cheapest setting where .* every seed: NAS-Bench-201 at 3,950 weight steps \(10,000 images.*\), 2 seeds\.$/,
    );
    assert.deepStrictEqual(pilotFindings([]), ['No pilot search has finished yet (results/pilot/README.md names the commands).']);
  });
});
