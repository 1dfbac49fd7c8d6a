/**
 * The DARTS search supernet (docs/method.md §2, "Supernet"): stem Conv3x3 (inChannels -> 3C) + BN (affine);
 * `layers` search cells with reduction cells at floor(L/3) and floor(2L/3), where the channels
 * double; global average pool; linear classifier. All other BNs are affine = false. The alphas
 * (alpha_normal and alpha_reduce, [14, K] each, 1e-3 N(0, 1)) are kept apart from the weights and
 * shared by all cells of their type. Variable names and order: the DARTS code's `state_dict()`
 * (`stem.0.weight`, `stem.1.*`, `cells.<i>.*`, `classifier.weight`, `classifier.bias`); layouts:
 * lib/problems/darts/supernet/names.ts. Initialisation (lib/nn/random.ts `Init`, seeded by `config.seed`):
 * PyTorch's defaults, kaiming-uniform conv and linear weights, uniform linear bias, BN 1 and 0.
 * With `architecture` the forward is discrete (RS-ws, docs/method.md §4): only a genotype's ops, weight 1.
 */
import { tf } from '../../../backend';
import { BatchNorm, batchNorm } from '../../../nn/batchnorm';
import { accuracy, type Batch, crossEntropy } from '../../../nn/loss';
import type { PassOptions, SearchModel } from '../../../nn/model';
import { conv2d } from '../../../nn/conv';
import { countElements, ForwardContext, type ForwardOptions, Module } from '../../../nn/module';
import { checkInteger, Init } from '../../../nn/random';
import type { Genotype } from '../../../spaces/genotype';
import type { SearchSpace } from '../../../spaces/spaces';
import { NUM_EDGES, NUM_NODES } from '../../../spaces/topology';
import { placeArchitecture, SearchCell } from './cell';
import { mixingWeights } from './mixed_op';

/** The supernet's sizes (docs/method.md's search: C 16, layers 8, 3 input channels, 10 classes). */
export interface SupernetConfig {
  /** The candidate ops of every edge. */
  readonly space: SearchSpace;
  /** Channels of the first cells' nodes (the stem outputs 3C). */
  readonly C: number;
  /** Number of cells. */
  readonly layers: number;
  /** Number of classes (the classifier's outputs). */
  readonly classes: number;
  /** Channels of the input images. */
  readonly inChannels: number;
  /** Seed of the initial weights and alphas. */
  readonly seed: number;
}

/**
 * Forward options (lib/nn/module.ts): mode, noise seed, running-statistics update; and `alphas`, which
 * stand in for the network's own alpha variables in this pass (the loss as a pure function of the
 * alphas, for Hessian-vector products: lib/hessian). Shapes [14, k] each.
 */
export interface SupernetForwardOptions extends ForwardOptions {
  readonly alphas?: { readonly normal: tf.Tensor2D; readonly reduce: tf.Tensor2D };
  /**
   * A discrete architecture to run instead of the mixture (RS-ws, docs/method.md §4: "one-hot alphas, no
   * softmax"): each cell computes only the genotype's ops (`normal` in normal cells, `reduce` in
   * reduction cells), each taken by name from the MixedOp of its edge and summed with weight 1, on
   * the shared supernet weights; the alphas are not used and the other edges and ops are not
   * computed (so they get no gradient). Excludes `alphas`. Checked by `checkArchitecture`.
   */
  readonly architecture?: Genotype;
}

/** Options of `SearchNetwork.loss`: a pass's, and the discrete `architecture` of RS-ws. */
export interface SupernetPassOptions extends PassOptions {
  readonly architecture?: Genotype;
}

/** The alphas' names (the original code's attributes, and the checkpoint's tensors), normal first. */
export const ALPHA_NAMES = { normal: 'alphas_normal', reduce: 'alphas_reduce' } as const;

/** The supernet's sizes as a checkpoint records them (`rdarts.supernet`; the seed is not part of the state). */
export function supernetKey(config: SupernetConfig): string {
  const { space, C, layers, classes, inChannels } = config;
  return JSON.stringify({ space: space.name, C, layers, classes, inChannels });
}

const CONCAT = [2, 3, 4, 5].join();

/**
 * Checks that `architecture` runs on a supernet of `space`: 8 entries per cell type, 2 per node,
 * each input a predecessor of its node (two distinct inputs per node), each op one that the edge
 * offers in this space (S1 differs per edge), concat [2, 3, 4, 5] (the supernet concatenates every
 * node). Throws an error naming the entry, e.g. `architecture.reduce[3] (node 1): op ...`.
 */
