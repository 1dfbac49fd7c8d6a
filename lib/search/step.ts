/**
 * One search iteration of DARTS (docs/method.md §1), as functions over a model's state (lib/nn/model.ts):
 *   alphaStep: Adam on grad_alpha L_val, first order, or second order (the unrolled step:
 *     w' = w - xi (mu m + grad_w L_train(w) + lambda w); g1 = grad_alpha L_val(w');
 *     v = grad_w' L_val(w'); eps = 0.01 / ||v||;
 *     h = (grad_alpha L_train(w + eps v) - grad_alpha L_train(w - eps v)) / (2 eps); grad = g1 - xi h;
 *     with `clip`, the recurrent code's variant (rnn/architect.py): grad_w L_train clipped to norm
 *     clip, c = clip / (||grad_w L_train|| + 1e-6), v clipped to norm clip, grad = g1 - xi c h,
 *     with c as computed even where it is above 1, as the code does);
 *   weightStep: SGD (momentum, L2) on grad_w L_train, gradient norm clipped;
 *   heldAlphaStep: the alpha step without its Adam step, while the alphas are held (the loop's warm-up).
 * The second-order step moves the weights in place and restores them exactly (a saved copy), as
 * the reference benchmark does; no second network is built.
 */
import { tf } from '../backend';
import type { SearchModel } from '../nn/model';
import { Adam, clipScale, globalNorm, NamedTensors, Sgd } from '../nn/optim';

/** What a search step needs from a model (lib/nn/model.ts): its parameters, loss and metric. */
export type StepModel<B> = Pick<SearchModel<B>, 'weights' | 'alphaParams' | 'loss' | 'metric'>;

/**
 * Loss and its gradients w.r.t. the variables in `params`, by name, in training mode. The caller
 * owns the returned tensors (dispose `loss`, `output` and every gradient).
 */
export function lossAndGrads<B>(
  model: StepModel<B>,
  batch: B,
  params: ReadonlyMap<string, tf.Variable>,
  seed?: number,
  updateRunningStats = true,
  dropPathProb = 0,
  objective?: 'architecture',
): { loss: tf.Scalar; output: tf.Tensor; grads: Map<string, tf.Tensor> } {
  let output: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const r = model.loss(batch, { training: true, seed, updateRunningStats, dropPathProb, ...(objective ? { objective } : {}) });
    output = tf.keep(r.output);
    return r.loss;
  }, [...params.values()]);
  const byName = new Map<string, tf.Tensor>();
  for (const [name, p] of params) {
    const g = grads[p.name];
    if (g) byName.set(name, g);
  }
  return { loss: value, output: output as tf.Tensor, grads: byName };
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
  /** ScheduledDropPath probability of this epoch (docs/method.md §4); default 0. */
  readonly dropPathProb?: number;
}

/** Weight step (docs/method.md §1, step 3): SGD on grad_w L_train(w, alpha), clipped. */
export function weightStep<B>(model: StepModel<B>, opt: Sgd, batch: B, options: WeightStepOptions): StepResult {
  const { loss, output, grads } = lossAndGrads(model, batch, model.weights, options.seed, true, options.dropPathProb ?? 0);
  opt.step(grads, options.lr, clipScale(grads, options.gradClip).scale);
  const result = { loss: loss.dataSync()[0], accuracy: model.metric(output, batch) };
  disposeAll(grads);
  tf.dispose([loss, output]);
  return result;
}

export interface AlphaStepOptions<B> {
  readonly order: 'first' | 'second';
  /** Second order: the training batch, the weights' lr (xi), momentum and L2 factor. */
  readonly trainBatch?: B;
  readonly lr?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
  readonly seed?: number;
  /** ScheduledDropPath probability of this epoch (docs/method.md §4); default 0. */
  readonly dropPathProb?: number;
  /** Second order, the recurrent cell's: the gradient norm the DARTS rnn code clips its unrolled step's gradients to (file header). */
  readonly clip?: number;
}

/** Alpha step (docs/method.md §1, step 2): Adam on the first- or second-order alpha gradient. */
export function alphaStep<B>(model: StepModel<B>, wOpt: Sgd, aOpt: Adam, valBatch: B, options: AlphaStepOptions<B>): StepResult {
  if (options.order === 'first') {
    const { loss, output, grads } = lossAndGrads(model, valBatch, model.alphaParams, options.seed, true, options.dropPathProb ?? 0);
    aOpt.step(grads);
    const result = { loss: loss.dataSync()[0], accuracy: model.metric(output, valBatch) };
    disposeAll(grads);
    tf.dispose([loss, output]);
    return result;
  }
  const grads = unrolledAlphaGrads(model, wOpt, valBatch, options);
  aOpt.step(grads.grads);
  disposeAll(grads.grads);
  return { loss: grads.loss, accuracy: grads.accuracy };
}

/**
 * The alpha step without its Adam step, while the loop holds the alphas (`alphaWarmupEpochs`,
 * docs/method.md §3): the same passes, random draws and updates of the BN running statistics as
 * `alphaStep`, so that the weights see what they would in DARTS and the records keep their loss.
 * First order: the forward pass alone (`alphaLoss`; the gradient would be thrown away). Second
 * order: the unrolled passes, whose gradient is thrown away (they move the BN statistics on the
 * training batch and score the loss at the unrolled weights).
 */
