/**
 * The elementary pieces of the disparity supernet that lib/nn does not have: the leaky ReLU of the
 * AutoDispNet code (slope 0.1) and the absolute value of the end-point error, both following a kink
 * pattern (lib/nn/pattern.ts) where given; bilinear resizing composed of matrix products; the 1-D
 * correlation of left and right features; the ground truth at each prediction's scale; the
 * multi-scale end-point-error loss and the full-size EPE.
 *
 * Why resizing is composed: neither backend differentiates tf.image.resizeBilinear with half-pixel
 * centres. tfjs-backend-wasm 4.22's ResizeBilinearGrad ignores `halfPixelCenters` (its gradient is
 * that of the corner-aligned-at-0 sampling: off by 30-300 % against finite differences), and
 * tfjs-backend-cpu 4.22's returns a gradient with height and width swapped ("gradient of images has
 * shape [2,5,3,4], input [2,3,5,4]", an error whenever they differ). `resizeBilinear` here computes
 * the same values (half-pixel centres, as PyTorch's align_corners=False and
 * tf.image.resizeBilinear(x, size, false, true)) as two products with interpolation matrices, whose
 * gradients (MatMul, Transpose, Reshape) every backend has right. test/problems/disparity_ops.test.ts
 * checks it against tf.image.resizeBilinear, finite differences, and itself on the cpu backend.
 */
import { tf } from '../../backend';
import type { ActivationPattern } from '../../nn/pattern';
import { relu } from '../../nn/pool';

/** The leaky ReLU's slope below 0 (the AutoDispNet code's `leaky_relu`, lmbspecialops' default). */
export const LEAK = 0.1;

/**
 * max(x, 0.1 x). With a kink pattern, the first pass records which units are positive and every
 * later pass multiplies by 1 there and by 0.1 elsewhere (a linear function of x). The caller owns the result.
 */
export function leakyRelu(x: tf.Tensor4D, pattern?: ActivationPattern): tf.Tensor4D {
  if (pattern) {
    const mask = pattern.site(x.shape, () => tf.greater(x, 0));
    if (!pattern.recording) return tf.tidy(() => x.mul(tf.where(mask, tf.scalar(1), tf.scalar(LEAK))));
  }
  return tf.leakyRelu(x, LEAK);
}

/**
 * |x|. With a kink pattern, the first pass records the signs and later passes multiply by them (the
 * end-point error is then smooth in the network's output near the recorded point). The caller owns the result.
 */
export function absolute(x: tf.Tensor, pattern?: ActivationPattern): tf.Tensor {
  if (pattern) {
    const mask = pattern.site(x.shape, () => tf.greaterEqual(x, 0));
    if (!pattern.recording) return tf.tidy(() => x.mul(tf.where(mask, tf.scalar(1), tf.scalar(-1))));
  }
  return tf.abs(x);
}

/**
 * The [out, size] matrix of 1-D linear interpolation with half-pixel centres: output i reads the
 * input at (i + 0.5) size / out - 0.5, clamped to [0, size - 1].
 */
export function interpolationMatrix(out: number, size: number): Float32Array {
  const m = new Float32Array(out * size);
  for (let i = 0; i < out; i++) {
    const src = Math.min(size - 1, Math.max(0, ((i + 0.5) * size) / out - 0.5));
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, size - 1);
    const f = src - i0;
    m[i * size + i0] += 1 - f;
    m[i * size + i1] += f;
  }
  return m;
}

/**
 * Bilinear resize of x [N, h, w, C] to [N, height, width, C] with half-pixel centres (file header):
 * rows, then columns, as products with interpolation matrices. Differentiable on every backend.
 * The caller owns the result.
 */
