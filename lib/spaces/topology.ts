/**
 * The cell's topology (docs/method.md §2, "Cell"): inputs s0 (cell k-2) and s1 (cell k-1), 4
 * intermediate nodes; node i has one edge from each of s0, s1, n0 .. n(i-1), so 2+3+4+5 = 14 edges,
 * numbered node by node: node0 {e0:s0, e1:s1}, node1 {e2:s0, e3:s1, e4:n0}, node2 {e5:s0, e6:s1,
 * e7:n0, e8:n1}, node3 {e9:s0, e10:s1, e11:n0, e12:n1, e13:n2}.
 */

/** Intermediate nodes per cell. */
export const NUM_NODES = 4;

/** Edges per cell: 2 + 3 + 4 + 5. */
export const NUM_EDGES = 14;

/**
 * One edge of the cell. `input` numbers the edge's source as the genotype does: 0 = s0, 1 = s1,
 * 2 + m = intermediate node m.
 */
export interface Edge {
  readonly edge: number;
  readonly node: number;
  readonly input: number;
}

function buildEdges(): readonly Edge[] {
  const edges: Edge[] = [];
  for (let node = 0; node < NUM_NODES; node++) {
    for (let input = 0; input < node + 2; input++) edges.push(Object.freeze({ edge: edges.length, node, input }));
  }
  return Object.freeze(edges);
}

/** The 14 edges in order (row `edge` of alpha_normal and alpha_reduce). */
export const EDGES: readonly Edge[] = buildEdges();

/** The edges of intermediate node `node`, in input order. */
export function nodeEdges(node: number): readonly Edge[] {
  if (!Number.isInteger(node) || node < 0 || node >= NUM_NODES) {
    throw new Error(`node=${node} is not a node index; use an integer in 0..${NUM_NODES - 1}`);
  }
  return EDGES.filter((e) => e.node === node);
}

/** The edges from s0 or s1, which use stride 2 in a reduction cell: e0 e1 e2 e3 e5 e6 e9 e10. */
export const REDUCTION_STRIDE_EDGES: readonly number[] = Object.freeze(EDGES.filter((e) => e.input < 2).map((e) => e.edge));

/** The stride of edge `edge`'s op: 2 on an edge from s0 or s1 in a reduction cell, else 1. */
export function edgeStride(edge: number, reduction: boolean): 1 | 2 {
  if (!Number.isInteger(edge) || edge < 0 || edge >= NUM_EDGES) {
    throw new Error(`edge=${edge} is not an edge index; use an integer in 0..${NUM_EDGES - 1}`);
  }
  return reduction && EDGES[edge].input < 2 ? 2 : 1;
}
