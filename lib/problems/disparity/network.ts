/**
 * The disparity search supernet: the AutoDispNet code's DispNet-C network (its `DispNetCGenotype`)
 * with a mixed op on every cell edge, as a `SearchModel` (lib/nn/model.ts) on stereo batches.
 *   1. Stems, siamese: ConvReLU 7x7 stride 2 to floor(stemMultiplier C) channels, ConvReLU 5x5
 *      stride 2 to twice that (1/2, then 1/4 of the image).
 *   2. Feature cells, siamese: `featureDepth` reduction cells, C doubling at each (the first reads
 *      the stem's output as both s0 and s1).
 *   3. The 1-D correlation of the left and right features, max displacement R (./ops.ts): 2R + 1
 *      channels.
 *   4. Encoder cells: s0 = the left and right features concatenated, s1 = the correlation; cell i
 *      (from 0) reduces when i is odd, C doubling there; the first reads s0 by a 1x1 ConvReLU
 *      (the correlation does not reduce).
 *   5. A prediction (conv 3x3 to 1 channel, ReLU) at the coarsest level.
 *   6. `decoderDepth` upsampling cells, C halving at each: s0 and s1 (the first reads the
 *      encoder's output as both), the previous prediction resized bilinearly to the cell's output
 *      size, and the support feature stored one level finer (a left stem or feature-cell output, or
 *      an encoder reduction cell's output); a prediction after each.
 * The predictions, coarse to fine, are the outputs; the multi-scale loss weighs them (./ops.ts
 * `multiScaleEpe`), by default with the AutoDispNet code's netdef DispNet weights per resolution
 * level (1/2^l): level 0: 1, 1: 1/2, 2: 1/4, 3: 1/8, 4 and coarser: 1/16. The output of a pass is
 * the finest prediction, in pixels of its own scale; the metric is the EPE of that prediction
 * resized to the image and multiplied by the ratio of the widths (./ops.ts `fullSizeEpe`), which the
 * epoch records keep in their `accuracy` fields (lower is better).
 *
 * Siamese branches in one pass: the left and right images go through the stems and feature cells
 * as one batch of 2N, so every layer sees both views with the same weights, and a batch norm
 * normalises over both views together (our choice; the released nets have no BN).
 *
 * Alphas: `alphas_normal` [9, 8], `alphas_reduce` [9, 8] (the feature cells and the encoder's
 * reduction cells), `alphas_upsample` [15, 8]: 264 values, 1e-3 N(0, 1) (docs/method.md §2).
 * `options.alphas` replaces them by name (the curvature, lib/hessian). A kink pattern
 * (`options.pattern`, lib/nn/pattern.ts) freezes every leaky ReLU, ReLU (the correlation's and the
 * predictions'), max pool and the absolute value of the end-point error.
 *
 * The discrete network of a genotype (`DisparityNetwork` with a genotype; trained from scratch by
 * lib/train/disparity_train.ts) is the same network with discrete cells (./cells.ts): the feature
 * cells and the encoder's reduction cells take the genotype's `reduce` cell, the other encoder
 * cells its `normal` cell, the upsampling cells its `upsample` cell; it has no alphas.
 */
import { tf } from '../../backend';
import type { PassOptions, SearchModel } from '../../nn/model';
import { countElements, ForwardContext, Module } from '../../nn/module';
import { checkInteger, Init } from '../../nn/random';
import {
  AUTODISPNET_PRIMITIVES,
  type AutoDispNetGenotype,
  chosenEdges,
  type ChosenEdge,
  ENCODER_EDGES,
  formatAutoDispNetGenotype,
  UPSAMPLE_EDGES,
} from '../../spaces/autodispnet';
import { EncoderCell, UpsampleCell } from './cells';
import { ConvReLU, Prediction } from './layers';
import { correlation1d, fullSizeEpe, multiScaleEpe, resizeBilinear } from './ops';

