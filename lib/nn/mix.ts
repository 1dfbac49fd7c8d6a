/**
 * An edge's mixed output sum_k w[k] op_k(x) (docs/method.md §2), with the `none` ops (Zero) left
 * out: their term is exactly 0, and so is its gradient w.r.t. w[k] (sum(dy * 0)), so leaving them
 * out changes no value and no gradient, while computing them cost a fresh zero tensor from
 * JavaScript per edge and step (a third of the time outside kernels on S3). The mixing weights
 * still come from the softmax over every op's alpha; only the zero terms are skipped.
 */
import { tf } from '../backend';
import { Zero } from './basic';
import { weightedSum } from './lean';
import type { ForwardContext, Op } from './module';

/** weights [K] without the entries at `drop` (sorted ascending), by slices (whose gradient tfjs has everywhere). */
function withoutEntries(weights: tf.Tensor1D, drop: readonly number[]): tf.Tensor1D {
  const pieces: tf.Tensor1D[] = [];
  let start = 0;
  for (const k of [...drop, weights.shape[0]]) {
    if (k > start) pieces.push(weights.slice(start, k - start));
    start = k + 1;
  }
  return pieces.length === 1 ? pieces[0] : tf.concat(pieces);
}

/** sum_k weights[k] ops[k](x), skipping Zero ops. The caller owns the result. */
export function mixOps(weights: tf.Tensor1D, ops: readonly Op[], x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
  if (weights.rank !== 1 || weights.shape[0] !== ops.length) throw new Error(`mixOps: ${weights.shape} weights for ${ops.length} ops`);
  const zeros = ops.flatMap((op, k) => (op instanceof Zero ? [k] : []));
  if (zeros.length === ops.length) return ops[0].apply(x, ctx);
  return tf.tidy(() => {
    const live = ops.filter((op) => !(op instanceof Zero));
    const w = zeros.length === 0 ? weights : withoutEntries(weights, zeros);
    return weightedSum(
      w,
      live.map((op) => op.apply(x, ctx)),
    );
  });
}
