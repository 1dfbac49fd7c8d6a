/**
 * The two optimisers of the bi-level search (docs/method.md §1), with PyTorch's exact update rules so
 * that runs compare with the original code, and with their state in named tensors so that
 * checkpoints hold it (lib/runs):
 *   SGD (weights): g += wd w; buf = mu buf + g (buf = g at the first step); w -= lr buf
 *                  (Nesterov: w -= lr (g + mu buf)).
 *   Adam (alphas): g += wd a; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *                  a -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * Gradient clipping by total norm is PyTorch's clip_grad_norm_ (scale max / (norm + 1e-6) when the
 * norm exceeds max).
 *
 * The updates run on the host, over each tensor's values, in float64 then stored as float32: as
 * tfjs ops they cost ~6 kernel launches per parameter tensor (~2,000 per step of a small
 * supernet, more time than the arithmetic), and the parameters of a DARTS supernet are few (0.1
 * to 2 M floats). State stays in tensors, for checkpoints and for the unrolled step.
 */
import { tf } from '../backend';

/** Gradients by parameter name (owned by the caller). */
export type NamedTensors = ReadonlyMap<string, tf.Tensor>;

/** The global L2 norm of all gradients (a number; nothing is kept). */
export function globalNorm(grads: NamedTensors): number {
  let sq = 0;
  for (const g of grads.values()) {
    const v = g.dataSync();
    for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  }
  return Math.sqrt(sq);
}

/**
 * PyTorch's clip_grad_norm_ as a factor: gradients are to be multiplied by `scale`
 * (max / (norm + 1e-6) when the norm exceeds max, else 1). `norm` is the norm before clipping.
 */
export function clipScale(grads: NamedTensors, maxNorm: number): { scale: number; norm: number } {
  const norm = globalNorm(grads);
  const scale = maxNorm / (norm + 1e-6);
  return { scale: scale < 1 ? scale : 1, norm };
}

/** The values of `grad`, checked against its parameter's size (a mismatch names the parameter). */
function gradValues(name: string, grad: tf.Tensor, p: tf.Variable): ArrayLike<number> {
  if (grad.size !== p.size) throw new Error(`optimiser: gradient of ${name} has shape [${grad.shape}], parameter [${p.shape}]`);
  return grad.dataSync();
}

/** Replaces the value of `v` (same shape) with `values`. */
function assignValues(v: tf.Variable, values: Float32Array): void {
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
  /** Nesterov momentum, as torch.optim.SGD(nesterov=True); off when absent. */
  readonly nesterov?: boolean;
}

/** SGD with momentum and L2 weight decay, on a fixed set of named variables. */
export class Sgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    public options: SgdOptions,
  ) {}

  /**
   * One update with learning rate `lr` from `grads` times `gradScale` (clipping); the gradients are
   * not disposed: they stay the caller's.
   */
  step(grads: NamedTensors, lr: number, gradScale = 1): void {
    const { momentum, weightDecay } = this.options;
    const nesterov = this.options.nesterov === true;
    for (const [name, p] of this.params) {
      const grad = grads.get(name);
      if (!grad) continue; // an unused weight (PyTorch skips params whose grad is None)
      const g = gradValues(name, grad, p);
      const w = p.dataSync();
      const old = this.buffers.get(name)?.dataSync();
      const buf = new Float32Array(w.length);
      const next = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const d = g[i] * gradScale + weightDecay * w[i];
        buf[i] = old ? momentum * old[i] + d : d;
        next[i] = w[i] - lr * (nesterov ? d + momentum * buf[i] : buf[i]);
      }
      const b = this.buffers.get(name);
      if (b) assignValues(b, buf);
      else
        this.buffers.set(
          name,
          tf.tidy(() => tf.variable(tf.tensor(buf, p.shape), false)),
        );
      assignValues(p, next);
    }
  }

  /** The momentum buffer of `name` (undefined before its first step): read by the unrolled step. */
  momentumBuffer(name: string): tf.Tensor | undefined {
    return this.buffers.get(name);
  }

  /** Named state for checkpoints: `<param>.momentum_buffer`. */
  state(): Map<string, tf.Tensor> {
    return new Map([...this.buffers].map(([k, v]) => [`${k}.momentum_buffer`, v]));
  }

  /** Restores `state()` output (copies the values). */
  loadState(state: NamedTensors): void {
    this.disposeBuffers();
    for (const [key, value] of state) {
      const name = key.replace(/\.momentum_buffer$/, '');
      if (!this.params.has(name)) throw new Error(`Sgd.loadState: no parameter "${name}" for state "${key}"`);
      this.buffers.set(name, tf.variable(value, false));
    }
  }

  private disposeBuffers(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  dispose(): void {
    this.disposeBuffers();
  }
}

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/** Adam with L2 weight decay added to the gradient (torch.optim.Adam, not AdamW). */
export class Adam {
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    public options: AdamOptions,
  ) {}

  step(grads: NamedTensors): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.options;
    this.t += 1;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const [name, p] of this.params) {
      const grad = grads.get(name);
      if (!grad) continue;
      const g = gradValues(name, grad, p);
      const a = p.dataSync();
      const m = this.slot(this.m, name, p.shape);
      const v = this.slot(this.v, name, p.shape);
      const m0 = m.dataSync();
      const v0 = v.dataSync();
      const m1 = new Float32Array(a.length);
      const v1 = new Float32Array(a.length);
      const next = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) {
        const gi = g[i] + weightDecay * a[i];
        m1[i] = beta1 * m0[i] + (1 - beta1) * gi;
        v1[i] = beta2 * v0[i] + (1 - beta2) * gi * gi;
        next[i] = a[i] - (lr / c1) * (m1[i] / (Math.sqrt(v1[i] / c2) + eps));
      }
      assignValues(m, m1);
      assignValues(v, v1);
      assignValues(p, next);
    }
  }

  private slot(map: Map<string, tf.Variable>, name: string, shape: number[]): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = tf.tidy(() => tf.variable(tf.zeros(shape), false));
      map.set(name, s);
    }
    return s;
  }

  /** Named state for checkpoints: `<param>.exp_avg`, `<param>.exp_avg_sq`, and `step` (as a scalar). */
  state(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [k, m] of this.m) out.set(`${k}.exp_avg`, m);
    for (const [k, v] of this.v) out.set(`${k}.exp_avg_sq`, v);
    return out;
  }

  /** The number of steps taken (PyTorch's `step` in the state). */
  get steps(): number {
    return this.t;
  }

  loadState(state: NamedTensors, steps: number): void {
    this.dispose();
    for (const [key, value] of state) {
      const match = /^(.*)\.(exp_avg|exp_avg_sq)$/.exec(key);
      if (!match || !this.params.has(match[1])) throw new Error(`Adam.loadState: unexpected state "${key}"`);
      (match[2] === 'exp_avg' ? this.m : this.v).set(match[1], tf.variable(value, false));
    }
    this.t = steps;
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
    this.t = 0;
  }
}