/** The sizes of the supernet (the AutoDispNet code's constructor arguments). */
export interface DisparityNetworkConfig {
  /** Channels of a node before the feature cells double them (the AutoDispNet search: 24, notes say). */
  readonly C: number;
  /** The first stem has floor(stemMultiplier C) channels. */
  readonly stemMultiplier: number;
  /** Siamese feature (reduction) cells. */
  readonly featureDepth: number;
  /** Encoder cells after the correlation, reducing at odd indices. */
  readonly encoderDepth: number;
  /** Upsampling cells. */
  readonly decoderDepth: number;
  /** The correlation's maximum displacement R (2R + 1 channels). */
  readonly maxDisplacement: number;
  /** Affine-free batch norm after every activation (./layers.ts); false: none, as the released nets. */
  readonly batchNorm: boolean;
}

/** A batch of stereo pairs: left and right images [N, H, W, 3] in [0, 1], the left view's disparity [N, H, W, 1] (NaN where unknown). */
export interface StereoBatch {
  readonly left: tf.Tensor4D;
  readonly right: tf.Tensor4D;
  readonly disparity: tf.Tensor4D;
}

/** The alphas' names, by cell type (the checkpoint's tensors). */
export const DISPARITY_ALPHA_NAMES = Object.freeze({
  normal: 'alphas_normal',
  reduce: 'alphas_reduce',
  upsample: 'alphas_upsample',
} as const);

/** The resolution level (the image is 1/2^level of its size) of the coarsest prediction: 2 stems, the feature cells, the encoder's reductions. */
export function coarsestLevel(network: Pick<DisparityNetworkConfig, 'featureDepth' | 'encoderDepth'>): number {
  return 2 + network.featureDepth + Math.floor(network.encoderDepth / 2);
}

/** The resolution level of each prediction, coarse to fine. */
export function predictionLevels(network: Pick<DisparityNetworkConfig, 'featureDepth' | 'encoderDepth' | 'decoderDepth'>): number[] {
  const top = coarsestLevel(network);
  return Array.from({ length: network.decoderDepth + 1 }, (_, i) => top - i);
}

/** The netdef DispNet loss weight of a prediction at resolution `level` (file header). */
export function netdefLossWeight(level: number): number {
  return level >= 4 ? 1 / 16 : 1 / 2 ** level;
}

/** The default loss weights, coarse to fine: netdef's, by each prediction's level. */
export function defaultLossWeights(network: Pick<DisparityNetworkConfig, 'featureDepth' | 'encoderDepth' | 'decoderDepth'>): number[] {
  return predictionLevels(network).map(netdefLossWeight);
}

/**
 * Checks the sizes against each other, and an image size against them when given: the decoder
 * needs a support feature at each of its levels (decoderDepth <= the coarsest level), a halved C
 * of at least 1, and the image a multiple of 2^coarsest level. Throws naming the field.
 */
export function checkNetworkSizes(network: DisparityNetworkConfig, image?: { readonly height: number; readonly width: number }): void {
  const { C, stemMultiplier, featureDepth, encoderDepth, decoderDepth, maxDisplacement } = network;
  checkInteger(C, 'network.C', 1);
  checkInteger(featureDepth, 'network.featureDepth', 0);
  checkInteger(encoderDepth, 'network.encoderDepth', 1);
  checkInteger(decoderDepth, 'network.decoderDepth', 1);
  checkInteger(maxDisplacement, 'network.maxDisplacement', 0);
  if (!(Math.floor(stemMultiplier * C) >= 1))
    throw new Error(`network.stemMultiplier=${stemMultiplier} gives stems of 0 channels at C=${C}`);
  const top = coarsestLevel(network);
  if (decoderDepth > top)
    throw new Error(`network.decoderDepth=${decoderDepth} exceeds the ${top} finer levels that hold a support feature`);
  if (Math.floor(C * 2 ** (top - 2)) < 2 ** decoderDepth) {
    throw new Error(`network.decoderDepth=${decoderDepth} halves C=${C} x 2^${top - 2} below 1 channel`);
  }
  if (image) {
    const unit = 2 ** top;
    if (image.height % unit !== 0 || image.width % unit !== 0) {
      throw new Error(
        `the images are ${image.height} x ${image.width}; this network needs multiples of 2^${top} = ${unit} (its coarsest level)`,
      );
    }
  }
}