export function resizeBilinear(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h === height && w === width) return x.clone();
  return tf.tidy(() => {
    const rows = tf.tensor2d(interpolationMatrix(height, h), [height, h]);
    const cols = tf.tensor2d(interpolationMatrix(width, w), [width, w]);
    // [h, N w C] -> [height, N w C] -> [w, height N C] -> [width, height N C] -> [N, height, width, C]
    const a = tf.matMul(rows, x.transpose([1, 0, 2, 3]).reshape([h, n * w * c]));
    const b = a
      .reshape([height, n, w, c])
      .transpose([2, 0, 1, 3])
      .reshape([w, height * n * c]);
    return tf.matMul(cols, b).reshape([width, height, n, c]).transpose([2, 1, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * The 1-D correlation of the AutoDispNet code's DispNet-C (kernel 1, strides 1, max displacement
 * and padding R): channel k = 0 .. 2R of the output at (y, x) is
 *   max(0, mean over channels of left(y, x) * right(y, x + k - R)),
 * the right features zero beyond the image. A left pixel of (left-referenced) disparity d matches
 * the right pixel x - d: channel R - d. left, right [N, H, W, C] -> [N, H, W, 2R + 1]. The ReLU
 * follows `pattern` where given. The caller owns the result.
 */
export function correlation1d(left: tf.Tensor4D, right: tf.Tensor4D, maxDisplacement: number, pattern?: ActivationPattern): tf.Tensor4D {
  if (left.shape.join() !== right.shape.join()) throw new Error(`correlation1d: left [${left.shape}] and right [${right.shape}] differ`);
  const R = maxDisplacement;
  if (!Number.isInteger(R) || R < 0) throw new Error(`correlation1d: maxDisplacement=${R} is not an integer >= 0`);
  const [n, h, w, c] = left.shape;
  return tf.tidy(() => {
    const padded = right.pad([
      [0, 0],
      [0, 0],
      [R, R],
      [0, 0],
    ]);
    const channels = Array.from({ length: 2 * R + 1 }, (_, k) => left.mul(padded.slice([0, 0, k, 0], [n, h, w, c])).mean(3, true));
    return relu((channels.length === 1 ? channels[0] : tf.concat(channels, 3)) as tf.Tensor4D, pattern);
  });
}

/**
 * The ground truth at a prediction's scale: disparity [N, H, W, 1] (NaN or infinite where unknown)
 * averaged over factor x factor blocks, each block's mean over its known pixels, and multiplied by
 * 1 / factor (disparities are in pixels of the scale: W_l / W). `valid` is 1 where a block has a
 * known pixel, else 0 (and the value 0). No gradient is needed: the caller owns both tensors.
 */
export function scaledGroundTruth(disparity: tf.Tensor4D, factor: number): { target: tf.Tensor4D; valid: tf.Tensor4D } {
  return tf.tidy(() => {
    const known = tf.isFinite(disparity);
    const valid0 = known.cast('float32') as tf.Tensor4D;
    const d0 = tf.where(known, disparity, tf.zerosLike(disparity)) as tf.Tensor4D;
    if (factor === 1) return { target: d0, valid: valid0 };
    const mean = tf.avgPool(d0, factor, factor, 'valid');
    const count = tf.avgPool(valid0, factor, factor, 'valid');
    const has = tf.greater(count, 0);
    const target = tf.where(has, mean.div(tf.maximum(count, 1e-12)).div(factor), tf.zerosLike(mean)) as tf.Tensor4D;
    return { target, valid: has.cast('float32') as tf.Tensor4D };
  });
}

/** The mean of valid * |prediction - target| over the valid pixels (0 where none is valid); the caller owns the result. */
export function maskedEpe(prediction: tf.Tensor4D, target: tf.Tensor4D, valid: tf.Tensor4D, pattern?: ActivationPattern): tf.Scalar {
  return tf.tidy(() => {
    const err = absolute(prediction.sub(target), pattern).mul(valid);
    return err.sum().div(tf.maximum(valid.sum(), 1)) as tf.Scalar;
  });
}

/**
 * The multi-scale loss (the AutoDispNet code's netdef DispNet loss): sum over the predictions
 * (coarse to fine) of weight x the EPE against the ground truth at the prediction's scale
 * (`scaledGroundTruth`; the image's size must be a multiple of each prediction's). The caller owns the result.
 */
export function multiScaleEpe(
  predictions: readonly tf.Tensor4D[],
  disparity: tf.Tensor4D,
  weights: readonly number[],
  pattern?: ActivationPattern,
): tf.Scalar {
  if (predictions.length !== weights.length) throw new Error(`multiScaleEpe: ${predictions.length} predictions, ${weights.length} weights`);
  const [, H, W] = disparity.shape;
  return tf.tidy(() => {
    const terms = predictions.map((p, l) => {
      const factor = H / p.shape[1];
      if (!Number.isInteger(factor) || W / p.shape[2] !== factor) {
        throw new Error(`multiScaleEpe: prediction ${l} [${p.shape}] is not the [${H}, ${W}] ground truth divided by an integer`);
      }
      const { target, valid } = scaledGroundTruth(disparity, factor);
      return maskedEpe(p, target, valid, pattern).mul(weights[l]);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}

/**
 * The prediction at full size, as the AutoDispNet code evaluates: resized bilinearly to
 * [height, width] and its values multiplied by width / its own width. The caller owns the result.
 */
export function fullSizePrediction(prediction: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => resizeBilinear(prediction, height, width).mul(width / prediction.shape[2]) as tf.Tensor4D);
}

/** The end-point error of a prediction at full size against disparity [N, H, W, 1] over the known pixels (a number). */
export function fullSizeEpe(prediction: tf.Tensor4D, disparity: tf.Tensor4D): number {
  return tf.tidy(() => {
    const [, H, W] = disparity.shape;
    const { target, valid } = scaledGroundTruth(disparity, 1);
    return maskedEpe(fullSizePrediction(prediction, H, W), target, valid).dataSync()[0];
  });
}

/** Sums over the known pixels of a batch: |error| (the EPE's numerator), the pixels off by more than 1 and by more than 3 px, and the known pixels. */
export interface DisparityErrorSums {
  readonly absolute: number;
  readonly over1: number;
  readonly over3: number;
  readonly known: number;
}

/**
 * The error sums of a prediction at full size (`fullSizePrediction`) against disparity [N, H, W, 1]
 * (NaN where unknown): the end-point error is absolute / known, the bad-pixel shares (the KITTI and
 * Middlebury "> 1 px", "> 3 px" measures) over1 / known and over3 / known.
 */
export function disparityErrorSums(prediction: tf.Tensor4D, disparity: tf.Tensor4D): DisparityErrorSums {
  return tf.tidy(() => {
    const [, H, W] = disparity.shape;
    const { target, valid } = scaledGroundTruth(disparity, 1);
    const err = tf.abs(fullSizePrediction(prediction, H, W).sub(target)).mul(valid);
    const over = (t: number) => tf.greater(err, t).cast('float32').mul(valid).sum();
    const [absolute, over1, over3, known] = tf.stack([err.sum(), over(1), over(3), valid.sum()]).dataSync();
    return { absolute, over1, over3, known };
  });
}
