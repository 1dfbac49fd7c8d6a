/**
 * The first search problem (lib/search/problem.ts): the DARTS supernet (lib/problems/darts/supernet) over one of
 * the five cell spaces (S1-S4 and the DARTS space, lib/spaces) on an image data set, as the paper
 * searches (docs/method.md §1-2). The training split (or its first `trainSubset` images) is halved into
 * the weights' and the alphas' data; both halves are augmented alike, Cutout's probability rising
 * over the epochs (docs/method.md §4). An epoch record carries the raw alphas, their softmax and the
 * genotype parsed from them.
 */
import { tf } from '../../backend';
import { type SearchConfig, SEARCH_CONFIG_CODEC } from '../../config/search_config';
import { type AugmentOptions, trainAugment } from '../../data/augment';
import { batchCount, epochBatches, evalBatches, sampleBatch, type SearchSplit, searchSplit, subsetSize } from '../../data/batches';
import type { Dataset } from '../../data/dataset';
import { DATASETS, loadDataset } from '../../data/registry';
import type { Batch } from '../../nn/loss';
import type { SearchModel } from '../../nn/model';
import type { SearchState } from '../../runs/checkpoint';
import type { DartsArchitectureRecord } from '../../runs/records';
import { disposeSearchState, initialState } from '../../search/loop';
import type { EpochPlan, SearchData, SearchProblem } from '../../search/problem';
import { genotype, softmaxRows } from '../../spaces/genotype';
import { getSpace } from '../../spaces/spaces';
import { SearchNetwork } from './supernet/network';

/** The data of a DARTS search: the two halves, the augmentation of both, and the loop's view of them. */
export interface DartsData extends SearchData<Batch> {
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
export function searchData(config: SearchConfig, train?: Dataset): DartsData {
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
    steps: (batchSize) => batchCount(subsetSize(split.train), batchSize),
    alphaBatch: (plan, seed) => sampleBatch(split.val, plan.batchSize, seed, withEpoch(plan)),
    evalBatches: (batchSize) => evalBatches(split.val.dataset, batchSize, split.val.start, split.val.end),
    alphaExamples: subsetSize(split.val),
    dispose: (batch) => tf.dispose([batch.x, batch.y]),
  };
}

const arrays = (t: tf.Tensor) => t.arraySync() as number[][];

/** The record fields of the supernet's alphas: raw, softmax (the same float64 one `genotype` parses), genotype. */
export function dartsArchitecture(net: SearchNetwork): DartsArchitectureRecord {
  const alphas = { normal: arrays(net.alphas.normal), reduce: arrays(net.alphas.reduce) };
  const weights = { normal: softmaxRows(alphas.normal), reduce: softmaxRows(alphas.reduce) };
  return { alphas, weights, genotype: genotype(alphas, net.config.space) };
}

/** The DARTS search problem of `config`; `train` replaces the config's data set (tests). */
export function dartsProblem(config: SearchConfig, train?: Dataset): SearchProblem<Batch, DartsArchitectureRecord, SearchConfig> {
  return {
    config,
    codec: SEARCH_CONFIG_CODEC,
    label: `${config.space}, seed ${config.seed}`,
    loadData: () => searchData(config, train),
    createModel: (data) => {
      const d = (data as DartsData).split.train.dataset;
      return new SearchNetwork({
        space: getSpace(config.space),
        C: config.C,
        layers: config.layers,
        classes: d.classes,
        inChannels: d.channels,
        seed: config.seed,
      });
    },
    architecture: (model: SearchModel<Batch>) => dartsArchitecture(model as SearchNetwork),
  };
}

/** The mutable state of a DARTS search: the supernet and both optimisers (the caller disposes). */
export type DartsState = SearchState<SearchNetwork>;

/** A fresh supernet and optimisers for `config` on `data`. */
export function createSearchState(config: SearchConfig, data: DartsData): DartsState {
  return initialState(dartsProblem(config), data) as DartsState;
}

export { disposeSearchState };
