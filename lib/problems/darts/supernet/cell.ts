/**
 * The search cell (docs/method.md §2, "Cell"): s0 and s1 are preprocessed to C channels (ReLU-Conv1x1-BN,
 * or FactorizedReduce for s0 when the previous cell reduced); node i sums one MixedOp per
 * predecessor [s0, s1, n0 .. n(i-1)] (14 edges, lib/spaces/topology.ts); in a reduction cell the
 * edges from s0 and s1 have stride 2. Output: the 4 nodes concatenated on channels (4C).
 * Variable names as the DARTS code's Cell: `preprocess0.*`, `preprocess1.*`, `_ops.<edge>.*`.
 * `applyArchitecture` is the discrete forward of RS-ws (docs/method.md §4): only a genotype's 8 ops.
 */
import { tf } from '../../../backend';
import { ReLUConvBN } from '../../../nn/conv_ops';
import { FactorizedReduce } from '../../../nn/factorized_reduce';
import { dropPath } from '../../../nn/drop_path';
import { concatChannels, sumN } from '../../../nn/lean';
import { Module, type ForwardContext, type Op } from '../../../nn/module';
import { Init } from '../../../nn/random';
import type { GenotypeEntry } from '../../../spaces/genotype';
import type { OpName } from '../../../spaces/primitives';
import type { SearchSpace } from '../../../spaces/spaces';
import { EDGES, edgeStride, NUM_EDGES, NUM_NODES } from '../../../spaces/topology';
import { MixedOp } from './mixed_op';

/** The sizes of one cell. */
export interface CellSizes {
  /** Channels of s0 (output of cell k-2, or the stem). */
  readonly cPrevPrev: number;
  /** Channels of s1 (output of cell k-1, or the stem). */
  readonly cPrev: number;
  /** Channels of each node (the cell outputs 4C). */
  readonly C: number;
  readonly reduction: boolean;
  /** Whether the previous cell reduced (then s0 is twice s1's size and FactorizedReduce halves it). */
  readonly reductionPrev: boolean;
}

/** One entry of a genotype placed on the supernet: the edge (input -> node) and the op taken from its MixedOp. */
export interface ArchitectureEdge {
  readonly node: number;
  readonly input: number;
  readonly edge: number;
  readonly op: OpName;
}

const inputName = (input: number) => (input < 2 ? `s${input}` : `n${input - 2}`);

/**
 * Places the 8 genotype entries of one cell (2 per node, nodes in order; input 0 = s0, 1 = s1,
 * 2 + m = node m) on the supernet's edges, checking them against `lists` (the cell type's op lists,
 * 14 edges). `what` names the entries in errors (e.g. `architecture.normal`), `space` the space.
 * Throws, naming the entry, on a malformed entry, an input that is not a predecessor of its node,
 * two entries of one node on the same input, or an op that the edge does not offer.
 */
export function placeArchitecture(
  entries: readonly GenotypeEntry[],
  lists: SearchSpace['normal'],
  what: string,
  space = 'this space',
): ArchitectureEdge[] {
  if (!Array.isArray(entries) || entries.length !== 2 * NUM_NODES) {
    const got = Array.isArray(entries) ? `${entries.length} entries` : String(entries);
    throw new Error(`${what} has ${got}; expected ${2 * NUM_NODES} (2 per node)`);
  }
  return entries.map((entry, i) => {
    const node = Math.floor(i / 2);
    const at = `${what}[${i}] (node ${node})`;
    if (!Array.isArray(entry) || entry.length !== 2) throw new Error(`${at} is ${JSON.stringify(entry)}; expected [op, input]`);
    const [op, input] = entry;
    if (!Number.isInteger(input) || input < 0 || input >= node + 2) {
      throw new Error(
        `${at}: input ${JSON.stringify(input)} is not a predecessor of node ${node}; ` +
          `use 0..${node + 1} (0 = s0, 1 = s1, 2 + m = node m)`,
      );
    }
    if (i % 2 === 1 && entries[i - 1][1] === input) throw new Error(`${at}: both entries of node ${node} take input ${input}`);
    const edge = EDGES.findIndex((e) => e.node === node && e.input === input);
    if (!lists[edge].includes(op)) {
      throw new Error(
        `${at}: op ${JSON.stringify(op)} is not offered on edge ${edge} (${inputName(input)} -> n${node}) in ${space} ` +
          `(${lists[edge].join(', ')})`,
      );
    }
    return { node, input, edge, op };
  });
}

