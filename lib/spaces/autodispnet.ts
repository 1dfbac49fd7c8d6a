/**
 * The AutoDispNet search space (Saikia et al., ICCV 2019), the disparity-estimation space whose
 * DARTS search the paper's cross-domain experiments regularise (docs/method.md §7); the supernet
 * that searches it is lib/problems/disparity. Three cell types share one op list, each with its own
 * alphas:
 *   - the encoder's normal and reduction cells: inputs s0 (cell k-2) and s1 (cell k-1), 3
 *     intermediate nodes, node i summing one edge from each of s0, s1, n0 .. n(i-1): 2 + 3 + 4 = 9
 *     edges, numbered node by node (node 0: e0 s0, e1 s1; node 1: e2 s0, e3 s1, e4 n0; node 2: e5 ..
 *     e8). In a reduction cell the edges from s0 and s1 (e0 e1 e2 e3 e5 e6) have stride 2;
 *   - the upsampling cell: 4 inputs (0: s0 and 1: s1, each upsampled x2; 2: the previous disparity
 *     prediction; 3: the encoder's "support" feature at this resolution), node 0 summing one edge from
 *     each input, nodes 1 and 2 one from each input and earlier node: 4 + 5 + 6 = 15 edges (node 0:
 *     e0 .. e3; node 1: e4 .. e8, e8 from n0; node 2: e9 .. e14, e13 from n0, e14 from n1).
 * Every cell's output is the channel concatenation of its 3 nodes. The alphas are normal [9, 8],
 * reduce [9, 8] and upsample [15, 8]: 264 in all.
 *
 * Ops: the DARTS 8 (AUTODISPNET_PRIMITIVES). The AutoDispNet code's op table leaves the dilated
 * convolutions out of its reduction cells, because TensorFlow's dilated convolution refused a stride
 * of 2; ours has dilation at any stride (lib/nn/conv.ts), so we keep all 8 ops on every edge, the
 * stride-2 edges of reduction cells included. A genotype derived from our alphas may therefore hold
 * a dilated convolution on a stride-2 edge, which the AutoDispNet code could not build.
 *
 * Genotype (the AutoDispNet code's record, with no concat field: all nodes are concatenated):
 * `normal` and `reduce` hold 6 entries [op, input], 2 per node (input 0 = s0, 1 = s1, 2 + m = node m);
 * `upsample` holds 8: node 0's 4 (one per input 0..3), then 2 for node 1 and 2 for node 2 (input
 * 0..3 = the inputs, 4 + m = node m). Derived from alphas as DARTS derives its cells (docs/method.md
 * §2): each edge's softmax, its strongest op other than `none`; per node the 2 edges whose strongest
 * op weighs most, stronger first (ties: the lower input), except the upsampling cell's node 0, which
 * keeps all 4 edges (only the op is chosen), also stronger first.
 */
import { strongestEdges } from './genotype';
import { DARTS_PRIMITIVES } from './primitives';
import type { Edge } from './topology';

/** The ops of the space, in the order of the alphas' columns: the DARTS 8. */
export const AUTODISPNET_PRIMITIVES = DARTS_PRIMITIVES;

/** One op of the space. */
export type AutoDispNetOp = (typeof AUTODISPNET_PRIMITIVES)[number];

/** Intermediate nodes of every cell type. */
export const AUTODISPNET_NODES = 3;

/** Inputs of the upsampling cell: s0 and s1 (upsampled), the previous prediction, the support feature. */
export const UPSAMPLE_INPUTS = 4;

/** One edge of a cell: its row in the cell type's alphas, its node, and its input (numbered as the genotype does). */
export type AutoDispNetEdge = Edge;

function buildEdges(inputsOf: (node: number) => number): readonly AutoDispNetEdge[] {
  const edges: AutoDispNetEdge[] = [];
  for (let node = 0; node < AUTODISPNET_NODES; node++) {
    for (let input = 0; input < inputsOf(node); input++) edges.push(Object.freeze({ edge: edges.length, node, input }));
  }
  return Object.freeze(edges);
}

/** The 9 edges of the encoder cells (normal and reduction), in alpha-row order: node i reads s0, s1, n0 .. n(i-1). */
export const ENCODER_EDGES: readonly AutoDispNetEdge[] = buildEdges((node) => node + 2);

/** The 15 edges of the upsampling cell, in alpha-row order: node i reads the 4 inputs, then n0 .. n(i-1). */
export const UPSAMPLE_EDGES: readonly AutoDispNetEdge[] = buildEdges((node) => node + UPSAMPLE_INPUTS);