export function heldAlphaStep<B>(model: StepModel<B>, wOpt: Sgd, valBatch: B, options: AlphaStepOptions<B>): StepResult {
  if (options.order === 'first') return alphaLoss(model, valBatch, options);
  const r = unrolledAlphaGrads(model, wOpt, valBatch, options);
  disposeAll(r.grads);
  return { loss: r.loss, accuracy: r.accuracy };
}

/**
 * The first-order alpha step's loss without the step: the same pass in training mode, with the
 * same random draws and the same update of the BN running statistics, but no gradient.
 */
export function alphaLoss<B>(model: StepModel<B>, valBatch: B, options: Pick<AlphaStepOptions<B>, 'seed' | 'dropPathProb'>): StepResult {
  return tf.tidy(() => {
    const r = model.loss(valBatch, {
      training: true,
      seed: options.seed,
      updateRunningStats: true,
      dropPathProb: options.dropPathProb ?? 0,
    });
    return { loss: r.loss.dataSync()[0], accuracy: model.metric(r.output, valBatch) };
  });
}

function assignAll(params: ReadonlyMap<string, tf.Variable>, values: NamedTensors): void {
  for (const [name, p] of params) {
    const v = values.get(name);
    if (v) p.assign(v);
  }
}

/**
 * The second-order alpha gradient (docs/method.md §1, step 2), leaving the weights as they were (also when
 * a pass throws). As in the original code, the pass at w' does not touch the BN running
 * statistics (there it runs on a throwaway copy of the model); the other three passes do.
 */
export function unrolledAlphaGrads<B>(
  model: StepModel<B>,
  wOpt: Sgd,
  valBatch: B,
  options: AlphaStepOptions<B>,
): { grads: Map<string, tf.Tensor>; loss: number; accuracy: number } {
  const { trainBatch, lr, momentum, weightDecay } = options;
  const missing = Object.entries({ trainBatch, lr, momentum, weightDecay })
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (!trainBatch || lr === undefined || momentum === undefined || weightDecay === undefined) {
    throw new Error(`alphaStep: the second order needs ${missing.join(', ')}`);
  }
  const alphas = model.alphaParams;
  const w = model.weights;
  const saved = new Map([...w].map(([k, v]) => [k, tf.clone(v)]));
  const owned: NamedTensors[] = [saved];
  try {
    // (1) w' = w - xi (mu m + g + lambda w), on the training batch.
    // The passes on the training batch score the architecture's objective, as the code's `_loss`.
    const p = options.dropPathProb ?? 0;
    const train = lossAndGrads(model, trainBatch, w, options.seed, true, p, 'architecture');
    owned.push(train.grads);
    tf.dispose([train.loss, train.output]);
    // The recurrent variant's clip coefficient: it scales the gradient where below 1, and the implicit term always.
    const coef = options.clip === undefined ? 1 : options.clip / (globalNorm(train.grads) + 1e-6);
    const unrolled = tidyMap(() =>
      [...w].map(([k, p]) => {
        const raw = train.grads.get(k) ?? tf.zerosLike(p);
        const g = coef < 1 ? tf.mul(raw, coef) : raw;
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
    const val = lossAndGrads(model, valBatch, both, options.seed, false, p);
    owned.push(val.grads);
    const result = { loss: val.loss.dataSync()[0], accuracy: model.metric(val.output, valBatch) };
    tf.dispose([val.loss, val.output]);
    let vNorm = tf.tidy(() =>
      Math.sqrt(
        tf.addN([...w.keys()].filter((k) => val.grads.has(k)).map((k) => tf.sum(tf.square(val.grads.get(k) as tf.Tensor)))).dataSync()[0],
      ),
    );
    // The recurrent variant clips v = grad_w' L_val to norm clip (the code's _clip(dtheta)).
    const vScale = options.clip === undefined ? 1 : Math.min(1, options.clip / (vNorm + 1e-6));
    vNorm *= vScale;
    if (!(vNorm > 0) || !Number.isFinite(vNorm))
      throw new Error(`alphaStep: ||grad_w' L_val|| = ${vNorm}; eps = 0.01 / ||v|| is undefined`);
    const eps = 0.01 / vNorm;
    // (3) grad_alpha L_train at w +- eps v (from the saved w, not w').
    const gradAt = (sign: number) => {
      tf.tidy(() => {
        for (const [k, p] of w) {
          const v = val.grads.get(k);
          const s = saved.get(k) as tf.Tensor;
          p.assign(v ? tf.add(s, tf.mul(v, sign * eps * vScale)) : s);
        }
      });
      const r = lossAndGrads(model, trainBatch, alphas, options.seed, true, p, 'architecture');
      tf.dispose([r.loss, r.output]);
      owned.push(r.grads);
      return r.grads;
    };
    const gPlus = gradAt(1);
    const gMinus = gradAt(-1);
    const grads = tidyMap(() =>
      [...alphas.keys()].map((k) => {
        const g1 = val.grads.get(k) as tf.Tensor;
        const h = tf.div(tf.sub(gPlus.get(k) as tf.Tensor, gMinus.get(k) as tf.Tensor), 2 * eps);
        return [k, tf.sub(g1, tf.mul(h, lr * coef))] as [string, tf.Tensor];
      }),
    );
    return { grads, ...result };
  } finally {
    assignAll(w, saved);
    for (const m of owned) disposeAll(m);
  }
}
