/**
 * One search iteration of DARTS (PAPER.md 1), as functions over the network state:
 *   alphaStep: Adam on grad_alpha L_val, first order, or second order (the unrolled step:
 *     w' = w - xi (mu m + grad_w L_train(w) + lambda w); g1 = grad_alpha L_val(w');
 *     v = grad_w' L_val(w'); eps = 0.01 / ||v||;
 *     h = (grad_alpha L_train(w + eps v) - grad_alpha L_train(w - eps v)) / (2 eps); grad = g1 - xi h);
 *   weightStep: SGD (momentum, L2) on grad_w L_train, gradient norm clipped.
 * The second-order step moves the weights in place and restores them exactly (a saved copy), as
 * the reference benchmark does; no second network is built.
 */
import { tf } from '../backend';
import { Adam, clipScale, NamedTensors, Sgd } from './optim';

/** What a search step needs from the supernet. */
export interface Supernet {
  readonly weights: ReadonlyMap<string, tf.Variable>;
  readonly alphas: { readonly normal: tf.Variable; readonly reduce: tf.Variable };
  /**
   * Logits [N, classes]; `seed` fixes every random draw inside (the noise op); training mode
   * updates the BN running statistics unless `updateRunningStats` is false.
   */
  forward(x: tf.Tensor4D, options: { training: boolean; seed?: number; updateRunningStats?: boolean; dropPathProb?: number }): tf.Tensor2D;
}

/** A batch of images (NHWC) and integer labels. */
export interface Batch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

/** Mean softmax cross-entropy of `logits` [N, K] against integer `labels` [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  });
}

/** Fraction of rows whose argmax equals the label (a number). */
export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')).dataSync()[0]);
}

/** The alphas as named variables (the names of the original code's state). */
export function alphaParams(net: Supernet): Map<string, tf.Variable> {
  return new Map([
    ['alphas_normal', net.alphas.normal],
    ['alphas_reduce', net.alphas.reduce],
  ]);
}

/**
 * Loss and its gradients w.r.t. the variables in `params`, by name. The caller owns the returned
 * tensors (dispose `loss` and every gradient).
 */
export function lossAndGrads(
  net: Supernet,
  batch: Batch,
  params: ReadonlyMap<string, tf.Variable>,
  seed?: number,
  updateRunningStats = true,
  dropPathProb = 0,
): { loss: tf.Scalar; logits: tf.Tensor2D; grads: Map<string, tf.Tensor> } {
  let logits: tf.Tensor2D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = net.forward(batch.x, { training: true, seed, updateRunningStats, dropPathProb });
    logits = tf.keep(out);
    return crossEntropy(out, batch.y);
  }, [...params.values()]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, p] of params) {
    const g = grads[p.name];
    if (g) byName.set(name, g);
  }
  return { loss: value, logits: logits as tf.Tensor2D, grads: byName };
}

/** Runs `fn` in tf.tidy and returns its named tensors as a Map (tidy cannot return a Map). */
function tidyMap(fn: () => [string, tf.Tensor][]): Map<string, tf.Tensor> {
  const obj = tf.tidy(() => Object.fromEntries(fn()) as Record<string, tf.Tensor>);
  return new Map(Object.entries(obj));
}

function disposeAll(m: NamedTensors): void {
  for (const t of m.values()) t.dispose();
}

export interface StepResult {
  readonly loss: number;
  readonly accuracy: number;
}

export interface WeightStepOptions {
  readonly lr: number;
  readonly gradClip: number;
  readonly seed?: number;
  /** ScheduledDropPath probability of this epoch (PAPER.md 4); default 0. */
  readonly dropPathProb?: number;
}

/** Weight step (PAPER.md 1, step 3): SGD on grad_w L_train(w, alpha), clipped. */
export function weightStep(net: Supernet, opt: Sgd, batch: Batch, options: WeightStepOptions): StepResult {
  const { loss, logits, grads } = lossAndGrads(net, batch, net.weights, options.seed, true, options.dropPathProb ?? 0);
  opt.step(grads, options.lr, clipScale(grads, options.gradClip).scale);
  const result = { loss: loss.dataSync()[0], accuracy: accuracy(logits, batch.y) };
  disposeAll(grads);
  tf.dispose([loss, logits]);
  return result;
}

export interface AlphaStepOptions {
  readonly order: 'first' | 'second';
  /** Second order: the training batch, the weights' lr (xi), momentum and L2 factor. */
  readonly trainBatch?: Batch;
  readonly lr?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly seed?: number;
  /** ScheduledDropPath probability of this epoch (PAPER.md 4); default 0. */
  readonly dropPathProb?: number;
}

