/**
 * The two optimisers of the bi-level search (PAPER.md 1), with PyTorch's exact update rules so
 * that runs compare with the original code, and with their state in named tensors so that
 * checkpoints hold it (lib/runs):
 *   SGD (weights): g += wd w; buf = mu buf + g (buf = g at the first step); w -= lr buf.
 *   Adam (alphas): g += wd a; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *                  a -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * Gradient clipping by total norm is PyTorch's clip_grad_norm_ (scale max / (norm + 1e-6) when the
 * norm exceeds max).
 */
import { tf } from '../backend';

/** Gradients by parameter name (owned by the caller). */
export type NamedTensors = ReadonlyMap<string, tf.Tensor>;

/** The global L2 norm of all gradients (a number; nothing is kept). */
export function globalNorm(grads: NamedTensors): number {
  return tf.tidy(() => Math.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
}

/**
 * Scales gradients so that their global norm is at most `maxNorm` (PyTorch clip_grad_norm_).
 * Returns new tensors (the caller owns and disposes them) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: NamedTensors, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(grads);
  const scale = maxNorm / (norm + 1e-6);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, scale < 1 ? tf.mul(g, scale) : tf.clone(g));
  return { grads: out, norm };
}

export interface SgdOptions {
  readonly momentum: number;
  readonly weightDecay: number;
}

/** SGD with momentum and L2 weight decay, on a fixed set of named variables. */
export class Sgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(private readonly params: ReadonlyMap<string, tf.Variable>, public options: SgdOptions) {}

  /** One update with learning rate `lr` from `grads` (not disposed: they stay the caller's). */
  step(grads: NamedTensors, lr: number): void {
    const { momentum, weightDecay } = this.options;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads.get(name);
        if (!g0) continue;  // an unused weight (PyTorch skips params whose grad is None)
        const g = weightDecay !== 0 ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        let buf = this.buffers.get(name);
        if (!buf) {
          buf = tf.variable(g, false);
          this.buffers.set(name, tf.keep(buf));
        } else {
          buf.assign(tf.add(tf.mul(buf, momentum), g));
        }
        p.assign(tf.sub(p, tf.mul(buf, lr)));
      }
    });
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

  constructor(private readonly params: ReadonlyMap<string, tf.Variable>, public options: AdamOptions) {}

  step(grads: NamedTensors): void {
    const { lr, beta1, beta2, eps, weightDecay } = this.options;
    this.t += 1;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads.get(name);
        if (!g0) continue;
        const g = weightDecay !== 0 ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        const m = this.slot(this.m, name, p.shape);
        const v = this.slot(this.v, name, p.shape);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const denom = tf.add(tf.sqrt(tf.div(v, c2)), eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / c1)));
      }
    });
  }

  private slot(map: Map<string, tf.Variable>, name: string, shape: number[]): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = tf.keep(tf.variable(tf.zeros(shape), false));
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
