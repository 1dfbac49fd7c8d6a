/**
 * The layers of the AutoDispNet search network, in the AutoDispNet code's post-activation order:
 * convolution (with bias) -> leaky ReLU 0.1 -> batch norm. That order differs from DARTS's
 * ReLU-conv-BN (docs/method.md §2) and is kept as the code has it.
 *   ConvReLU      conv KxK at a stride, bias, leaky ReLU, BN (the cells' preprocessing, the stems,
 *                 and SpatialReduce = ConvReLU 3x3 stride 2: skip_connect at stride 2 and s0's
 *                 preprocessing after a reduction cell)
 *   Upsample      transposed conv 4x4 stride 2 ("same": output 2H x 2W), bias, leaky ReLU, BN
 *   SepConv       [depthwise KxK at the stride, pointwise 1x1 with bias, leaky ReLU, BN] twice, the
 *                 second at stride 1 (sep_conv_3x3, sep_conv_5x5)
 *   DilConv       depthwise KxK dilation 2 at the stride, pointwise with bias, leaky ReLU, BN
 *                 (dil_conv_3x3, dil_conv_5x5; kept at stride 2 too: lib/spaces/autodispnet.ts)
 *   pools         lib/nn's max and average pools 3x3 (padding 1, the average over the real pixels),
 *                 followed by BN as DARTS's MixedOp does
 *   Prediction    conv 3x3 to 1 channel with bias, then ReLU (see below)
 * Choices of ours, where the AutoDispNet code decides otherwise or not at all:
 *   - Batch norm: the released nets switch BN off; the search code is not public. With
 *     `batchNorm` (the presets' default) every BN above is an affine-free batch norm, as DARTS's
 *     search supernet has (docs/method.md §2), with the code's BN settings: momentum 0.9 in
 *     TensorFlow's convention (0.1 in PyTorch's, which lib/nn/batchnorm.ts uses) and eps 1e-3.
 *     Without it there is no BN at all (the released nets).
 *   - Padding: PyTorch's symmetric padding of (K - 1) / 2 (times the dilation) everywhere, as the
 *     rest of this project (lib/nn/conv.ts); TensorFlow's "same" pads the extra pixel of a
 *     stride-2 convolution at the bottom and right only. The transposed 4x4 convolution at stride
 *     2 pads 1 on every side, which is the same as TensorFlow's "same" there.
 *   - Sign: the AutoDispNet code predicts the left-to-right shift, -disparity, through min(0, .);
 *     we predict positive disparity through max(0, .) against the ground truth as it is.
 *   - Initialisation: He normal (std sqrt(2 / fan-in), the code's variance scaling with factor 2),
 *     fan-in = K x K x in channels (K x K for a depthwise filter, 4 x in channels for the
 *     transposed 4x4 convolution at stride 2, whose outputs each sum 4 taps per input channel),
 *     not truncated; biases 0.
 * Every layer takes its kinks (leaky ReLU, ReLU, max pool) from the pass's kink pattern
 * (lib/nn/pattern.ts) when one is given.
 */
import { tf } from '../../backend';
import { batchNorm, type BatchNormState } from '../../nn/batchnorm';
import { conv2d, depthwiseConv2d } from '../../nn/conv';
import { type ForwardContext, Module, type Op } from '../../nn/module';
import { avgPool3x3, maxPool3x3, relu } from '../../nn/pool';
import { checkInteger, type Init } from '../../nn/random';
import { leakyRelu } from './ops';

/** Batch norm's epsilon in the AutoDispNet code (TensorFlow's BatchNormalization with epsilon 1e-3). */
export const BN_EPS = 1e-3;

/** He-normal values of `shape`: N(0, 2 / fanIn), drawn from `init`'s stream. The caller owns the result. */
export function heNormal(shape: number[], fanIn: number, init: Init): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', init.nextSeed());
}

/** An affine-free batch norm with the AutoDispNet code's epsilon: variables `running_mean`, `running_var`. */
export class SearchBatchNorm extends Module implements BatchNormState {
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps: number = BN_EPS;
  readonly momentum: number = 0.1;

  constructor(readonly channels: number) {
    super();
    this.runningMean = this.addVariable('running_mean', tf.zeros([channels]), false, 'vector');
    this.runningVar = this.addVariable('running_var', tf.ones([channels]), false, 'vector');
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return batchNorm(x, this, ctx.training, ctx.updateRunningStats);
  }
}

/** Leaky ReLU (the pass's pattern), then the BN if any. The caller owns the result. */
function activate(x: tf.Tensor4D, bn: SearchBatchNorm | undefined, ctx: ForwardContext): tf.Tensor4D {
  return tf.tidy(() => {
    const y = leakyRelu(x, ctx.pattern);
    return bn ? bn.apply(y, ctx) : y;
  });
}

/** Conv KxK at `stride` with bias, leaky ReLU, BN: variables `conv.weight`, `conv.bias`, `bn.*`. */
export class ConvReLU extends Module implements Op {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly bn?: SearchBatchNorm;

