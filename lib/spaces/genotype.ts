/**
 * The genotype: the discrete architecture read off the alphas (docs/method.md §2, "Genotype").
 * The shape is the DARTS code's namedtuple `Genotype(normal, normal_concat, reduce, reduce_concat)`.
 */
import { isParameterFree, type OpName } from './primitives';
import type { SearchSpace } from './spaces';
import { NUM_EDGES, NUM_NODES, nodeEdges } from './topology';

/** One kept edge: its op and its input (0 = s0, 1 = s1, 2 + m = node m). */
export type GenotypeEntry = readonly [op: OpName, input: number];

/**
 * A discrete cell pair. `normal` and `reduce` hold 8 entries each: 2 per node, nodes in order;
 * within a node the stronger edge comes first, as in the DARTS code. `*Concat` lists the nodes
 * (numbered as inputs) whose outputs are concatenated: [2, 3, 4, 5].
 */
export interface Genotype {
  readonly normal: readonly GenotypeEntry[];
  readonly normalConcat: readonly number[];
  readonly reduce: readonly GenotypeEntry[];
  readonly reduceConcat: readonly number[];
}

/** Raw (pre-softmax) alphas: `normal[e]` and `reduce[e]` hold one value per candidate op of edge e. */
export interface Alphas {
  readonly normal: readonly (readonly number[])[];
  readonly reduce: readonly (readonly number[])[];
}

const CONCAT: readonly number[] = Object.freeze([2, 3, 4, 5]);

/** DARTS (second order) as published in quark0/darts cnn/genotypes.py, `DARTS_V2`. */
export const DARTS_V2: Genotype = Object.freeze<Genotype>({
  normal: [
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_3x3', 1],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['skip_connect', 0],
    ['dil_conv_3x3', 2],
  ],
  normalConcat: CONCAT,
  reduce: [
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['max_pool_3x3', 1],
  ],
  reduceConcat: CONCAT,
});

function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

/** Row-wise softmax in float64: the MixedOp weights that `genotype` parses (and records store). */
export function softmaxRows(rows: readonly (readonly number[])[]): number[][] {
  return rows.map(softmax);
}

function checkCell(alphas: readonly (readonly number[])[] | undefined, lists: SearchSpace['normal'], cell: string): void {
  if (!Array.isArray(alphas) || alphas.length !== NUM_EDGES) {
    const got = Array.isArray(alphas) ? `${alphas.length} edges` : String(alphas);
    throw new Error(`alphas.${cell} has ${got}; expected ${NUM_EDGES} edges`);
  }
  alphas.forEach((row, e) => {
    if (!Array.isArray(row) || row.length !== lists[e].length) {
      const got = Array.isArray(row) ? `${row.length} values` : String(row);
      throw new Error(`alphas.${cell}[${e}] (edge ${e}) has ${got}; expected ${lists[e].length} (${lists[e].join(', ')})`);
    }
    row.forEach((v, k) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`alphas.${cell}[${e}][${k}] (edge ${e}) is ${v}; alphas must be finite numbers`);
      }
    });
  });
}

/** Index of the largest weight on an edge excluding `none` (the lower index on a tie); -1 if none. */
function bestOp(weights: readonly number[], ops: readonly OpName[]): number {
  let best = -1;
  for (let k = 0; k < weights.length; k++) {
    if (ops[k] !== 'none' && (best < 0 || weights[k] > weights[best])) best = k;
  }
  return best;
}

/**
 * The `keep` strongest of a node's `edges`, as [op, input] entries: each edge's softmax and its
 * strongest op other than `none` (the lower column on a tie), the stronger edge first (the lower
 * input on a tie). The derivation rule of the DARTS cells (`genotype`) and of AutoDispNet's
 * (lib/spaces/autodispnet.ts); `opsOf` gives the candidate ops of an edge, in the alphas' columns.
 */
