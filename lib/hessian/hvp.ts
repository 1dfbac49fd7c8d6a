/**
 * Hessian-vector products of a loss w.r.t. the alphas (docs/method.md §3), by finite differences of the
 * alpha gradient:
 *   central (default)  H v = ||v|| (g(a + h u) - g(a - h u)) / (2 h),   u = v / ||v||
 *   forward            H v = ||v|| (g(a + h u) - g(a)) / h               (g(a) computed once)
 * plus `weightDecay` v, the paper's "+ 1e-3 I" from the alphas' L2 factor (added exactly).
 * Why not double backpropagation: tfjs 4.22 gets the second derivative of softmax wrong (its
 * gradient treats the saved output as a constant) and has no gradient for the depthwise input
 * gradient. Differences of first derivatives work
 * on every backend.
 * Kinks: differences of gradients across a ReLU or max-pool kink are not the Hessian (each unit
 * that crosses its kink adds a jump to the differenced gradient; on smoke-size supernets this made
 * H v 4x to 70x too large, test/hessian/supernet_torch.test.ts). The loss is therefore evaluated
 * with every ReLU mask and max-pool choice frozen at the point (lib/nn/pattern.ts, via
 * lib/hessian/alpha_loss.ts): a smooth function equal to the network near the point, whose Hessian
 * is the one automatic differentiation gives. Against PyTorch's float64 double backward on S3 and
 * DARTS-space supernets the full matrix agrees to 1.6e-4 and 6.7e-5 of its largest entry.
 * Step rule: h is a distance in alpha space along the unit direction u, the same for every product.
 * The default HVP_STEP = 1e-2 sits in the middle of the plateau measured on supernets
 * (results/bench/hvp_steps.jsonl: the same H v within 0.8% from h = 3e-3 to 1e-1) and gives the
 * smallest error against PyTorch (1.6e-4 against 6e-4 at 3e-3 and 1.1e-3 at 3e-2): smaller steps
 * lose digits to float32 rounding, larger ones see the third derivative.
 * Gradients are float32 (the engine's); differences and products are float64 on the host.
 */
import { tf } from '../backend';
import type { LossOfAlphas } from './alpha_loss';

export type HvpScheme = 'central' | 'forward';

/** The default finite-difference step (see the header). */
export const HVP_STEP = 1e-2;

export interface HvpOptions {
  /** Step h along the unit direction, in alpha units (default HVP_STEP). */
  readonly step?: number;
  /** Central differences (2 gradients a product, error O(h^2)) or forward (1, O(h)); default central. */
  readonly scheme?: HvpScheme;
  /** The alphas' L2 factor: adds weightDecay * v, the paper's + 1e-3 I (default 0). */
  readonly weightDecay?: number;
}

function checkVector(v: ArrayLike<number>, dim: number, what: string): void {
  if (v.length !== dim) throw new Error(`${what} has ${v.length} values; expected ${dim}`);
  for (let i = 0; i < dim; i++) if (!Number.isFinite(v[i])) throw new Error(`${what}[${i}] = ${v[i]} is not finite`);
}

/** grad_alpha loss at `alphas` [n] as float64 (one forward and backward pass). */
export function lossGradient(loss: LossOfAlphas, alphas: ArrayLike<number>): Float64Array {
  const g = tf.tidy(() => tf.grad((a: tf.Tensor) => loss(a as tf.Tensor1D))(tf.tensor1d(Array.from(alphas))));
  const values = g.dataSync();
  g.dispose();
  return Float64Array.from(values);
}

/**
 * The Hessian of `loss` at fixed `alphas` as an operator v -> H v; it counts the products and
 * gradient evaluations it made (the cost that tracking records).
 */
export class HessianOperator {
  readonly dim: number;
  readonly step: number;
  readonly scheme: HvpScheme;
  readonly weightDecay: number;
  private readonly at: Float64Array;
  private base: Float64Array | undefined;
  /** Products H v computed so far. */
  products = 0;
  /** Gradient evaluations (forward + backward passes) so far. */
  gradients = 0;

