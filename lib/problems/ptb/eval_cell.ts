/**
 * The discrete recurrent cell of a genotype (lib/spaces/recurrent.ts), as the DARTS code's
 * evaluation cell (rnn/model.py, DARTSCell) computes it, one time step and unrolled over a window:
 *   initial node  [c0 | g0] = [x ⊙ m_x, h ⊙ m_h] W0,  s0 = h + σ(c0) ⊙ (tanh(g0) − h)
 *   node i = 1..8 from its one predecessor j: [c | g] = (s_j ⊙ m_h) W_i,  s_i = s_j + σ(c) ⊙ (f_i(g) − s_j)
 *   output        h_t = the mean of the concat states (nodes 1..8).
 * No batch norm (the search cell's BN is for search only; DARTS paper §3.1.2). The masks are given
 * per window; without them nothing is masked (eval mode). W0 [E + H, 2H], W_1..8 [H, 2H].
 */
import { tf } from '../../backend';
import type { RecurrentGenotype } from '../../spaces/recurrent';
import { initialNode, type RecurrentCellWeights, type RecurrentMasks } from './search_cell';

const ACTIVATIONS = {
  tanh: (g: tf.Tensor) => tf.tanh(g),
  relu: (g: tf.Tensor) => tf.relu(g),
  sigmoid: (g: tf.Tensor) => tf.sigmoid(g),
  identity: (g: tf.Tensor) => g,
} as const;

/** One step of the genotype's cell (file header): x [B, E], h [B, H] -> h_t [B, H]. Call inside tf.tidy. */
export function recurrentEvalStep(
  genotype: RecurrentGenotype,
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  weights: RecurrentCellWeights,
  masks: RecurrentMasks = {},
): tf.Tensor2D {
  const H = h.shape[1];
  const mask = (t: tf.Tensor2D, m: tf.Tensor2D | undefined) => (m ? (tf.mul(t, m) as tf.Tensor2D) : t);
  const states: tf.Tensor2D[] = [initialNode(x, h, weights.w0, masks)];
  genotype.recurrent.forEach(([op, j], i) => {
    const s = states[j];
    const [c, g] = tf.split(tf.matMul(mask(s, masks.h), weights.ws[i]), [H, H], 1);
    states.push(tf.add(s, tf.mul(tf.sigmoid(c), tf.sub(ACTIVATIONS[op](g), s))) as tf.Tensor2D);
  });
  return tf.div(tf.addN(genotype.concat.map((k) => states[k])), genotype.concat.length) as tf.Tensor2D;
}

/** The genotype's cell over a window: xs [T, B, E] from h0 [B, H] -> outputs [T, B, H]. Call inside tf.tidy. */
export function recurrentEvalCell(
  genotype: RecurrentGenotype,
  xs: tf.Tensor3D,
  h0: tf.Tensor2D,
  weights: RecurrentCellWeights,
  masks: RecurrentMasks = {},
): tf.Tensor3D {
  const outputs: tf.Tensor2D[] = [];
  let h = h0;
  for (const x of tf.unstack(xs) as tf.Tensor2D[]) {
    h = recurrentEvalStep(genotype, x, h, weights, masks);
    outputs.push(h);
  }
  return tf.stack(outputs) as tf.Tensor3D;
}