export function checkArchitecture(architecture: Genotype, space: SearchSpace, what = 'architecture'): void {
  if (architecture === null || typeof architecture !== 'object') throw new Error(`${what} is ${String(architecture)}; expected a genotype`);
  for (const cell of ['normal', 'reduce'] as const) {
    placeArchitecture(architecture[cell], space[cell], `${what}.${cell}`, `space ${space.name}`);
    const concat = architecture[`${cell}Concat`];
    if (!Array.isArray(concat) || concat.join() !== CONCAT) {
      throw new Error(`${what}.${cell}Concat is ${JSON.stringify(concat)}; the supernet concatenates all ${NUM_NODES} nodes, [${CONCAT}]`);
    }
  }
}

/** The number of ops per edge of one cell type; every edge must have the same number. */
function opsPerEdge(lists: SearchSpace['normal'], what: string): number {
  if (lists.length !== NUM_EDGES) throw new Error(`config.space.${what} has ${lists.length} edges; expected ${NUM_EDGES}`);
  const k = lists[0].length;
  if (k === 0 || lists.some((ops) => ops.length !== k)) {
    throw new Error(`config.space.${what}: every edge needs the same number of ops (got ${lists.map((o) => o.length).join(', ')})`);
  }
  return k;
}

/** A trainable [14, k] variable of 1e-3 N(0, 1) values. */
function alphaVariable(init: Init, k: number): tf.Variable {
  const value = init.alphas([NUM_EDGES, k]);
  const variable = tf.variable(value, true);
  value.dispose();
  return variable;
}

/** The search supernet. It owns its weights, running statistics and alphas: call `dispose()`. */
export class SearchNetwork extends Module implements SearchModel<Batch> {
  readonly config: SupernetConfig;
  /** Trainable weights by PyTorch state_dict name, in state_dict order. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** BN running_mean / running_var by state_dict name (non-trainable), in state_dict order. */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /** alpha_normal and alpha_reduce, [14, K] each (raw, before the softmax). */
  readonly alphas: { readonly normal: tf.Variable; readonly reduce: tf.Variable };
  /** The alphas by name: alphas_normal, alphas_reduce (lib/nn/model.ts). */
  readonly alphaParams: ReadonlyMap<string, tf.Variable>;
  readonly checkpointKey: string;
  readonly cells: readonly SearchCell[];
  private readonly stemWeight: tf.Variable;
  private readonly stemBn: BatchNorm;
  private readonly classifierWeight: tf.Variable;
  private readonly classifierBias: tf.Variable;

  constructor(config: SupernetConfig) {
    super();
    const { space, C, layers, classes, inChannels, seed } = config;
    checkInteger(C, 'config.C', 1);
    checkInteger(layers, 'config.layers', 1);
    checkInteger(classes, 'config.classes', 1);
    checkInteger(inChannels, 'config.inChannels', 1);
    checkInteger(seed, 'config.seed');
    const kNormal = opsPerEdge(space.normal, 'normal');
    const kReduce = opsPerEdge(space.reduce, 'reduce');
    this.config = config;
    const init = new Init(seed);

    const stemC = 3 * C;
    this.stemWeight = this.addVariable('stem.0.weight', init.conv(3, 3, inChannels, stemC), true, 'conv');
    this.stemBn = this.addChild('stem.1', new BatchNorm(stemC, true));
    let [cPrevPrev, cPrev, cCur] = [stemC, stemC, C];
    let reductionPrev = false;
    const cells: SearchCell[] = [];
    for (let i = 0; i < layers; i++) {
      const reduction = i === Math.floor(layers / 3) || i === Math.floor((2 * layers) / 3);
      if (reduction) cCur *= 2;
      const cell = new SearchCell(space, { cPrevPrev, cPrev, C: cCur, reduction, reductionPrev }, init);
      cells.push(this.addChild(`cells.${i}`, cell));
      reductionPrev = reduction;
      [cPrevPrev, cPrev] = [cPrev, 4 * cCur];
    }
    this.cells = cells;
    this.classifierWeight = this.addVariable('classifier.weight', init.uniform([cPrev, classes], cPrev), true, 'linear');
    this.classifierBias = this.addVariable('classifier.bias', init.uniform([classes], cPrev), true, 'vector');

    this.alphas = { normal: alphaVariable(init, kNormal), reduce: alphaVariable(init, kReduce) };
    this.alphaParams = new Map([
      [ALPHA_NAMES.normal, this.alphas.normal],
      [ALPHA_NAMES.reduce, this.alphas.reduce],
    ]);
    this.checkpointKey = supernetKey(config);
    this.weights = new Map(this.variables.filter((v) => v.trainable).map((v) => [v.name, v.variable]));
    this.buffers = new Map(this.variables.filter((v) => !v.trainable).map((v) => [v.name, v.variable]));
  }

