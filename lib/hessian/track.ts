/**
 * Curvature of the search (docs/method.md §3): the dominant eigenvalue of the Hessian of L_val w.r.t. all
 * alphas, plus the alphas' 1e-3 I weight-decay shift, on one validation batch with the network in
 * training mode (or, with `passes` 'eval', in evaluation mode: docs/method.md §9). `measureCurvature` is what the search loop calls every `evalEvery` epochs (and at
 * the last); the benchmark, the notebooks and the tests call it too.
 *   lanczos  `dominantEigenvalue` (Lanczos) on Hessian-vector products (lib/hessian/hvp.ts), at
 *            most `maxProducts`, stopping at `tolerance`; warm-started from a given vector (the
 *            loop passes the previous evaluation's eigenvector, which is close to the new one).
 *   full     the whole matrix, one product per alpha (as the original code builds it), and its
 *            spectrum; the matrix itself is returned only with `recordMatrix`.
 */
import { DEFAULT_SEARCH_CONFIG } from '../config/presets';
import type { SearchModel } from '../nn/model';
import { meanAlphaObjective } from './alpha_loss';
import { dominantEigenvalue, symmetricEigen } from './eigen';
import { HessianOperator, hessianMatrix, HvpScheme } from './hvp';

export type CurvatureMethod = 'lanczos' | 'full';

/**
 * The network's mode in the curvature's passes (lib/hessian/alpha_loss.ts `training`): 'train' as
 * the search's alpha steps (the paper's), 'eval' as the validation metric, without random draws.
 */
export type CurvaturePasses = 'train' | 'eval';

export interface CurvatureSettings {
  readonly method: CurvatureMethod;
  /** Lanczos: the most Hessian-vector products. */
  readonly maxProducts: number;
  /** Lanczos: stop once the top Ritz pair's residual bound is <= tolerance x |eigenvalue|. */
  readonly tolerance: number;
  /** Finite-difference step of the products (lib/hessian/hvp.ts). */
  readonly step: number;
  readonly scheme: HvpScheme;
  /** The alphas' L2 factor: the + weightDecay I of the paper's Hessian. */
  readonly weightDecay: number;
  /** Seed of the loss's random draws (noise op, drop path) and of Lanczos's start vector. */
  readonly seed: number;
  /** Lanczos start vector (flattened alphas order), e.g. the previous eigenvector. */
  readonly start?: readonly number[];
  /** Also return the full matrix (method 'full'). */
  readonly recordMatrix?: boolean;
  /** ScheduledDropPath probability of the epoch, as in the search's own passes (docs/method.md §3-4). */
  readonly dropPathProb?: number;
  /** The network's mode in the passes; absent = 'train'. */
  readonly passes?: CurvaturePasses;
}

/** One curvature measurement, as stored in an epoch record (plain JSON). */
export interface CurvatureRecord {
  readonly method: CurvatureMethod;
  /** The largest eigenvalue of H + weightDecay I. */
  readonly dominantEigenvalue: number;
  /** Its unit eigenvector, over the alphas flattened (lib/hessian/alpha_loss.ts; DARTS: normal [14][k] row-major, then reduce). */
  readonly vector: number[];
  /** Hessian-vector products made, and gradient evaluations (the cost; seconds are in timings). */
  readonly products: number;
  readonly gradients: number;
  /** Lanczos met its tolerance (always true for 'full'). */
  readonly converged: boolean;
  /** How the products were made. */
  readonly hvp: { readonly scheme: HvpScheme; readonly step: number; readonly weightDecay: number; readonly kinkSites: number };
  /** Examples in the batch (in all of them, where the Hessian is of the mean over several). */
  readonly batchSize: number;
  /** Batches whose mean loss the Hessian is of, where more than one (`measureCurvatureMean`). */
  readonly batches?: number;
  /** 'eval' where the passes ran in evaluation mode (absent: training mode, the search's). */
  readonly passes?: 'eval';
  /** 'full': every eigenvalue, ascending. */
  readonly spectrum?: number[];
  /** 'full' with recordMatrix: the symmetrised matrix, and the relative asymmetry before. */
  readonly matrix?: number[][];
  readonly asymmetry?: number;
}

