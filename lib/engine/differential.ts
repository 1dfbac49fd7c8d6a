/**
 * A backend checked against another (by default the cpu backend: plain JavaScript, which sums in
 * float64) on the search supernet, where it matters: every weight's and both alphas' gradient of
 * the training loss (DARTS's bi-level step), the second-order alpha gradient (DARTS's unrolled
 * step) and a Hessian-vector product in the alphas (the paper's curvature measure). Each backend builds the same network from the
 * same seed (the weights and the batch are drawn in JavaScript, lib/nn/random.ts) and the results
 * are compared tensor by tensor as max |a - b| / max |b|.
 *
 * Why every gradient and not the loss: with the wasm backend's float32 sums (engine revision 1,
 * lib/versions.ts) the loss agreed to 1e-7 while single gradients were off by up to 9%.
 * What a gap means: float32 results of two correct engines differ by rounding, ~1e-6 here; a ReLU
 * unit within that rounding of zero takes the other branch on one of them, and then that unit's
 * share of a gradient (a few % at these tiny sizes) differs: a real, if rare, gap that only a
 * float64 reference can arbitrate (test/fixtures/make_supernet_torch.py).
 */
import { type BackendName, backendInfo, initBackend, tf } from '../backend';
import { alphaObjective } from '../hessian/alpha_loss';
import { hvp } from '../hessian/hvp';
import { checkInteger } from '../nn/random';
import { Sgd } from '../nn/optim';
import { lossAndGrads, unrolledAlphaGrads, weightStep } from '../search/step';
import { type Batch } from '../nn/loss';
import { getSpace, type SpaceName } from '../spaces/spaces';
import { SearchNetwork } from '../problems/darts/supernet/network';

/** One supernet, batch and pass to compare. */
export interface SupernetCase {
  readonly space: SpaceName;
  readonly C: number;
  readonly layers: number;
  /** Images per batch, each image x image x 3. */
  readonly batch: number;
  readonly image: number;
  /** Seed of the weights, alphas and batches. */
  readonly seed: number;
  /** ScheduledDropPath probability in the pass (0: off). */
  readonly dropPathProb: number;
}

/** What is compared: every gradient, the second-order alpha gradient, or H v in the alphas. */
export type Measurement = 'gradients' | 'unrolled' | 'hvp';
export const MEASUREMENTS: readonly Measurement[] = ['gradients', 'unrolled', 'hvp'];

/** The tolerance of a check: each tensor's largest gap, relative to its largest entry. */
export const CHECK_TOLERANCE = 1e-4;

/** The cases of `rdarts backend --check`: every space at C 4, 5 cells, batch 8 of 16x16x3, drop path off. */
export const CHECK_CASES: readonly SupernetCase[] = (['s1', 's2', 's3', 's4', 'darts'] as const).map((space) => ({
  space,
  C: 4,
  layers: 5,
  batch: 8,
  image: 16,
  seed: space === 'darts' ? 2 : 1,
  dropPathProb: 0,
}));

/**
 * The finite-difference step of the compared H v (lib/hessian/hvp.ts). Each backend's float32
 * gradients carry rounding of ~1e-6 of their size, which central differences divide by 2 x step:
 * at the search's step (1e-2) that alone is 1.5e-4 to 4e-4 of max |H v| here, on either backend
 * against the other, so the backends are compared at a step where rounding stays below the
 * tolerance; both compute the same difference quotient, so the step's truncation error cancels.
 */
export const HVP_CHECK_STEP = 0.1;

/** Named float results of one case on one backend (gradients by state_dict name, `loss`, `hv`). */
export type Measured = Record<string, Float32Array | Float64Array>;

