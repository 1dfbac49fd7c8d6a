/**
 * The NAS-Bench-201 search problem (lib/search/problem.ts; docs/method.md §8): the benchmark's DARTS
 * supernet (./supernet.ts) on the image search data (lib/search/image_data.ts). Every epoch record
 * carries the raw alphas [6][5], their softmax, the discrete cell as the benchmark's string (each
 * edge's largest alpha, `none` included) and that cell's three published test accuracies from the
 * committed table: the search's exact test-accuracy trajectory, at no cost.
 */
import type { Dataset } from '../../data/dataset';
import { type Nb201Accuracies, nb201Accuracies } from '../../data/nb201_table';
import type { Batch } from '../../nn/loss';
import type { SearchModel } from '../../nn/model';
import type { ArchitectureRecord } from '../../runs/records';
import { imageSearchData, type ImageSearchData } from '../../search/image_data';
import type { SearchProblem } from '../../search/problem';
import { softmaxRows } from '../../spaces/genotype';
import { nb201ArchString } from '../../spaces/nb201';
import { type Nb201Config, NB201_CONFIG_CODEC } from './config';
import { Nb201Supernet } from './supernet';

/** A NAS-Bench-201 cell as an epoch record keeps it. */
export interface Nb201Genotype {
  /** The benchmark's cell string, `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
  readonly arch: string;
}

/** The architecture fields of a NAS-Bench-201 epoch record. */
export interface Nb201ArchitectureRecord extends ArchitectureRecord {
  /** Raw alphas [6][5]: edges (1<-0) .. (3<-2), ops in NB201_OPS order. */
  readonly alphas: number[][];
  /** softmax(alphas) row-wise: the mixing weights. */
  readonly weights: number[][];
  readonly genotype: Nb201Genotype;
  /** The cell's published test accuracies (%) after 200 epochs (NAS-Bench-201's table). */
  readonly benchmark: Nb201Accuracies;
}

/** The record fields of the supernet's alphas. */
export function nb201Architecture(net: Nb201Supernet): Nb201ArchitectureRecord {
  const alphas = net.alphas.arraySync() as number[][];
  const arch = nb201ArchString(alphas);
  return { alphas, weights: softmaxRows(alphas), genotype: { arch }, benchmark: nb201Accuracies(arch) };
}

/** The NAS-Bench-201 search problem of `config`; `train` replaces the config's data set (tests). */
export function nb201Problem(config: Nb201Config, train?: Dataset): SearchProblem<Batch, Nb201ArchitectureRecord, Nb201Config> {
  return {
    config,
    codec: NB201_CONFIG_CODEC,
    label: `nas-bench-201 C${config.C} N${config.N}, seed ${config.seed}`,
    loadData: () => imageSearchData(config, train),
    createModel: (data) => {
      const d = (data as ImageSearchData).split.train.dataset;
      return new Nb201Supernet({ C: config.C, N: config.N, classes: d.classes, inChannels: d.channels, seed: config.seed });
    },
    architecture: (model: SearchModel<Batch>) => nb201Architecture(model as Nb201Supernet),
    describe: (a) => `cell ${a.genotype.arch}, benchmark test accuracy ${a.benchmark.cifar10.toFixed(2)}% (CIFAR-10)`,
  };
}
