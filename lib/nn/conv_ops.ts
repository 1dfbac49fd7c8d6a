/**
 * The conv ops of docs/method.md §2, as the DARTS code's operations.py builds them (no conv bias):
 *   ReLUConvBN   = ReLU, Conv KxK, BN                                  (`op.1`, `op.2`)
 *   dil_conv_KxK = ReLU, depthwise KxK dilation 2 stride s, Conv1x1, BN (`op.1`, `op.2`, `op.3`)
 *   sep_conv_KxK = ReLU, depthwise KxK stride s, Conv1x1, BN,
 *                  ReLU, depthwise KxK stride 1, Conv1x1, BN          (`op.1..3`, `op.5..7`)
 * Padding is PyTorch's symmetric padding: (K - 1) / 2 x dilation on every side.
 *
 * Dilation on every backend is lib/nn/conv.ts's business (`depthwiseConv2d`).
 */
import { tf } from '../backend';
import { batchNorm, BatchNorm, type BatchNormState } from './batchnorm';
import { conv2d, depthwiseConv2d, fusedReluDepthwiseConv2d } from './conv';
import { type BnMode, Module, type Op } from './module';
import { relu } from './pool';
import { checkInteger, Init } from './random';

/** ReLU, Conv (HWIO w, stride, pad), BN. The caller owns the result. */
export function reluConvBN(x: tf.Tensor4D, w: tf.Tensor4D, bn: BatchNormState, stride: number, pad: number, mode: BnMode): tf.Tensor4D {
  return tf.tidy(() => batchNorm(conv2d(relu(x, mode.pattern), w, stride, pad), bn, mode.training, mode.updateRunningStats));
}

/** ReLU, depthwise (dw [K, K, C, 1]), pointwise (pw [1, 1, C, Cout]), BN. The caller owns the result. */
export function dilConv(
  x: tf.Tensor4D,
  dw: tf.Tensor4D,
  pw: tf.Tensor4D,
  bn: BatchNormState,
  stride: number,
  pad: number,
  dilation: number,
  mode: BnMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    // ReLU and the depthwise conv in one kernel where the backend has it, except while ReLU's
    // masks are recorded or replayed for the curvature (the pattern needs ReLU as its own op).
    const fused = mode.pattern ? undefined : fusedReluDepthwiseConv2d(x, dw, stride, pad, dilation);
    const y = fused ?? depthwiseConv2d(relu(x, mode.pattern), dw, stride, pad, dilation);
    return batchNorm(conv2d(y, pw, 1, 0), bn, mode.training, mode.updateRunningStats);
  });
}

/** The weights of one ReLU-depthwise-pointwise-BN block. */
export interface SepBlock {
  readonly dw: tf.Tensor4D;
  readonly pw: tf.Tensor4D;
  readonly bn: BatchNormState;
}

/** Two blocks; only the first has the stride. The caller owns the result. */
export function sepConv(x: tf.Tensor4D, blocks: readonly [SepBlock, SepBlock], stride: number, pad: number, mode: BnMode): tf.Tensor4D {
  return tf.tidy(() => {
    const [a, b] = blocks;
    const y = dilConv(x, a.dw, a.pw, a.bn, stride, pad, 1, mode);
    return dilConv(y, b.dw, b.pw, b.bn, 1, pad, 1, mode);
  });
}

function checkSizes(what: string, cin: number, cout: number, k: number): void {
  checkInteger(cin, `${what}: cin`, 1);
  checkInteger(cout, `${what}: cout`, 1);
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`${what}: kernel=${k}; use an odd size`);
}

/** ReLU-Conv-BN (the cells' preprocessing, 1x1): variables `op.1.weight`, `op.2.*`. */
export class ReLUConvBN extends Module implements Op {
  readonly weight: tf.Variable;
  readonly bn: BatchNorm;

  constructor(
    cin: number,
    cout: number,
    readonly kernel: number,
    readonly stride: number,
    readonly pad: number,
    affine: boolean,
    init: Init = new Init(0),
  ) {
    super();
    checkSizes('ReLUConvBN', cin, cout, kernel);
    this.weight = this.addVariable('op.1.weight', init.conv(kernel, kernel, cin, cout), true, 'conv');
    this.bn = this.addChild('op.2', new BatchNorm(cout, affine));
  }

  apply(x: tf.Tensor4D, ctx: BnMode): tf.Tensor4D {
    return reluConvBN(x, this.weight as tf.Tensor4D, this.bn, this.stride, this.pad, ctx);
  }
}

/** dil_conv_KxK: variables `op.1.weight` (depthwise), `op.2.weight` (pointwise), `op.3.*` (BN). */
export class DilConv extends Module implements Op {
  readonly dw: tf.Variable;
  readonly pw: tf.Variable;
  readonly bn: BatchNorm;

  constructor(
    cin: number,
    cout: number,
    readonly kernel: number,
    readonly stride: number,
    readonly pad: number,
    readonly dilation: number,
    affine: boolean,
    init: Init = new Init(0),
  ) {
    super();
    checkSizes('DilConv', cin, cout, kernel);
    this.dw = this.addVariable('op.1.weight', init.depthwise(kernel, cin), true, 'depthwise');
    this.pw = this.addVariable('op.2.weight', init.conv(1, 1, cin, cout), true, 'conv');
    this.bn = this.addChild('op.3', new BatchNorm(cout, affine));
  }

  apply(x: tf.Tensor4D, ctx: BnMode): tf.Tensor4D {
    return dilConv(x, this.dw as tf.Tensor4D, this.pw as tf.Tensor4D, this.bn, this.stride, this.pad, this.dilation, ctx);
  }
}

/** sep_conv_KxK: variables `op.1.weight`, `op.2.weight`, `op.3.*`, `op.5.weight`, `op.6.weight`, `op.7.*`. */
export class SepConv extends Module implements Op {
  readonly blocks: readonly [SepBlock, SepBlock];

  constructor(
    cin: number,
    cout: number,
    readonly kernel: number,
    readonly stride: number,
    readonly pad: number,
    affine: boolean,
    init: Init = new Init(0),
  ) {
    super();
    checkSizes('SepConv', cin, cout, kernel);
    const dw1 = this.addVariable('op.1.weight', init.depthwise(kernel, cin), true, 'depthwise') as tf.Tensor4D;
    const pw1 = this.addVariable('op.2.weight', init.conv(1, 1, cin, cin), true, 'conv') as tf.Tensor4D;
    const bn1 = this.addChild('op.3', new BatchNorm(cin, affine));
    const dw2 = this.addVariable('op.5.weight', init.depthwise(kernel, cin), true, 'depthwise') as tf.Tensor4D;
    const pw2 = this.addVariable('op.6.weight', init.conv(1, 1, cin, cout), true, 'conv') as tf.Tensor4D;
    const bn2 = this.addChild('op.7', new BatchNorm(cout, affine));
    this.blocks = [
      { dw: dw1, pw: pw1, bn: bn1 },
      { dw: dw2, pw: pw2, bn: bn2 },
    ];
  }

  apply(x: tf.Tensor4D, ctx: BnMode): tf.Tensor4D {
    return sepConv(x, this.blocks, this.stride, this.pad, ctx);
  }
}
