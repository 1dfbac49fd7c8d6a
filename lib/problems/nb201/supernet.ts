/**
 * The NAS-Bench-201 search supernet (docs/method.md §8), as the benchmark's DARTS code builds it: stem
 * conv3x3 (inChannels -> C, no bias) + BN; three stages of N search cells at C, 2C and 4C channels,
 * with a residual reduction block (lib/problems/nb201/cell.ts) before the second and the third;
 * BN + ReLU; global average pool; linear classifier. The stem's, the reduction blocks' and the last
 * BN are affine, the cells' are not. One set of alphas [6, 5] (`arch_parameters`, 1e-3 N(0, 1)),
 * shared by every cell. Variable names as the benchmark's state_dict (`stem.0.weight`, `stem.1.*`,
 * `cells.<i>.*`, `lastact.0.*`, `classifier.*`); initialisation as PyTorch's defaults
 * (lib/nn/random.ts `Init`, seeded).
 */
import { tf } from '../../backend';
import { BatchNorm, batchNorm } from '../../nn/batchnorm';
import { conv2d } from '../../nn/conv';
import { accuracy, type Batch, crossEntropy } from '../../nn/loss';
import type { PassOptions, SearchModel } from '../../nn/model';
import { countElements, ForwardContext, Module } from '../../nn/module';
import { relu } from '../../nn/pool';
import { checkInteger, Init } from '../../nn/random';
import { NB201_EDGES, NB201_OPS, parseNb201Arch } from '../../spaces/nb201';
import { Nb201Cell, ResidualReduction } from './cell';

/** The supernet's sizes (the benchmark's search: C 16, N 5, 3 input channels, 10 classes). */
export interface Nb201SupernetConfig {
  /** Channels of the first stage (the stem outputs C). */
  readonly C: number;
  /** Search cells per stage. */
  readonly N: number;
  readonly classes: number;
  readonly inChannels: number;
  /** Seed of the initial weights and alphas. */
  readonly seed: number;
}

/**
 * Options of a pass: `alphaValues` [6, 5] stand in for the supernet's alphas (the loss as a
 * function of the alphas); `architecture`, a cell string of the benchmark, runs that discrete cell
 * instead of the mixture (RS-ws, docs/method.md §4: each edge only its op, weight 1, on the shared
 * weights; the alphas unused). The two exclude each other.
 */
export interface Nb201PassOptions extends PassOptions {
  readonly alphaValues?: tf.Tensor2D;
  readonly architecture?: { readonly arch: string };
}

/** The alphas' name (the benchmark's attribute, and the checkpoint's tensor). */
export const NB201_ALPHA_NAME = 'arch_parameters';

/** The supernet's sizes as a checkpoint records them (the seed is not part of the state). */
export function nb201SupernetKey(config: Nb201SupernetConfig): string {
  const { C, N, classes, inChannels } = config;
  return JSON.stringify({ space: 'nas-bench-201', C, N, classes, inChannels });
}

/** The NAS-Bench-201 supernet. It owns its weights, running statistics and alphas: call `dispose()`. */
export class Nb201Supernet extends Module implements SearchModel<Batch> {
  readonly config: Nb201SupernetConfig;
  readonly weights: ReadonlyMap<string, tf.Variable>;
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /** The alphas [6, 5], raw (before the softmax). */
  readonly alphas: tf.Variable;
  readonly alphaParams: ReadonlyMap<string, tf.Variable>;
  readonly checkpointKey: string;
  /** Search cells and reduction blocks, in order. */
  readonly cells: readonly (Nb201Cell | ResidualReduction)[];
  private readonly stemWeight: tf.Variable;
  private readonly stemBn: BatchNorm;
  private readonly lastBn: BatchNorm;
  private readonly classifierWeight: tf.Variable;
  private readonly classifierBias: tf.Variable;

