/**
 * The validation loss as a function of the alphas alone (docs/method.md §3): all alphas (the model's
 * `alphaParams`, for DARTS normal then reduce) flattened row by row into one vector (n = 2 x 14 x k
 * values for DARTS), on one fixed batch, the
 * network in training mode (batch statistics, as during the search) unless `training` is false. The
 * weights are constants.
 * Every random draw inside the loss (the noise op of S4, drop path) comes from `seed`, so the
 * evaluations that one Hessian-vector product pairs see the same function. The running BN
 * statistics are left untouched, so measuring the curvature never changes the search.
 */
import { tf } from '../backend';
import type { SearchModel } from '../nn/model';
import { ActivationPattern } from '../nn/pattern';
import { mixSeed } from '../nn/random';

/** A loss of the flattened alphas [n] (the caller runs it inside tf.tidy / tf.grad). */
export type LossOfAlphas = (alphas: tf.Tensor1D) => tf.Scalar;

/** What the alpha loss needs from a model (lib/nn/model.ts). */
export type AlphaModel<B> = Pick<SearchModel<B>, 'alphaParams' | 'loss'>;

/** The current alphas of `model`, flattened: each of `alphaParams` row-major, in their order. */
export function flatAlphas(model: Pick<SearchModel<unknown>, 'alphaParams'>): Float64Array {
  const parts = [...model.alphaParams.values()].map((a) => a.dataSync());
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface AlphaLossOptions {
  /** Seed of every random draw in the forward pass (noise op, drop path), frozen across calls. */
  readonly seed: number;
  /**
   * Fix every ReLU mask and max-pool choice to those at the net's current alphas (default true;
   * lib/nn/pattern.ts): the loss is then smooth in the alphas and its finite-difference Hessian
   * is the automatic-differentiation one. false: the plain network, kinks and all.
   */
  readonly freezeKinks?: boolean;
  /** ScheduledDropPath probability of the epoch (docs/method.md §4): its masks come from `seed`, frozen too. */
  readonly dropPathProb?: number;
  /**
   * The network's mode in the loss's passes (default true, the search's alpha steps: dropout masks,
   * drop path, batch statistics). false: its evaluation pass, with no random draws (no dropout
   * or drop path; batch norm on the running statistics where the network keeps them; the
   * recurrent search cell keeps none and normalises by the batch's), as the validation metric
   * is measured (docs/method.md §9).
   */
  readonly training?: boolean;
}

/** L_val as a function of the alphas, at the net's current alphas; owns tensors: call `dispose()`. */
export interface AlphaObjective {
  readonly loss: LossOfAlphas;
  /** The net's alphas when the objective was made (flattened): where the Hessian is taken. */
  readonly alphas: Float64Array;
  /** ReLU and max-pool sites whose choices are frozen (0 with freezeKinks false). */
  readonly kinkSites: number;
  dispose(): void;
}

/** L_val(alphas) of `model` on `batch` (docs/method.md §3), for lib/hessian/hvp.ts. */
export function alphaObjective<B>(model: AlphaModel<B>, batch: B, options: AlphaLossOptions): AlphaObjective {
  const parts = [...model.alphaParams].map(([name, a]) => ({ name, shape: a.shape, size: a.size }));
  const n = parts.reduce((k, p) => k + p.size, 0);
  const pattern = options.freezeKinks === false ? undefined : new ActivationPattern();
  const base = {
    training: options.training ?? true,
    updateRunningStats: false,
    seed: options.seed,
    dropPathProb: options.dropPathProb ?? 0,
    ...(pattern ? { pattern } : {}),
  };
  // The recording pass, at the model's own alphas, passed as substituted alphas (the same values),
  // so that a model with state between passes (the language model's carried hidden states) keeps it.
  if (pattern)
    tf.tidy(() => {
      model.loss(batch, { ...base, alphas: model.alphaParams });
    });
  const loss: LossOfAlphas = (alphas) => {
    if (alphas.rank !== 1 || alphas.shape[0] !== n) {
      throw new Error(
        `alphaObjective: alphas has shape [${alphas.shape}]; expected [${n}] (${parts.map((p) => p.name).join(', ')}, flattened)`,
      );
    }
    let at = 0;
    const byName = new Map(
      parts.map((p) => {
        const t = alphas.slice(at, p.size).reshape(p.shape);
        at += p.size;
        return [p.name, t];
      }),
    );
    return model.loss(batch, { ...base, alphas: byName }).loss;
  };
  return { loss, alphas: flatAlphas(model), kinkSites: pattern?.sites ?? 0, dispose: () => pattern?.dispose() };
}

/**
 * The mean of L_val(alphas) over `batches` (lib/hessian/track.ts `measureCurvatureMean`): one
 * objective per batch, each with its own kink pattern and random draws (batch 0 from
 * `options.seed`, as `alphaObjective`, batch i > 0 from mixSeed(seed, i)), summed in one pass so
 * that one gradient of it is the mean of the batches' gradients.
 */
export function meanAlphaObjective<B>(model: AlphaModel<B>, batches: readonly B[], options: AlphaLossOptions): AlphaObjective {
  if (batches.length === 0) throw new Error('meanAlphaObjective: no batches');
  const parts: AlphaObjective[] = [];
  try {
    batches.forEach((b, i) =>
      parts.push(alphaObjective(model, b, { ...options, seed: i === 0 ? options.seed : mixSeed(options.seed, i) })),
    );
  } catch (e) {
    parts.forEach((p) => p.dispose());
    throw e;
  }
  if (parts.length === 1) return parts[0];
  const loss: LossOfAlphas = (alphas) => tf.div(tf.addN(parts.map((p) => p.loss(alphas))), parts.length);
  return {
    loss,
    alphas: parts[0].alphas,
    kinkSites: parts.reduce((n, p) => n + p.kinkSites, 0),
    dispose: () => parts.forEach((p) => p.dispose()),
  };
}
