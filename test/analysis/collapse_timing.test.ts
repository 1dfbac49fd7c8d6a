import * as assert from 'assert';
import { collapseEpochOf } from '../../lib/analysis/collapse_timing';

describe('collapseEpochOf (docs/method.md §3)', () => {
  it('is the first epoch from which every cell has collapsed; epochs before `from` are not read', () => {
    const rows = [9, 10, 3, 9, 12, 11].map((parameterFree, epoch) => ({ epoch, parameterFree }));
    assert.strictEqual(collapseEpochOf(rows, 9), 3);
    assert.strictEqual(collapseEpochOf(rows, 12), null);
    assert.strictEqual(collapseEpochOf(rows.slice(0, 2), 9), 0);
    // Held alphas for 2 epochs: epochs 0-1 (collapsed by chance) are skipped, epoch 2 breaks the run.
    assert.strictEqual(collapseEpochOf(rows, 9, 2), 3);
    assert.strictEqual(collapseEpochOf(rows, 9, 4), 4);
    assert.strictEqual(collapseEpochOf(rows.slice(0, 2), 9, 1), 1);
  });
});
