/**
 * The first search problem (lib/search/problem.ts): the DARTS supernet (lib/problems/darts/supernet) over one of
 * the five cell spaces (S1-S4 and the DARTS space, lib/spaces) on an image data set, as the paper
 * searches (docs/method.md §1-2), on the image search data (lib/search/image_data.ts). An epoch record carries the raw alphas, their softmax and the
 * genotype parsed from them.
 */
import { tf } from '../../backend';
import { type SearchConfig, SEARCH_CONFIG_CODEC } from '../../config/search_config';
import type { Dataset } from '../../data/dataset';
import type { Batch } from '../../nn/loss';
import type { SearchModel } from '../../nn/model';
import type { SearchState } from '../../runs/checkpoint';
import type { DartsArchitectureRecord } from '../../runs/records';
import { disposeSearchState, initialState } from '../../search/loop';
import { epochAugment, imageSearchData, type ImageSearchData } from '../../search/image_data';
import type { SearchProblem } from '../../search/problem';
import { genotype, softmaxRows } from '../../spaces/genotype';
import { getSpace } from '../../spaces/spaces';
import { SearchNetwork } from './supernet/network';

/** The data of a DARTS search: the image search data (lib/search/image_data.ts). */
export type DartsData = ImageSearchData;

/** Loads the config's data set (or takes `train`) and halves its training images (lib/search/image_data.ts). */
export function searchData(config: SearchConfig, train?: Dataset): DartsData {
  return imageSearchData(config, train);
}

export { epochAugment };

const arrays = (t: tf.Tensor) => t.arraySync() as number[][];

/** The record fields of the supernet's alphas: raw, softmax (the same float64 one `genotype` parses), genotype. */
export function dartsArchitecture(net: SearchNetwork): DartsArchitectureRecord {
  const alphas = { normal: arrays(net.alphas.normal), reduce: arrays(net.alphas.reduce) };
  const weights = { normal: softmaxRows(alphas.normal), reduce: softmaxRows(alphas.reduce) };
  return { alphas, weights, genotype: genotype(alphas, net.config.space) };
}

/**
 * The DARTS search problem of `config` (a whole config: `resolveConfig(preset, overrides)` builds
 * one); `train` replaces the config's data set (tests). A bad config throws naming every bad field.
 */
export function dartsProblem(value: SearchConfig, train?: Dataset): SearchProblem<Batch, DartsArchitectureRecord, SearchConfig> {
  // Scripts pass plain objects: validate here, so that a mistake is named before any work.
  const config = SEARCH_CONFIG_CODEC.check(value, 'dartsProblem; a whole config comes from resolveConfig(preset, overrides)');
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