  constructor(config: Nb201SupernetConfig) {
    super();
    const { C, N, classes, inChannels, seed } = config;
    checkInteger(C, 'config.C', 1);
    checkInteger(N, 'config.N', 1);
    checkInteger(classes, 'config.classes', 1);
    checkInteger(inChannels, 'config.inChannels', 1);
    checkInteger(seed, 'config.seed');
    this.config = config;
    const init = new Init(seed);
    this.stemWeight = this.addVariable('stem.0.weight', init.conv(3, 3, inChannels, C), true, 'conv');
    this.stemBn = this.addChild('stem.1', new BatchNorm(C, true));
    const cells: (Nb201Cell | ResidualReduction)[] = [];
    let cPrev = C;
    for (const [stage, channels] of [C, 2 * C, 4 * C].entries()) {
      if (stage > 0) cells.push(this.addChild(`cells.${cells.length}`, new ResidualReduction(cPrev, channels, init)));
      for (let i = 0; i < N; i++) cells.push(this.addChild(`cells.${cells.length}`, new Nb201Cell(channels, init)));
      cPrev = channels;
    }
    this.cells = cells;
    this.lastBn = this.addChild('lastact.0', new BatchNorm(cPrev, true));
    this.classifierWeight = this.addVariable('classifier.weight', init.uniform([cPrev, classes], cPrev), true, 'linear');
    this.classifierBias = this.addVariable('classifier.bias', init.uniform([classes], cPrev), true, 'vector');
    const alphas = init.alphas([NB201_EDGES.length, NB201_OPS.length]);
    this.alphas = tf.variable(alphas, true);
    alphas.dispose();
    this.alphaParams = new Map([[NB201_ALPHA_NAME, this.alphas]]);
    this.checkpointKey = nb201SupernetKey(config);
    this.weights = new Map(this.variables.filter((v) => v.trainable).map((v) => [v.name, v.variable]));
    this.buffers = new Map(this.variables.filter((v) => !v.trainable).map((v) => [v.name, v.variable]));
  }

  /**
   * Logits [N, classes] of images x [N, H, W, inChannels]; `alphas` [6, 5] stand in for the
   * network's own (the loss as a function of the alphas). The caller owns the result.
   */
  forward(x: tf.Tensor4D, options: Nb201PassOptions): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== this.config.inChannels) {
      throw new Error(`forward: x has shape [${x.shape}]; expected [N, H, W, ${this.config.inChannels}]`);
    }
    const ctx = new ForwardContext(options);
    let ops: number[] | undefined;
    if (options.architecture) {
      if (options.alphaValues || options.alphas) throw new Error('forward: the alphas and options.architecture exclude each other');
      ops = parseNb201Arch(options.architecture.arch).map((op) => NB201_OPS.indexOf(op));
    }
    return tf.tidy(() => {
      let mix: (cell: Nb201Cell, h: tf.Tensor4D) => tf.Tensor4D;
      if (ops) {
        const chosen = ops;
        mix = (cell, h) => cell.applyArchitecture(h, chosen, ctx);
      } else {
        const alphas = (options.alphaValues ?? this.alphas) as tf.Tensor2D;
        if (alphas.shape.join() !== this.alphas.shape.join()) {
          throw new Error(`forward: the alphas have shape [${alphas.shape}]; expected [${this.alphas.shape}]`);
        }
        const weights = tf.softmax(alphas, -1);
        mix = (cell, h) => cell.apply(h, weights as tf.Tensor2D, ctx);
      }
      let h = batchNorm(conv2d(x, this.stemWeight as tf.Tensor4D, 1, 1), this.stemBn, ctx.training, ctx.updateRunningStats);
      for (const cell of this.cells) h = cell instanceof Nb201Cell ? mix(cell, h) : cell.apply(h, ctx);
      const out = relu(batchNorm(h, this.lastBn, ctx.training, ctx.updateRunningStats), ctx.pattern);
      const pooled = out.mean([1, 2]) as tf.Tensor2D;
      return pooled.matMul(this.classifierWeight as tf.Tensor2D).add(this.classifierBias) as tf.Tensor2D;
    });
  }

  /** The mean cross-entropy of `batch` and the logits; `options.alphas` may replace `arch_parameters`. The caller owns both. */
  loss(batch: Batch, options: PassOptions & Pick<Nb201PassOptions, 'architecture'>): { loss: tf.Scalar; output: tf.Tensor2D } {
    const { alphas, ...rest } = options;
    let alphaValues: tf.Tensor2D | undefined;
    if (alphas) {
      alphaValues = alphas.get(NB201_ALPHA_NAME) as tf.Tensor2D | undefined;
      if (!alphaValues) throw new Error(`loss: options.alphas has no ${NB201_ALPHA_NAME}`);
    }
    const logits = this.forward(batch.x, alphaValues ? { ...rest, alphaValues } : rest);
    return { loss: crossEntropy(logits, batch.y), output: logits };
  }

  metric(output: tf.Tensor, batch: Batch): number {
    return accuracy(output as tf.Tensor2D, batch.y);
  }

  examples(batch: Batch): number {
    return batch.y.shape[0];
  }

  /** The number of trainable weights (alphas and running statistics excluded). */
  numParams(): number {
    return countElements(this.variables.filter((v) => v.trainable));
  }

  override dispose(): void {
    super.dispose();
    if (!this.alphas.isDisposed) this.alphas.dispose();
  }
}
