/**
 * The search split and its batches (docs/method.md §1): the training set is cut in two, the first half
 * for the weights (L_train), the second for the alphas (L_val), as the paper's code does
 * (`train_portion` 0.5, split = floor(portion n), SubsetRandomSampler on each part). Both halves
 * get the training augmentation. Every batch is a fresh pair of tensors that the caller disposes.
 *
 * Seeds: the order of an epoch comes from mixSeed(seed, epoch, start of the subset, ORDER) and
 * batch b's augmentation from mixSeed(seed, epoch, start, b), so any batch can be rebuilt alone
 * (resuming mid-epoch) and the two halves differ even under one seed.
 */
import { tf } from '../backend';
import type { Batch } from '../nn/loss';
import {
  applyCutout,
  AugmentOptions,
  checkAugment,
  drawAugment,
  IDENTITY_DRAW,
  NO_AUGMENT,
  normaliseTable,
  trainAugment,
  writeImage,
} from './augment';
import { Dataset } from './dataset';
import { checkInteger, mixSeed, permutation, Rng, sampleWithoutReplacement, SEED_KEYS } from '../nn/random';
import { DATASETS } from './registry';

/** Images [start, end) of a data set. */
export interface Subset {
  readonly dataset: Dataset;
  readonly start: number;
  readonly end: number;
}

/** The two halves of the search: `train` trains the weights, `val` the alphas. */
export interface SearchSplit {
  readonly train: Subset;
  readonly val: Subset;
}

/** Options of the training batch iterators. */
export interface BatchOptions {
  /** Augmentation; defaults to `trainAugment` of the data set (crop pad 4, its flip flag). */
  readonly augment?: AugmentOptions;
  /** Drop the last, smaller batch of an epoch (PyTorch's drop_last; default false, as in the code). */
  readonly dropLast?: boolean;
}

/** Keys that no batch index takes: the epoch order's stream and sampleBatch's. */
const ORDER = SEED_KEYS.epochOrder;
const SAMPLE = SEED_KEYS.sampleBatch;

/** Splits a training set: the first floor(portion n) images train the weights, the rest the alphas. */
export function searchSplit(train: Dataset, portion = 0.5): SearchSplit {
  const split = Math.floor(portion * train.n);
  if (!(portion > 0 && portion < 1) || split === 0 || split === train.n) {
    throw new Error(`searchSplit: portion=${portion} leaves an empty half of ${train.n} images`);
  }
  return { train: { dataset: train, start: 0, end: split }, val: { dataset: train, start: split, end: train.n } };
}

/** The number of images of a subset. */
export function subsetSize(s: Subset): number {
  return s.end - s.start;
}

/** Batches per epoch of `size` images. */
export function batchCount(size: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
}

/**
 * Fills a float32 NHWC array with the images `indices` of `dataset`, augmented with `augment`
 * (random choices from `rng`; none when rng is null) and normalised with the data set's mean/std.
 */
export function fillBatch(dataset: Dataset, indices: ArrayLike<number>, augment: AugmentOptions, rng: Rng | null): Float32Array {
  const { height, width, channels } = dataset;
  const size = height * width * channels;
  const out = new Float32Array(indices.length * size);
  const table = normaliseTable(dataset.mean, dataset.std);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < dataset.n)) throw new Error(`fillBatch: index ${i} is outside the ${dataset.n} images`);
    const draw = rng ? drawAugment(rng, height, width, augment) : IDENTITY_DRAW;
    writeImage(dataset.images, i * size, out, k * size, dataset, table, rng ? augment.pad : 0, draw);
    if (draw.cutout && augment.cutout) applyCutout(out, k * size, dataset, draw.cy, draw.cx, augment.cutout.length);
  }
  return out;
}

/** Makes one batch of the images `indices`: x float32 [B, H, W, C], y int32 [B]; the caller disposes both. */
export function makeBatch(dataset: Dataset, indices: ArrayLike<number>, augment: AugmentOptions, rng: Rng | null): Batch {
  const x = fillBatch(dataset, indices, augment, rng);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) labels[k] = dataset.labels[indices[k]];
  return {
    x: tf.tensor4d(x, [indices.length, dataset.height, dataset.width, dataset.channels], 'float32'),
    y: tf.tensor1d(labels, 'int32'),
  };
}

function augmentOf(s: Subset, options: BatchOptions): AugmentOptions {
  return checkAugment(options.augment ?? trainAugment(DATASETS[s.dataset.name]));
}

/** The image indices of one epoch of a subset, in its seeded random order. */
export function epochOrder(s: Subset, seed: number, epoch: number): Int32Array {
  const p = permutation(subsetSize(s), new Rng(mixSeed(seed, epoch, s.start, ORDER)));
  for (let i = 0; i < p.length; i++) p[i] += s.start;
  return p;
}

/**
 * The augmented batches of one epoch of a subset, in a random order fixed by (seed, epoch): the
 * same arguments give the same batches. Each yielded batch belongs to the caller.
 */
export function* epochBatches(s: Subset, batchSize: number, seed: number, epoch: number, options: BatchOptions = {}): Generator<Batch> {
  checkInteger(batchSize, 'batchSize', 1);
  checkInteger(seed, 'seed');
  checkInteger(epoch, 'epoch', 0);
  const augment = augmentOf(s, options);
  const order = epochOrder(s, seed, epoch);
  const count = batchCount(order.length, batchSize, options.dropLast);
  for (let b = 0; b < count; b++) {
    const indices = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    yield makeBatch(s.dataset, indices, augment, new Rng(mixSeed(seed, epoch, s.start, b)));
  }
}

/**
 * One random batch of `batchSize` distinct images of a subset, augmented: the paper code's
 * `next(iter(valid_queue))`, drawn afresh for every alpha step. `seed` fixes it (pass a new one per
 * step, e.g. mixSeed(seed, epoch, step)). The caller owns the batch.
 */
export function sampleBatch(s: Subset, batchSize: number, seed: number, options: BatchOptions = {}): Batch {
  checkInteger(batchSize, 'batchSize', 1);
  checkInteger(seed, 'seed');
  const rng = new Rng(mixSeed(seed, s.start, SAMPLE));
  const picks = sampleWithoutReplacement(subsetSize(s), Math.min(batchSize, subsetSize(s)), rng);
  for (let i = 0; i < picks.length; i++) picks[i] += s.start;
  return makeBatch(s.dataset, picks, augmentOf(s, options), rng);
}

/**
 * The batches of images [from, to) of a data set (default: all of it) in order, normalised, not
 * augmented (evaluation). Each yielded batch belongs to the caller.
 */
export function* evalBatches(dataset: Dataset, batchSize: number, from = 0, to = dataset.n): Generator<Batch> {
  checkInteger(batchSize, 'batchSize', 1);
  for (let start = from; start < to; start += batchSize) {
    const end = Math.min(to, start + batchSize);
    const indices = new Int32Array(end - start);
    for (let k = 0; k < indices.length; k++) indices[k] = start + k;
    yield makeBatch(dataset, indices, NO_AUGMENT, null);
  }
}
