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
import { RECURRENT_PRIMITIVES, RECURRENT_STEPS, recurrentEdgeRow } from '../../spaces/recurrent';

/** The weights of the search cell: W0 [E + H, 2H] and W_1..W_8 [H, 2H]. */
export interface RecurrentCellWeights {
  readonly w0: tf.Tensor2D;
  readonly ws: readonly tf.Tensor2D[];
}

/** Variational dropout masks of one window: m_x [B, E], m_h [B, H] (entries 0 or 1/(1-p)). */
export interface RecurrentMasks {
  readonly x?: tf.Tensor2D;
  readonly h?: tf.Tensor2D;
}

const BN_EPS = 1e-5;

/** Batch normalisation over the batch, no affine parameters, training mode. */
function batchNorm1d(x: tf.Tensor2D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 0, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
}

const ACTIVATIONS: Record<Exclude<(typeof RECURRENT_PRIMITIVES)[number], 'none'>, (g: tf.Tensor) => tf.Tensor> = {
  tanh: (g) => tf.tanh(g),
  relu: (g) => tf.relu(g),
  sigmoid: (g) => tf.sigmoid(g),
  identity: (g) => g,
};

/**
 * One step of the cell (file header): x [B, E], the previous hidden state h [B, H], the edge
 * weights p [36, 5] (softmax rows). Returns h_t [B, H]. Call inside tf.tidy.
 */
export function recurrentSearchStep(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  weights: RecurrentCellWeights,
  p: tf.Tensor2D,
  masks: RecurrentMasks = {},
): tf.Tensor2D {
  const H = h.shape[1];
  const mask = (t: tf.Tensor2D, m: tf.Tensor2D | undefined) => (m ? tf.mul(t, m) : t);
  const highway = (s: tf.Tensor2D, c: tf.Tensor, f: tf.Tensor) => tf.add(s, tf.mul(c, tf.sub(f, s)));
  const [c0, g0] = tf.split(tf.matMul(tf.concat([mask(x, masks.x), mask(h, masks.h)], 1), weights.w0), [H, H], 1);
  const states: tf.Tensor2D[] = [batchNorm1d(highway(h, tf.sigmoid(c0), tf.tanh(g0)) as tf.Tensor2D)];
  const columns = RECURRENT_PRIMITIVES.map((_, k) => tf.slice(p, [0, k], [-1, 1])); // [36, 1] each
  for (let i = 1; i <= RECURRENT_STEPS; i++) {
    const terms: tf.Tensor[] = [];
    states.forEach((s, j) => {
      const [c, g] = tf.split(tf.matMul(mask(s, masks.h), weights.ws[i - 1]), [H, H], 1);
      const gate = tf.sigmoid(c);
      const row = recurrentEdgeRow(i, j);
      RECURRENT_PRIMITIVES.forEach((op, k) => {
        if (op === 'none') return;
        terms.push(tf.mul(tf.slice(columns[k], [row, 0], [1, 1]), highway(s, gate, ACTIVATIONS[op](g))));
      });
    });
    states.push(batchNorm1d(tf.addN(terms) as tf.Tensor2D));
  }
  return tf.div(tf.addN(states.slice(1)), RECURRENT_STEPS) as tf.Tensor2D;
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
  const p = tf.softmax(alphas) as tf.Tensor2D;
  const outputs: tf.Tensor2D[] = [];
  let h = h0;
  for (const x of tf.unstack(xs) as tf.Tensor2D[]) {
    h = recurrentSearchStep(x, h, weights, p, masks);
    outputs.push(h);
  }
  return tf.stack(outputs) as tf.Tensor3D;
}
