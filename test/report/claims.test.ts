import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { claimRows, csvTables, type ClaimRow, type TableReader } from '../../lib/report/claims';
import { claimsSection } from '../../lib/report/report';
import { withTempDir } from '../helpers';

type Row = Record<string, unknown>;
const reader =
  (tables: Record<string, Row[]>): TableReader =>
  (name) =>
    tables[name] as never;
const claim = (rows: ClaimRow[], start: string) => {
  const found = rows.find((r) => r.claim.startsWith(start));
  assert.ok(found, `no claim starting ${start}`);
  return found;
};

const degeneration = (space: string, free: number, first: number | null, last: number | null) => ({
  space,
  normalParameterFree: free,
  degenerate: free >= 5 ? 'yes' : 'no',
  startEigenvalue: first,
  endEigenvalue: last,
  eigenvalueWindow: first && last ? 5 : null,
  eigenvalueRatio: first && last ? last / first : null,
  curvatureRose: first && last ? (last / first > 1.3 ? 'yes' : 'no') : 'not measured',
});
/** DARTS's S3 genotype at 3 seeds: range 2 points. */
const SPREAD = [{ testErrorPct: 22 }, { testErrorPct: 23 }, { testErrorPct: 21 }];
const es = (space: string, darts: number, esError: number, fired: boolean) => [
  { space, run: `failure-${space}`, method: 'DARTS', epoch: 49, esFired: null, testErrorPct: 100 * darts },
  { space, run: `failure-${space}`, method: 'DARTS-ES', epoch: fired ? 10 : 49, esFired: fired, testErrorPct: 100 * esError },
];

