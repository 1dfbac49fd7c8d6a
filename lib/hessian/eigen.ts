/**
 * Eigenvalues of the alpha Hessian (docs/method.md §3): the whole spectrum of an explicit symmetric
 * matrix, and its dominant eigenvalue from Hessian-vector products alone.
 *
 * "Dominant eigenvalue" is the largest ALGEBRAIC eigenvalue, as in the original code
 * (`max(eigvals(H))`), not the largest in magnitude: at initialisation the negative end of the
 * spectrum is the larger one (S3: +0.0336 against -0.0514), so power iteration would find the wrong
 * end. `dominantEigenvalue` therefore runs Lanczos, which approximates both ends at once, with full
 * reorthogonalisation in float64 (the basis is a few dozen vectors of a few hundred values).
 * Pure numerics: no tensors; the products come from the caller.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { checkInteger, Rng } from '../nn/random';
import { axpy, dot, gaussianVector, norm, normalise, scaleInPlace } from './vec';

/** Symmetric eigen-decomposition: values ascending, `vectors[k]` the unit eigenvector of values[k]. */
export function symmetricEigen(rows: number[][]): { values: number[]; vectors: number[][] } {
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const v = evd.eigenvectorMatrix;
  const order = evd.realEigenvalues.map((value, k) => ({ value, k })).sort((a, b) => a.value - b.value);
  return { values: order.map((o) => o.value), vectors: order.map((o) => v.getColumn(o.k)) };
}

/**
 * All eigenvalues of the symmetric `matrix`, ascending. Rows must be equally long, entries finite,
 * and M[i][j] = M[j][i] within 1e-6 x max |entry|; the symmetric part (M + M^T) / 2 is decomposed.
 */
export function hessianSpectrum(matrix: readonly (readonly number[])[]): number[] {
  const n = matrix.length;
  if (n === 0) throw new Error('hessianSpectrum: matrix is empty');
  let maxAbs = 0;
  matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new Error(`hessianSpectrum: row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries; expected ${n} (a square matrix)`);
    }
    row.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`hessianSpectrum: entry (${i}, ${j}) is ${x}, not a finite number`);
      maxAbs = Math.max(maxAbs, Math.abs(x));
    });
  });
  let worst = { i: 0, j: 0, gap: 0 };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const gap = Math.abs(matrix[i][j] - matrix[j][i]);
      if (gap > worst.gap) worst = { i, j, gap };
    }
  }
  if (worst.gap > 1e-6 * maxAbs) {
    throw new Error(
      `hessianSpectrum: matrix is not symmetric: |M[${worst.i}][${worst.j}] - M[${worst.j}][${worst.i}]| = ${worst.gap} exceeds 1e-6 x max |entry| = ${1e-6 * maxAbs}`,
    );
  }
  const sym = matrix.map((row, i) => row.map((x, j) => (x + matrix[j][i]) / 2));
  return symmetricEigen(sym).values;
}

/** Options of `dominantEigenvalue`. */
export interface DominantEigenOptions {
  /** The most matrix-vector products (Hessian-vector products) to make; default 20. */
  readonly maxProducts?: number;
  /**
   * Stop once the residual bound |beta_k s_k| of the top Ritz pair (theta, y) is at most
   * tolerance x max(|theta|, 1e-8 x max |Ritz value|); default 1e-3. The bound is ||A y - theta y||,
   * so some eigenvalue lies within it of theta (relative error <= tolerance); the floor only
   * matters when theta is ~0 against the rest of the spectrum. 0 runs every allowed product, or
   * until the basis spans the space (exact when maxProducts >= dim).
   */
  readonly tolerance?: number;
  /** Seed of the Gaussian start vector and of any restart vector; default 0. */
  readonly seed?: number;
  /** An explicit start vector (length dim, not zero) instead of the seeded Gaussian one. */
  readonly start?: readonly number[];
}

/** The dominant eigenpair found by `dominantEigenvalue`. */
export interface DominantEigen {
  /** The largest Ritz value: the estimate of the largest algebraic eigenvalue. */
  readonly value: number;
  /** Its Ritz vector, unit norm, length dim. */
  readonly vector: number[];
  /** Matrix-vector products made (<= maxProducts). */
  readonly products: number;
  /**
   * Whether the stopping rule was met (see `tolerance`), a Krylov space grown from a random vector
   * became invariant (exact), or the basis spans R^dim. False when the products ran out first.
   */
  readonly converged: boolean;
  /** The residual bound ||A vector - value vector|| at the end (0 for an exact invariant subspace). */
  readonly residual: number;
  /** Every final Ritz value, ascending. */
  readonly ritzValues: number[];
}

/** Two passes of classical Gram-Schmidt of `w` against the unit vectors `basis`, in place. */
function orthogonalise(w: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    const c = basis.map((q) => dot(q, w));
    basis.forEach((q, j) => axpy(w, -c[j], q));
  }
}

/** One Lanczos block: the span of basis[first .. first + m) and its Ritz pairs (Q_block s). */
interface Block {
  readonly first: number;
  readonly values: number[];
  readonly top: number;
  readonly s: number[];
  readonly residual: number;
}

/**
 * The largest algebraic eigenvalue of the symmetric operator `matVec` on R^dim, by Lanczos with full
 * reorthogonalisation (twice against every Lanczos vector, in float64). `matVec` gets a fresh array
 * each call and must return `dim` finite numbers (an error names the 1-based product otherwise).
 *
 * Breakdown (beta ~ 0: the Krylov space is invariant, its Ritz values exact): when the block grew
 * from a random vector, its Krylov space holds, with probability 1, a part of every eigenspace of the
 * part of R^dim not yet covered, so the answer is exact and the run stops. When it grew from
 * `start` (which may be deficient, e.g. an eigenvector), Lanczos continues from a seeded random
 * vector orthogonal to the basis, and T becomes block diagonal. Deterministic for a given seed.
 */
