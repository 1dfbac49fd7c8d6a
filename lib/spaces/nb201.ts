/**
 * The NAS-Bench-201 cell space (its topology; the supernet is lib/problems/nb201): a cell of 4 nodes,
 * node j summing one op applied to each earlier node, so 6 edges (1<-0), (2<-0), (2<-1), (3<-0),
 * (3<-1), (3<-2), each one of 5 ops; 5^6 = 15,625 cells. A cell is written as the benchmark writes
 * it: `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|` (node 1's edge, node 2's two, node 3's three; `op~i` is
 * the op on node i). docs/method.md §8 describes the space and its DARTS search.
 */

/** The ops of the NAS-Bench-201 space, in the benchmark's order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** The 6 ops of a cell string, checked; throws naming what is wrong. */
export function parseNb201Arch(arch: string): Nb201Op[] {
  const nodes = arch.split('+');
  const fail = (why: string) => new Error(`NAS-Bench-201 cell ${JSON.stringify(arch)}: ${why}`);
  if (nodes.length !== 3) throw fail(`expected 3 nodes joined by "+", got ${nodes.length}`);
  const ops: Nb201Op[] = [];
  nodes.forEach((node, j) => {
    const m = /^\|(.*)\|$/.exec(node);
    const edges = m ? m[1].split('|') : [];
    if (edges.length !== j + 1) throw fail(`node ${j + 1} needs ${j + 1} edge(s) as |op~i|, got ${JSON.stringify(node)}`);
    edges.forEach((edge, i) => {
      const [op, input] = edge.split('~');
      if (!(NB201_OPS as readonly string[]).includes(op)) throw fail(`unknown op ${JSON.stringify(op)} (ops: ${NB201_OPS.join(', ')})`);
      if (input !== String(i)) throw fail(`edge ${JSON.stringify(edge)} of node ${j + 1} must read node ${i}`);
      ops.push(op as Nb201Op);
    });
  });
  return ops;
}

/** The cell string of 6 ops (edges in the order of `Nb201Entry.ops`). */
export function nb201Arch(ops: readonly Nb201Op[]): string {
  if (ops.length !== 6) throw new Error(`nb201Arch: a cell has 6 edges, got ${ops.length} ops`);
  const e = (k: number, i: number) => `${ops[k]}~${i}`;
  return `|${e(0, 0)}|+|${e(1, 0)}|${e(2, 1)}|+|${e(3, 0)}|${e(4, 1)}|${e(5, 2)}|`;
}

/** The edges of a cell as [node, input] pairs, in the benchmark's order (its sorted `j<-i` keys). */
export const NB201_EDGES: readonly (readonly [node: number, input: number])[] = Object.freeze([
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
]);

/**
 * The discrete cell of alphas [6][5] (rows: edges in `NB201_EDGES` order; columns: `NB201_OPS`),
 * as the benchmark's DARTS code derives it: each edge takes the op of its largest alpha, `none`
 * included (the first on a tie). Throws on a wrong shape or a non-finite value.
 */
export function nb201ArchString(alphas: readonly (readonly number[])[]): string {
  if (!Array.isArray(alphas) || alphas.length !== NB201_EDGES.length) {
    throw new Error(
      `nb201ArchString: alphas need ${NB201_EDGES.length} rows (edges), got ${Array.isArray(alphas) ? alphas.length : typeof alphas}`,
    );
  }
  const ops = alphas.map((row, e) => {
    if (!Array.isArray(row) || row.length !== NB201_OPS.length || row.some((v) => !Number.isFinite(v))) {
      throw new Error(
        `nb201ArchString: alphas[${e}] must be ${NB201_OPS.length} finite numbers (${NB201_OPS.join(', ')}), got ${JSON.stringify(row)}`,
      );
    }
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
    return NB201_OPS[best];
  });
  return nb201Arch(ops);
}
