/**
 * Drop path: a tensor h [N, H, W, C] is replaced, per sample, by h / keep with probability
 * keep = 1 - p and by zeros otherwise (the DARTS code's `utils.drop_path`: a Bernoulli(keep) mask of
 * shape [N, 1, 1, 1]). The final training applies it to each op output that is not an identity
 * (docs/method.md §5); R-DARTS(DP)'s ScheduledDropPath to every edge output of the search supernet
 * (docs/method.md §4, lib/problems/darts/supernet/cell.ts).
 */
import { tf } from '../backend';
import { checkInteger } from './random';

/** Throws unless 0 <= p < 1, naming `what`. */
export function checkDropProb(p: number, what = 'dropPathProb'): void {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`${what}=${p}; use a number in [0, 1)`);
}

/**
 * The per-sample scale of drop path, [N, 1, 1, 1]: 1 / keep where a Bernoulli(keep) draw (from a
 * uniform tensor seeded by `seed`) keeps the sample, else 0. The caller owns the result.
 */
export function dropPathScale(n: number, p: number, seed: number): tf.Tensor4D {
  checkInteger(n, 'dropPathScale: n', 1);
  checkDropProb(p, 'dropPathScale: p');
  checkInteger(seed, 'dropPathScale: seed');
  const keep = 1 - p;
  return tf.tidy(() => tf.randomUniform([n, 1, 1, 1], 0, 1, 'float32', seed).less(keep).cast('float32').div(keep)) as tf.Tensor4D;
}

/**
 * x [N, H, W, C] with each sample kept and scaled by 1 / (1 - p), or zeroed, with probability p;
 * the same seed drops the same samples. p = 0 returns a copy of x. The gradient is dy times the
 * same scale; only the [N, 1, 1, 1] scale is kept for it. The caller owns the result.
 */
export function dropPath(x: tf.Tensor4D, p: number, seed: number): tf.Tensor4D {
  checkDropProb(p, 'dropPath: p');
  if (x.rank !== 4) throw new Error(`dropPath: x has shape [${x.shape}]; expected [N, H, W, C]`);
  if (p === 0) return x.clone();
  const scale = dropPathScale(x.shape[0], p, seed);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([scale]);
    return { value: xi.mul(scale) as tf.Tensor4D, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => dy.mul(saved[0]) };
  });
  const y = op(x) as tf.Tensor4D;
  scale.dispose();
  return y;
}

/**
 * The drop-path probability of epoch `epoch` (0-based) of `epochs`, rising linearly from 0 towards
 * `maxProb` (docs/method.md §4-5). Two schedules, as the original code has them:
 *   'search'  ScheduledDropPath of R-DARTS(DP): p e / (epochs - 1), reaching p at the last epoch
 *             (0 throughout for a single epoch);
 *   'train'   the final evaluation's: p e / epochs, never quite reaching p.
 */
export function scheduledDropPath(maxProb: number, epoch: number, epochs: number, schedule: 'search' | 'train'): number {
  if (schedule === 'train') return (maxProb * epoch) / epochs;
  return epochs > 1 ? (maxProb * epoch) / (epochs - 1) : 0;
}
