/**
 * The small vector vocabulary of the eigen-routines (docs/method.md §3: the dominant eigenvalue of the
 * alpha Hessian), over float64 arrays: dot, axpy, norm, normalise and a seeded Gaussian vector.
 * `axpy` and `scaleInPlace` update their first argument, which must be the caller's own work
 * vector; the others return new values.
 */
import { Rng } from '../nn/random';

/** A float64 vector, read-only or not. */
export type Vec = ArrayLike<number>;

/** sum_i a_i b_i (the lengths must match; not checked here). */
export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The Euclidean norm. */
export function norm(a: Vec): number {
  return Math.sqrt(dot(a, a));
}

/** y += alpha x, in place on `y`. */
export function axpy(y: Float64Array, alpha: number, x: Vec): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** y *= alpha, in place on `y`. */
export function scaleInPlace(y: Float64Array, alpha: number): void {
  for (let i = 0; i < y.length; i++) y[i] *= alpha;
}

/** A new unit vector along `a`; throws if `a` is zero, naming `what`. */
export function normalise(a: Vec, what = 'vector'): Float64Array {
  const n = norm(a);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`normalise: ${what} has norm ${n}`);
  return Float64Array.from(a, (x) => x / n);
}

/** `n` independent standard normal values from `rng` (Box-Muller, two values per pair of draws). */
export function gaussianVector(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.uniform())); // 1 - u lies in (0, 1]
    const t = 2 * Math.PI * rng.uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}