/** The stride of encoder edge `edge`: 2 on an edge from s0 or s1 of a reduction cell, else 1. */
export function encoderEdgeStride(edge: number, reduction: boolean): 1 | 2 {
  if (!Number.isInteger(edge) || edge < 0 || edge >= ENCODER_EDGES.length) {
    throw new Error(`encoder edge ${edge} is not an edge index; use an integer in 0..${ENCODER_EDGES.length - 1}`);
  }
  return reduction && ENCODER_EDGES[edge].input < 2 ? 2 : 1;
}

/** One kept edge of a discrete cell: its op and its input. */
export type AutoDispNetEntry = readonly [op: AutoDispNetOp, input: number];

/** A discrete AutoDispNet architecture (file header): the three cell types. */
export interface AutoDispNetGenotype {
  readonly normal: readonly AutoDispNetEntry[];
  readonly reduce: readonly AutoDispNetEntry[];
  readonly upsample: readonly AutoDispNetEntry[];
}

/** Raw (pre-softmax) alphas of the three cell types: [9][8], [9][8], [15][8]. */
export interface AutoDispNetAlphas {
  readonly normal: readonly (readonly number[])[];
  readonly reduce: readonly (readonly number[])[];
  readonly upsample: readonly (readonly number[])[];
}

/** The cell types, in the order the supernet lists its alphas. */
export const AUTODISPNET_CELLS = ['normal', 'reduce', 'upsample'] as const;

/** One cell type. */
export type AutoDispNetCell = (typeof AUTODISPNET_CELLS)[number];

/** The edges of a cell type. */
export function autoDispNetEdges(cell: AutoDispNetCell): readonly AutoDispNetEdge[] {
  return cell === 'upsample' ? UPSAMPLE_EDGES : ENCODER_EDGES;
}

/**
 * The released AutoDispNet-C cell (the AutoDispNet code's genotype, identical in its CSS, css and
 * CSS-kitti nets).
 */
export const AUTODISPNET_RELEASED: AutoDispNetGenotype = Object.freeze<AutoDispNetGenotype>({
  normal: [
    ['skip_connect', 0],
    ['sep_conv_5x5', 1],
    ['sep_conv_3x3', 2],
    ['skip_connect', 0],
    ['dil_conv_3x3', 2],
    ['dil_conv_3x3', 0],
  ],
  reduce: [
    ['sep_conv_5x5', 1],
    ['sep_conv_3x3', 0],
    ['sep_conv_5x5', 2],
    ['skip_connect', 0],
    ['skip_connect', 1],
    ['sep_conv_5x5', 3],
  ],
  upsample: [
    ['sep_conv_3x3', 3],
    ['dil_conv_3x3', 2],
    ['sep_conv_3x3', 1],
    ['skip_connect', 0],
    ['sep_conv_3x3', 3],
    ['sep_conv_3x3', 4],
    ['sep_conv_3x3', 2],
    ['dil_conv_5x5', 4],
  ],
});

/** How many entries each node of a cell type keeps: 2 per node, the upsampling cell's node 0 all 4. */
function keptPerNode(cell: AutoDispNetCell, node: number): number {
  return cell === 'upsample' && node === 0 ? UPSAMPLE_INPUTS : 2;
}

/** The number of entries of a cell type's genotype: 6 (encoder) or 8 (upsampling). */
export function autoDispNetEntries(cell: AutoDispNetCell): number {
  let n = 0;
  for (let node = 0; node < AUTODISPNET_NODES; node++) n += keptPerNode(cell, node);
  return n;
}

/** The input's name in a cell: s0, s1 (encoder; upsampling: s0, s1, pred, support) or nM. */
function inputName(cell: AutoDispNetCell, input: number): string {
  const inputs = cell === 'upsample' ? ['s0', 's1', 'pred', 'support'] : ['s0', 's1'];
  return input < inputs.length ? inputs[input] : `n${input - inputs.length}`;
}

/**
 * Checks a genotype's shape, ops and inputs: per node the right number of entries, each an op of
 * the space other than `none` on a predecessor of its node, no input twice in a node (the
 * upsampling cell's node 0 reads each of its 4 inputs once). Errors name the cell and the entry.
 */