/** Alpha step (PAPER.md 1, step 2): Adam on the first- or second-order alpha gradient. */
export function alphaStep(net: Supernet, wOpt: Sgd, aOpt: Adam, valBatch: Batch, options: AlphaStepOptions): StepResult {
  const alphas = alphaParams(net);
  if (options.order === 'first') {
    const { loss, logits, grads } = lossAndGrads(net, valBatch, alphas, options.seed, true, options.dropPathProb ?? 0);
    aOpt.step(grads);
    const result = { loss: loss.dataSync()[0], accuracy: accuracy(logits, valBatch.y) };
    disposeAll(grads);
    tf.dispose([loss, logits]);
    return result;
  }
  const grads = unrolledAlphaGrads(net, wOpt, valBatch, options);
  aOpt.step(grads.grads);
  disposeAll(grads.grads);
  return { loss: grads.loss, accuracy: grads.accuracy };
}

function assignAll(params: ReadonlyMap<string, tf.Variable>, values: NamedTensors): void {
  for (const [name, p] of params) {
    const v = values.get(name);
    if (v) p.assign(v);
  }
}

/**
 * The second-order alpha gradient (PAPER.md 1, step 2), leaving the weights as they were (also when
 * a pass throws). As in the original code, the pass at w' does not touch the BN running
 * statistics (there it runs on a throwaway copy of the model); the other three passes do.
 */
export function unrolledAlphaGrads(
  net: Supernet,
  wOpt: Sgd,
  valBatch: Batch,
  options: AlphaStepOptions,
): { grads: Map<string, tf.Tensor>; loss: number; accuracy: number } {
  const { trainBatch, lr, momentum, weightDecay } = options;
  const missing = Object.entries({ trainBatch, lr, momentum, weightDecay })
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (!trainBatch || lr === undefined || momentum === undefined || weightDecay === undefined) {
    throw new Error(`alphaStep: the second order needs ${missing.join(', ')}`);
  }
  const alphas = alphaParams(net);
  const w = net.weights;
  const saved = new Map([...w].map(([k, v]) => [k, tf.clone(v)]));
  const owned: NamedTensors[] = [saved];
  try {
    // (1) w' = w - xi (mu m + g + lambda w), on the training batch.
    const p = options.dropPathProb ?? 0;
    const train = lossAndGrads(net, trainBatch, w, options.seed, true, p);
    owned.push(train.grads);
    tf.dispose([train.loss, train.logits]);
    const unrolled = tidyMap(() =>
      [...w].map(([k, p]) => {
        const g = train.grads.get(k) ?? tf.zerosLike(p);
        const m = wOpt.momentumBuffer(k);
        let d = tf.add(g, tf.mul(p, weightDecay));
        if (m) d = tf.add(d, tf.mul(m, momentum));
        return [k, tf.sub(p, tf.mul(d, lr))] as [string, tf.Tensor];
      }),
    );
    // (2) g1 and v at w'.
    assignAll(w, unrolled);
    disposeAll(unrolled);
    const both = new Map<string, tf.Variable>([...alphas, ...w]);
    const val = lossAndGrads(net, valBatch, both, options.seed, false, p);
    owned.push(val.grads);
    const result = { loss: val.loss.dataSync()[0], accuracy: accuracy(val.logits, valBatch.y) };
    tf.dispose([val.loss, val.logits]);
    const vNorm = tf.tidy(() =>
      Math.sqrt(
        tf.addN([...w.keys()].filter((k) => val.grads.has(k)).map((k) => tf.sum(tf.square(val.grads.get(k) as tf.Tensor)))).dataSync()[0],
      ),
    );
    if (!(vNorm > 0) || !Number.isFinite(vNorm))
      throw new Error(`alphaStep: ||grad_w' L_val|| = ${vNorm}; eps = 0.01 / ||v|| is undefined`);
    const eps = 0.01 / vNorm;
    // (3) grad_alpha L_train at w +- eps v (from the saved w, not w').
    const gradAt = (sign: number) => {
      tf.tidy(() => {
        for (const [k, p] of w) {
          const v = val.grads.get(k);
          const s = saved.get(k) as tf.Tensor;
          p.assign(v ? tf.add(s, tf.mul(v, sign * eps)) : s);
        }
      });
      const r = lossAndGrads(net, trainBatch, alphas, options.seed, true, p);
      tf.dispose([r.loss, r.logits]);
      owned.push(r.grads);
      return r.grads;
    };
    const gPlus = gradAt(1);
    const gMinus = gradAt(-1);
    const grads = tidyMap(() =>
      [...alphas.keys()].map((k) => {
        const g1 = val.grads.get(k) as tf.Tensor;
        const h = tf.div(tf.sub(gPlus.get(k) as tf.Tensor, gMinus.get(k) as tf.Tensor), 2 * eps);
        return [k, tf.sub(g1, tf.mul(h, lr))] as [string, tf.Tensor];
      }),
    );
    return { grads, ...result };
  } finally {
    assignAll(w, saved);
    for (const m of owned) disposeAll(m);
  }
}
