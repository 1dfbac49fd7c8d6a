/**
 * The DARTS recurrent search space (the language-modelling cell of DARTS, which the paper's
 * cross-domain experiments search; docs/method.md §9): 8 intermediate
 * nodes after an initial node s0, node i (1-based) choosing among the states s0 .. s_{i-1}; the
 * cell's output is the mean of nodes 1..8. Each edge mixes 5 primitives, so the alphas are
 * [36, 5]: edge (i, j) in row i(i-1)/2 + j.
 * A discrete cell keeps one incoming edge per node: the predecessor whose strongest op other than
 * `none` is strongest, and that op (the DARTS code's parse); ties go to the first (smallest j, then
 * the earlier primitive), as the code's stable sort and strict comparison do.
 */

/** The primitives, in the order of the alphas' columns. */
export const RECURRENT_PRIMITIVES = ['none', 'tanh', 'relu', 'sigmoid', 'identity'] as const;
export type RecurrentOp = (typeof RECURRENT_PRIMITIVES)[number];

/** Intermediate nodes of the cell, and its edges (1 + 2 + ... + 8). */
export const RECURRENT_STEPS = 8;
export const RECURRENT_EDGES = (RECURRENT_STEPS * (RECURRENT_STEPS + 1)) / 2;

/** A discrete recurrent cell: per node 1..8, its op and its predecessor (0: s0, k: node k); the states averaged. */
export interface RecurrentGenotype {
  readonly recurrent: readonly (readonly [Exclude<RecurrentOp, 'none'>, number])[];
  readonly concat: readonly number[];
}

/** The alphas' row of edge (node `i`, 1-based, from state `j`). */
export function recurrentEdgeRow(i: number, j: number): number {
  if (!Number.isInteger(i) || i < 1 || i > RECURRENT_STEPS)
    throw new Error(`recurrent cell: node ${i} is not one of 1..${RECURRENT_STEPS}`);
  if (!Number.isInteger(j) || j < 0 || j >= i) throw new Error(`recurrent cell: node ${i} cannot take state ${j} (states 0..${i - 1})`);
  return (i * (i - 1)) / 2 + j;
}

const CONCAT = Array.from({ length: RECURRENT_STEPS }, (_, k) => k + 1);

/** The published cells of DARTS (its second-order search, the paper's PTB cell; and its first-order one). */
export const DARTS_V2_RECURRENT: RecurrentGenotype = Object.freeze<RecurrentGenotype>({
  recurrent: [
    ['sigmoid', 0],
    ['relu', 1],
    ['relu', 1],
    ['identity', 1],
    ['tanh', 2],
    ['sigmoid', 5],
    ['tanh', 3],
    ['relu', 5],
  ],
  concat: CONCAT,
});
export const DARTS_V1_RECURRENT: RecurrentGenotype = Object.freeze<RecurrentGenotype>({
  recurrent: [
    ['relu', 0],
    ['relu', 1],
    ['tanh', 2],
    ['relu', 3],
    ['relu', 4],
    ['identity', 1],
    ['relu', 5],
    ['relu', 1],
  ],
  concat: CONCAT,
});

/** Checks a recurrent genotype's shape, ops and predecessors; errors name the node. */
export function checkRecurrentGenotype(g: RecurrentGenotype): RecurrentGenotype {
  if (!Array.isArray(g.recurrent) || g.recurrent.length !== RECURRENT_STEPS)
    throw new Error(
      `recurrent genotype: needs ${RECURRENT_STEPS} nodes, got ${Array.isArray(g.recurrent) ? g.recurrent.length : typeof g.recurrent}`,
    );
  g.recurrent.forEach(([op, j], k) => {
    if (op === 'none' || !(RECURRENT_PRIMITIVES as readonly string[]).includes(op))
      throw new Error(
        `recurrent genotype: node ${k + 1} has op ${JSON.stringify(op)}; use one of ${RECURRENT_PRIMITIVES.slice(1).join(', ')}`,
      );
    recurrentEdgeRow(k + 1, j);
  });
  if (!Array.isArray(g.concat) || g.concat.length === 0 || g.concat.some((c) => !Number.isInteger(c) || c < 1 || c > RECURRENT_STEPS))
    throw new Error(`recurrent genotype: concat must list nodes of 1..${RECURRENT_STEPS}, got ${JSON.stringify(g.concat)}`);
  return g;
}

/** The discrete cell of edge weights `weights` ([36][5], softmax rows; file header). */
export function deriveRecurrentGenotype(weights: readonly (readonly number[])[]): RecurrentGenotype {
  if (weights.length !== RECURRENT_EDGES || weights.some((r) => r.length !== RECURRENT_PRIMITIVES.length))
    throw new Error(`recurrent cell: the weights must be [${RECURRENT_EDGES}][${RECURRENT_PRIMITIVES.length}]`);
  // The strongest op other than none of a row, first on ties.
  const strongest = (row: readonly number[]) => {
    let best = 1;
    for (let k = 2; k < row.length; k++) if (row[k] > row[best]) best = k;
    return best;
  };
  const recurrent = Array.from({ length: RECURRENT_STEPS }, (_, n) => {
    const i = n + 1;
    let bestJ = 0;
    for (let j = 1; j < i; j++) {
      const [a, b] = [weights[recurrentEdgeRow(i, j)], weights[recurrentEdgeRow(i, bestJ)]];
      if (a[strongest(a)] > b[strongest(b)]) bestJ = j;
    }
    const k = strongest(weights[recurrentEdgeRow(i, bestJ)]);
    return [RECURRENT_PRIMITIVES[k] as Exclude<RecurrentOp, 'none'>, bestJ] as const;
  });
  return { recurrent, concat: CONCAT };
}

/** A recurrent genotype in one line, e.g. `1:sigmoid<-0 2:relu<-1 ...`. */
export function formatRecurrentGenotype(g: RecurrentGenotype): string {
  return g.recurrent.map(([op, j], k) => `${k + 1}:${op}<-${j}`).join(' ');
}