export function checkAutoDispNetGenotype(g: AutoDispNetGenotype): AutoDispNetGenotype {
  for (const cell of AUTODISPNET_CELLS) {
    const entries = g?.[cell];
    const expected = autoDispNetEntries(cell);
    if (!Array.isArray(entries) || entries.length !== expected) {
      const got = Array.isArray(entries) ? `${entries.length} entries` : String(entries);
      throw new Error(`AutoDispNet genotype: ${cell} has ${got}; expected ${expected}`);
    }
    const firstInput = cell === 'upsample' ? UPSAMPLE_INPUTS : 2;
    let at = 0;
    for (let node = 0; node < AUTODISPNET_NODES; node++) {
      const seen = new Set<number>();
      for (let k = 0; k < keptPerNode(cell, node); k++, at++) {
        const entry = entries[at];
        const where = `AutoDispNet genotype: ${cell}[${at}] (node ${node})`;
        if (!Array.isArray(entry) || entry.length !== 2) throw new Error(`${where} is ${JSON.stringify(entry)}; expected [op, input]`);
        const [op, input] = entry;
        if (op === 'none' || !(AUTODISPNET_PRIMITIVES as readonly string[]).includes(op)) {
          throw new Error(`${where}: op ${JSON.stringify(op)}; use one of ${AUTODISPNET_PRIMITIVES.slice(1).join(', ')}`);
        }
        if (!Number.isInteger(input) || input < 0 || input >= firstInput + node) {
          throw new Error(`${where}: input ${JSON.stringify(input)} is not a predecessor of node ${node} (0..${firstInput + node - 1})`);
        }
        if (seen.has(input)) throw new Error(`${where}: node ${node} takes input ${input} twice`);
        seen.add(input);
      }
    }
  }
  return g;
}

/** The cell's discrete entries from its alphas (file header's rule). */
function deriveCell(alphas: readonly (readonly number[])[], cell: AutoDispNetCell): AutoDispNetEntry[] {
  const edges = autoDispNetEdges(cell);
  if (!Array.isArray(alphas) || alphas.length !== edges.length) {
    throw new Error(
      `AutoDispNet alphas: ${cell} has ${Array.isArray(alphas) ? `${alphas.length} rows` : String(alphas)}; expected ${edges.length} edges`,
    );
  }
  alphas.forEach((row, e) => {
    if (
      !Array.isArray(row) ||
      row.length !== AUTODISPNET_PRIMITIVES.length ||
      row.some((v) => typeof v !== 'number' || !Number.isFinite(v))
    ) {
      throw new Error(
        `AutoDispNet alphas: ${cell}[${e}] must be ${AUTODISPNET_PRIMITIVES.length} finite numbers (${AUTODISPNET_PRIMITIVES.join(', ')})`,
      );
    }
  });
  const entries: AutoDispNetEntry[] = [];
  for (let node = 0; node < AUTODISPNET_NODES; node++) {
    const mine = edges.filter((e) => e.node === node);
    entries.push(...strongestEdges(mine, alphas, () => AUTODISPNET_PRIMITIVES, keptPerNode(cell, node), cell));
  }
  return entries;
}

/** One edge of a discrete cell: the edge (its alpha row, node and input) and the op the genotype puts on it. */
export interface ChosenEdge {
  readonly edge: AutoDispNetEdge;
  readonly op: AutoDispNetOp;
}

/**
 * The edges a discrete cell of type `cell` builds from `g` (checked first), node by node in the
 * genotype's order: each entry [op, input] of node i is the edge from that input to node i.
 */
export function chosenEdges(g: AutoDispNetGenotype, cell: AutoDispNetCell): ChosenEdge[] {
  checkAutoDispNetGenotype(g);
  const edges = autoDispNetEdges(cell);
  const out: ChosenEdge[] = [];
  let at = 0;
  for (let node = 0; node < AUTODISPNET_NODES; node++) {
    for (let k = 0; k < keptPerNode(cell, node); k++, at++) {
      const [op, input] = g[cell][at];
      out.push({ edge: edges.find((e) => e.node === node && e.input === input) as AutoDispNetEdge, op });
    }
  }
  return out;
}

/** The genotype of raw alphas (file header's rule); throws on a wrong shape or a non-finite value, naming the cell and row. */
export function deriveAutoDispNetGenotype(alphas: AutoDispNetAlphas): AutoDispNetGenotype {
  return {
    normal: deriveCell(alphas.normal, 'normal'),
    reduce: deriveCell(alphas.reduce, 'reduce'),
    upsample: deriveCell(alphas.upsample, 'upsample'),
  };
}

function formatCell(entries: readonly AutoDispNetEntry[], cell: AutoDispNetCell): string {
  const nodes: string[] = [];
  let at = 0;
  for (let node = 0; node < AUTODISPNET_NODES; node++) {
    const ins = entries.slice(at, at + keptPerNode(cell, node)).map(([op, input]) => `${op}(${inputName(cell, input)})`);
    at += keptPerNode(cell, node);
    nodes.push(`n${node}=${ins.join('+')}`);
  }
  return nodes.join(' ');
}

/**
 * One readable line, e.g. `normal: n0=skip_connect(s0)+sep_conv_5x5(s1) ... | reduce: ... |
 * upsample: n0=sep_conv_3x3(support)+dil_conv_3x3(pred)+... ...`.
 */
export function formatAutoDispNetGenotype(g: AutoDispNetGenotype): string {
  return AUTODISPNET_CELLS.map((cell) => `${cell}: ${formatCell(g[cell], cell)}`).join(' | ');
}
