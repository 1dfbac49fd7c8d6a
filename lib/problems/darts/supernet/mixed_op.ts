/**
 * MixedOp (docs/method.md §2): the output of an edge is sum_k softmax(alpha_edge)_k op_k(x) over ALL its
 * candidate ops, `none` included; the pools are followed by a BN with affine = false. Variable names
 * as the DARTS code's MixedOp: `_ops.k.<op's names>`, and for a pool `_ops.k.1.*` (its BN; the pool
 * itself is `_ops.k.0`).
 */
import { tf } from '../../../backend';
import { BatchNorm, batchNorm } from '../../../nn/batchnorm';
import { weightedSum } from '../../../nn/lean';
import { mixOps } from '../../../nn/mix';
import { Module, type ForwardContext, type Op } from '../../../nn/module';
import { OPS } from '../../../nn/ops';
import { Init } from '../../../nn/random';
import type { OpName } from '../../../spaces/primitives';

/**
 * Row-wise softmax of alphas [E, K] -> mixing weights [E, K]. First-order exact; NOT exact at second
 * order (tfjs's Softmax and Exp gradients treat their saved output as a constant), and
 * the depthwise convs have no second derivative either, so Hessians of the supernet's loss are taken
 * by finite differences of this gradient. The caller owns the result.
 */
export function mixingWeights(alphas: tf.Tensor2D): tf.Tensor2D {
  return tf.softmax(alphas, -1);
}

/** sum_k weights[k] * outputs[k]; weights: [K] (lib/nn/lean.ts `weightedSum`). The caller owns the result. */
export function mixOutputs(weights: tf.Tensor1D, outputs: readonly tf.Tensor4D[]): tf.Tensor4D {
  if (weights.shape[0] !== outputs.length) {
    throw new Error(`mixOutputs: ${weights.shape[0]} weights for ${outputs.length} outputs`);
  }
  return weightedSum(weights, outputs);
}

/** A pool followed by its BN (affine = false), as nn.Sequential(pool, BN): the BN's variables are `1.*`. */
class PoolWithBN extends Module implements Op {
  private readonly bn: BatchNorm;

  constructor(
    private readonly pool: Op,
    channels: number,
  ) {
    super();
    this.bn = this.addChild('1', new BatchNorm(channels, false));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => batchNorm(this.pool.apply(x, ctx), this.bn, ctx.training, ctx.updateRunningStats));
  }
}

/** One edge of a search cell: every candidate op of the edge, mixed by the edge's weights. */
export class MixedOp extends Module {
  readonly ops: readonly Op[];

  constructor(
    readonly primitives: readonly OpName[],
    C: number,
    readonly stride: number,
    init: Init = new Init(0),
  ) {
    super();
    if (primitives.length === 0) throw new Error('MixedOp: primitives is empty');
    this.ops = primitives.map((name, k) => {
      const op = OPS[name](C, stride, false, init);
      const withBn = name === 'max_pool_3x3' || name === 'avg_pool_3x3' ? new PoolWithBN(op, C) : op;
      return this.addChild(`_ops.${k}`, withBn);
    });
  }

  /** x: [N, H, W, C], weights: this edge's softmax row [K] -> [N, H / stride, W / stride, C]. */
  apply(x: tf.Tensor4D, weights: tf.Tensor1D, ctx: ForwardContext): tf.Tensor4D {
    return mixOps(weights, this.ops, x, ctx);
  }

  /**
   * Only the candidate op `name` on x [N, H, W, C] (weight 1, no mixing): the discrete forward of
   * RS-ws (docs/method.md §4), where the other ops of the edge are not computed. Throws if the edge does
   * not offer `name`. The caller owns the result (for the identity it may be `x` itself).
   */
  applyOp(x: tf.Tensor4D, name: OpName, ctx: ForwardContext): tf.Tensor4D {
    const k = this.primitives.indexOf(name);
    if (k < 0) throw new Error(`MixedOp.applyOp: op ${JSON.stringify(name)} is not one of this edge's ops (${this.primitives.join(', ')})`);
    return this.ops[k].apply(x, ctx);
  }
}
