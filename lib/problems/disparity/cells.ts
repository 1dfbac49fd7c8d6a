/**
 * The search cells of the AutoDispNet space (lib/spaces/autodispnet.ts), with the AutoDispNet
 * code's preprocessing and a mixed op on every edge (sum over the 8 ops of softmax(alpha_edge)_k
 * op_k(x), docs/method.md §2):
 *   EncoderCell   s0 -> ConvReLU 1x1 to C (SpatialReduce, ConvReLU 3x3 stride 2, when the previous
 *                 cell reduced), s1 -> ConvReLU 1x1 to C; 9 mixed edges, stride 2 on those from s0
 *                 and s1 in a reduction cell; output the 3 nodes concatenated (3C channels).
 *   UpsampleCell  s0 -> ConvReLU 1x1 to C (an Upsample when the previous cell upsampled, s0 then
 *                 being one level coarser), s1 -> ConvReLU 1x1 to C, each then upsampled x2 by its
 *                 own Upsample; the previous prediction (already resized) and the support feature
 *                 -> ConvReLU 1x1 to C; 15 mixed edges at stride 1; output 3C channels.
 * Variable names: `preprocess0.*`, `preprocess1.*` (and `preprocess_pred.*`, `preprocess_support.*`,
 * `upsample0.*`, `upsample1.*`), `edges.<edge>.<op index>.*`.
 * Discrete cells (a genotype's, trained from scratch): given the genotype's edges of the cell's type
 * (lib/spaces/autodispnet.ts `chosenEdges`), a cell builds only those, each with its one op
 * (variables `edges.<edge>.*`), and a node sums its edges' outputs unweighted; the preprocessing is
 * the search cell's.
 */
import { tf } from '../../backend';
import { Identity, Zero } from '../../nn/basic';
import { concatChannels, sumN } from '../../nn/lean';
import { mixOps } from '../../nn/mix';
import { type ForwardContext, Module, type Op } from '../../nn/module';
import type { Init } from '../../nn/random';
import {
  AUTODISPNET_NODES,
  AUTODISPNET_PRIMITIVES,
  type AutoDispNetEdge,
  type AutoDispNetOp,
  type ChosenEdge,
  ENCODER_EDGES,
  encoderEdgeStride,
  UPSAMPLE_EDGES,
} from '../../spaces/autodispnet';
import { ConvReLU, DilConv, PoolBN, SepConv, Upsample } from './layers';

/** One op of the space on C channels at `stride`, the AutoDispNet code's way (./layers.ts). */
export function buildOp(name: AutoDispNetOp, C: number, stride: number, batchNormOn: boolean, init: Init): Op {
  switch (name) {
    case 'none':
      return new Zero(stride);
    case 'max_pool_3x3':
      return new PoolBN('max', C, stride, batchNormOn);
    case 'avg_pool_3x3':
      return new PoolBN('avg', C, stride, batchNormOn);
    case 'skip_connect':
      return stride === 1 ? new Identity() : new ConvReLU(C, C, 3, stride, batchNormOn, init);
    case 'sep_conv_3x3':
      return new SepConv(C, 3, stride, batchNormOn, init);
    case 'sep_conv_5x5':
      return new SepConv(C, 5, stride, batchNormOn, init);
    case 'dil_conv_3x3':
      return new DilConv(C, 3, stride, batchNormOn, init);
    case 'dil_conv_5x5':
      return new DilConv(C, 5, stride, batchNormOn, init);
  }
}

/** One edge: every op of the space, mixed by the edge's weights (the zero op's term skipped: lib/nn/mix.ts). */
export class MixedEdge extends Module {
  readonly ops: readonly Op[];

  constructor(C: number, stride: number, batchNormOn: boolean, init: Init) {
    super();
    this.ops = AUTODISPNET_PRIMITIVES.map((name, k) => this.addChild(`${k}`, buildOp(name, C, stride, batchNormOn, init)));
  }

