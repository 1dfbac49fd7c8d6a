/**
 * Where the curvature sits (docs/method.md §3): the dominant eigenvector of the alpha Hessian tied back to
 * operations. Each alpha is one (cell, edge, op); its share of the unit eigenvector is the squared
 * component, so the shares sum to 1 and say which edges and ops carry the dominant curvature.
 * Pure functions of a stored CurvatureRecord; the notebooks show them as arquero tables.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { EpochRecord } from '../runs/records';
import type { SearchSpace } from '../spaces/spaces';
import { EDGES } from '../spaces/topology';

/** One alpha of the eigenvector. */
export interface CurvatureShareRow {
  readonly cell: 'normal' | 'reduce';
  readonly edge: number;
  /** The edge's input: 's0', 's1' or 'n<m>' (intermediate node m), and its node 'n<k>'. */
  readonly from: string;
  readonly to: string;
  readonly op: string;
  /** The eigenvector's component (sign arbitrary), and its square: the share of the curvature direction. */
  readonly component: number;
  readonly share: number;
}

const nodeName = (input: number) => (input < 2 ? `s${input}` : `n${input - 2}`);

/** The eigenvector `vector` (alphas flattened: normal [14][k] row-major, then reduce) per alpha of `space`. */
export function curvatureShares(vector: readonly number[], space: SearchSpace): CurvatureShareRow[] {
  const size = space.normal.reduce((n, ops) => n + ops.length, 0) + space.reduce.reduce((n, ops) => n + ops.length, 0);
  if (vector.length !== size) throw new Error(`curvatureShares: vector has ${vector.length} values; the space has ${size} alphas`);
  const rows: CurvatureShareRow[] = [];
  let i = 0;
  for (const cell of ['normal', 'reduce'] as const) {
    space[cell].forEach((ops, edge) => {
      const { input, node } = EDGES[edge];
      for (const op of ops) {
        const component = vector[i++];
        rows.push({ cell, edge, from: nodeName(input), to: `n${node}`, op, component, share: component * component });
      }
    });
  }
  return rows;
}

/**
 * The shares of every measured epoch of a run, summed per (epoch, cell, op): how the dominant
 * curvature direction moves between operations over the search. Columns epoch, cell, op, share,
 * dominantEigenvalue.
 */
export function curvatureByOp(records: readonly EpochRecord[], space: SearchSpace): ColumnTable {
  const rows = records
    .filter((r) => r.hessian)
    .flatMap((r) =>
      curvatureShares(r.hessian?.vector ?? [], space).map((row) => ({
        epoch: r.epoch,
        cell: row.cell,
        op: row.op,
        share: row.share,
        dominantEigenvalue: r.hessian?.dominantEigenvalue ?? NaN,
      })),
    );
  if (rows.length === 0) return aq.table({ epoch: [], cell: [], op: [], share: [], dominantEigenvalue: [] });
  return aq
    .from(rows)
    .groupby('epoch', 'cell', 'op')
    .rollup({ share: aq.op.sum('share'), dominantEigenvalue: aq.op.max('dominantEigenvalue') })
    .orderby('epoch', 'cell', 'op');
}
