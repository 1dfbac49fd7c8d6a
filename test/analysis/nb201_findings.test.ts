import * as assert from 'assert';
import type { Nb201SignatureRow } from '../../lib/analysis/nb201_figure';
import { nb201Findings } from '../../lib/analysis/nb201_findings';

const row = (over: Partial<Nb201SignatureRow>): Nb201SignatureRow => ({
  name: 'r',
  method: 'DARTS',
  runId: 'x',
  seed: 0,
  epochs: 50,
  finalErrorPct: 15,
  bestErrorPct: 6,
  bestEpoch: 3,
  esRule: 'code',
  esDecisionEpoch: 22,
  esEpoch: 10,
  esErrorPct: 7,
  collapseEpoch: 14,
  eigenvalueEpochs0to2: 0.1,
  eigenvalueLast10: 1,
  ...over,
});

describe('nb201Findings', () => {
  it('states each rule with the counts and ranges it reads from the rows', () => {
    const lines = nb201Findings([
      row({}),
      row({
        finalErrorPct: 8,
        bestErrorPct: 6.5,
        collapseEpoch: '',
        eigenvalueLast10: 0.12,
        esErrorPct: 9,
        esDecisionEpoch: 26,
        esEpoch: 14,
      }),
      row({ esErrorPct: '', esDecisionEpoch: '', esEpoch: '', collapseEpoch: 40, eigenvalueEpochs0to2: 0.2 }),
    ]);
    assert.deepStrictEqual(lines.slice(0, 3), [
      "Collapse: 2 of 3 runs collapsed (4 or more of the 6 edges parameter-free in every later cell), from epoch 14 to 40; the final cell's test error lies 1.50 to 9.00 points above the best cell's of the same run.",
      "Curvature: the mean dominant eigenvalue over the last 10 epochs is 1.2 to 10.0 times its mean over epochs 0-2; above 1.3 (the factor of the code's DARTS-ES rule) in 2 of 3 runs.",
      "DARTS-ES (the code's rule, replayed on the stored eigenvalues) fires in 2 of 3 runs; its cell's test error is lower than the final cell's in 1 of them (the final's minus DARTS-ES's: -1.00 to 8.00 points), and lies 1.00 to 2.50 points above the run's best cell.",
    ]);
    assert.match(lines[3], /^These are 3 searches at one reduced setting/);
  });

  it("gives each method's runs their own sentences, named, when the runs are of several methods", () => {
    const lines = nb201Findings([
      row({}),
      row({ method: 'R-DARTS(L2) 0.0081', collapseEpoch: '', finalErrorPct: 6.9, bestErrorPct: 6.7 }),
      row({}),
    ]);
    assert.strictEqual(lines.length, 7);
    assert.match(lines[0], /^DARTS \(2 runs\): Collapse: 2 of 2 runs collapsed/);
    assert.match(lines[3], /^R-DARTS\(L2\) 0\.0081 \(1 run\): Collapse: 0 of 1 runs collapsed .*lies 0\.20 to 0\.20 points/);
    assert.match(lines[6], /^These are 3 searches at one reduced setting \(the table names their methods/);
  });

  it('says so when no run is given, or when DARTS-ES never fires', () => {
    assert.deepStrictEqual(nb201Findings([]), ['No finished NAS-Bench-201 run was found: nothing to conclude.']);
    assert.match(nb201Findings([row({ esErrorPct: '' })])[2], /fires in none of the 1 runs/);
  });
});