  /** x [N, H, W, C], weights: the edge's softmax row [8]. The caller owns the result. */
  apply(x: tf.Tensor4D, weights: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    return mixOps(weights, this.ops, x, ctx);
  }
}

/**
 * A cell's edges: every edge of its type with a mixed op (search), or the genotype's edges with
 * their one op each (discrete; file header).
 */
class CellEdges extends Module {
  private readonly mixed: readonly MixedEdge[] = [];
  private readonly single: readonly { readonly chosen: ChosenEdge; readonly op: Op }[] = [];

  constructor(
    private readonly edges: readonly AutoDispNetEdge[],
    chosen: readonly ChosenEdge[] | null,
    strideOf: (edge: number) => number,
    C: number,
    batchNormOn: boolean,
    init: Init,
  ) {
    super();
    if (chosen === null) this.mixed = edges.map((e) => this.addChild(`${e.edge}`, new MixedEdge(C, strideOf(e.edge), batchNormOn, init)));
    else
      this.single = chosen.map((c) => ({
        chosen: c,
        op: this.addChild(`${c.edge.edge}`, buildOp(c.op, C, strideOf(c.edge.edge), batchNormOn, init)),
      }));
  }

  /** Whether the cell is discrete (its edges are a genotype's). */
  get discrete(): boolean {
    return this.mixed.length === 0;
  }

  /**
   * The nodes from the cell's input states (`states` grows by each node), mixed by `weights`
   * [edges, 8] (search) or summed (discrete, `weights` null); the output concatenates the nodes.
   */
  run(states: tf.Tensor4D[], weights: tf.Tensor2D | null, ctx: ForwardContext): tf.Tensor4D {
    if (this.discrete !== (weights === null))
      throw new Error(`a ${this.discrete ? 'discrete' : 'search'} cell ${this.discrete ? 'takes no' : 'needs its'} mixing weights`);
    return tf.tidy(() => {
      const rows = weights ? (tf.unstack(weights) as tf.Tensor1D[]) : [];
      const nodes: tf.Tensor4D[] = [];
      for (let node = 0; node < AUTODISPNET_NODES; node++) {
        const terms = this.discrete
          ? this.single.filter((s) => s.chosen.edge.node === node).map((s) => s.op.apply(states[s.chosen.edge.input], ctx))
          : this.edges.filter((e) => e.node === node).map((e) => this.mixed[e.edge].apply(states[e.input], rows[e.edge], ctx));
        const s = sumN(terms);
        states.push(s);
        nodes.push(s);
      }
      return concatChannels(nodes);
    });
  }
}

/** The sizes of an encoder cell. */
export interface EncoderCellSizes {
  /** Channels of s0 and of s1. */
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** Channels of each node (the cell outputs 3C). */
  readonly C: number;
  readonly reduction: boolean;
  /** Whether the previous cell reduced: s0 is then twice s1's size and SpatialReduce halves it. */
  readonly reductionPrev: boolean;
}

/** A normal or reduction search cell of the encoder (file header). */
export class EncoderCell extends Module {
  readonly preprocess0: ConvReLU;
  readonly preprocess1: ConvReLU;
  private readonly edges: CellEdges;

  /** `chosen`: the genotype's edges of this cell's type (a discrete cell), or null (a search cell). */
  constructor(
    readonly sizes: EncoderCellSizes,
    batchNormOn: boolean,
    init: Init,
    chosen: readonly ChosenEdge[] | null = null,
  ) {
    super();
    const { cPrevPrev, cPrev, C, reduction, reductionPrev } = sizes;
    this.preprocess0 = this.addChild(
      'preprocess0',
      reductionPrev ? new ConvReLU(cPrevPrev, C, 3, 2, batchNormOn, init) : new ConvReLU(cPrevPrev, C, 1, 1, batchNormOn, init),
    );
    this.preprocess1 = this.addChild('preprocess1', new ConvReLU(cPrev, C, 1, 1, batchNormOn, init));
    this.edges = this.addChild('edges', new CellEdges(ENCODER_EDGES, chosen, (e) => encoderEdgeStride(e, reduction), C, batchNormOn, init));
  }