  constructor(
    cin: number,
    cout: number,
    readonly kernel: number,
    readonly stride: number,
    batchNormOn: boolean,
    init: Init,
  ) {
    super();
    checkInteger(cin, 'ConvReLU: cin', 1);
    checkInteger(cout, 'ConvReLU: cout', 1);
    if (kernel % 2 !== 1) throw new Error(`ConvReLU: kernel=${kernel}; use an odd size`);
    this.weight = this.addVariable('conv.weight', heNormal([kernel, kernel, cin, cout], kernel * kernel * cin, init), true, 'conv');
    this.bias = this.addVariable('conv.bias', tf.zeros([cout]), true, 'vector');
    if (batchNormOn) this.bn = this.addChild('bn', new SearchBatchNorm(cout));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() =>
      activate(conv2d(x, this.weight as tf.Tensor4D, this.stride, (this.kernel - 1) / 2).add(this.bias) as tf.Tensor4D, this.bn, ctx),
    );
  }
}

/** Transposed conv 4x4 stride 2 with bias (x2 the size), leaky ReLU, BN: variables `conv.weight` [4, 4, out, in], `conv.bias`, `bn.*`. */
export class Upsample extends Module implements Op {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly bn?: SearchBatchNorm;

  constructor(
    cin: number,
    readonly cout: number,
    batchNormOn: boolean,
    init: Init,
  ) {
    super();
    checkInteger(cin, 'Upsample: cin', 1);
    checkInteger(cout, 'Upsample: cout', 1);
    // A transposed conv's fan-in (each output sums about 4 of the 16 taps per input channel): 4 x cin.
    this.weight = this.addVariable('conv.weight', heNormal([4, 4, cout, cin], 4 * cin, init), true, 'conv');
    this.bias = this.addVariable('conv.bias', tf.zeros([cout]), true, 'vector');
    if (batchNormOn) this.bn = this.addChild('bn', new SearchBatchNorm(cout));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const [n, h, w] = x.shape;
    return tf.tidy(() =>
      activate(
        tf.conv2dTranspose(x, this.weight as tf.Tensor4D, [n, 2 * h, 2 * w, this.cout], 2, 1).add(this.bias) as tf.Tensor4D,
        this.bn,
        ctx,
      ),
    );
  }
}

/** One separable block: depthwise KxK (at a stride and dilation), pointwise with bias, leaky ReLU, BN. */
class SeparableBlock extends Module {
  readonly dw: tf.Variable;
  readonly pw: tf.Variable;
  readonly bias: tf.Variable;
  readonly bn?: SearchBatchNorm;

  constructor(
    C: number,
    readonly kernel: number,
    readonly stride: number,
    readonly dilation: number,
    batchNormOn: boolean,
    init: Init,
  ) {
    super();
    this.dw = this.addVariable('depthwise.weight', heNormal([kernel, kernel, C, 1], kernel * kernel, init), true, 'depthwise');
    this.pw = this.addVariable('pointwise.weight', heNormal([1, 1, C, C], C, init), true, 'conv');
    this.bias = this.addVariable('pointwise.bias', tf.zeros([C]), true, 'vector');
    if (batchNormOn) this.bn = this.addChild('bn', new SearchBatchNorm(C));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const pad = ((this.kernel - 1) / 2) * this.dilation;
      const y = depthwiseConv2d(x, this.dw as tf.Tensor4D, this.stride, pad, this.dilation);
      return activate(conv2d(y, this.pw as tf.Tensor4D, 1, 0).add(this.bias) as tf.Tensor4D, this.bn, ctx);
    });
  }
}

/** sep_conv_KxK: two separable blocks, the stride on the first: variables `0.*`, `1.*`. */
export class SepConv extends Module implements Op {
  private readonly blocks: readonly [SeparableBlock, SeparableBlock];

  constructor(C: number, kernel: number, stride: number, batchNormOn: boolean, init: Init) {
    super();
    this.blocks = [
      this.addChild('0', new SeparableBlock(C, kernel, stride, 1, batchNormOn, init)),
      this.addChild('1', new SeparableBlock(C, kernel, 1, 1, batchNormOn, init)),
    ];
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => this.blocks[1].apply(this.blocks[0].apply(x, ctx), ctx));
  }
}

/** dil_conv_KxK: one separable block with dilation 2: variables `0.*`. */
export class DilConv extends Module implements Op {
  private readonly block: SeparableBlock;

  constructor(C: number, kernel: number, stride: number, batchNormOn: boolean, init: Init) {
    super();
    this.block = this.addChild('0', new SeparableBlock(C, kernel, stride, 2, batchNormOn, init));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return this.block.apply(x, ctx);
  }
}

/** max_pool_3x3 or avg_pool_3x3 at a stride, then the BN (when on): variables `bn.*`. */
export class PoolBN extends Module implements Op {
  readonly bn?: SearchBatchNorm;

  constructor(
    readonly kind: 'max' | 'avg',
    C: number,
    readonly stride: number,
    batchNormOn: boolean,
  ) {
    super();
    if (batchNormOn) this.bn = this.addChild('bn', new SearchBatchNorm(C));
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.kind === 'max' ? maxPool3x3(x, this.stride, ctx.pattern) : avgPool3x3(x, this.stride);
      return this.bn ? this.bn.apply(y, ctx) : y;
    });
  }
}

/** The prediction block: conv 3x3 to 1 channel with bias, then ReLU (positive disparity): variables `conv.weight`, `conv.bias`. */
export class Prediction extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(cin: number, init: Init) {
    super();
    this.weight = this.addVariable('conv.weight', heNormal([3, 3, cin, 1], 9 * cin, init), true, 'conv');
    this.bias = this.addVariable('conv.bias', tf.zeros([1]), true, 'vector');
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => relu(conv2d(x, this.weight as tf.Tensor4D, 1, 1).add(this.bias) as tf.Tensor4D, ctx.pattern));
  }
}