describe('claimRows', () => {
  it('says "not measured yet" for every claim whose table is missing, naming the table', () => {
    const rows = claimRows(reader({}));
    assert.strictEqual(rows.length, 10);
    assert.ok(
      rows.every((r) => r.verdict === 'not measured yet'),
      JSON.stringify(rows.map((r) => r.verdict)),
    );
    assert.strictEqual(claim(rows, 'DARTS degenerates').ours, 'tables 01-degeneration.csv not written yet');
    assert.strictEqual(claim(rows, 'R-DARTS(DP)').ours, 'tables 04-methods.csv not written yet');
  });

  it('judges degeneration and the rise of the eigenvalue on S1 to S4, showing the DARTS space without judging it', () => {
    const some = claimRows(
      reader({
        '01-degeneration': [
          degeneration('s1', 6, 0.1, 0.5),
          degeneration('s2', 5, 0.1, 0.12),
          degeneration('s3', 2, 0.1, 0.2),
          degeneration('s4', 5, null, null),
          degeneration('darts', 1, 0.1, 0.11),
        ],
      }),
    );
    assert.strictEqual(claim(some, 'DARTS degenerates').verdict, 'partly');
    assert.strictEqual(
      claim(some, 'DARTS degenerates').ours,
      'S1 6/8 (degenerate), S2 5/8 (degenerate), S3 2/8, S4 5/8 (degenerate), DARTS 1/8',
    );
    // The reduction cell's count is shown where the table has it, and does not decide.
    const reduce = claim(
      claimRows(reader({ '01-degeneration': [{ ...degeneration('s2', 3, null, null), reduceParameterFree: 6 }] })),
      'DARTS degenerates',
    );
    assert.strictEqual(reduce.ours, 'S2 3/8 (reduction 6/8), S1 not searched, S3 not searched, S4 not searched');
    assert.strictEqual(reduce.verdict, 'not reproduced');
    const rises = claim(some, "DARTS's dominant eigenvalue");
    assert.strictEqual(rises.verdict, 'partly'); // S1, S3 rose; S2 did not; S4 not measured
    assert.strictEqual(
      rises.ours,
      'mean of the first 5 measurements → of the last 5: S1 0.100 → 0.500 (5.00x), S2 0.100 → 0.120 (1.20x), S3 0.100 → 0.200 (2.00x), S4 not measured, DARTS 0.100 → 0.110 (1.10x)',
    );
    // The DARTS space neither helps nor hurts a verdict.
    const all = claimRows(
      reader({
        '01-degeneration': ['s1', 's2', 's3', 's4'].map((s) => degeneration(s, 7, 0.1, 0.4)).concat(degeneration('darts', 0, 0.1, 0.1)),
      }),
    );
    assert.deepStrictEqual([claim(all, 'DARTS degenerates').verdict, claim(all, "DARTS's dominant").verdict], ['reproduced', 'reproduced']);
    const none = claimRows(reader({ '01-degeneration': ['s1', 's2', 's3', 's4'].map((s) => degeneration(s, 4, 0.1, 0.1)) }));
    assert.deepStrictEqual(
      [claim(none, 'DARTS degenerates').verdict, claim(none, "DARTS's dominant").verdict],
      ['not reproduced', 'not reproduced'],
    );
    // Judged on what the CSV's counts say, not on its degenerate column; a space not searched counts as not.
    const onlyS1 = claimRows(
      reader({ '01-degeneration': [{ ...degeneration('s1', 6, 0.1, 0.5), degenerate: 'no' }, degeneration('darts', 8, 0.1, 0.5)] }),
    );
    assert.deepStrictEqual([claim(onlyS1, 'DARTS degenerates').verdict, claim(onlyS1, "DARTS's dominant").verdict], ['partly', 'partly']);
    assert.strictEqual(
      claim(onlyS1, 'DARTS degenerates').ours,
      'S1 6/8 (degenerate), DARTS 8/8 (degenerate), S2 not searched, S3 not searched, S4 not searched',
    );
  });

  it("reads the correlation's interval against 0 and the paper's 0.867", () => {
    const verdict = (ciLow: number, ciHigh: number) =>
      claim(
        claimRows(
          reader({
            '02-correlation': [
              { statistic: 'pearson', n: 14, estimate: (ciLow + ciHigh) / 2, ciLow, ciHigh },
              { statistic: 'spearman', n: 14, estimate: 0.1, ciLow: -0.2, ciHigh: 0.4 },
            ],
          }),
        ),
        'The final eigenvalue',
      ).verdict;
    assert.strictEqual(verdict(0.1, 0.9), 'reproduced');
    assert.strictEqual(verdict(0.05, 0.35), 'partly'); // positive, but below the paper's 0.867
    assert.strictEqual(verdict(-0.5, 0.5), 'not reproduced');
    assert.strictEqual(verdict(-0.9, -0.2), 'not reproduced');
    assert.strictEqual(verdict(-0.2, 0.95), 'inconclusive');
    const row = claim(
      claimRows(reader({ '02-correlation': [{ statistic: 'pearson', n: 14, estimate: 0.5, ciLow: 0.2, ciHigh: 0.7 }] })),
      'The final',
    );
    assert.match(
      row.ours,
      /^Pearson 0\.50 \[0\.20, 0\.70\], Spearman n\/a \[n\/a, n\/a\], over 14 searches \(every space and group of the plan pooled\)$/,
    );
    // The S3-only rows decide where they exist (the paper's figure is from one space); the pooled ones are shown beside them.
    const correlationRows = [
      { searches: 'all 14', statistic: 'pearson', n: 14, estimate: 0.1, ciLow: -0.3, ciHigh: 0.5 },
      { searches: 'S3 only (10)', statistic: 'pearson', n: 10, estimate: 0.8, ciLow: 0.4, ciHigh: 0.95 },
    ];
    const both = claim(claimRows(reader({ '02-correlation': correlationRows })), 'The final');
    assert.strictEqual(both.verdict, 'reproduced');
    assert.match(
      both.ours,
      /^Pearson 0\.10 \[-0\.30, 0\.50\], .* over 14 searches .*; the 10 S3 searches alone \(deciding\): Pearson 0\.80 \[0\.40, 0\.95\]$/,
    );
    // With the S3 errors and the seed spread, their standard deviations (hand-worked: 21, 23 -> sd 1.41; 22, 23, 21 -> sd 1.00).
    const spread = claim(
      claimRows(
        reader({
          '02-correlation': correlationRows,
          '01-seed-spread': SPREAD,
          '02-eigenvalue-test-error': [
            { space: 's3', testErrorPct: 21 },
            { space: 's3', testErrorPct: 23 },
            { space: 's1', testErrorPct: 40 },
          ],
        }),
      ),
      'The final',
    );
    assert.match(spread.ours, /; the S3 architectures' test errors have sd 1\.41 points, one genotype's over 3 evaluation seeds 1\.00$/);
    const blank = claim(
      claimRows(reader({ '02-correlation': [{ statistic: 'pearson', n: 3, estimate: null, ciLow: null, ciHigh: null }] })),
      'The final',
    );
    assert.strictEqual(blank.verdict, 'not measured yet');
  });

  it("splits the drops at the median eigenvalue: every low-side drop must stay below the high side's median drop", () => {
    const drop = (name: string, dominantEigenvalue: number | null, dropPct: number) => ({
      name,
      dominantEigenvalue,
      dropPct,
      images: 1280,
    });
    const good = claim(
      claimRows(reader({ '02-discretisation-drop': [drop('a', 0.1, 5), drop('b', 0.2, 10), drop('c', 0.5, 60), drop('d', null, 99)] })),
      'Low curvature',
    );
    assert.strictEqual(good.verdict, 'reproduced');
    assert.strictEqual(
      good.ours,
      'accuracy drop (percentage points): largest 10.0 (b) among the 2 searches with eigenvalue <= 0.200; ' +
        'among the 1 above it, median 60.0, largest 60.0 (c); Spearman (eigenvalue, drop) 1.00',
    );
    const bad = claim(
      claimRows(reader({ '02-discretisation-drop': [drop('a', 0.1, 50), drop('b', 0.2, 10), drop('c', 0.5, 6)] })),
      'Low curvature',
    );
    assert.strictEqual(bad.verdict, 'not reproduced');
    const verdict = (rows: Row[]) => claim(claimRows(reader({ '02-discretisation-drop': rows })), 'Low curvature');
    // Every low-side drop below the high side's median but no Spearman ρ (two searches, below): partly.
    // A low-curvature search dropping as much as the high side's median (here its only and largest): not reproduced.
    assert.strictEqual(verdict([drop('a', 0.1, 5), drop('b', 0.2, 30), drop('c', 0.5, 30)]).verdict, 'not reproduced');
    // The mini grid's case: the largest drop on the high side, ranks rising, but a low-curvature search losing more than the
    // high side's median (high half 4, 50, 70: median 50; low half up to 60): not reproduced. Below that median: reproduced.
    assert.strictEqual(
      verdict([drop('a', 0.1, 60), drop('b', 0.2, 12), drop('c', 0.3, 14), drop('d', 0.6, 4), drop('e', 0.7, 50), drop('f', 0.8, 70)])
        .verdict,
      'not reproduced',
    );
    assert.strictEqual(
      verdict([drop('a', 0.1, 40), drop('b', 0.2, 12), drop('c', 0.3, 14), drop('d', 0.6, 4), drop('e', 0.7, 50), drop('f', 0.8, 70)])
        .verdict,
      'reproduced',
    );
    // An even high side: the median is the mean of the middle two (high 10, 30, 50, 70: median 40).
    assert.match(
      verdict([
        drop('a', 0.1, 1),
        drop('b', 0.2, 2),
        drop('c', 0.3, 3),
        drop('d', 0.4, 4),
        drop('e', 0.6, 10),
        drop('f', 0.7, 30),
        drop('g', 0.8, 50),
        drop('h', 0.9, 70),
      ]).ours,
      /among the 4 above it, median 40\.0, largest 70\.0 \(h\);/,
    );
    // Two searches: no rho, no crash; a blank drop is left out; one eigenvalue for all: nothing to split.
    assert.strictEqual(
      verdict([drop('a', 0.1, 5), drop('b', 0.2, 30)]).ours,
      'accuracy drop (percentage points): largest 5.0 (a) among the 1 ' +
        'searches with eigenvalue <= 0.100; among the 1 above it, median 30.0, largest 30.0 (b); Spearman (eigenvalue, drop) n/a',
    );
    assert.strictEqual(verdict([drop('a', 0.1, 5), drop('b', 0.2, 30), { ...drop('c', 0.3, 0), dropPct: null }]).verdict, 'partly');
    assert.strictEqual(verdict([drop('a', 0.1, 5), drop('b', 0.1, 30)]).verdict, 'not measured yet');
    // The drop-path searches with p > 0 are summarised apart (dp-0 is not one of them).
    const dp = (name: string, e: number, d: number) => ({ ...drop(name, e, d), group: 'dp' });
    assert.match(
      verdict([drop('a', 0.1, 5), drop('b', 0.5, 30), dp('dp-0', 0.6, 50), dp('dp-0.2', 0.2, 12), dp('dp-0.4', 0.3, 4.5)]).ours,
      /; the 2 drop-path searches with p > 0 \(shared weights trained with paths dropped\) lose 4\.5 to 12\.0$/,
    );
  });

  it('reads DARTS-ES, ADA and R-DARTS against the seed range: beyond it lower, higher, or inside', () => {
    const rows = claimRows(
      reader({
        '01-seed-spread': SPREAD,
        '03-es-test-error': [
          ...es('s1', 0.25, 0.2, true),
          ...es('s3', 0.23, 0.24, true),
          ...es('s2', 0.3, 0.3, false),
          { space: 's3', run: 'ada-s3', method: 'DARTS-ADA', epoch: 49, esFired: null, testErrorPct: 26 },
        ],
        '04-methods': [
          { method: 'DARTS', testErrorPct: 23 },
          { method: 'R-DARTS(L2)', testErrorPct: 20.5 },
          { method: 'R-DARTS(DP)', testErrorPct: 22 },
        ],
      }),
    );
    const esRow = claim(rows, 'Where DARTS-ES');
    assert.strictEqual(esRow.verdict, 'partly'); // S1 -5 (beyond the 2-point range), S3 +1 (inside)
    assert.strictEqual(
      esRow.ours,
      'fired on 2 of 3 searches; test error vs DARTS: S1 -5.00 points (genotype of epoch 10), S3 +1.00 points (genotype of epoch 10); seed range 2.00 points',
    );
    assert.strictEqual(claim(rows, 'DARTS-ADA').verdict, 'not reproduced'); // +3 points
    assert.strictEqual(claim(rows, 'DARTS-ADA').ours, 'DARTS-ADA 26.00% vs DARTS 23.00% (+3.00 points; seed range 2.00 points)');
    assert.strictEqual(claim(rows, 'R-DARTS(L2)').verdict, 'reproduced'); // -2.5
    const withGrid = claimRows(
      reader({
        '04-methods': [
          { method: 'DARTS', testErrorPct: 23 },
          { method: 'R-DARTS(L2)', testErrorPct: 20.5 },
        ],
        '04-l2-grid': [
          { run: 'failure-s3', strength: 0.0003, testErrorPct: 23 },
          { run: 'l2-0.0243', strength: 0.0243, testErrorPct: 20.5 },
          { run: 'l2-0.0009', strength: 0.0009, testErrorPct: 23.5 },
        ],
      }),
    );
    assert.match(claim(withGrid, 'R-DARTS(L2)').ours, /; every L2 factor vs DARTS \(points\): 0\.0009: \+0\.50, 0\.0243: -2\.50$/);
    // The selected setting is named, and flagged when it is the grid's weakest (DARTS's own run counts as the L2 grid's weakest).
    const selectedGrid = (selected: number) =>
      claim(
        claimRows(
          reader({
            '04-methods': [
              { method: 'DARTS', testErrorPct: 23 },
              { method: 'R-DARTS(DP)', testErrorPct: 22 },
            ],
            '04-dp-grid': [0, 0.2, 0.4].map((p) => ({ run: `dp-${p}`, strength: p, testErrorPct: 22, selected: p === selected })),
          }),
        ),
        'R-DARTS(DP)',
      ).ours;
    assert.match(selectedGrid(0), /; selected: drop path p 0, the weakest setting of the grid; every drop path p/);
    assert.match(selectedGrid(0.2), /; selected: drop path p 0\.2; every drop path p/);
    assert.strictEqual(claim(rows, 'R-DARTS(DP)').verdict, 'inconclusive'); // -1
    const harmed = claimRows(
      reader({ '01-seed-spread': SPREAD, '03-es-test-error': [...es('s1', 0.2, 0.15, true), ...es('s4', 0.2, 0.25, true)] }),
    );
    assert.strictEqual(claim(harmed, 'Where DARTS-ES').verdict, 'not reproduced');
    const never = claimRows(reader({ '01-seed-spread': SPREAD, '03-es-test-error': es('s1', 0.2, 0.2, false) }));
    assert.deepStrictEqual(
      [claim(never, 'Where DARTS-ES').verdict, claim(never, 'Where DARTS-ES').ours],
      ['inconclusive', 'the rule fired on none of the searches'],
    );
    const orphan = claimRows(reader({ '01-seed-spread': SPREAD, '03-es-test-error': [es('s1', 0.2, 0.1, true)[1]] }));
    assert.match(claim(orphan, 'Where DARTS-ES').ours, /S1: no DARTS row/);
    assert.strictEqual(claim(orphan, 'Where DARTS-ES').verdict, 'inconclusive');
    const noRollback = claimRows(
      reader({
        '03-es-test-error': [
          ...es('s3', 0.2, 0.2, false),
          {
            space: 's3',
            run: 'ada-s3',
            method: 'DARTS-ADA',
            epoch: 49,
            esFired: null,
            sameAsDarts: true,
            note: 'final genotype after 0 rollback(s)',
            testErrorPct: 20,
          },
        ],
      }),
    );
    assert.deepStrictEqual(
      [claim(noRollback, 'DARTS-ADA').verdict, claim(noRollback, 'DARTS-ADA').ours],
      ['inconclusive', "DARTS-ADA ended in DARTS's own genotype (final genotype after 0 rollback(s))"],
    );
    // Three equal seeds: the range is floored at one test image (100 / 1000 images = 0.1 points).
    const equal = claimRows(
      reader({
        '01-seed-spread': [0, 1, 2].map(() => ({ testErrorPct: 22, testImages: 1000 })),
        '04-methods': [
          { method: 'DARTS', testErrorPct: 22 },
          { method: 'R-DARTS(L2)', testErrorPct: 21.95 },
          { method: 'R-DARTS(DP)', testErrorPct: 21.8 },
        ],
      }),
    );
    assert.deepStrictEqual([claim(equal, 'R-DARTS(L2)').verdict, claim(equal, 'R-DARTS(DP)').verdict], ['inconclusive', 'reproduced']);
    assert.match(claim(equal, 'R-DARTS(L2)').ours, /seed range 0\.10 points/);
    const noSpread = claimRows(
      reader({
        '04-methods': [
          { method: 'DARTS', testErrorPct: 23 },
          { method: 'R-DARTS(L2)', testErrorPct: 10 },
        ],
      }),
    );
    assert.strictEqual(claim(noSpread, 'R-DARTS(L2)').verdict, 'inconclusive');
    assert.match(claim(noSpread, 'R-DARTS(L2)').ours, /no seed spread yet/);
  });

  it('calls a grid reproduced when the strongest setting ends below the weakest and the rank order falls, partly with one of the two', () => {
    const grid = (values: number[]) => values.map((v, i) => ({ strength: [0, 0.2, 0.4, 0.6][i], finalEigenvalue: v }));
    const verdict = (values: number[]) =>
      claim(claimRows(reader({ '04-dp-grid': grid(values) })), 'More regularisation lowers the final eigenvalue: drop').verdict;
    assert.strictEqual(verdict([0.6, 0.2, 0.16, 0.29]), 'reproduced'); // ends below, rho -0.4
    assert.strictEqual(verdict([0.1, 0.2, 0.3, 0.4]), 'not reproduced');
    assert.strictEqual(verdict([0.3, 0.1, 0.4, 0.2]), 'partly'); // ends below, but rho 0
    // Ends above the weakest, but ranks falling (rho -0.2): partly.
    const l2 = [3e-4, 9e-4, 27e-4, 81e-4, 243e-4].map((strength, i) => ({ strength, finalEigenvalue: [0.2, 0.5, 0.4, 0.1, 0.3][i] }));
    assert.strictEqual(
      claim(claimRows(reader({ '04-l2-grid': l2 })), 'More regularisation lowers the final eigenvalue: the L2').verdict,
      'partly',
    );
    assert.strictEqual(
      claim(claimRows(reader({ '04-l2-grid': grid([0.3, 0.2]) })), 'More regularisation lowers the final eigenvalue: the L2').verdict,
      'partly',
    );
    assert.strictEqual(
      claim(claimRows(reader({ '04-l2-grid': grid([0.3]) })), 'More regularisation lowers the final eigenvalue: the L2').verdict,
      'not measured yet',
    );
  });
});