/** One cell of the supernet; its ops are those of `space.reduce` in a reduction cell, else `space.normal`. */
export class SearchCell extends Module {
  readonly reduction: boolean;
  readonly preprocess0: Op;
  readonly preprocess1: Op;
  readonly edges: readonly MixedOp[];

  constructor(space: SearchSpace, sizes: CellSizes, init: Init = new Init(0)) {
    super();
    const { cPrevPrev, cPrev, C, reduction, reductionPrev } = sizes;
    this.reduction = reduction;
    this.preprocess0 = this.addChild(
      'preprocess0',
      reductionPrev ? new FactorizedReduce(cPrevPrev, C, false, init) : new ReLUConvBN(cPrevPrev, C, 1, 1, 0, false, init),
    );
    this.preprocess1 = this.addChild('preprocess1', new ReLUConvBN(cPrev, C, 1, 1, 0, false, init));
    const lists = reduction ? space.reduce : space.normal;
    if (lists.length !== NUM_EDGES) throw new Error(`space ${space.name} has ${lists.length} edges; expected ${NUM_EDGES}`);
    this.edges = EDGES.map(({ edge }) => this.addChild(`_ops.${edge}`, new MixedOp(lists[edge], C, edgeStride(edge, reduction), init)));
  }

  /**
   * s0, s1: [N, H, W, cPrevPrev] and [N, H', W', cPrev] -> [N, H'', W'', 4C]; `weights`: the
   * softmax of this cell type's alphas, [14, K]. In training mode with `ctx.dropPathProb` > 0 every
   * edge output (the whole MixedOp sum) goes through drop path, seeded by the pass (ScheduledDropPath,
   * docs/method.md §4, as RobustDARTS's search Cell). The caller owns the result.
   */
  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, weights: tf.Tensor2D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const rows = tf.unstack(weights) as tf.Tensor1D[];
      const states: tf.Tensor4D[] = [this.preprocess0.apply(s0, ctx), this.preprocess1.apply(s1, ctx)];
      for (let node = 0; node < NUM_NODES; node++) {
        const inputs = EDGES.filter((e) => e.node === node);
        const terms = inputs.map(({ edge, input }) => {
          const out = this.edges[edge].apply(states[input], rows[edge], ctx);
          return ctx.training && ctx.dropPathProb > 0 ? dropPath(out, ctx.dropPathProb, ctx.nextSeed()) : out;
        });
        states.push(sumN(terms));
      }
      return concatChannels(states.slice(2));
    });
  }

  /**
   * The discrete forward (RS-ws, docs/method.md §4: "one-hot alphas, no softmax"): node k is the sum,
   * with weight 1, of its two genotype entries' ops, each the op of that name in the MixedOp of edge
   * (input -> node k), on the shared weights; no other edge or op is computed. Equals `apply` with
   * `weights` 1 at the entries' (edge, op) and 0 elsewhere. Drop path as in `apply`, per entry.
   * `entries`: the genotype's 8 entries of this cell type (checked: `placeArchitecture`). The
   * caller owns the result, [N, H'', W'', 4C].
   */
  applyArchitecture(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    entries: readonly GenotypeEntry[],
    ctx: ForwardContext,
    what = 'architecture',
  ): tf.Tensor4D {
    const placed = placeArchitecture(
      entries,
      this.edges.map((e) => e.primitives),
      what,
    );
    return tf.tidy(() => {
      const states: tf.Tensor4D[] = [this.preprocess0.apply(s0, ctx), this.preprocess1.apply(s1, ctx)];
      for (let node = 0; node < NUM_NODES; node++) {
        const terms = placed
          .filter((p) => p.node === node)
          .map(({ edge, input, op }) => {
            const out = this.edges[edge].applyOp(states[input], op, ctx);
            return ctx.training && ctx.dropPathProb > 0 ? dropPath(out, ctx.dropPathProb, ctx.nextSeed()) : out;
          });
        states.push(sumN(terms));
      }
      return concatChannels(states.slice(2));
    });
  }
}