  /**
   * Logits [N, classes] of images x [N, H, W, inChannels] (NHWC). `training`: BN with batch
   * statistics (as throughout the DARTS search), else running statistics; `updateRunningStats`
   * (default `training`) updates them; `seed` fixes the noise op's samples. The caller owns the result.
   */
  forward(x: tf.Tensor4D, options: SupernetForwardOptions): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== this.config.inChannels) {
      throw new Error(`forward: x has shape [${x.shape}]; expected [N, H, W, ${this.config.inChannels}]`);
    }
    const ctx = new ForwardContext(options);
    const architecture = options.architecture;
    if (architecture) {
      if (options.alphas) throw new Error('forward: options.alphas and options.architecture exclude each other');
      checkArchitecture(architecture, this.config.space, 'options.architecture');
      return this.forwardWith(x, ctx, (cell, s0, s1) => {
        const type = cell.reduction ? 'reduce' : 'normal';
        return cell.applyArchitecture(s0, s1, architecture[type], ctx, `options.architecture.${type}`);
      });
    }
    return tf.tidy(() => {
      const alphas = options.alphas ?? this.alphas;
      for (const cell of ['normal', 'reduce'] as const) {
        const [got, want] = [alphas[cell].shape, this.alphas[cell].shape];
        if (got.length !== 2 || got[0] !== want[0] || got[1] !== want[1]) {
          throw new Error(`forward: options.alphas.${cell} has shape [${got}]; expected [${want}]`);
        }
      }
      const weightsNormal = mixingWeights(alphas.normal as tf.Tensor2D);
      const weightsReduce = mixingWeights(alphas.reduce as tf.Tensor2D);
      return this.forwardWith(x, ctx, (cell, s0, s1) => cell.apply(s0, s1, cell.reduction ? weightsReduce : weightsNormal, ctx));
    });
  }

  /**
   * The mean cross-entropy of `batch` and the logits (lib/nn/model.ts); `options.alphas`, by the
   * names of `alphaParams`, stand in for the network's alphas. The caller owns both tensors.
   */
  loss(batch: Batch, options: SupernetPassOptions): { loss: tf.Scalar; output: tf.Tensor2D } {
    const { alphas, ...rest } = options;
    const byCell = (cell: 'normal' | 'reduce') => {
      const t = alphas?.get(ALPHA_NAMES[cell]);
      if (!t) throw new Error(`loss: options.alphas has no ${ALPHA_NAMES[cell]} (it needs ${Object.values(ALPHA_NAMES).join(', ')})`);
      return t as tf.Tensor2D;
    };
    const logits = this.forward(batch.x, alphas ? { ...rest, alphas: { normal: byCell('normal'), reduce: byCell('reduce') } } : rest);
    return { loss: crossEntropy(logits, batch.y), output: logits };
  }

  /** Accuracy of logits on the batch's labels. */
  metric(output: tf.Tensor, batch: Batch): number {
    return accuracy(output as tf.Tensor2D, batch.y);
  }

  examples(batch: Batch): number {
    return batch.y.shape[0];
  }

  /** Stem, the cells (each run by `applyCell`) and classifier, as `forward`: logits [N, classes] the caller owns. */
  private forwardWith(
    x: tf.Tensor4D,
    ctx: ForwardContext,
    applyCell: (cell: SearchCell, s0: tf.Tensor4D, s1: tf.Tensor4D) => tf.Tensor4D,
  ): tf.Tensor2D {
    return tf.tidy(() => {
      const stem = batchNorm(conv2d(x, this.stemWeight as tf.Tensor4D, 1, 1), this.stemBn, ctx.training, ctx.updateRunningStats);
      let [s0, s1] = [stem, stem];
      for (const cell of this.cells) [s0, s1] = [s1, applyCell(cell, s0, s1)];
      const pooled = s1.mean([1, 2]) as tf.Tensor2D;
      return pooled.matMul(this.classifierWeight as tf.Tensor2D).add(this.classifierBias) as tf.Tensor2D;
    });
  }

  /** The number of trainable weights (alphas and running statistics excluded). */
  numParams(): number {
    return countElements(this.variables.filter((v) => v.trainable));
  }

  /** Disposes every weight, running statistic and both alphas. */
  override dispose(): void {
    super.dispose();
    if (!this.alphas.normal.isDisposed) this.alphas.normal.dispose();
    if (!this.alphas.reduce.isDisposed) this.alphas.reduce.dispose();
  }
}
