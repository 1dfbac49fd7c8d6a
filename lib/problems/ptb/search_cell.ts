/**
 * The DARTS recurrent search cell (the language-modelling space of the paper's cross-domain
 * experiments; lib/spaces/recurrent.ts holds its edges and genotypes), one time step and unrolled
 * over a window, as the DARTS code's search cell computes it:
 *   initial node  [c0 | g0] = [x ⊙ m_x, h ⊙ m_h] W0,  s0 = BN(h + σ(c0) ⊙ (tanh(g0) − h))
 *   node i = 1..8 one shared W_i for every predecessor j < i:
 *                 [c_ij | g_ij] = (s_j ⊙ m_h) W_i,  u_ijk = s_j + σ(c_ij) ⊙ (f_k(g_ij) − s_j)
 *                 s_i = BN(Σ_j Σ_{k ≠ none} p[(i,j), k] u_ijk)   (p: softmax of the alphas' rows)
 *   output        h_t = mean(s_1 .. s_8), the next hidden state.
 * The highways use the unmasked states; `none` adds nothing (its weight only shrinks the others').
 * BN is one batch normalisation without affine parameters, shared by s0 and every node, here in
 * training mode only (batch statistics, biased variance, eps 1e-5). The variational masks m_x, m_h
 * are given per window (the same at every step); without them nothing is masked.
 */
import { tf } from '../../backend';
import type { ActivationPattern } from '../../nn/pattern';
import { RECURRENT_PRIMITIVES, RECURRENT_STEPS, recurrentEdgeRow } from '../../spaces/recurrent';
import { batchNorm, mixNode } from './fused';

/** The weights of the search cell: W0 [E + H, 2H] and W_1..W_8 [H, 2H]. */
export interface RecurrentCellWeights {
  readonly w0: tf.Tensor2D;
  readonly ws: readonly tf.Tensor2D[];
}

/** Variational dropout masks of one window: m_x [B, E], m_h [B, H] (entries 0 or 1/(1-p)). */
export interface RecurrentMasks {
  readonly x?: tf.Tensor2D;
  readonly h?: tf.Tensor2D;
  /**
   * The kink pattern of the curvature's passes (lib/nn/pattern.ts): every ReLU op's mask, recorded on
   * the first pass and replayed on the later ones, so that the loss is smooth in the alphas and its
   * finite-difference Hessian is the automatic-differentiation one (docs/method.md §3, §9).
   */
  readonly relu?: ActivationPattern;
}

/**
 * The initial node of the search and the discrete cell alike (file header), before the search
 * cell's BN: [c0 | g0] = [x ⊙ m_x, h ⊙ m_h] W0, s0 = h + σ(c0) ⊙ (tanh(g0) − h). Call inside tf.tidy.
 */
export function initialNode(x: tf.Tensor2D, h: tf.Tensor2D, w0: tf.Tensor2D, masks: RecurrentMasks = {}): tf.Tensor2D {
  const H = h.shape[1];
  const mask = (t: tf.Tensor2D, m: tf.Tensor2D | undefined) => (m ? tf.mul(t, m) : t);
  const [c0, g0] = tf.split(tf.matMul(tf.concat([mask(x, masks.x), mask(h, masks.h)], 1), w0), [H, H], 1);
  return tf.add(h, tf.mul(tf.sigmoid(c0), tf.sub(tf.tanh(g0), h))) as tf.Tensor2D;
}

/** The ops' weights of each node's edges, none left out: node i's [4, i] (columns j = 0 .. i-1). */
function nodeWeights(p: tf.Tensor2D): tf.Tensor2D[] {
  const ops = tf.transpose(tf.slice(p, [0, 1], [-1, RECURRENT_PRIMITIVES.length - 1])) as tf.Tensor2D; // [4, 36]
  return Array.from({ length: RECURRENT_STEPS }, (_, n) => tf.slice(ops, [0, recurrentEdgeRow(n + 1, 0)], [-1, n + 1]));
}

/** One step given the nodes' weights (`nodeWeights`). */
function cellStep(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  weights: RecurrentCellWeights,
  perNode: readonly tf.Tensor2D[],
  masks: RecurrentMasks,
): tf.Tensor2D {
  const [B, H] = h.shape;
  const mask = <T extends tf.Tensor>(t: T, m: tf.Tensor2D | undefined): T => (m ? (tf.mul(t, m) as T) : t);
  const s0 = batchNorm(initialNode(x, h, weights.w0, masks));
  let states = tf.expandDims(s0, 0) as tf.Tensor3D; // [i, B, H]: s_0 .. s_{i-1}
  const nodes: tf.Tensor2D[] = [];
  for (let i = 1; i <= RECURRENT_STEPS; i++) {
    const cg = tf.reshape(tf.matMul(tf.reshape(mask(states, masks.h), [i * B, H]), weights.ws[i - 1]), [i, B, 2 * H]) as tf.Tensor3D;
    const reluOn = masks.relu?.site([i, B, H], () => tf.greater(tf.slice(cg, [0, 0, H], [i, B, H]), 0)) as tf.Tensor3D | undefined;
    const node = batchNorm(mixNode(states, cg, perNode[i - 1], reluOn));
    nodes.push(node);
    if (i < RECURRENT_STEPS) states = tf.concat([states, tf.expandDims(node, 0)], 0) as tf.Tensor3D;
  }
  return tf.div(tf.addN(nodes), RECURRENT_STEPS) as tf.Tensor2D;
}

/**
 * One step of the cell (file header): x [B, E], the previous hidden state h [B, H], the edge
 * weights p [36, 5] (softmax rows). Returns h_t [B, H]. Call inside tf.tidy.
 * Node i works on all its predecessors at once: one [i B, H] x [H, 2H] product, then the fused
 * highways-and-mixture and BN of ./fused.ts.
 */
export function recurrentSearchStep(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  weights: RecurrentCellWeights,
  p: tf.Tensor2D,
  masks: RecurrentMasks = {},
): tf.Tensor2D {
  return cellStep(x, h, weights, nodeWeights(p), masks);
}

/**
 * The cell unrolled over a window: xs [T, B, E] from hidden state h0 [B, H], with the alphas
 * [36, 5] (softmax taken here) and the window's masks. Returns the outputs [T, B, H] (the last is
 * the carried state). Call inside tf.tidy.
 */
export function recurrentSearchCell(
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  weights: RecurrentCellWeights,
  alphas: tf.Tensor2D,
  masks: RecurrentMasks = {},
): tf.Tensor3D {
  const perNode = nodeWeights(tf.softmax(alphas) as tf.Tensor2D);
  const outputs: tf.Tensor2D[] = [];
  let h = h0;
  for (const x of tf.unstack(xs) as tf.Tensor2D[]) {
    h = cellStep(x, h, weights, perNode, masks);
    outputs.push(h);
  }
  return tf.stack(outputs) as tf.Tensor3D;
}
