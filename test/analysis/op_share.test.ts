import * as assert from 'assert';
import { opShare, opShareTable } from '../../lib/analysis/op_share';
import type { EpochRecord } from '../../lib/runs/records';
import { getSpace } from '../../lib/spaces/spaces';

/** A record whose softmax weights are given per cell (only the fields opShare reads). */
function record(epoch: number, normal: number[][], reduce: number[][]): EpochRecord {
  return { epoch, weights: { normal, reduce } } as unknown as EpochRecord;
}

describe('opShare', () => {
  it('averages the weight of an op over the edges that offer it, and counts where it is the argmax', () => {
    const s2 = getSpace('s2'); // [skip_connect, sep_conv_3x3] on every edge
    const normal = Array.from({ length: 14 }, (_, e) => (e < 7 ? [0.75, 0.25] : [0.25, 0.75]));
    const reduce = Array.from({ length: 14 }, () => [0.5, 0.5]); // ties: never the strict argmax
    const rows = opShare([record(3, normal, reduce)], s2, 'skip_connect');
    assert.deepStrictEqual(rows, [
      { epoch: 3, cell: 'normal', meanWeight: 0.5, argmaxEdges: 7, edges: 14 },
      { epoch: 3, cell: 'reduce', meanWeight: 0.5, argmaxEdges: 0, edges: 14 },
    ]);
    assert.strictEqual(opShareTable([record(3, normal, reduce)], s2, 'skip_connect').numRows(), 2);
  });

  it('leaves out edges and cells without the op (S1 lists differ per edge)', () => {
    const s1 = getSpace('s1');
    const weights = (cell: 'normal' | 'reduce') => s1[cell].map((ops) => ops.map(() => 1 / ops.length));
    const rows = opShare([record(0, weights('normal'), weights('reduce'))], s1, 'max_pool_3x3');
    // Normal cell: max_pool_3x3 only on e5 and e10; reduce cell: e0 e1 e2 e3 e5 e6 e9 e10 (docs/method.md §2).
    assert.deepStrictEqual(
      rows.map((r) => [r.cell, r.edges]),
      [
        ['normal', 2],
        ['reduce', 8],
      ],
    );
  });
});