function batchOf(c: SupernetCase, seed: number): Batch {
  return tf.tidy(() => ({
    x: tf.randomNormal([c.batch, c.image, c.image, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.tensor1d(
      Array.from({ length: c.batch }, (_, i) => (i * 7 + seed) % 10),
      'int32',
    ),
  }));
}

function checkCase(c: SupernetCase): void {
  for (const key of ['C', 'layers', 'batch', 'image'] as const) checkInteger(c[key], `case.${key}`, 1);
  checkInteger(c.seed, 'case.seed');
  if (!(c.dropPathProb >= 0 && c.dropPathProb < 1)) throw new Error(`case.dropPathProb=${c.dropPathProb}; use a value in [0, 1)`);
}

/**
 * Runs `what` for case `c` on the active backend; the result holds copies (no tensors). The
 * gradients are read asynchronously, so that backends without synchronous reads (WebGPU in Node:
 * lib/backend_webgpu.ts) can be checked; the other measurements step an optimiser or take a
 * Hessian product, which read synchronously.
 */
export async function measureCase(c: SupernetCase, what: Measurement): Promise<Measured> {
  checkCase(c);
  const net = new SearchNetwork({ space: getSpace(c.space), C: c.C, layers: c.layers, classes: 10, inChannels: 3, seed: c.seed });
  const train = batchOf(c, c.seed + 1);
  const valid = batchOf(c, c.seed + 2);
  const passSeed = c.seed + 3;
  const out: Measured = {};
  try {
    if (what === 'gradients') {
      const params = new Map([...net.weights, ...net.alphaParams]);
      const r = lossAndGrads(net, train, params, passSeed, false, c.dropPathProb);
      try {
        out.loss = Float32Array.from(await r.loss.data());
        for (const [name, g] of r.grads) out[name] = Float32Array.from(await g.data());
      } finally {
        tf.dispose([r.loss, r.output, ...r.grads.values()]);
      }
    } else if (what === 'unrolled') {
      // One weight step first, so that the unrolled step's momentum term is not zero.
      const wOpt = new Sgd(net.weights, { momentum: 0.9, weightDecay: 3e-4 });
      weightStep(net, wOpt, train, { lr: 0.025, gradClip: 5, seed: passSeed, dropPathProb: c.dropPathProb });
      const r = unrolledAlphaGrads(net, wOpt, valid, {
        order: 'second',
        trainBatch: train,
        lr: 0.025,
        momentum: 0.9,
        weightDecay: 3e-4,
        seed: passSeed,
        dropPathProb: c.dropPathProb,
      });
      out.loss = Float32Array.of(r.loss);
      for (const [name, g] of r.grads) out[name] = Float32Array.from(g.dataSync());
      tf.dispose([...r.grads.values()]);
      wOpt.dispose();
    } else {
      const objective = alphaObjective(net, valid, { seed: passSeed, dropPathProb: c.dropPathProb });
      try {
        const v = tf.tidy(() => tf.randomNormal([objective.alphas.length], 0, 1, 'float32', c.seed + 4).dataSync());
        out.hv = hvp(objective.loss, objective.alphas, v, { step: HVP_CHECK_STEP });
      } finally {
        objective.dispose();
      }
    }
  } finally {
    tf.dispose([train.x, train.y, valid.x, valid.y]);
    net.dispose();
  }
  return out;
}

/**
 * max |a - b| / max |b| for each tensor of `reference`; Infinity where `test` lacks it, differs in
 * size, or either holds a value that is not finite (a NaN must never read as agreement).
 */
export function relativeErrors(test: Measured, reference: Measured): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [name, b] of Object.entries(reference)) {
    const a = test[name];
    if (!a || a.length !== b.length) {
      errors[name] = Infinity;
      continue;
    }
    let scale = 0;
    let gap = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      gap = Math.max(gap, Math.abs(a[i] - b[i]));
    }
    const error = scale === 0 ? gap : gap / scale;
    errors[name] = Number.isFinite(error) ? error : Infinity;
  }
  return errors;
}

/** The tensor with the largest error (a NaN counts as the largest). */
export function worstOf(errors: Record<string, number>): { tensor: string; error: number } {
  let worst = { tensor: '', error: 0 };
  for (const [tensor, error] of Object.entries(errors))
    if (!(error <= worst.error)) worst = { tensor, error: Number.isNaN(error) ? Infinity : error };
  return worst;
}

/** The worst tensor of a comparison. */
export interface CaseComparison {
  readonly case: SupernetCase;
  readonly measurement: Measurement;
  readonly worst: number;
  readonly worstTensor: string;
  readonly errors: Record<string, number>;
}

/**
 * Measures every case on `test` and on `reference` (switching the process's backend, then back to
 * the one that was active) and compares them. Slow on the cpu backend: keep the cases small.
 */
export async function compareBackends(
  cases: readonly SupernetCase[],
  measurement: Measurement,
  backends: { test?: BackendName; reference?: BackendName } = {},
): Promise<CaseComparison[]> {
  const before = backendInfo()?.name;
  const test = backends.test ?? before ?? (await initBackend()).name;
  const reference = backends.reference ?? 'cpu';
  if (test === reference)
    throw new Error(`compareBackends: the backend under test and the reference are both ${test}; compare two different backends`);
  const run = async (name: BackendName) => {
    await initBackend({ force: name });
    const measured: Measured[] = [];
    for (const c of cases) measured.push(await measureCase(c, measurement));
    return measured;
  };
  try {
    const ours = await run(test);
    const theirs = await run(reference);
    return cases.map((c, i) => {
      const errors = relativeErrors(ours[i], theirs[i]);
      const { tensor, error } = worstOf(errors);
      return { case: c, measurement, worst: error, worstTensor: tensor, errors };
    });
  } finally {
    // Back to the backend that was active, or to the one under test when none was.
    await initBackend({ force: before ?? test });
  }
}
