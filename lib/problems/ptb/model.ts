/**
 * The language model of the recurrent search as a `SearchModel` (lib/nn/model.ts): the network of
 * ./network.ts over BPTT windows (./data.ts), its weights and its alphas [36, 5] by name.
 *   - Initialisation as the DARTS code: the embedding, W0 and W_1..8 uniform on [-0.04, 0.04], the
 *     decoder bias 0, the alphas 1e-3 N(0, 1) (the code's; the DARTS paper says zeros).
 *   - In training mode every dropout mask of a pass is drawn from the pass's seed (so the passes of a
 *     step that share a seed share their masks, as the frozen masks of the curvature do); eval mode
 *     draws none. BN uses the batch's statistics in both modes: the DARTS code's eval mode reads
 *     running statistics blended over every node and time step, which we do not keep (docs/method.md §9).
 *   - The weights' windows (stream train) add TAR to the loss; the alphas' and the evaluation's
 *     windows are scored by the NLL alone, as the code's architecture loss.
 *   - Every pass without substituted alphas carries its last output to the window's stream
 *     (./data.ts): the passes of the curvature, which substitute the alphas, leave the streams alone.
 * The output a pass returns is the log-probabilities [T x B, V]; the metric is next-token accuracy.
 */
import { tf } from '../../backend';
import type { PassOptions, SearchModel } from '../../nn/model';
import type { NamedVariable } from '../../nn/module';
import { Init, SeedStream } from '../../nn/random';
import { RECURRENT_EDGES, RECURRENT_PRIMITIVES, RECURRENT_STEPS } from '../../spaces/recurrent';
import type { PtbConfig } from './config';
import type { TextWindow } from './data';
import { type RecurrentNetworkWeights, type RecurrentNoise, recurrentWindowLoss } from './network';
import type { RecurrentCellWeights } from './search_cell';

/** The DARTS code's initial range of every weight matrix. */
const INIT_RANGE = 0.04;

/** The sizes and regularisation of the model. */
export type RecurrentModelConfig = Pick<PtbConfig, 'size' | 'dropout' | 'tarBeta' | 'seed'>;