/**
 * The disparity network (file header): the search supernet (genotype null) or the discrete network
 * of a genotype. It owns its weights, running statistics and alphas: call `dispose()`.
 */
export class DisparityNetwork extends Module implements SearchModel<StereoBatch> {
  readonly weights: ReadonlyMap<string, tf.Variable>;
  readonly alphaParams: ReadonlyMap<string, tf.Variable>;
  readonly checkpointKey: string;
  /** The multi-scale loss's weights, coarse to fine. */
  readonly lossWeights: readonly number[];
  private readonly stems: readonly ConvReLU[];
  private readonly featureCells: readonly EncoderCell[];
  private readonly encoderCells: readonly EncoderCell[];
  private readonly decoderCells: readonly UpsampleCell[];
  private readonly predictions: readonly Prediction[];
  private readonly alphaVariables: readonly tf.Variable[];

  constructor(
    readonly network: DisparityNetworkConfig,
    seed: number,
    lossWeights: readonly number[] | null = null,
    readonly genotype: AutoDispNetGenotype | null = null,
  ) {
    super();
    const chosen = (cell: 'normal' | 'reduce' | 'upsample'): readonly ChosenEdge[] | null =>
      genotype ? chosenEdges(genotype, cell) : null;
    checkNetworkSizes(network);
    checkInteger(seed, 'seed');
    const { C, stemMultiplier, featureDepth, encoderDepth, decoderDepth, maxDisplacement: R, batchNorm: bn } = network;
    const weights = lossWeights ?? defaultLossWeights(network);
    if (weights.length !== decoderDepth + 1 || weights.some((w) => !(w >= 0 && Number.isFinite(w)))) {
      throw new Error(
        `lossWeights: needs ${decoderDepth + 1} finite weights >= 0 (one per prediction, coarse to fine), got ${JSON.stringify(weights)}`,
      );
    }
    this.lossWeights = [...weights];
    const init = new Init(seed);
    const cStem = Math.floor(stemMultiplier * C);
    this.stems = [
      this.addChild('stems.0', new ConvReLU(3, cStem, 7, 2, bn, init)),
      this.addChild('stems.1', new ConvReLU(cStem, 2 * cStem, 5, 2, bn, init)),
    ];
    // Channels of the left features by level (0: the image), the support features of the decoder.
    const store = [3, cStem, 2 * cStem];
    let cCurr = C;
    let [cPrevPrev, cPrev] = [2 * cStem, 2 * cStem];
    const featureCells: EncoderCell[] = [];
    for (let i = 0; i < featureDepth; i++) {
      cCurr *= 2;
      const sizes = { cPrevPrev, cPrev, C: cCurr, reduction: true, reductionPrev: i > 0 };
      featureCells.push(this.addChild(`feature_cells.${i}`, new EncoderCell(sizes, bn, init, chosen('reduce'))));
      [cPrevPrev, cPrev] = [cPrev, 3 * cCurr];
      store.push(cPrev);
    }
    this.featureCells = featureCells;
    [cPrevPrev, cPrev] = [2 * cPrev, 2 * R + 1];
    const encoderCells: EncoderCell[] = [];
    let reductionPrev = false;
    for (let i = 0; i < encoderDepth; i++) {
      const reduction = i % 2 === 1;
      if (reduction) cCurr *= 2;
      encoderCells.push(
        this.addChild(
          `encoder_cells.${i}`,
          new EncoderCell({ cPrevPrev, cPrev, C: cCurr, reduction, reductionPrev }, bn, init, chosen(reduction ? 'reduce' : 'normal')),
        ),
      );
      [cPrevPrev, cPrev] = [cPrev, 3 * cCurr];
      if (reduction) store.push(cPrev);
      reductionPrev = reduction;
    }
    this.encoderCells = encoderCells;
    const predictions = [this.addChild('pred_blocks.0', new Prediction(cPrev, init))];
    cPrevPrev = cPrev;
    const decoderCells: UpsampleCell[] = [];
    let level = store.length - 1;
    for (let i = 0; i < decoderDepth; i++) {
      cCurr = Math.floor(cCurr / 2);
      const sizes = { cPrevPrev, cPrev, cSupport: store[level - 1], C: cCurr, upsamplePrev: i > 0 };
      decoderCells.push(this.addChild(`decoder_cells.${i}`, new UpsampleCell(sizes, bn, init, chosen('upsample'))));
      [cPrevPrev, cPrev] = [cPrev, 3 * cCurr];
      predictions.push(this.addChild(`pred_blocks.${i + 1}`, new Prediction(cPrev, init)));
      level -= 1;
    }
    this.decoderCells = decoderCells;
    this.predictions = predictions;
    const alphas = (rows: number) => {
      const value = init.alphas([rows, AUTODISPNET_PRIMITIVES.length]);
      const v = tf.variable(value, true);
      value.dispose();
      return v;
    };
    if (genotype) {
      this.alphaVariables = [];
      this.alphaParams = new Map();
    } else {
      const normal = alphas(ENCODER_EDGES.length);
      const reduce = alphas(ENCODER_EDGES.length);
      const upsample = alphas(UPSAMPLE_EDGES.length);
      this.alphaVariables = [normal, reduce, upsample];
      this.alphaParams = new Map([
        [DISPARITY_ALPHA_NAMES.normal, normal],
        [DISPARITY_ALPHA_NAMES.reduce, reduce],
        [DISPARITY_ALPHA_NAMES.upsample, upsample],
      ]);
    }
    this.weights = new Map(this.variables.filter((v) => v.trainable).map((v) => [v.name, v.variable]));
    this.checkpointKey = JSON.stringify({
      problem: 'disparity',
      space: 'autodispnet',
      ...network,
      ...(genotype ? { genotype: formatAutoDispNetGenotype(genotype) } : {}),
    });
  }