  /**
   * The cell's output [N, H', W', 3C] from s0, s1 and the mixing weights [9, 8] of its type (null
   * for a discrete cell). The caller owns the result.
   */
  apply(s0: tf.Tensor4D, s1: tf.Tensor4D, weights: tf.Tensor2D | null, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => this.edges.run([this.preprocess0.apply(s0, ctx), this.preprocess1.apply(s1, ctx)], weights, ctx));
  }
}

/** The sizes of an upsampling cell. */
export interface UpsampleCellSizes {
  readonly cPrevPrev: number;
  readonly cPrev: number;
  /** Channels of the support feature. */
  readonly cSupport: number;
  readonly C: number;
  /** Whether the previous cell upsampled: s0 is then one level coarser than s1. */
  readonly upsamplePrev: boolean;
}

/** An upsampling search cell (file header). */
export class UpsampleCell extends Module {
  private readonly edges: CellEdges;
  private readonly preprocess0: Op;
  private readonly preprocess1: ConvReLU;
  private readonly preprocessPred: ConvReLU;
  private readonly preprocessSupport: ConvReLU;
  private readonly upsample0: Upsample;
  private readonly upsample1: Upsample;

  constructor(
    readonly sizes: UpsampleCellSizes,
    batchNormOn: boolean,
    init: Init,
    chosen: readonly ChosenEdge[] | null = null,
  ) {
    super();
    const { cPrevPrev, cPrev, cSupport, C, upsamplePrev } = sizes;
    this.preprocess0 = this.addChild(
      'preprocess0',
      upsamplePrev ? new Upsample(cPrevPrev, C, batchNormOn, init) : new ConvReLU(cPrevPrev, C, 1, 1, batchNormOn, init),
    );
    this.preprocess1 = this.addChild('preprocess1', new ConvReLU(cPrev, C, 1, 1, batchNormOn, init));
    this.preprocessPred = this.addChild('preprocess_pred', new ConvReLU(1, C, 1, 1, batchNormOn, init));
    this.preprocessSupport = this.addChild('preprocess_support', new ConvReLU(cSupport, C, 1, 1, batchNormOn, init));
    this.upsample0 = this.addChild('upsample0', new Upsample(C, C, batchNormOn, init));
    this.upsample1 = this.addChild('upsample1', new Upsample(C, C, batchNormOn, init));
    this.edges = this.addChild('edges', new CellEdges(UPSAMPLE_EDGES, chosen, () => 1, C, batchNormOn, init));
  }

  /**
   * The cell's output [N, 2H, 2W, 3C] from s0 and s1 (s1 at H x W), the previous prediction resized
   * to 2H x 2W, the support feature at 2H x 2W and the mixing weights [15, 8] (null for a discrete
   * cell). The caller owns the result.
   */
  apply(
    s0: tf.Tensor4D,
    s1: tf.Tensor4D,
    prediction: tf.Tensor4D,
    support: tf.Tensor4D,
    weights: tf.Tensor2D | null,
    ctx: ForwardContext,
  ): tf.Tensor4D {
    return tf.tidy(() => {
      const states = [
        this.upsample0.apply(this.preprocess0.apply(s0, ctx), ctx),
        this.upsample1.apply(this.preprocess1.apply(s1, ctx), ctx),
        this.preprocessPred.apply(prediction, ctx),
        this.preprocessSupport.apply(support, ctx),
      ];
      const shapes = states.map((s) => s.shape.join());
      if (new Set(shapes).size !== 1)
        throw new Error(`UpsampleCell: the inputs' shapes differ after preprocessing: ${shapes.map((s) => `[${s}]`).join(', ')}`);
      return this.edges.run(states, weights, ctx);
    });
  }
}