/** A dropout mask of `shape`: 0 with probability p, else 1 / (1 - p); undefined for p = 0. */
function dropMask(shape: [number, number], p: number, seed: number): tf.Tensor2D | undefined {
  if (p === 0) return undefined;
  return tf.tidy(
    () => tf.mul(tf.cast(tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', seed), p), 'float32'), 1 / (1 - p)) as tf.Tensor2D,
  );
}

/**
 * The weights of a language model around a recurrent cell, searched or discrete (the same shapes):
 * the embedding [V, E] (also the decoder's), the decoder's bias [V], W0 [2H, 2H], W_1..8 [H, 2H],
 * drawn from `init` as the DARTS code does (file header).
 */
export function languageModelWeights(vocabulary: number, size: number, init: Init): Map<string, tf.Variable> {
  // In tidy: a variable made from a tensor leaves that tensor behind otherwise.
  const uniform = (shape: [number, number]) =>
    tf.tidy(() => tf.variable(tf.randomUniform(shape, -INIT_RANGE, INIT_RANGE, 'float32', init.nextSeed())));
  return new Map<string, tf.Variable>([
    ['embedding', uniform([vocabulary, size])],
    ['decoder.bias', tf.tidy(() => tf.variable(tf.zeros([vocabulary])))],
    ['cell.w0', uniform([2 * size, 2 * size])],
    ...Array.from({ length: RECURRENT_STEPS }, (_, i) => [`cell.w${i + 1}`, uniform([size, 2 * size])] as [string, tf.Variable]),
  ]);
}

/** The cell's weights in a weights map of `languageModelWeights`. */
export function cellWeights(weights: ReadonlyMap<string, tf.Tensor>): RecurrentCellWeights {
  const w = (name: string) => weights.get(name) as tf.Tensor2D;
  return { w0: w('cell.w0'), ws: Array.from({ length: RECURRENT_STEPS }, (_, i) => w(`cell.w${i + 1}`)) };
}

/** The dropout masks of one training pass over B streams, all drawn from `seed` (the search's and the evaluation's). */
export function dropoutNoise(config: Pick<PtbConfig, 'size' | 'dropout'>, vocabulary: number, B: number, seed: number): RecurrentNoise {
  const { size, dropout } = config;
  const seeds = new SeedStream(seed);
  const [embeddingRows, input, x, h, output] = [
    dropMask([vocabulary, 1], dropout.embedding, seeds.next()),
    dropMask([B, size], dropout.input, seeds.next()),
    dropMask([B, size], dropout.x, seeds.next()),
    dropMask([B, size], dropout.hidden, seeds.next()),
    dropMask([B, size], dropout.output, seeds.next()),
  ];
  return {
    ...(embeddingRows ? { embeddingRows } : {}),
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    cell: { ...(x ? { x } : {}), ...(h ? { h } : {}) },
  };
}

export class RecurrentSearchModel implements SearchModel<TextWindow> {
  readonly weights: Map<string, tf.Variable>;
  readonly alphaParams: Map<string, tf.Variable>;
  readonly variables: NamedVariable[];
  readonly checkpointKey: string;

  constructor(
    readonly vocabulary: number,
    readonly config: RecurrentModelConfig,
  ) {
    const init = new Init(config.seed);
    this.weights = languageModelWeights(vocabulary, config.size, init);
    this.alphaParams = new Map([['alphas', tf.tidy(() => tf.variable(init.alphas([RECURRENT_EDGES, RECURRENT_PRIMITIVES.length])))]]);
    this.variables = [...this.weights].map(([name, variable]) => ({ name, variable, trainable: true, layout: 'vector' as const }));
    this.checkpointKey = JSON.stringify({ problem: 'ptb', cell: 'darts-recurrent', vocabulary, size: config.size });
  }

  private network(alphas: tf.Tensor2D): RecurrentNetworkWeights {
    const w = (name: string) => this.weights.get(name) as tf.Variable;
    return {
      embedding: w('embedding') as tf.Tensor2D,
      decoderBias: w('decoder.bias') as tf.Tensor1D,
      cell: cellWeights(this.weights),
      alphas,
    };
  }

  loss(batch: TextWindow, options: PassOptions): { loss: tf.Scalar; output: tf.Tensor } {
    return tf.tidy(() => {
      const alphas = (options.alphas?.get('alphas') ?? this.alphaParams.get('alphas')) as tf.Tensor2D;
      const drawn: RecurrentNoise = options.training
        ? dropoutNoise(this.config, this.vocabulary, batch.inputs.shape[1], options.seed ?? 0)
        : {};
      // The curvature's passes carry a kink pattern (lib/hessian/alpha_loss.ts): the cell's ReLUs follow it.
      options.pattern?.beginPass();
      const noise = options.pattern ? { ...drawn, cell: { ...drawn.cell, relu: options.pattern } } : drawn;
      // TAR regularises the weights' steps only: not the alphas' loss, nor the unrolled step's passes on a training window.
      const tar = batch.stream === 'train' && options.objective !== 'architecture' ? this.config.tarBeta : 0;
      const r = recurrentWindowLoss(this.network(alphas), batch.inputs, batch.targets, batch.h0, noise, tar);
      if (!options.alphas) {
        const [T, B, H] = r.outputs.shape;
        batch.state.carry(tf.reshape(tf.slice(r.outputs, [T - 1, 0, 0], [1, B, H]), [B, H]));
      }
      return { loss: r.loss, output: r.logProbs };
    });
  }

  metric(output: tf.Tensor, batch: TextWindow): number {
    return tf.tidy(() => {
      const targets = tf.reshape(batch.targets, [-1]);
      return tf.mean(tf.cast(tf.equal(tf.argMax(output, 1), targets), 'float32')).dataSync()[0];
    });
  }

  examples(batch: TextWindow): number {
    return batch.inputs.shape[0] * batch.inputs.shape[1];
  }

  dispose(): void {
    for (const v of [...this.weights.values(), ...this.alphaParams.values()]) v.dispose();
  }
}