  /** Throws unless images of height x width fit the network (sides multiples of 2^coarsest level). */
  checkImageSize(height: number, width: number): void {
    checkNetworkSizes(this.network, { height, width });
  }

  /** The alphas of a pass: `options.alphas` by name where given (each checked), else the network's own. */
  private passAlphas(options: PassOptions): { normal: tf.Tensor2D; reduce: tf.Tensor2D; upsample: tf.Tensor2D } | null {
    if (this.genotype) {
      if (options.alphas) throw new Error('loss: the discrete network of a genotype has no alphas to replace');
      return null;
    }
    const pick = (cell: keyof typeof DISPARITY_ALPHA_NAMES) => {
      const name = DISPARITY_ALPHA_NAMES[cell];
      const own = this.alphaParams.get(name) as tf.Variable;
      if (!options.alphas) return own as tf.Tensor2D;
      const t = options.alphas.get(name);
      if (!t) throw new Error(`loss: options.alphas has no ${name} (it needs ${Object.values(DISPARITY_ALPHA_NAMES).join(', ')})`);
      if (t.shape.join() !== own.shape.join())
        throw new Error(`loss: options.alphas ${name} has shape [${t.shape}]; expected [${own.shape}]`);
      return t as tf.Tensor2D;
    };
    return { normal: pick('normal'), reduce: pick('reduce'), upsample: pick('upsample') };
  }