describe('claimsSection and csvTables', () => {
  it('reads the CSV tables a notebook wrote and numbers each rule, pointing repeats at the first', () =>
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'tables'));
      fs.writeFileSync(path.join(dir, 'tables', '04-methods.csv'), 'method,testErrorPct\nDARTS,23\nR-DARTS(L2),22\n');
      assert.deepStrictEqual(csvTables(path.join(dir, 'tables'))('04-methods'), [
        { method: 'DARTS', testErrorPct: 23 },
        { method: 'R-DARTS(L2)', testErrorPct: 22 },
      ]);
      assert.strictEqual(csvTables(path.join(dir, 'tables'))('01-degeneration'), undefined);
      const md = claimsSection(dir, 'mini');
      assert.match(md, /^\| {2}\| claim \| the paper \| ours \(mini\) \| verdict \|/);
      assert.match(
        md,
        /\| 9 \| R-DARTS\(L2\) lowers the test error \(S3\) \| .* \| R-DARTS\(L2\) 22\.00% vs DARTS 23\.00% \(-1\.00 points; no seed spread yet\) \| \*\*inconclusive\*\* \|/,
      );
      assert.match(md, /\| 10 \| R-DARTS\(DP\) .* \| 04-methods\.csv has no R-DARTS\(DP\) or no DARTS row \| \*\*not measured yet\*\* \|/);
      assert.match(md, /\n10\. As 6\.$/);
      assert.match(md, /\n8\. As 7\.\n/);
      assert.ok(!md.includes('test the pipeline'), 'no caveat at mini');
      assert.match(claimsSection(dir, 'smoke'), /^_At preset smoke the searches are too short .* Read them at mini\._\n\n\|/);
    }));

  it('parses a boolean column with blanks as null, true and false (what the DARTS-ES claim compares with ===)', () =>
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, '03-es-test-error.csv'), 'esFired,n\n,1\ntrue,2\nfalse,3\n');
      assert.deepStrictEqual(
        csvTables(dir)('03-es-test-error')?.map((r) => r.esFired),
        [null, true, false],
      );
    }));
});