  constructor(
    private readonly loss: LossOfAlphas,
    alphas: ArrayLike<number>,
    options: HvpOptions = {},
  ) {
    this.dim = alphas.length;
    if (this.dim === 0) throw new Error('HessianOperator: alphas is empty');
    checkVector(alphas, this.dim, 'HessianOperator: alphas');
    this.at = Float64Array.from(alphas);
    this.step = options.step ?? HVP_STEP;
    this.scheme = options.scheme ?? 'central';
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.step > 0) || !Number.isFinite(this.step))
      throw new Error(`HessianOperator: options.step = ${this.step}; expected a finite number > 0`);
    if (this.scheme !== 'central' && this.scheme !== 'forward')
      throw new Error(`HessianOperator: options.scheme = ${String(this.scheme)}; expected central or forward`);
    if (!(this.weightDecay >= 0) || !Number.isFinite(this.weightDecay))
      throw new Error(`HessianOperator: options.weightDecay = ${this.weightDecay}; expected a finite number >= 0`);
  }

  private gradientAt(direction: Float64Array, scale: number): Float64Array {
    this.gradients += 1;
    const point = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) point[i] = this.at[i] + scale * direction[i];
    return lossGradient(this.loss, point);
  }

  /** H v (float64), v of length dim. */
  apply(v: ArrayLike<number>): Float64Array {
    checkVector(v, this.dim, 'hvp: v');
    let norm = 0;
    for (let i = 0; i < this.dim; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    const out = new Float64Array(this.dim);
    this.products += 1;
    if (norm === 0) return out;
    const u = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) u[i] = v[i] / norm;
    const h = this.step;
    const plus = this.gradientAt(u, h);
    let minus: Float64Array;
    let width: number;
    if (this.scheme === 'central') {
      minus = this.gradientAt(u, -h);
      width = 2 * h;
    } else {
      this.base ??= this.gradientAt(u, 0);
      minus = this.base;
      width = h;
    }
    for (let i = 0; i < this.dim; i++) out[i] = (norm * (plus[i] - minus[i])) / width + this.weightDecay * v[i];
    return out;
  }
}

/** One Hessian-vector product H v of `loss` at `alphas` (docs/method.md §3); see the header for the method. */
export function hvp(loss: LossOfAlphas, alphas: ArrayLike<number>, v: ArrayLike<number>, options: HvpOptions = {}): Float64Array {
  return new HessianOperator(loss, alphas, options).apply(v);
}

/** The full matrix from `dim` products with unit vectors, symmetrised, and how asymmetric it was. */
export interface HessianMatrix {
  /** (H + H^T) / 2, rows of length dim. */
  readonly matrix: number[][];
  /** max |H_ij - H_ji| / max |H_ij| of the raw columns (0 for an exactly symmetric operator). */
  readonly asymmetry: number;
  /** Products made (= dim). */
  readonly products: number;
}

/**
 * The full Hessian, one product per coordinate as the original code builds it (there by double
 * backward), then symmetrised: column j = H e_j.
 */
export async function hessianMatrix(
  matVec: (v: number[]) => ArrayLike<number> | Promise<ArrayLike<number>>,
  dim: number,
): Promise<HessianMatrix> {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`hessianMatrix: dim = ${dim}; expected a positive integer`);
  const columns: ArrayLike<number>[] = [];
  for (let j = 0; j < dim; j++) {
    const e = new Array<number>(dim).fill(0);
    e[j] = 1;
    const col = await matVec(e);
    checkVector(col, dim, `hessianMatrix: product ${j}`);
    columns.push(col);
  }
  let asym = 0;
  let scale = 0;
  const matrix = Array.from({ length: dim }, (_, i) =>
    Array.from({ length: dim }, (_, j) => {
      const [hij, hji] = [columns[j][i], columns[i][j]];
      asym = Math.max(asym, Math.abs(hij - hji));
      scale = Math.max(scale, Math.abs(hij));
      return (hij + hji) / 2;
    }),
  );
  return { matrix, asymmetry: scale > 0 ? asym / scale : 0, products: dim };
}
