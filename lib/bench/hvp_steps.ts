/**
 * The step curve of the finite-difference Hessian-vector product (lib/hessian/hvp.ts), for anyone
 * who changes HVP_STEP: on a seeded smoke-size supernet after a short search on
 * Fashion-MNIST, H v for steps 1e-5 .. 3e-1, with the ReLU / max-pool masks frozen (the library's
 * method) and without, each compared with the frozen central product at HVP_STEP. A plateau (the
 * same H v over a range of steps) means the product is well defined; without frozen masks there is
 * none, because units crossing their kink add jumps to the differenced gradient.
 */
import { tf } from '../backend';
import { resolveConfig } from '../config/search_config';
import { sampleBatch } from '../data/batches';
import { gaussianVector } from '../hessian/vec';
import { Rng } from '../nn/random';
import { alphaObjective } from '../hessian/alpha_loss';
import { HessianOperator, HVP_STEP, HvpScheme } from '../hessian/hvp';
import { searchEpoch } from '../search/loop';
import { createSearchState, dartsProblem, disposeSearchState, searchData } from '../problems/darts/problem';
import type { SpaceName } from '../spaces/spaces';

export const CURVE_STEPS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];

export interface StepCurveRow {
  readonly space: SpaceName;
  readonly freezeKinks: boolean;
  readonly scheme: HvpScheme;
  readonly step: number;
  /** ||H v|| of this product. */
  readonly norm: number;
  /** ||H v - H v (frozen, central, HVP_STEP)|| / ||H v (frozen, central, HVP_STEP)||. */
  readonly relDiff: number;
}

/** The curve on `space` at smoke size (L3, C2), after `epochs` smoke search epochs, seed `seed`. */
export async function hvpStepCurve(
  space: SpaceName,
  options: { seed?: number; epochs?: number; batch?: number } = {},
): Promise<StepCurveRow[]> {
  const seed = options.seed ?? 0;
  const config = resolveConfig('smoke', { space, seed, epochs: options.epochs ?? 2, hessian: { method: 'off' } });
  const data = searchData(config);
  const state = createSearchState(config, data);
  const rows: StepCurveRow[] = [];
  const batch = sampleBatch(data.split.val, options.batch ?? 64, seed + 17);
  try {
    for (let e = 0; e < config.epochs; e++) await searchEpoch(dartsProblem(config), data, state, e);
    const dim = state.net.alphas.normal.size + state.net.alphas.reduce.size;
    const v = Array.from(gaussianVector(dim, new Rng(seed + 5)));
    const frozen = alphaObjective(state.net, batch, { seed: seed + 3 });
    const plain = alphaObjective(state.net, batch, { seed: seed + 3, freezeKinks: false });
    const ref = new HessianOperator(frozen.loss, frozen.alphas, { step: HVP_STEP }).apply(v);
    const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, y) => s + y * y, 0));
    for (const [freezeKinks, obj] of [
      [true, frozen],
      [false, plain],
    ] as const) {
      for (const scheme of ['central', 'forward'] as const) {
        for (const step of CURVE_STEPS) {
          const hv = new HessianOperator(obj.loss, obj.alphas, { step, scheme }).apply(v);
          rows.push({ space, freezeKinks, scheme, step, norm: norm(hv), relDiff: norm(hv.map((x, i) => x - ref[i])) / norm(ref) });
        }
      }
    }
    frozen.dispose();
    plain.dispose();
  } finally {
    tf.dispose([batch.x, batch.y]);
    disposeSearchState(state);
  }
  return rows;
}
