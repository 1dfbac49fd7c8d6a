/**
 * How much of the mixture one operation holds over a search (docs/method.md §6: skip connections take
 * over S1 to S3, noise takes S4): per epoch and cell type, the mean softmax weight of `op` over the
 * edges that offer it, and on how many edges it is the strongest op. A pure function of the
 * stored epoch records; the notebooks and the CLI read it as an arquero table.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { EpochRecord } from '../runs/records';
import type { OpName } from '../spaces/primitives';
import type { SearchSpace } from '../spaces/spaces';

/** One row per epoch and cell type. */
export interface OpShareRow {
  readonly epoch: number;
  readonly cell: 'normal' | 'reduce';
  /** Mean of softmax(alpha)[op] over the edges whose op list holds `op`. */
  readonly meanWeight: number;
  /** Edges where `op` has the largest weight of the edge. */
  readonly argmaxEdges: number;
  /** Edges whose op list holds `op`. */
  readonly edges: number;
}

/** The share of `op` per epoch and cell type (edges without `op` are left out). */
export function opShare(records: readonly EpochRecord[], space: SearchSpace, op: OpName): OpShareRow[] {
  const rows: OpShareRow[] = [];
  for (const r of records) {
    for (const cell of ['normal', 'reduce'] as const) {
      let sum = 0;
      let edges = 0;
      let argmaxEdges = 0;
      space[cell].forEach((ops, e) => {
        const k = ops.indexOf(op);
        if (k < 0) return;
        const w = r.weights[cell][e];
        sum += w[k];
        edges += 1;
        if (w.every((v, j) => j === k || v < w[k])) argmaxEdges += 1;
      });
      if (edges > 0) rows.push({ epoch: r.epoch, cell, meanWeight: sum / edges, argmaxEdges, edges });
    }
  }
  return rows;
}

/** `opShare` as an arquero table. */
export function opShareTable(records: readonly EpochRecord[], space: SearchSpace, op: OpName): ColumnTable {
  return aq.from(opShare(records, space, op));
}
