/**
 * FactorizedReduce (docs/method.md §2): ReLU, two 1x1 stride-2 convs with C_out / 2 channels each, the
 * second on x shifted by one pixel (x[:, 1:, 1:, :]), concatenated on channels (the first conv's
 * half first), then BN. It is `skip_connect` at stride 2 and the s0 preprocessing after a reduction
 * cell. For an odd size the shifted input is zero-padded by one row at the bottom (one column at the
 * right) so that both halves have ceil(H / 2) x ceil(W / 2) pixels, as in
 * /work/shared/perf/torch_darts_bench.py (the original code fails on odd sizes).
 */
import { tf } from '../backend';
import { batchNorm, BatchNorm, type BatchNormState } from './batchnorm';
import { conv2d } from './conv';
import { concatChannels } from './lean';
import { relu } from './pool';
import { type BnMode, Module, type Op } from './module';
import { checkInteger, Init } from './random';

/**
 * x: [N, H, W, Cin], w1 and w2: [1, 1, Cin, Cout / 2] -> [N, ceil(H / 2), ceil(W / 2), Cout].
 * The caller owns the result.
 */
export function factorizedReduce(x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, bn: BatchNormState, mode: BnMode): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const r = relu(x, mode.pattern);
    let shifted: tf.Tensor4D;
    if (tf.getKernel('RdartsShift', tf.getBackend())) {
      // One kernel each way on wasm (lib/kernels/fused.ts), the same values as below.
      shifted = tf.engine().runKernel('RdartsShift', { x: r }, {}) as tf.Tensor4D;
    } else {
      shifted = r.slice([0, 1, 1, 0], [-1, -1, -1, -1]);
      if (h % 2 === 1 || w % 2 === 1)
        shifted = tf.pad(shifted, [
          [0, 0],
          [0, h % 2],
          [0, w % 2],
          [0, 0],
        ]);
    }
    const out = concatChannels([conv2d(r, w1, 2, 0), conv2d(shifted, w2, 2, 0)]);
    return batchNorm(out, bn, mode.training, mode.updateRunningStats);
  });
}

/** Variables: `conv_1.weight`, `conv_2.weight` (HWIO [1, 1, Cin, Cout / 2]) and `bn.*`. */
export class FactorizedReduce extends Module implements Op {
  readonly conv1: tf.Variable;
  readonly conv2: tf.Variable;
  readonly bn: BatchNorm;

  constructor(cin: number, cout: number, affine: boolean, init: Init = new Init(0)) {
    super();
    checkInteger(cin, 'FactorizedReduce: cin', 1);
    checkInteger(cout, 'FactorizedReduce: cout', 2);
    if (cout % 2 !== 0) throw new Error(`FactorizedReduce: cout=${cout} is odd; it must be even`);
    this.conv1 = this.addVariable('conv_1.weight', init.conv(1, 1, cin, cout / 2), true, 'conv');
    this.conv2 = this.addVariable('conv_2.weight', init.conv(1, 1, cin, cout / 2), true, 'conv');
    this.bn = this.addChild('bn', new BatchNorm(cout, affine));
  }

  apply(x: tf.Tensor4D, ctx: BnMode): tf.Tensor4D {
    return factorizedReduce(x, this.conv1 as tf.Tensor4D, this.conv2 as tf.Tensor4D, this.bn, ctx);
  }
}
