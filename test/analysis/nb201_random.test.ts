/** Where the final cells stand among the benchmark's cells (lib/analysis/nb201_random.ts). */
import * as assert from 'assert';
import { type Nb201ClaimInput, NB201_CLAIMS_STEP_ORDER, NB201_ES_METHOD } from '../../lib/analysis/nb201_claims';
import {
  NB201_BEST_CELL,
  nb201CellErrors,
  NB201_RANDOM_CELL,
  nb201RandomReference,
  NB201_TABLE_SETTING,
} from '../../lib/analysis/nb201_random';
import { NB201_CELLS } from '../../lib/data/nb201_table';

function input(method: string, seed: number, finalErrorPct: number | null, esErrorPct: number | null, setting = 'A'): Nb201ClaimInput {
  return {
    name: `${method}-${seed}`,
    method,
    seed,
    stepOrder: NB201_CLAIMS_STEP_ORDER,
    setting,
    parameterFree: 2,
    finalErrorPct,
    esErrorPct,
    bestErrorPct: finalErrorPct,
    eigenFirst: 0.1,
    eigenLast: 0.2,
    eigenRatio: 2,
  } as Nb201ClaimInput;
}

const pick = (rows: ReturnType<typeof nb201RandomReference>) =>
  rows.map((r) => [r.setting, r.method, r.cells, r.meanErrorPct, r.medianErrorPct, r.betterCellsPct]);

describe('nb201RandomReference', () => {
  it("places each method's final cells among the table's cells, beside a random and the best cell", () => {
    // A table of four cells: errors 1, 2, 3, 4.
    const table = [4, 2, 1, 3];
    const rows = nb201RandomReference(
      [
        input('DARTS', 0, 2.5, 1.5),
        input('DARTS', 1, 4, 4),
        input('R-DARTS(L2) 0.0081', 0, 1, 1),
        input('R-DARTS(L2) 0.0081', 1, null, null),
        // Another step order is not in the claims, so not here either.
        { ...input('DARTS', 2, 1, 1), stepOrder: 'alpha-first' },
      ],
      table,
    );
    assert.deepStrictEqual(pick(rows), [
      // 2.5: 2 of 4 cells better (50 %); 4: 3 of 4 (75 %).
      ['A', 'DARTS', 2, 3.25, 3.25, 62.5],
      // DARTS-ES's cells: 1.5 (1 better), 4 (3 better).
      ['A', NB201_ES_METHOD, 2, 2.75, 2.75, 50],
      // A run without a known error is left out, not counted as a zero.
      ['A', 'R-DARTS(L2) 0.0081', 1, 1, 1, 0],
      // The random cell: 0, 1, 2, 3 better of 4.
      [NB201_TABLE_SETTING, NB201_RANDOM_CELL, 4, 2.5, 2.5, 37.5],
      [NB201_TABLE_SETTING, NB201_BEST_CELL, 1, 1, 1, 0],
    ]);
    // Each setting apart, in order of first appearance; ties count as not better; odd medians.
    const two = nb201RandomReference(
      [input('DARTS', 0, 2, null, 'B'), input('DARTS', 0, 3, 3, 'A'), input('DARTS', 1, 1, 1, 'A'), input('DARTS', 2, 4, 4, 'A')],
      [2, 2, 3],
    );
    assert.deepStrictEqual(pick(two).slice(0, 3), [
      ['B', 'DARTS', 1, 2, 2, 0],
      ['A', 'DARTS', 3, 8 / 3, 3, (100 * (2 + 0 + 3)) / 9],
      ['A', NB201_ES_METHOD, 3, 8 / 3, 3, (100 * (2 + 0 + 3)) / 9],
    ]);
    assert.throws(() => nb201RandomReference([], []), /the benchmark table has no cells/);
  });

  it("adds the baselines' cells after the methods of their setting, one row per method, and a setting without searches after those", () => {
    const rows = nb201RandomReference(
      [input('DARTS', 0, 2.5, 1.5), input('DARTS', 1, 4, 4)],
      [4, 2, 1, 3],
      [
        { setting: 'C', method: 'RS-ws', errorPct: 3 },
        { setting: 'A', method: 'RS-ws', errorPct: 1 },
        { setting: 'A', method: 'RS (2 cells)', errorPct: 2 },
        { setting: 'A', method: 'RS-ws', errorPct: 4 },
      ],
    );
    assert.deepStrictEqual(
      pick(rows).map((r) => r.slice(0, 4)),
      [
        ['A', 'DARTS', 2, 3.25],
        ['A', NB201_ES_METHOD, 2, 2.75],
        // 1: no cell better; 4: 3 of 4.
        ['A', 'RS-ws', 2, 2.5],
        ['A', 'RS (2 cells)', 1, 2],
        ['C', 'RS-ws', 1, 3],
        [NB201_TABLE_SETTING, NB201_RANDOM_CELL, 4, 2.5],
        [NB201_TABLE_SETTING, NB201_BEST_CELL, 1, 1],
      ],
    );
    assert.strictEqual(rows[2].betterCellsPct, 37.5);
  });

  it("reads the committed table's 15,625 CIFAR-10 errors", () => {
    const errors = nb201CellErrors();
    assert.strictEqual(errors.length, NB201_CELLS);
    // The table's provenance checks: the best cell 94.37 % (data/nas-bench-201/README.md).
    const [, best] = nb201RandomReference([], errors);
    assert.strictEqual(best.meanErrorPct.toFixed(2), (100 - 94.37).toFixed(2));
    // Two cells of the table share the best error (94.37 %); the errors are percentages.
    assert.strictEqual(errors.filter((e) => e === best.meanErrorPct).length, 2);
    assert.ok(errors.every((e) => e > 0 && e <= 100));
  });
});
