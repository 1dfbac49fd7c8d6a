/**
 * The operation registry (docs/method.md §2, "Ops"): `OPS[name](C, stride, affine, init?)` builds the op
 * called `name` (lib/spaces/primitives.ts) for an edge with C channels in and out, as the DARTS
 * code's `OPS` dict does. The pools here are bare; MixedOp (lib/problems/darts/supernet) appends their BN.
 */
import type { tf } from '../backend';
import type { OpName } from '../spaces/primitives';
import { checkStride, Identity, Noise, Zero } from './basic';
import { DilConv, SepConv } from './conv_ops';
import { FactorizedReduce } from './factorized_reduce';
import { Module, type ForwardContext, type Op } from './module';
import { avgPool3x3, maxPool3x3 } from './pool';
import { checkInteger, Init } from './random';

/** `max_pool_3x3`: no weights. */
export class MaxPool extends Module implements Op {
  constructor(readonly stride: number) {
    super();
    checkStride(stride);
  }

  apply(x: tf.Tensor4D, ctx?: ForwardContext): tf.Tensor4D {
    return maxPool3x3(x, this.stride, ctx?.pattern);
  }
}

/** `avg_pool_3x3` (padding excluded from the average): no weights. */
export class AvgPool extends Module implements Op {
  constructor(readonly stride: number) {
    super();
    checkStride(stride);
  }

  apply(x: tf.Tensor4D, _ctx?: ForwardContext): tf.Tensor4D {
    return avgPool3x3(x, this.stride);
  }
}

/**
 * Builds one op. `C`: channels in and out; `stride`: 1, or 2 on the s0/s1 edges of a reduction cell;
 * `affine`: whether its BNs learn a scale and shift (false in the supernet); `init`: where the
 * initial weights come from (a fixed default seed when omitted).
 */
export type OpFactory = (C: number, stride: number, affine: boolean, init?: Init) => Op;

function checked(build: (C: number, stride: number, affine: boolean, init: Init) => Op): OpFactory {
  return (C, stride, affine, init = new Init(0)) => {
    checkInteger(C, 'C', 1);
    checkStride(stride);
    return build(C, stride, affine, init);
  };
}

/** Every op by name. */
export const OPS: Readonly<Record<OpName, OpFactory>> = Object.freeze({
  none: checked((_C, stride) => new Zero(stride)),
  max_pool_3x3: checked((_C, stride) => new MaxPool(stride)),
  avg_pool_3x3: checked((_C, stride) => new AvgPool(stride)),
  skip_connect: checked((C, stride, affine, init) => (stride === 1 ? new Identity() : new FactorizedReduce(C, C, affine, init))),
  sep_conv_3x3: checked((C, stride, affine, init) => new SepConv(C, C, 3, stride, 1, affine, init)),
  sep_conv_5x5: checked((C, stride, affine, init) => new SepConv(C, C, 5, stride, 2, affine, init)),
  dil_conv_3x3: checked((C, stride, affine, init) => new DilConv(C, C, 3, stride, 2, 2, affine, init)),
  dil_conv_5x5: checked((C, stride, affine, init) => new DilConv(C, C, 5, stride, 4, 2, affine, init)),
  noise: checked((_C, stride) => new Noise(stride)),
});
