import * as assert from 'assert';
import {
  CURVATURE_RISE_FACTOR,
  DEGENERATE_NORMAL_MIN,
  degenerationRow,
  degenerationVerdict,
  eigenvalueWindow,
} from '../../lib/analysis/degeneration';
import type { EpochRecord } from '../../lib/runs/records';
import { noisy, record, run, SKIPPY } from './failure_fixtures';

/** S3's record with every normal edge's weight [none, skip_connect, sep_conv_3x3] = w. */
const weighted = (epoch: number, w: number[], eigenvalue?: number): EpochRecord => {
  const r = record('s3', epoch, eigenvalue === undefined ? {} : { eigenvalue });
  return { ...r, weights: { normal: Array.from({ length: 14 }, () => w), reduce: r.weights.reduce } };
};

describe('degenerationRow', () => {
  it('counts the free ops per cell, reads the normal drift and the eigenvalue ratio, and applies both rules', () => {
    const epochs = [weighted(0, [0.3, 0.3, 0.4], 0.1), weighted(1, [0.1, 0.7, 0.2]), weighted(2, [0.1, 0.8, 0.1], 0.2)];
    const row = degenerationRow(run('s3', SKIPPY, epochs));
    assert.strictEqual(row.space, 's3');
    assert.strictEqual(row.normalParameterFree, 5); // SKIPPY: 5 skip_connect in the normal cell
    assert.strictEqual(row.reduceParameterFree, 0);
    assert.ok(Math.abs(row.normalWeightStart - 2 / 3) < 1e-12); // uniform over S3's 3 ops, 2 of them free
    assert.ok(Math.abs(row.normalWeightEnd - 0.9) < 1e-12);
    assert.deepStrictEqual([row.startEigenvalue, row.endEigenvalue, row.eigenvalueWindow, row.eigenvalueRatio], [0.1, 0.2, 1, 2]);
    assert.deepStrictEqual([row.degenerate, row.curvatureRose], ['yes', 'yes']);
  });

  it('draws the lines exactly at the stated thresholds: 4 of 8 is not degenerate, a ratio of 1.3 did not rise', () => {
    assert.strictEqual(DEGENERATE_NORMAL_MIN, 5);
    assert.strictEqual(CURVATURE_RISE_FACTOR, 1.3);
    const atFactor = [record('s4', 0, { eigenvalue: 1 }), record('s4', 1, { eigenvalue: 1.3 })];
    const four = degenerationRow(run('s4', noisy(4), atFactor));
    assert.deepStrictEqual([four.normalParameterFree, four.degenerate, four.curvatureRose], [4, 'no', 'no']);
    const five = degenerationRow(run('s4', noisy(5), [record('s4', 0, { eigenvalue: 1 }), record('s4', 1, { eigenvalue: 1.31 })]));
    assert.deepStrictEqual([five.degenerate, five.curvatureRose], ['yes', 'yes']);
  });

  it('compares the means of the first and last fifth of the measurements, so one low first batch does not decide', () => {
    assert.deepStrictEqual([1, 2, 3, 5, 10, 26].map(eigenvalueWindow), [undefined, 1, 1, 1, 2, 5]);
    // 10 measurements, window 2: start (0.03 + 0.12) / 2 = 0.075, end (0.1 + 0.12) / 2 = 0.11, ratio 1.4667: rose;
    // the end points alone (0.03 -> 0.12, 4x) would say so more loudly. With a first value of 0.09 the start is 0.105: 1.048, flat.
    const series = (first: number) =>
      [first, 0.12, 0.1, 0.11, 0.1, 0.12, 0.1, 0.11, 0.1, 0.12].map((e, i) => record('s4', i, { eigenvalue: e }));
    const low = degenerationRow(run('s4', noisy(2), series(0.03)));
    assert.strictEqual(low.eigenvalueWindow, 2);
    assert.ok(Math.abs((low.startEigenvalue as number) - 0.075) < 1e-12 && Math.abs((low.endEigenvalue as number) - 0.11) < 1e-12);
    assert.ok(Math.abs((low.eigenvalueRatio as number) - 0.11 / 0.075) < 1e-12);
    assert.strictEqual(low.curvatureRose, 'yes');
    assert.strictEqual(degenerationRow(run('s4', noisy(2), series(0.09))).curvatureRose, 'no');
  });

  it('has no ratio for a first eigenvalue <= 0, and then says rose when the last is above it', () => {
    const up = degenerationRow(run('s3', SKIPPY, [record('s3', 0, { eigenvalue: -0.01 }), record('s3', 1, { eigenvalue: 0.2 })]));
    assert.deepStrictEqual([up.eigenvalueRatio, up.curvatureRose], ['', 'yes']);
    const down = degenerationRow(run('s3', SKIPPY, [record('s3', 0, { eigenvalue: 0 }), record('s3', 1, { eigenvalue: -0.1 })]));
    assert.deepStrictEqual([down.eigenvalueRatio, down.curvatureRose], ['', 'no']);
  });

  it('says "not measured" with fewer than two eigenvalues, and throws for an unfinished run', () => {
    const row = degenerationRow(run('s3', SKIPPY, [record('s3', 0, { eigenvalue: 0.5 }), record('s3', 1)]));
    assert.deepStrictEqual([row.startEigenvalue, row.endEigenvalue, row.eigenvalueRatio, row.curvatureRose], ['', '', '', 'not measured']);
    const unfinished = { ...run('s3', SKIPPY, [record('s3', 0)]), done: false, genotype: undefined };
    assert.throws(() => degenerationRow(unfinished), /is not finished/);
  });
});

describe('degenerationVerdict', () => {
  it('names the spaces on each side of both rules, with their counts and ratios', () => {
    const rows = [
      degenerationRow(run('s3', SKIPPY, [record('s3', 0, { eigenvalue: 0.1 }), record('s3', 1, { eigenvalue: 0.4 })])),
      degenerationRow(run('s4', noisy(2), [record('s4', 0, { eigenvalue: 1 }), record('s4', 1, { eigenvalue: 1.1 })])),
      degenerationRow(run('s2', SKIPPY, [record('s2', 0)])),
    ];
    assert.deepStrictEqual(degenerationVerdict('mini', rows), [
      "Degenerate at preset mini (at least 5 of the final normal cell's 8 ops parameter-free): S3, S2 (S3 5/8, S2 5/8); not degenerate: S4 (S4 2/8).",
      'The dominant eigenvalue rose more than 1.3x (mean of the last 1 measurements over the mean of the first 1) on S3; not on S4 ' +
        '(end / start: S3 4.00x, S4 1.10x); not measured twice on S2.',
      'Together: the curvature rose on 1 space(s), of which 1 degenerated; of the 1 where it did not rise, 0 degenerated.',
    ]);
  });

  it('says none where no space is on a side, and rejects no rows', () => {
    const rows = [degenerationRow(run('s4', noisy(0), [record('s4', 0)]))];
    assert.deepStrictEqual(degenerationVerdict('smoke', rows), [
      "Degenerate at preset smoke (at least 5 of the final normal cell's 8 ops parameter-free): none; not degenerate: S4 (S4 0/8).",
      'The dominant eigenvalue was not measured twice on any space.',
    ]);
    assert.throws(() => degenerationVerdict('smoke', []), /rows must not be empty/);
  });
});
