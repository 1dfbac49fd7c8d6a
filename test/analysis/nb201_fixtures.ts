/** Fake NAS-Bench-201 epoch records for the analysis tests (the fields the epoch table and the figure read). */
import { nb201Accuracies } from '../../lib/data/nb201_table';
import type { Nb201ArchitectureRecord } from '../../lib/problems/nb201/problem';
import type { EpochRecord } from '../../lib/runs/records';

/** 6 parameter-free edges, and 3 (below the collapse threshold of 4). */
export const SKIP = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|';
export const MIXED = '|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_3x3~2|';

/**
 * An epoch record of cell `arch`: its benchmark accuracies from the table, or a hand-set CIFAR-10
 * accuracy (`cifar10`); with a measured eigenvalue where given (its 3 s count in the epoch's time).
 */
export function nb201Record(
  epoch: number,
  arch: string,
  options: { readonly eigenvalue?: number; readonly cifar10?: number } = {},
): EpochRecord<Nb201ArchitectureRecord> {
  const { eigenvalue, cifar10 } = options;
  return {
    epoch,
    lr: 0.025,
    steps: 10,
    train: { loss: 2, accuracy: 0.2 },
    search: { loss: 2, accuracy: 0.2 },
    valid: { loss: 2, accuracy: 0.25 },
    alphas: [],
    weights: [],
    genotype: { arch },
    benchmark: cifar10 === undefined ? nb201Accuracies(arch) : { cifar10, cifar100: 50, 'imagenet16-120': 30 },
    ...(eigenvalue === undefined ? {} : { hessian: { dominantEigenvalue: eigenvalue } as EpochRecord['hessian'] }),
    seconds: { search: 10, valid: 2, ...(eigenvalue === undefined ? {} : { hessian: 3 }) },
    backend: 'wasm',
  };
}
