/**
 * The auxiliary head of the final evaluation network (docs/method.md §5: after the second reduction cell,
 * loss weight 0.4), as the DARTS code's `AuxiliaryHeadCIFAR`: ReLU, average pool 5x5 stride 3 (no
 * padding), Conv1x1 (C -> 128) + BN + ReLU, Conv2x2 (128 -> 768) + BN + ReLU, Linear (768 ->
 * classes). All BNs affine; no conv bias. Variable names as its state_dict: `features.2.weight`,
 * `features.3.*`, `features.5.weight`, `features.6.*`, `classifier.weight`, `classifier.bias`.
 *
 * The head expects the 8x8 maps of 32x32 images (pooled to 2x2, then 1x1 after the 2x2 conv). The
 * pool's windows may run past the bottom and right edges and then average their real pixels only
 * (PyTorch's ceil_mode = True with count_include_pad = False): identical for 8x8 inputs, and it
 * lets the 7x7 maps of 28x28 images (Fashion-MNIST) pool to 2x2 too, where the original's floor
 * mode gives 1x1 and fails at the 2x2 conv.
 */
import { tf } from '../backend';
import { BatchNorm, batchNorm } from '../nn/batchnorm';
import { conv2d } from '../nn/conv';
import { type BnMode, Module } from '../nn/module';
import { relu } from '../nn/pool';
import { checkInteger, Init } from '../nn/random';

const POOL_SIZE = 5;
const POOL_STRIDE = 3;
const HIDDEN = 128;
const FEATURES = 768;

/** The number of windows of `size` pixels in ceil mode: the last window starts inside the input. */
function ceilWindows(n: number, size: number, stride: number): number {
  return Math.max(0, Math.ceil((n - size) / stride)) + 1;
}

/**
 * Average pool with square windows of `size` and `stride`, no padding, ceil mode: a window that
 * runs past the bottom or right edge averages the pixels it covers. x: [N, H, W, C] (H, W >= 1) ->
 * [N, ceil(max(H - size, 0) / stride) + 1, likewise for W, C]. The caller owns the result.
 */
export function avgPoolCeil(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  checkInteger(size, 'avgPoolCeil: size', 1);
  checkInteger(stride, 'avgPoolCeil: stride', 1);
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const [oh, ow] = [ceilWindows(h, size, stride), ceilWindows(w, size, stride)];
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const cols: tf.Tensor[] = [];
      for (let j = 0; j < ow; j++) {
        const [r, q] = [i * stride, j * stride];
        cols.push(x.slice([0, r, q, 0], [n, Math.min(size, h - r), Math.min(size, w - q), c]).mean([1, 2]));
      }
      rows.push(tf.stack(cols, 1)); // [N, OW, C]
    }
    return tf.stack(rows, 1) as tf.Tensor4D; // [N, OH, OW, C]
  });
}

/** The auxiliary classifier on the output of the cell at index floor(2L/3). */
export class AuxiliaryHead extends Module {
  private readonly conv1: tf.Variable;
  private readonly bn1: BatchNorm;
  private readonly conv2: tf.Variable;
  private readonly bn2: BatchNorm;
  private readonly linearWeight: tf.Variable;
  private readonly linearBias: tf.Variable;

  /** `C`: channels of its input; `classes`: its outputs. */
  constructor(
    readonly C: number,
    readonly classes: number,
    init: Init = new Init(0),
  ) {
    super();
    checkInteger(C, 'AuxiliaryHead: C', 1);
    checkInteger(classes, 'AuxiliaryHead: classes', 1);
    this.conv1 = this.addVariable('features.2.weight', init.conv(1, 1, C, HIDDEN), true, 'conv');
    this.bn1 = this.addChild('features.3', new BatchNorm(HIDDEN, true));
    this.conv2 = this.addVariable('features.5.weight', init.conv(2, 2, HIDDEN, FEATURES), true, 'conv');
    this.bn2 = this.addChild('features.6', new BatchNorm(FEATURES, true));
    this.linearWeight = this.addVariable('classifier.weight', init.uniform([FEATURES, classes], FEATURES), true, 'linear');
    this.linearBias = this.addVariable('classifier.bias', init.uniform([classes], FEATURES), true, 'vector');
  }

  /**
   * x: [N, H, W, C] with H and W in 6..8 (the maps of 24..32-pixel images after two reductions) ->
   * logits [N, classes]. The caller owns the result.
   */
  apply(x: tf.Tensor4D, mode: BnMode): tf.Tensor2D {
    const [n, h, w, c] = x.shape;
    if (x.rank !== 4 || c !== this.C) throw new Error(`AuxiliaryHead: x has shape [${x.shape}]; expected [N, H, W, ${this.C}]`);
    if (ceilWindows(h, POOL_SIZE, POOL_STRIDE) !== 2 || ceilWindows(w, POOL_SIZE, POOL_STRIDE) !== 2) {
      throw new Error(`AuxiliaryHead: x is ${h}x${w}; the head needs 6x6 to 8x8 maps (images of 24 to 32 pixels)`);
    }
    return tf.tidy(() => {
      const pooled = avgPoolCeil(relu(x), POOL_SIZE, POOL_STRIDE); // [N, 2, 2, C]
      const a = relu(batchNorm(conv2d(pooled, this.conv1 as tf.Tensor4D, 1, 0), this.bn1, mode.training, mode.updateRunningStats));
      const b = relu(batchNorm(conv2d(a, this.conv2 as tf.Tensor4D, 1, 0), this.bn2, mode.training, mode.updateRunningStats));
      return b
        .reshape([n, FEATURES])
        .matMul(this.linearWeight as tf.Tensor2D)
        .add(this.linearBias) as tf.Tensor2D;
    });
  }
}
