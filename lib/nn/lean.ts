/**
 * Sums and concatenations that keep no more for the backward pass than the math needs (docs/method.md §2:
 * the MixedOp's weighted sum, a node's sum over its edges, a cell's channel concat). tfjs's own
 * AddN and Concat keep every input (`saveAllInputs`), and Add and Mul keep both: in the DARTS
 * supernet that is ~10 extra activation tensors per edge, enough to exhaust wasm's 4 GB. Each op
 * here is one tf.customGrad with the exact gradient. The caller owns each result.
 */
import { tf } from '../backend';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

function checkSameShape(tensors: readonly tf.Tensor[], what: string): void {
  if (tensors.length === 0) throw new Error(`${what}: no tensors`);
  const shape = tensors[0].shape.join();
  tensors.forEach((t, i) => {
    if (t.shape.join() !== shape) throw new Error(`${what}: tensor ${i} has shape [${t.shape}]; tensor 0 has [${shape}]`);
  });
}

/** sum_k tensors[k] (same shapes). Keeps nothing for backward: each input's gradient is dy. */
export function sumN<T extends tf.Tensor>(tensors: readonly T[]): T {
  checkSameShape(tensors, 'sumN');
  if (tensors.length === 1) return tensors[0].clone();
  const op = tf.customGrad((...args: Args) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    (args[args.length - 1] as tf.GradSaveFunc)([]);
    return { value: tf.addN(inputs), gradFunc: (dy: tf.Tensor) => inputs.map(() => dy.clone()) };
  });
  return op(...tensors) as T;
}

/**
 * sum_k weights[k] * tensors[k]; weights: [K]. Keeps the weights and the tensors (needed for
 * d/dweights[k] = sum(dy * tensors[k])), not the K products. Where the active backend has our
 * fused kernels (wasm: RdartsWeightedSum, RdartsWeightedSumGrad in lib/kernels/fused.ts), the sum
 * and its whole gradient are one pass each; elsewhere, tfjs ops.
 */
export function weightedSum<T extends tf.Tensor>(weights: tf.Tensor1D, tensors: readonly T[]): T {
  checkSameShape(tensors, 'weightedSum');
  if (weights.rank !== 1 || weights.shape[0] !== tensors.length) {
    throw new Error(`weightedSum: ${weights.shape} weights for ${tensors.length} tensors`);
  }
  const fused = tf.getKernel('RdartsWeightedSumGrad', tf.getBackend()) !== undefined;
  const named = (ts: readonly tf.Tensor[]) => Object.fromEntries(ts.map((t, k) => [`t${k}`, t]));
  const op = tf.customGrad((...args: Args) => {
    const [w, ...ts] = args.slice(0, -1) as tf.Tensor[];
    (args[args.length - 1] as tf.GradSaveFunc)([w, ...ts]);
    const value = fused
      ? (tf.engine().runKernel('RdartsWeightedSum', { w, ...named(ts) }, {}) as tf.Tensor)
      : tf.tidy(() => {
          const ws = tf.unstack(w);
          return ts.length === 1 ? ts[0].mul(ws[0]) : tf.addN(ts.map((t, k) => t.mul(ws[k])));
        });
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ws, ...ss] = saved;
        if (fused) return tf.engine().runKernel('RdartsWeightedSumGrad', { w: ws, dy, ...named(ss) }, {}) as tf.Tensor[];
        return tf.tidy(() => {
          const dw = tf.stack(ss.map((t) => dy.mul(t).sum()));
          const scalars = tf.unstack(ws);
          return [dw, ...ss.map((_, k) => dy.mul(scalars[k]))];
        });
      },
    };
  });
  return op(weights, ...tensors) as T;
}

/** Concatenation along the last (channel) axis. Keeps nothing: the gradient is dy split by channels. */
export function concatChannels(tensors: readonly tf.Tensor4D[]): tf.Tensor4D {
  if (tensors.length === 0) throw new Error('concatChannels: no tensors');
  const sizes = tensors.map((t) => t.shape[3]);
  const op = tf.customGrad((...args: Args) => {
    const inputs = args.slice(0, -1) as tf.Tensor4D[];
    (args[args.length - 1] as tf.GradSaveFunc)([]);
    return { value: tf.concat(inputs, 3), gradFunc: (dy: tf.Tensor) => tf.split(dy, sizes, 3) };
  });
  return op(...tensors) as tf.Tensor4D;
}
