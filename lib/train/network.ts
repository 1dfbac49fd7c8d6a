/**
 * The final evaluation network of a genotype (docs/method.md §5), as the DARTS code's `NetworkCIFAR`
 * (quark0/darts cnn/model.py; RobustDARTS src/evaluation/model.py `Network`): stem Conv3x3
 * (inChannels -> 3C, no bias) + BN; `layers` cells (lib/train/cell.ts) with reduction cells at
 * floor(L/3) and floor(2L/3), where the channels double; optionally the auxiliary head
 * (lib/train/aux_head.ts) on the output of cell floor(2L/3), evaluated in training mode only;
 * global average pool; linear classifier. Every BN is affine. Drop path (lib/train/drop_path.ts)
 * with the probability of the forward options, in training mode only.
 *
 * Variable names and order: the state_dict of NetworkCIFAR (`stem.0.weight`, `stem.1.*`,
 * `cells.<i>.preprocess0.*`, `cells.<i>.preprocess1.*`, `cells.<i>._ops.<k>.*`,
 * `auxiliary_head.features.*`, `auxiliary_head.classifier.*`, `classifier.weight`,
 * `classifier.bias`), without `num_batches_tracked`; layouts as lib/problems/darts/supernet/names.ts.
 * Initialisation: PyTorch's defaults drawn from lib/nn/random.ts `Init(config.seed)`.
 */
import { tf } from '../backend';
import { BatchNorm, batchNorm } from '../nn/batchnorm';
import { conv2d } from '../nn/conv';
import { countElements, ForwardContext, type ForwardOptions, Module } from '../nn/module';
import { checkInteger, Init } from '../nn/random';
import type { Genotype } from '../spaces/genotype';
import { AuxiliaryHead } from './aux_head';
import { EvalCell } from './cell';
import { checkDropProb } from '../nn/drop_path';
import { checkGenotype } from './genotype_check';

/** The evaluation network's sizes (docs/method.md §5: CIFAR-10 20 cells, C 36; CIFAR-100 and SVHN 8, 16). */
export interface EvalNetworkConfig {
  /** The architecture: the ops of the normal and reduction cells. */
  readonly genotype: Genotype;
  /** Channels of the first cells' nodes (the stem outputs 3C). */
  readonly C: number;
  /** Number of cells L. */
  readonly layers: number;
  /** Number of classes (outputs of the classifier and of the auxiliary head). */
  readonly classes: number;
  /** Channels of the input images (3 for CIFAR and SVHN, 1 for Fashion-MNIST). */
  readonly inChannels: number;
  /** Whether to build the auxiliary head after cell floor(2L/3). */
  readonly auxiliary: boolean;
  /** Seed of the initial weights. */
  readonly seed: number;
}

/** Forward options: mode, noise and drop-path seed, running-statistics update, drop-path probability. */
export interface EvalForwardOptions extends ForwardOptions {
  /** Drop-path probability in [0, 1) (docs/method.md §5: 0.2 x epoch / epochs); default 0; ignored in eval mode. */
  readonly dropPathProb?: number;
}

/** The outputs of one forward pass; the caller owns both tensors. */
export interface EvalOutput {
  /** [N, classes]. */
  readonly logits: tf.Tensor2D;
  /** The auxiliary head's logits, [N, classes], in training mode with the head only. */
  readonly auxLogits?: tf.Tensor2D;
}

/** The evaluation network. It owns its weights and running statistics: call `dispose()`. */
export class EvalNetwork extends Module {
  readonly config: EvalNetworkConfig;
  /** Trainable weights by PyTorch state_dict name, in state_dict order. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** BN running_mean / running_var by state_dict name (non-trainable), in state_dict order. */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  readonly cells: readonly EvalCell[];
  /** The index of the cell whose output feeds the auxiliary head: floor(2L/3). */
  readonly auxIndex: number;
  readonly auxiliaryHead?: AuxiliaryHead;
  private readonly stemWeight: tf.Variable;
  private readonly stemBn: BatchNorm;
  private readonly classifierWeight: tf.Variable;
  private readonly classifierBias: tf.Variable;

