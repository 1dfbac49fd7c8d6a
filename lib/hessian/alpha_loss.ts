/**
 * The validation loss as a function of the alphas alone (PAPER.md 3): all alphas, normal then
 * reduce, flattened row by row into one vector of n = 2 x 14 x k values, on one fixed batch, the
 * network in training mode (batch statistics, as during the search). The weights are constants.
 * Every random draw inside the loss (the noise op of S4, drop path) comes from `seed`, so the
 * evaluations that one Hessian-vector product pairs see the same function. The running BN
 * statistics are left untouched, so measuring the curvature never changes the search.
 */
import { tf } from '../backend';
import { ActivationPattern } from '../nn/pattern';
import type { SupernetForwardOptions } from '../supernet/network';
import { Batch, crossEntropy } from '../search/step';

/** A loss of the flattened alphas [n] (the caller runs it inside tf.tidy / tf.grad). */
export type LossOfAlphas = (alphas: tf.Tensor1D) => tf.Scalar;

/** What the alpha loss needs from a supernet. */
export interface AlphaNet {
  readonly alphas: { readonly normal: tf.Variable; readonly reduce: tf.Variable };
  forward(x: tf.Tensor4D, options: SupernetForwardOptions): tf.Tensor2D;
}

/** The current alphas of `net`, flattened: normal [14, k] row-major, then reduce [14, k]. */
export function flatAlphas(net: AlphaNet): Float64Array {
  const n = net.alphas.normal.dataSync();
  const r = net.alphas.reduce.dataSync();
  const out = new Float64Array(n.length + r.length);
  out.set(n, 0);
  out.set(r, n.length);
  return out;
}

/** One name per flattened alpha index: `normal[edge][op]` / `reduce[edge][op]` positions. */
export function alphaIndex(net: AlphaNet): { cell: 'normal' | 'reduce'; edge: number; op: number }[] {
  const out: { cell: 'normal' | 'reduce'; edge: number; op: number }[] = [];
  for (const cell of ['normal', 'reduce'] as const) {
    const [edges, k] = net.alphas[cell].shape;
    for (let edge = 0; edge < edges; edge++) for (let op = 0; op < k; op++) out.push({ cell, edge, op });
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
  /** ScheduledDropPath probability of the epoch (PAPER.md 4): its masks come from `seed`, frozen too. */
  readonly dropPathProb?: number;
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

/** L_val(alphas) of `net` on `batch` (PAPER.md 3), for lib/hessian/hvp.ts. */
export function alphaObjective(net: AlphaNet, batch: Batch, options: AlphaLossOptions): AlphaObjective {
  const [normalShape, reduceShape] = [net.alphas.normal.shape, net.alphas.reduce.shape] as [number, number][];
  const nNormal = normalShape[0] * normalShape[1];
  const n = nNormal + reduceShape[0] * reduceShape[1];
  const pattern = options.freezeKinks === false ? undefined : new ActivationPattern();
  const base = {
    training: true,
    updateRunningStats: false,
    seed: options.seed,
    dropPathProb: options.dropPathProb ?? 0,
    ...(pattern ? { pattern } : {}),
  };
  // The recording pass, at the net's own alphas.
  if (pattern) tf.dispose(net.forward(batch.x, base));
  const loss: LossOfAlphas = (alphas) => {
    if (alphas.rank !== 1 || alphas.shape[0] !== n) {
      throw new Error(`alphaObjective: alphas has shape [${alphas.shape}]; expected [${n}] (normal then reduce, flattened)`);
    }
    const normal = alphas.slice(0, nNormal).reshape(normalShape) as tf.Tensor2D;
    const reduce = alphas.slice(nNormal).reshape(reduceShape) as tf.Tensor2D;
    return crossEntropy(net.forward(batch.x, { ...base, alphas: { normal, reduce } }), batch.y);
  };
  return { loss, alphas: flatAlphas(net), kinkSites: pattern?.sites ?? 0, dispose: () => pattern?.dispose() };
}
