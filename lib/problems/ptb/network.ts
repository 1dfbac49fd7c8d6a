/**
 * The language model around the DARTS recurrent search cell, as the DARTS code's search network:
 * token ids [T, B] -> embedding (embedding dropout: whole rows of the matrix dropped) -> locked
 * dropout (one mask [B, E] for the window) -> the search cell over T steps (./search_cell.ts) ->
 * raw outputs [T, B, H] -> locked dropout -> the decoder, whose weights are the embedding's (tied;
 * E = H) plus a bias -> log-softmax -> NLL averaged over the T x B tokens.
 * The weights' loss adds TAR, beta x mean((h_{t+1} - h_t)^2) over the raw outputs (the code's
 * beta 1e-3); the alphas' loss is the plain NLL (beta 0). The noise (every dropout mask) is an
 * input, so that the caller draws it from its seed and a test can fix it.
 */
import { tf } from '../../backend';
import { type RecurrentCellWeights, type RecurrentMasks, recurrentSearchCell } from './search_cell';

/** The trainable tensors: the embedding [V, E] (also the decoder's weights), the decoder's bias [V], the cell's weights, the alphas [36, 5]. */
export interface RecurrentNetworkWeights {
  readonly embedding: tf.Tensor2D;
  readonly decoderBias: tf.Tensor1D;
  readonly cell: RecurrentCellWeights;
  readonly alphas: tf.Tensor2D;
}

/** The dropout masks of one window (entries 0 or 1/(1-p)); any left out is no dropout. */
export interface RecurrentNoise {
  /** Embedding dropout: one factor per word type, [V, 1]. */
  readonly embeddingRows?: tf.Tensor2D;
  /** Locked dropout of the embedded input [B, E] and of the cell's outputs [B, H]. */
  readonly input?: tf.Tensor2D;
  readonly output?: tf.Tensor2D;
  /** The cell's own masks (x and h). */
  readonly cell?: RecurrentMasks;
}

/**
 * The rows `ids` [T, B] of `table` [V, E], as [T, B, E]. Its gradient in the table adds each row of
 * dy into its word's row, computed here in JavaScript: the wasm backend has no UnsortedSegmentSum,
 * the kernel tfjs's own gather gradient needs. The ids get no gradient.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const [V, E] = table.shape;
  const [T, B] = ids.shape;
  // The ids are read now: the backward pass may run after a tidy around the forward pass has freed them.
  const idx = ids.dataSync();
  const lookup = tf.customGrad(((t: tf.Tensor) => {
    return {
      value: tf.reshape(tf.gather(t, tf.reshape(ids, [T * B])), [T, B, E]),
      gradFunc: (dy: tf.Tensor) => {
        const d = dy.dataSync();
        const grad = new Float32Array(V * E);
        for (let n = 0; n < idx.length; n++) {
          const row = idx[n] * E;
          for (let e = 0; e < E; e++) grad[row + e] += d[n * E + e];
        }
        return tf.tensor2d(grad, [V, E]);
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return lookup(table) as tf.Tensor3D;
}

/** What a window gives. */
export interface RecurrentWindowLoss {
  /** NLL + tarBeta x TAR: what its gradient trains. */
  readonly loss: tf.Scalar;
  /** The NLL alone (its exp is the window's perplexity). */
  readonly nll: tf.Scalar;
  /** The raw outputs [T, B, H]; the last row is the hidden state carried to the next window. */
  readonly outputs: tf.Tensor3D;
  /** Log-probabilities of the next token [T x B, V], row t * B + b. */
  readonly logProbs: tf.Tensor2D;
}

/** The cell of a language model over a window: xs [T, B, E] from h0 [B, H] with the cell's own masks -> outputs [T, B, H]. */
export type WindowCell = (xs: tf.Tensor3D, h0: tf.Tensor2D, masks: RecurrentMasks | undefined) => tf.Tensor3D;

/**
 * The loss of one window of a language model around any recurrent cell (file header; the search
 * network and the discrete one of ./eval_cell.ts share it): `inputs`, `targets` [T, B] int32 ids,
 * the carried hidden state h0 [B, H]. Call inside tf.tidy (or a gradient function).
 */
export function languageModelLoss(
  embedding: tf.Tensor2D,
  decoderBias: tf.Tensor1D,
  cell: WindowCell,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  h0: tf.Tensor2D,
  noise: RecurrentNoise = {},
  tarBeta = 0,
): RecurrentWindowLoss {
  const [T, B] = inputs.shape;
  const table = noise.embeddingRows ? (tf.mul(embedding, noise.embeddingRows) as tf.Tensor2D) : embedding;
  let x = embeddingLookup(table, inputs); // [T, B, E]
  if (noise.input) x = tf.mul(x, noise.input) as tf.Tensor3D;
  const outputs = cell(x, h0, noise.cell);
  const dropped = noise.output ? tf.mul(outputs, noise.output) : outputs;
  const H = outputs.shape[2];
  const logits = tf.add(tf.matMul(tf.reshape(dropped, [T * B, H]), embedding, false, true), decoderBias);
  const logProbs = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.reshape(targets, [T * B]), embedding.shape[0])), 1);
  const nll = tf.neg(tf.mean(picked)) as tf.Scalar;
  const loss =
    tarBeta > 0 && T > 1
      ? (tf.add(
          nll,
          tf.mul(
            tarBeta,
            tf.mean(tf.square(tf.sub(tf.slice(outputs, [1, 0, 0], [T - 1, B, H]), tf.slice(outputs, [0, 0, 0], [T - 1, B, H])))),
          ),
        ) as tf.Scalar)
      : nll;
  return { loss, nll, outputs, logProbs: logProbs as tf.Tensor2D };
}

/** The search network's loss of one window (file header): the search cell with the alphas of `weights`. */
export function recurrentWindowLoss(
  weights: RecurrentNetworkWeights,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  h0: tf.Tensor2D,
  noise: RecurrentNoise = {},
  tarBeta = 0,
): RecurrentWindowLoss {
  const cell: WindowCell = (xs, h, masks) => recurrentSearchCell(xs, h, weights.cell, weights.alphas, masks);
  return languageModelLoss(weights.embedding, weights.decoderBias, cell, inputs, targets, h0, noise, tarBeta);
}