  constructor(config: EvalNetworkConfig) {
    super();
    const { genotype, C, layers, classes, inChannels, auxiliary, seed } = config;
    checkGenotype(genotype);
    checkInteger(C, 'config.C', 1);
    checkInteger(layers, 'config.layers', 1);
    checkInteger(classes, 'config.classes', 1);
    checkInteger(inChannels, 'config.inChannels', 1);
    checkInteger(seed, 'config.seed');
    if (typeof auxiliary !== 'boolean') throw new Error(`config.auxiliary=${auxiliary} is not a boolean`);
    this.config = config;
    const init = new Init(seed);

    const stemC = 3 * C;
    this.stemWeight = this.addVariable('stem.0.weight', init.conv(3, 3, inChannels, stemC), true, 'conv');
    this.stemBn = this.addChild('stem.1', new BatchNorm(stemC, true));
    this.auxIndex = Math.floor((2 * layers) / 3);
    let [cPrevPrev, cPrev, cCur] = [stemC, stemC, C];
    let reductionPrev = false;
    let cAux = 0;
    const cells: EvalCell[] = [];
    for (let i = 0; i < layers; i++) {
      const reduction = i === Math.floor(layers / 3) || i === this.auxIndex;
      if (reduction) cCur *= 2;
      const cell = new EvalCell(
        reduction
          ? { entries: genotype.reduce, concat: genotype.reduceConcat }
          : { entries: genotype.normal, concat: genotype.normalConcat },
        { cPrevPrev, cPrev, C: cCur, reduction, reductionPrev },
        init,
      );
      cells.push(this.addChild(`cells.${i}`, cell));
      reductionPrev = reduction;
      [cPrevPrev, cPrev] = [cPrev, cell.outChannels];
      if (i === this.auxIndex) cAux = cPrev;
    }
    this.cells = cells;
    if (auxiliary) this.auxiliaryHead = this.addChild('auxiliary_head', new AuxiliaryHead(cAux, classes, init));
    this.classifierWeight = this.addVariable('classifier.weight', init.uniform([cPrev, classes], cPrev), true, 'linear');
    this.classifierBias = this.addVariable('classifier.bias', init.uniform([classes], cPrev), true, 'vector');
    this.weights = new Map(this.variables.filter((v) => v.trainable).map((v) => [v.name, v.variable]));
    this.buffers = new Map(this.variables.filter((v) => !v.trainable).map((v) => [v.name, v.variable]));
  }

  /**
   * Logits of images x [N, H, W, inChannels] (NHWC), and in training mode the auxiliary head's
   * logits (when built; it needs images of 24 to 32 pixels). `training`: BN with batch statistics,
   * drop path and the auxiliary head; `dropPathProb` (default 0); `seed` fixes the drop-path masks
   * (and the noise op's samples); `updateRunningStats` defaults to `training`. The caller owns the
   * returned tensors.
   */
  forward(x: tf.Tensor4D, options: EvalForwardOptions): EvalOutput {
    if (x.rank !== 4 || x.shape[3] !== this.config.inChannels) {
      throw new Error(`forward: x has shape [${x.shape}]; expected [N, H, W, ${this.config.inChannels}]`);
    }
    const dropPathProb = options.dropPathProb ?? 0;
    checkDropProb(dropPathProb, 'options.dropPathProb');
    const ctx = new ForwardContext(options);
    return tf.tidy(() => {
      const stem = batchNorm(conv2d(x, this.stemWeight as tf.Tensor4D, 1, 1), this.stemBn, ctx.training, ctx.updateRunningStats);
      let [s0, s1] = [stem, stem];
      let auxLogits: tf.Tensor2D | undefined;
      this.cells.forEach((cell, i) => {
        [s0, s1] = [s1, cell.apply(s0, s1, ctx, dropPathProb)];
        if (i === this.auxIndex && this.auxiliaryHead && ctx.training) auxLogits = this.auxiliaryHead.apply(s1, ctx);
      });
      const pooled = s1.mean([1, 2]) as tf.Tensor2D;
      const logits = pooled.matMul(this.classifierWeight as tf.Tensor2D).add(this.classifierBias) as tf.Tensor2D;
      return auxLogits ? { logits, auxLogits } : { logits };
    });
  }

  /**
   * The number of trainable weights (running statistics excluded). `auxiliary: false` leaves out the
   * auxiliary head, as quark0/darts' `count_parameters_in_MB` (x 1e6) does; RobustDARTS's counts it.
   */
  numParams(options: { readonly auxiliary: boolean }): number {
    return countElements(this.variables.filter((v) => v.trainable && (options.auxiliary || !v.name.startsWith('auxiliary_head.'))));
  }
}
