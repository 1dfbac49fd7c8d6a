import * as assert from 'assert';
import { curvatureByOp, curvatureShares } from '../../lib/analysis/curvature_attribution';
import type { EpochRecord } from '../../lib/runs/records';
import { getSpace } from '../../lib/spaces/spaces';

describe('curvatureShares', () => {
  it('maps each component to its cell, edge and op, shares summing to 1', () => {
    const space = getSpace('s3');
    const v = new Array(84).fill(0);
    v[0] = 0.6; // normal, edge 0 (s0 -> n0), first op
    v[42 + 3 * 13 + 2] = -0.8; // reduce, edge 13 (n2 -> n3), third op
    const rows = curvatureShares(v, space);
    assert.strictEqual(rows.length, 84);
    assert.deepStrictEqual(rows[0], { cell: 'normal', edge: 0, from: 's0', to: 'n0', op: space.normal[0][0], component: 0.6, share: 0.36 });
    const r = rows[83];
    assert.deepStrictEqual(
      [r.cell, r.edge, r.from, r.to, r.op, r.share],
      ['reduce', 13, 'n2', 'n3', space.reduce[13][2], 0.6400000000000001],
    );
    assert.ok(Math.abs(rows.reduce((s, x) => s + x.share, 0) - 1) < 1e-12);
  });
  it('rejects a vector of the wrong length', () => {
    assert.throws(() => curvatureShares([1, 0], getSpace('s3')), /vector has 2 values; the space has 84 alphas/);
  });
});

describe('curvatureByOp', () => {
  it('sums the shares per epoch, cell and op for the measured epochs only', () => {
    const space = getSpace('s3');
    const v = new Array(84).fill(Math.sqrt(1 / 84));
    const rec = (epoch: number, withH: boolean) =>
      ({ epoch, ...(withH ? { hessian: { vector: v, dominantEigenvalue: 0.5 + epoch } } : {}) }) as unknown as EpochRecord;
    const t = curvatureByOp([rec(0, true), rec(1, false), rec(2, true)], space).objects() as {
      epoch: number;
      cell: string;
      op: string;
      share: number;
      dominantEigenvalue: number;
    }[];
    assert.deepStrictEqual([...new Set(t.map((r) => r.epoch))], [0, 2]);
    const ops = [...new Set(space.normal.flat())];
    assert.strictEqual(t.length, 2 * 2 * ops.length);
    for (const row of t) assert.ok(Math.abs(row.share - 14 / 84) < 1e-12, `${row.op}: ${row.share}`);
    assert.strictEqual(t.find((r) => r.epoch === 2)?.dominantEigenvalue, 2.5);
  });
});
