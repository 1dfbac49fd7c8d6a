/**
 * Two fused operations of the recurrent search cell (./search_cell.ts), each one tensor op with
 * its own gradient, computed in JavaScript over the tensors' values. The cell is small (H of 16 to
 * 300) and its steps are many (8 nodes, 35 time steps, every pass), so written as tfjs ops it spent
 * its time dispatching small kernels: 49,930 for a window's forward and backward (E=H 32, 32
 * streams, 2,000 words), 11,039 fused, and 4.3 s became 0.96 s (tf.profile, this machine, under
 * load). Sums run in double precision.
 *   mixNode(S, cg, w): node i's input before BN (docs/method.md §9):
 *     out = Σ_j Σ_k w[k, j] (s_j + σ(c_j) ⊙ (f_k(g_j) − s_j))
 *         = Σ_j W_j s_j ⊙ (1 − σ(c_j)) + σ(c_j) ⊙ F_j,   W_j = Σ_k w[k, j],  F_j = Σ_k w[k, j] f_k(g_j),
 *     f = tanh, relu, sigmoid, identity; S [i, B, H] the predecessors, cg [i, B, 2H] their [c | g],
 *     w [4, i] the ops' softmax weights (none left out). With `reluOn` [i, B, H] (bool), relu(g) is
 *     g where it is true and 0 elsewhere, whatever g: the kink pattern frozen for the curvature
 *     (lib/nn/pattern.ts), so that the loss is smooth in the alphas.
 *   batchNorm(x): batch normalisation over the rows of x [B, H], no affine parameters, biased
 *     variance, eps 1e-5 (PyTorch's BatchNorm1d in training mode).
 */
import { tf } from '../../backend';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Node i's input before BN (file header): S [i, B, H], cg [i, B, 2H], w [4, i], reluOn [i, B, H] -> [B, H]. */
export function mixNode(S: tf.Tensor3D, cg: tf.Tensor3D, w: tf.Tensor2D, reluOn?: tf.Tensor3D): tf.Tensor2D {
  const [I, B, H] = S.shape;
  const on = reluOn?.dataSync();
  // Whether relu lets g through at predecessor j, element bh: its own sign, or the frozen pattern's.
  const passes = on ? (g: number, j: number, bh: number) => on[j * B * H + bh] !== 0 : (g: number) => g > 0;
  const op = tf.customGrad(((s: tf.Tensor, c: tf.Tensor, wt: tf.Tensor) => {
    const sv = s.dataSync() as Float32Array;
    const cv = c.dataSync() as Float32Array;
    const wv = wt.dataSync() as Float32Array;
    const out = new Float64Array(B * H);
    for (let j = 0; j < I; j++) {
      const [w0, w1, w2, w3] = [wv[j], wv[I + j], wv[2 * I + j], wv[3 * I + j]];
      const W = w0 + w1 + w2 + w3;
      for (let bh = 0; bh < B * H; bh++) {
        const b = (bh / H) | 0;
        const h = bh - b * H;
        const at = (j * B + b) * 2 * H;
        const sig = sigmoid(cv[at + h]);
        const g = cv[at + H + h];
        const F = w0 * Math.tanh(g) + w1 * (passes(g, j, bh) ? g : 0) + w2 * sigmoid(g) + w3 * g;
        const x = sv[j * B * H + bh];
        out[bh] += W * x * (1 - sig) + sig * F;
      }
    }
    return {
      value: tf.tensor2d(Float32Array.from(out), [B, H]),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const dS = new Float32Array(I * B * H);
        const dcg = new Float32Array(I * B * 2 * H);
        const dw = new Float64Array(4 * I);
        for (let j = 0; j < I; j++) {
          const [w0, w1, w2, w3] = [wv[j], wv[I + j], wv[2 * I + j], wv[3 * I + j]];
          const W = w0 + w1 + w2 + w3;
          let [a0, a1, a2, a3] = [0, 0, 0, 0];
          for (let bh = 0; bh < B * H; bh++) {
            const b = (bh / H) | 0;
            const h = bh - b * H;
            const at = (j * B + b) * 2 * H;
            const sig = sigmoid(cv[at + h]);
            const g = cv[at + H + h];
            const through = passes(g, j, bh);
            const [t, r, sg] = [Math.tanh(g), through ? g : 0, sigmoid(g)];
            const F = w0 * t + w1 * r + w2 * sg + w3 * g;
            const x = sv[j * B * H + bh];
            const dv = d[bh];
            dS[j * B * H + bh] = dv * W * (1 - sig);
            dcg[at + h] = dv * (F - W * x) * sig * (1 - sig);
            dcg[at + H + h] = dv * sig * (w0 * (1 - t * t) + (through ? w1 : 0) + w2 * sg * (1 - sg) + w3);
            const keep = x * (1 - sig);
            a0 += dv * (keep + sig * t);
            a1 += dv * (keep + sig * r);
            a2 += dv * (keep + sig * sg);
            a3 += dv * (keep + sig * g);
          }
          [dw[j], dw[I + j], dw[2 * I + j], dw[3 * I + j]] = [a0, a1, a2, a3];
        }
        return [tf.tensor3d(dS, [I, B, H]), tf.tensor3d(dcg, [I, B, 2 * H]), tf.tensor2d(Float32Array.from(dw), [4, I])];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(S, cg, w) as tf.Tensor2D;
}

const BN_EPS = 1e-5;

/** Batch normalisation of x [B, H] over its rows (file header). */
export function batchNorm(x: tf.Tensor2D): tf.Tensor2D {
  const [B, H] = x.shape;
  const op = tf.customGrad(((t: tf.Tensor) => {
    const xv = t.dataSync() as Float32Array;
    const inv = new Float64Array(H);
    const y = new Float32Array(B * H);
    for (let h = 0; h < H; h++) {
      let mean = 0;
      for (let b = 0; b < B; b++) mean += xv[b * H + h];
      mean /= B;
      let v = 0;
      for (let b = 0; b < B; b++) v += (xv[b * H + h] - mean) ** 2;
      inv[h] = 1 / Math.sqrt(v / B + BN_EPS);
      for (let b = 0; b < B; b++) y[b * H + h] = (xv[b * H + h] - mean) * inv[h];
    }
    return {
      value: tf.tensor2d(y, [B, H]),
      gradFunc: (dy: tf.Tensor) => {
        // dx = inv / B (B dy - Σ_b dy - y Σ_b dy y), y the normalised output.
        const d = dy.dataSync() as Float32Array;
        const dx = new Float32Array(B * H);
        for (let h = 0; h < H; h++) {
          let sum = 0;
          let dot = 0;
          for (let b = 0; b < B; b++) {
            sum += d[b * H + h];
            dot += d[b * H + h] * y[b * H + h];
          }
          for (let b = 0; b < B; b++) dx[b * H + h] = (inv[h] / B) * (B * d[b * H + h] - sum - y[b * H + h] * dot);
        }
        return tf.tensor2d(dx, [B, H]);
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}
