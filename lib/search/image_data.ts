/**
 * The image-classification data of a search (docs/method.md §1), shared by the image problems
 * (DARTS over S1-S4 and the DARTS space, NAS-Bench-201): the training split (or its first
 * `trainSubset` images) is halved into the weights' and the alphas' data; both halves are augmented
 * alike, Cutout's probability rising over the epochs (docs/method.md §4).
 */
import { tf } from '../backend';
import type { SearchConfig } from '../config/search_config';
import { type AugmentOptions, trainAugment } from '../data/augment';
import { batchCount, epochBatches, evalBatches, sampleBatch, type SearchSplit, searchSplit, subsetSize } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { DATASETS, loadDataset } from '../data/registry';
import type { Batch } from '../nn/loss';
import type { EpochPlan, SearchData } from './problem';

/** The config fields the image data reads. */
export type ImageDataConfig = Pick<SearchConfig, 'dataset' | 'trainSubset' | 'trainPortion' | 'augment'>;

/** The image data of a search: the two halves, the augmentation of both, and the loop's view of them. */
export interface ImageSearchData extends SearchData<Batch> {
  readonly split: SearchSplit;
  readonly augment: AugmentOptions;
}

/** This epoch's augmentation: Cutout's probability rises linearly from 0 to its maximum (docs/method.md §4). */
export function epochAugment(a: AugmentOptions, epoch: number, epochs: number): AugmentOptions {
  if (!a.cutout) return a;
  const ramp = epochs > 1 ? epoch / (epochs - 1) : 1;
  return { ...a, cutout: { ...a.cutout, prob: a.cutout.prob * ramp } };
}

/** The first `n` images of a data set (a view: no copy). */
function firstImages(d: Dataset, n: number): Dataset {
  if (n > d.n) throw new Error(`trainSubset=${n} exceeds the ${d.n} training images of ${d.name}`);
  const size = d.height * d.width * d.channels;
  return { ...d, n, images: d.images.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

/**
 * Loads the config's data set (or takes `train`) and splits its (subset of the) training images in
 * half (docs/method.md §1).
 */
export function imageSearchData(config: ImageDataConfig, train?: Dataset): ImageSearchData {
  const full = train ?? loadDataset(config.dataset).train;
  const used = config.trainSubset === null ? full : firstImages(full, config.trainSubset);
  const a = config.augment;
  const augment = trainAugment(DATASETS[config.dataset], {
    // Cutout rebuilt field by field: tslab compiles without strictNullChecks, where zod's type has optional fields.
    pad: a.cropPad,
    ...(a.flip === null ? {} : { flip: a.flip }),
    ...(a.cutout ? { cutout: { length: a.cutout.length, prob: a.cutout.prob } } : {}),
  });
  const split = searchSplit(used, config.trainPortion);
  const withEpoch = (plan: EpochPlan) => ({ augment: epochAugment(augment, plan.epoch, plan.epochs) });
  return {
    split,
    augment,
    weightBatches: (plan) => epochBatches(split.train, plan.batchSize, plan.seed, plan.epoch, withEpoch(plan)),
    steps: (plan) => batchCount(subsetSize(split.train), plan.batchSize),
    alphaBatch: (plan, seed) => sampleBatch(split.val, plan.batchSize, seed, withEpoch(plan)),
    evalBatches: (batchSize) => evalBatches(split.val.dataset, batchSize, split.val.start, split.val.end),
    alphaExamples: subsetSize(split.val),
    dispose: (batch) => tf.dispose([batch.x, batch.y]),
    ...(full.source === undefined ? {} : { source: full.source }),
  };
}