  /**
   * The predictions [N, H / 2^level, W / 2^level, 1], coarse to fine (file header), of left and
   * right images [N, H, W, 3]. The caller owns them.
   */
  forward(left: tf.Tensor4D, right: tf.Tensor4D, options: PassOptions): tf.Tensor4D[] {
    if (left.rank !== 4 || left.shape[3] !== 3 || left.shape.join() !== right.shape.join()) {
      throw new Error(`forward: left [${left.shape}] and right [${right.shape}] must both be [N, H, W, 3]`);
    }
    checkNetworkSizes(this.network, { height: left.shape[1], width: left.shape[2] });
    const alphas = this.passAlphas(options);
    const ctx = new ForwardContext(options);
    const n = left.shape[0];
    return tf.tidy(() => {
      const w = alphas
        ? { normal: tf.softmax(alphas.normal, -1), reduce: tf.softmax(alphas.reduce, -1), upsample: tf.softmax(alphas.upsample, -1) }
        : { normal: null, reduce: null, upsample: null };
      const leftHalf = (t: tf.Tensor4D) => t.slice([0, 0, 0, 0], [n, -1, -1, -1]);
      const rightHalf = (t: tf.Tensor4D) => t.slice([n, 0, 0, 0], [n, -1, -1, -1]);
      const store: tf.Tensor4D[] = [left];
      let f = tf.concat([left, right], 0);
      for (const stem of this.stems) {
        f = stem.apply(f, ctx);
        store.push(leftHalf(f));
      }
      let [s0, s1] = [f, f];
      for (const cell of this.featureCells) {
        [s0, s1] = [s1, cell.apply(s0, s1, w.reduce, ctx)];
        store.push(leftHalf(s1));
      }
      const [fL, fR] = [leftHalf(s1), rightHalf(s1)];
      [s0, s1] = [tf.concat([fL, fR], 3), correlation1d(fL, fR, this.network.maxDisplacement, ctx.pattern)];
      for (const cell of this.encoderCells) {
        [s0, s1] = [s1, cell.apply(s0, s1, cell.sizes.reduction ? w.reduce : w.normal, ctx)];
        if (cell.sizes.reduction) store.push(s1);
      }
      let prediction = this.predictions[0].apply(s1, ctx);
      const predictions = [prediction];
      s0 = s1;
      let level = store.length - 1;
      this.decoderCells.forEach((cell, i) => {
        const support = store[level - 1];
        const resized = resizeBilinear(prediction, support.shape[1], support.shape[2]);
        [s0, s1] = [s1, cell.apply(s0, s1, resized, support, w.upsample, ctx)];
        prediction = this.predictions[i + 1].apply(s1, ctx);
        predictions.push(prediction);
        level -= 1;
      });
      return predictions;
    });
  }

  /** The multi-scale EPE of `batch` (a scalar) and the finest prediction; `options.alphas` may replace the alphas. The caller owns both. */
  loss(batch: StereoBatch, options: PassOptions): { loss: tf.Scalar; output: tf.Tensor4D } {
    const predictions = this.forward(batch.left, batch.right, options);
    const loss = multiScaleEpe(predictions, batch.disparity, this.lossWeights, options.pattern);
    const output = predictions[predictions.length - 1];
    tf.dispose(predictions.slice(0, -1));
    return { loss, output };
  }

  /** The end-point error of the finest prediction at the image's size (./ops.ts `fullSizeEpe`), a number. */
  metric(output: tf.Tensor, batch: StereoBatch): number {
    return fullSizeEpe(output as tf.Tensor4D, batch.disparity);
  }

  examples(batch: StereoBatch): number {
    return batch.left.shape[0];
  }

  /** The number of trainable weights (alphas and running statistics excluded). */
  numParams(): number {
    return countElements(this.variables.filter((v) => v.trainable));
  }

  override dispose(): void {
    super.dispose();
    for (const a of this.alphaVariables) if (!a.isDisposed) a.dispose();
  }
}

/** The search supernet (a `DisparityNetwork` without a genotype). */
export class DisparitySupernet extends DisparityNetwork {
  constructor(network: DisparityNetworkConfig, seed: number, lossWeights: readonly number[] | null = null) {
    super(network, seed, lossWeights, null);
  }
}
