/**
 * The parameter-free ops of docs/method.md §2 other than the pools: `none` (zeros), `skip_connect` at
 * stride 1 (identity) and `noise` (RobustDARTS S4: fresh N(0, 1) of the output's shape,
 * independent of the input). At stride 2 the output has the shape of x[:, ::2, ::2, :].
 */
import { tf } from '../backend';
import { Module, type ForwardContext, type Op } from './module';

/** Throws unless `stride` is 1 or 2, naming `what`. */
export function checkStride(stride: number, what = 'stride'): void {
  if (stride !== 1 && stride !== 2) throw new Error(`${what}=${stride}; use 1 or 2`);
}

/** The shape of x[:, ::stride, ::stride, :]. */
export function stridedShape(x: tf.Tensor4D, stride: number): [number, number, number, number] {
  checkStride(stride);
  const [n, h, w, c] = x.shape;
  return [n, Math.ceil(h / stride), Math.ceil(w / stride), c];
}

/** Zeros of the strided shape (`none`). The caller owns the result. */
export function zero(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.zeros(stridedShape(x, stride));
}

/**
 * N(0, 1) samples of the strided shape, drawn with `seed` (`noise`): the same seed gives the same
 * tensor whatever x holds. The caller owns the result.
 */
export function noise(x: tf.Tensor4D, stride: number, seed: number): tf.Tensor4D {
  return tf.randomNormal(stridedShape(x, stride), 0, 1, 'float32', seed);
}

/** `none`: no weights. */
export class Zero extends Module implements Op {
  constructor(readonly stride: number) {
    super();
    checkStride(stride);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return zero(x, this.stride);
  }
}

/** `skip_connect` at stride 1: returns x itself. */
export class Identity extends Module implements Op {
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return x;
  }
}

/** `noise`: one fresh seed from the forward pass's context per call. */
export class Noise extends Module implements Op {
  constructor(readonly stride: number) {
    super();
    checkStride(stride);
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return noise(x, this.stride, ctx.nextSeed());
  }
}