export function strongestEdges<Op extends OpName>(
  edges: readonly { readonly edge: number; readonly input: number }[],
  alphas: readonly (readonly number[])[],
  opsOf: (edge: number) => readonly Op[],
  keep: number,
  cell: string,
): (readonly [op: Op, input: number])[] {
  const scored = edges.map(({ edge, input }) => {
    const weights = softmax(alphas[edge]);
    const ops = opsOf(edge);
    const k = bestOp(weights, ops);
    if (k < 0) throw new Error(`edge ${edge} of the ${cell} cell has no op other than none`);
    return { input, op: ops[k], strength: weights[k] };
  });
  // Stable sort: equal strengths keep input order, so the lower input wins a tie.
  scored.sort((a, b) => b.strength - a.strength);
  return scored.slice(0, keep).map(({ op, input }) => [op, input] as const);
}

function parseCell(alphas: Alphas['normal'], lists: SearchSpace['normal'], cell: string): GenotypeEntry[] {
  const entries: GenotypeEntry[] = [];
  for (let node = 0; node < NUM_NODES; node++) entries.push(...strongestEdges(nodeEdges(node), alphas, (e) => lists[e], 2, cell));
  return entries;
}

/**
 * The genotype of raw alphas in `space`. Each edge's alphas go through a softmax (row-wise, as in
 * the DARTS code); for each node the 2 incoming edges with the largest op weight excluding `none`
 * are kept, the stronger first, and each keeps its argmax op excluding `none`. Ties: the lower input
 * (edge), and the lower column (op). Throws if the alphas' shape does not match the space, naming
 * the cell type, edge and expected length.
 */
export function genotype(alphas: Alphas, space: SearchSpace): Genotype {
  checkCell(alphas.normal, space.normal, 'normal');
  checkCell(alphas.reduce, space.reduce, 'reduce');
  return {
    normal: parseCell(alphas.normal, space.normal, 'normal'),
    normalConcat: [...CONCAT],
    reduce: parseCell(alphas.reduce, space.reduce, 'reduce'),
    reduceConcat: [...CONCAT],
  };
}

function formatCell(entries: readonly GenotypeEntry[]): string {
  const name = (input: number) => (input < 2 ? `s${input}` : `n${input - 2}`);
  const nodes: string[] = [];
  for (let i = 0; i < entries.length; i += 2) {
    const ins = entries.slice(i, i + 2).map(([op, input]) => `${op}(${name(input)})`);
    nodes.push(`n${i / 2}=${ins.join('+')}`);
  }
  return nodes.join(' ');
}

/**
 * One readable line, e.g. `normal: n0=sep_conv_3x3(s0)+sep_conv_3x3(s1) n1=... | reduce: ...`;
 * s0/s1 are the cell inputs and nM node M. A concat other than [2, 3, 4, 5] is appended.
 */
export function formatGenotype(g: Genotype): string {
  const concat = (c: readonly number[]) => (c.join() === CONCAT.join() ? '' : ` concat=[${c.join(', ')}]`);
  return `normal: ${formatCell(g.normal)}${concat(g.normalConcat)} | reduce: ${formatCell(g.reduce)}${concat(g.reduceConcat)}`;
}

/** How many of `entries` (one cell's ops, or any list of genotype entries) have no weights. */
export function parameterFreeCount(entries: readonly GenotypeEntry[]): number {
  return entries.filter(([op]) => isParameterFree(op)).length;
}

/**
 * The fraction of the genotype's ops that are parameter-free: over its normal and reduction cells
 * (16 ops for a DARTS cell pair), and its upsampling cell where it has one (AutoDispNet's).
 */
export function parameterFreeShare(g: {
  readonly normal: readonly GenotypeEntry[];
  readonly reduce: readonly GenotypeEntry[];
  readonly upsample?: readonly GenotypeEntry[];
}): number {
  const ops = [...g.normal, ...g.reduce, ...(g.upsample ?? [])];
  if (ops.length === 0) throw new Error('parameterFreeShare: the genotype has no ops');
  return parameterFreeCount(ops) / ops.length;
}
