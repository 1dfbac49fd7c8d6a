/**
 * The cross-domain notebook's closing table (lib/analysis/cross_domain.ts): each verdict by its
 * stated rule on hand-made rows, and the methods named from the configs.
 */
import * as assert from 'assert';
import { type CrossDomainRow, crossDomainFindings, lmMethod, TEST_PERPLEXITY } from '../../lib/analysis/cross_domain';
import { resolvePtbConfig } from '../../lib/problems/ptb/config';

const row = (
  method: string,
  seed: number,
  testPpl: number | null,
  eigenFirst: number,
  eigenLast: number,
  unigramPpl: number | null = 200,
): CrossDomainRow => ({
  name: `${method}-${seed}`,
  method,
  seed,
  epochs: 30,
  cell: '',
  identityNodes: 0,
  eigenFirst,
  eigenLast,
  eigenRatio: eigenLast / eigenFirst,
  esEpoch: null,
  rollbacks: 0,
  l2: 0,
  searchValidPpl: 0,
  evalValidPpl: testPpl,
  testPpl,
  unigramPpl,
  bigramPpl: unigramPpl === null ? null : unigramPpl / 2,
});

describe('the cross-domain findings (lib/analysis/cross_domain.ts)', () => {
  it('judges each method against the spread of the DARTS seeds, by the rules it states', () => {
    const rows = [
      row('DARTS', 0, 100, 0.1, 0.3),
      row('DARTS', 1, 104, 0.1, 0.5),
      row('R-DARTS(L2) 5e-05', 0, 95, 0.1, 0.12),
      row('R-DARTS(L2) 5e-05', 1, 96, 0.1, 0.1),
      row('DARTS-ADA', 0, 101, 0.1, 0.45),
      row('DARTS-ADA', 1, 103, 0.1, 0.35),
    ];
    const f = crossDomainFindings(rows, TEST_PERPLEXITY);
    const verdict = (start: string) => f.find((x) => x.finding.startsWith(start))?.verdict;
    // Ratios 3 and 5: a mean of 4 above the DARTS-ES factor 1.3.
    assert.strictEqual(verdict('the dominant eigenvalue rises'), 'holds');
    // L2: 0.11 against 0.4 +- 0.2 (spread); perplexity 95.5 against 102, spread 4.
    assert.strictEqual(verdict('R-DARTS(L2) 5e-05 ends with lower curvature'), 'holds');
    assert.strictEqual(verdict('R-DARTS(L2) 5e-05 finds a cell with lower test perplexity'), 'holds');
    // ADA: 0.4 and 102, the DARTS means: within the spread.
    assert.strictEqual(verdict('DARTS-ADA ends with lower curvature'), 'inconclusive');
    assert.strictEqual(verdict('DARTS-ADA finds a cell'), 'inconclusive');
    assert.strictEqual(
      f.find((x) => x.finding.startsWith('R-DARTS(L2) 5e-05 finds'))?.measured,
      '95.50 vs 102.00 (spread 4.00; permutation p 0.167 of at least 0.167)',
    );
    // Worse by more than the spread: does not hold; one DARTS seed: no spread, inconclusive; no evaluation: not measured.
    const worse = crossDomainFindings(
      [rows[0], rows[1], row('DARTS-ADA', 0, 110, 0.1, 0.4), row('DARTS-ADA', 1, 111, 0.1, 0.4)],
      TEST_PERPLEXITY,
    );
    assert.strictEqual(worse.find((x) => x.finding.startsWith('DARTS-ADA finds'))?.verdict, 'does not hold');
    // One seed of the method is not a mean: inconclusive however far it lies.
    const single = crossDomainFindings([rows[0], rows[1], row('DARTS-ADA', 0, 110, 0.1, 0.01)], TEST_PERPLEXITY);
    assert.deepStrictEqual(
      single.filter((x) => x.finding.startsWith('DARTS-ADA')).map((x) => x.verdict),
      ['inconclusive', 'inconclusive'],
    );
    assert.match(single[1].rule, /needs 2 seeds of DARTS and of the method/);
    const one = crossDomainFindings([rows[0], rows[2]], TEST_PERPLEXITY);
    assert.strictEqual(one.find((x) => x.finding.includes('perplexity'))?.verdict, 'inconclusive');
    // One DARTS seed's ratio (3) decides nothing either: a single search's curvature can spike (results/ptb/README.md).
    assert.strictEqual(one[0].verdict, 'inconclusive');
    const none = crossDomainFindings(
      [row('DARTS', 0, null, 0.1, 0.12), row('DARTS', 1, null, 0.1, 0.11), row('DARTS-ADA', 0, null, 0.1, 0.1)],
      TEST_PERPLEXITY,
    );
    assert.strictEqual(none.find((x) => x.finding.includes('perplexity'))?.verdict, 'not measured');
    assert.strictEqual(none[0].verdict, 'inconclusive', 'a mean ratio between 1 and 1.3');
    // A result within 10% of the unigram reference does not measure its cell: the L2 verdict above becomes inconclusive, naming it.
    const flat = crossDomainFindings([row('DARTS', 0, 100, 0.1, 0.3, 105), ...rows.slice(1)], TEST_PERPLEXITY);
    const l2 = flat.find((x) => x.finding.startsWith('R-DARTS(L2) 5e-05 finds'));
    assert.strictEqual(l2?.verdict, 'inconclusive');
    assert.match(l2?.measured ?? '', /DARTS's 100\.00 is not 10% below the unigram model of the training tokens \(105\.00\)/);
    assert.match(l2?.rule ?? '', /every result 10% below the unigram model/);
    // The curvature verdict does not depend on it; an evaluation stored without its reference cannot count either.
    assert.strictEqual(flat.find((x) => x.finding.startsWith('R-DARTS(L2) 5e-05 ends'))?.verdict, 'holds');
    // The margin's boundary: 90 against a reference of 100 counts, 90.5 does not.
    const edge = (x: number) =>
      crossDomainFindings(
        [
          row('DARTS', 0, x, 0.1, 0.3, 100),
          row('DARTS', 1, 85, 0.1, 0.5, 100),
          row('R-DARTS(L2) 5e-05', 0, 50, 0.1, 0.1, 100),
          row('R-DARTS(L2) 5e-05', 1, 50, 0.1, 0.1, 100),
        ],
        TEST_PERPLEXITY,
      ).find((f) => f.finding.startsWith('R-DARTS(L2) 5e-05 finds'))?.verdict;
    assert.strictEqual(edge(90), 'holds');
    assert.strictEqual(edge(90.5), 'inconclusive');
    const old = crossDomainFindings([row('DARTS', 0, 100, 0.1, 0.3, null), ...rows.slice(1)], TEST_PERPLEXITY);
    assert.match(
      old.find((x) => x.finding.startsWith('R-DARTS(L2) 5e-05 finds'))?.measured ?? '',
      /no reference stored for DARTS's 100\.00/,
    );
  });

  it('names the method of a search from its config against the preset', () => {
    const base = resolvePtbConfig('mini');
    assert.strictEqual(lmMethod(base, base), 'DARTS');
    assert.strictEqual(lmMethod(resolvePtbConfig('mini', { regularization: { l2: 5e-5 } }), base), 'R-DARTS(L2) 0.00005');
    assert.strictEqual(lmMethod(resolvePtbConfig('mini', { earlyStop: 'adaptive' }), base), 'DARTS-ADA');
    assert.strictEqual(lmMethod(resolvePtbConfig('mini', { dropout: { hidden: 0.4 } }), base), 'R-DARTS(dropout) hidden 0.4');
    assert.strictEqual(
      lmMethod(resolvePtbConfig('mini', { dropout: { hidden: 0.75, input: 0.6 } }), base),
      'R-DARTS(dropout) hidden 0.75, input 0.6',
    );
  });
});