export async function dominantEigenvalue(
  matVec: (v: number[]) => ArrayLike<number> | Promise<ArrayLike<number>>,
  dim: number,
  options: DominantEigenOptions = {},
): Promise<DominantEigen> {
  const { maxProducts = 20, tolerance = 1e-3, seed = 0, start } = options;
  checkInteger(dim, 'dominantEigenvalue: dim', 1);
  checkInteger(maxProducts, 'dominantEigenvalue: maxProducts', 1);
  checkInteger(seed, 'dominantEigenvalue: seed');
  if (!(tolerance >= 0) || !Number.isFinite(tolerance))
    throw new Error(`dominantEigenvalue: tolerance=${tolerance} is not a finite number >= 0`);
  if (start && (start.length !== dim || !start.every(Number.isFinite))) {
    throw new Error(`dominantEigenvalue: start must hold ${dim} finite numbers (got ${start.length})`);
  }
  const rng = new Rng(seed);
  const basis: Float64Array[] = [];
  const done: Block[] = [];
  let q = start ? normalise(start, 'dominantEigenvalue: start') : normalise(gaussianVector(dim, rng));
  let fromRandom = !start;
  let first = 0;
  let alphas: number[] = [];
  let betas: number[] = [];
  let active: Block | undefined;
  let products = 0;
  let anorm = 0; // max ||A q_j||, the scale of a breakdown
  let converged = false;
  basis.push(q);
  for (;;) {
    const w = await product(matVec, q, dim, ++products);
    anorm = Math.max(anorm, norm(w));
    alphas.push(dot(q, w));
    orthogonalise(w, basis);
    const beta = norm(w);
    const eig = symmetricEigen(tridiagonal(alphas, betas));
    const s = eig.vectors[eig.vectors.length - 1];
    const breakdown = beta <= 1e-10 * anorm || basis.length === dim;
    active = {
      first,
      values: eig.values,
      top: eig.values[eig.values.length - 1],
      s,
      residual: breakdown ? 0 : beta * Math.abs(s[s.length - 1]),
    };
    if (breakdown) {
      done.push(active);
      active = undefined;
      if (basis.length === dim || fromRandom) {
        converged = true;
        break;
      }
      if (products >= maxProducts) break;
      const fresh = restartVector(basis, dim, rng);
      if (!fresh) {
        converged = true;
        break;
      }
      [q, fromRandom, first, alphas, betas] = [fresh, true, basis.length, [], []];
      basis.push(q);
      continue;
    }
    const blocks = [...done, active];
    const theta = Math.max(...blocks.map((b) => b.top));
    const normT = Math.max(...blocks.map((b) => Math.max(-b.values[0], b.top))); // max |Ritz value|
    if (active.residual <= tolerance * Math.max(Math.abs(theta), 1e-8 * normT)) {
      converged = true;
      break;
    }
    if (products >= maxProducts) break;
    betas.push(beta);
    scaleInPlace(w, 1 / beta);
    q = w;
    basis.push(q);
  }
  const blocks = active ? [...done, active] : done;
  const best = blocks.reduce((a, b) => (b.top > a.top ? b : a));
  const y = new Float64Array(dim);
  best.s.forEach((c, j) => axpy(y, c, basis[best.first + j]));
  return {
    value: best.top,
    vector: Array.from(normalise(y, 'Ritz vector')),
    products,
    converged,
    residual: best.residual,
    ritzValues: blocks.flatMap((b) => b.values).sort((a, b) => a - b),
  };
}

/** The symmetric tridiagonal matrix with diagonal `a` and off-diagonal `b`, as rows. */
function tridiagonal(a: readonly number[], b: readonly number[]): number[][] {
  return a.map((ai, i) => a.map((_, j) => (i === j ? ai : j === i + 1 ? b[i] : j === i - 1 ? b[j] : 0)));
}

/** A seeded unit vector orthogonal to `basis`, or undefined if three draws fall (numerically) in its span. */
function restartVector(basis: readonly Float64Array[], dim: number, rng: Rng): Float64Array | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = gaussianVector(dim, rng);
    const before = norm(r);
    orthogonalise(r, basis);
    if (norm(r) > 1e-8 * before) return normalise(r);
  }
  return undefined;
}

/** Product `index` (1-based) of `matVec` with a copy of `q`, checked: `dim` finite numbers. */
async function product(
  matVec: (v: number[]) => ArrayLike<number> | Promise<ArrayLike<number>>,
  q: Float64Array,
  dim: number,
  index: number,
): Promise<Float64Array> {
  const out: unknown = await matVec(Array.from(q));
  const what = `dominantEigenvalue: product ${index} returned`;
  if (typeof out !== 'object' || out === null || typeof (out as ArrayLike<number>).length !== 'number') {
    throw new Error(`${what} ${out === null ? 'null' : typeof out}; expected an array of ${dim} numbers`);
  }
  const values = out as ArrayLike<unknown>;
  if (values.length !== dim) throw new Error(`${what} ${values.length} values; expected ${dim}`);
  for (let i = 0; i < dim; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${what} ${String(x)} at index ${i}; expected finite numbers`);
  }
  return Float64Array.from(values as ArrayLike<number>);
}