/**
 * The settings `measureCurvature` fills in where a caller leaves them out: the paper's setting
 * (DEFAULT_SEARCH_CONFIG: central differences at step 1e-2, the alphas' L2 of 1e-3 as the shift,
 * docs/method.md §1, §3) with Lanczos instead of the full matrix (which costs 2 gradients per
 * alpha), seed 0. A search measures with its config's settings instead (lib/search/loop.ts
 * `curvatureSettings`).
 */
export const CURVATURE_DEFAULTS: CurvatureSettings = Object.freeze({
  method: 'lanczos',
  maxProducts: DEFAULT_SEARCH_CONFIG.hessian.maxProducts,
  tolerance: DEFAULT_SEARCH_CONFIG.hessian.tolerance,
  step: DEFAULT_SEARCH_CONFIG.hessian.step,
  scheme: DEFAULT_SEARCH_CONFIG.hessian.scheme,
  weightDecay: DEFAULT_SEARCH_CONFIG.alphaOptimizer.weightDecay,
  seed: 0,
});

/**
 * The curvature of `model`'s validation loss in the alphas on `batch` (docs/method.md §3). Changes
 * nothing in `model`. Settings left out take `CURVATURE_DEFAULTS`.
 */
export function measureCurvature<B>(
  model: Pick<SearchModel<B>, 'alphaParams' | 'loss' | 'examples'>,
  batch: B,
  partial: Partial<CurvatureSettings> = {},
): Promise<CurvatureRecord> {
  return measureCurvatureMean(model, [batch], partial);
}

/**
 * The curvature of the mean of `model`'s validation loss over `batches` (each with its own random
 * draws, lib/hessian/alpha_loss.ts `meanAlphaObjective`): a less noisy estimate of the Hessian of
 * L_val than one batch's, for a search config's `hessian.batches` > 1 (docs/method.md §9). One batch
 * is `measureCurvature`, record for record.
 */
export async function measureCurvatureMean<B>(
  model: Pick<SearchModel<B>, 'alphaParams' | 'loss' | 'examples'>,
  batches: readonly B[],
  partial: Partial<CurvatureSettings> = {},
): Promise<CurvatureRecord> {
  // An explicit undefined (e.g. `{ maxProducts: options.maxProducts }`) takes the default too.
  const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const settings: CurvatureSettings = { ...CURVATURE_DEFAULTS, ...given };
  const training = settings.passes !== 'eval';
  const objective = meanAlphaObjective(model, batches, { seed: settings.seed, dropPathProb: settings.dropPathProb ?? 0, training });
  try {
    const op = new HessianOperator(objective.loss, objective.alphas, {
      step: settings.step,
      scheme: settings.scheme,
      weightDecay: settings.weightDecay,
    });
    const common = {
      hvp: { scheme: op.scheme, step: op.step, weightDecay: op.weightDecay, kinkSites: objective.kinkSites },
      batchSize: batches.reduce((n, b) => n + model.examples(b), 0),
      ...(batches.length > 1 ? { batches: batches.length } : {}),
      ...(training ? {} : { passes: 'eval' as const }),
    };
    if (settings.method === 'full') {
      const full = await hessianMatrix((v) => op.apply(v), op.dim);
      const eig = symmetricEigen(full.matrix);
      const top = eig.values.length - 1;
      return {
        method: 'full',
        dominantEigenvalue: eig.values[top],
        vector: eig.vectors[top],
        products: op.products,
        gradients: op.gradients,
        converged: true,
        ...common,
        spectrum: eig.values,
        ...(settings.recordMatrix ? { matrix: full.matrix, asymmetry: full.asymmetry } : {}),
      };
    }
    const top = await dominantEigenvalue((v) => op.apply(v), op.dim, {
      maxProducts: settings.maxProducts,
      tolerance: settings.tolerance,
      seed: settings.seed,
      ...(settings.start ? { start: settings.start } : {}),
    });
    return {
      method: 'lanczos',
      dominantEigenvalue: top.value,
      vector: top.vector,
      products: op.products,
      gradients: op.gradients,
      converged: top.converged,
      ...common,
    };
  } finally {
    objective.dispose();
  }
}
