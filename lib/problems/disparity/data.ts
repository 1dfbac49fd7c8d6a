/**
 * The data of a disparity search (lib/search/problem.ts `SearchData`): stereo pairs in three
 * splits, held in memory as flat arrays and cut into batches of tensors (left and right [N, H, W, 3],
 * disparity [N, H, W, 1]) on demand.
 *   - the weights train on the `train` split, the alphas on the `valid` split: the DARTS search's two
 *     halves of the training data (docs/method.md §1), drawn here as two splits of the generator
 *     (the AutoDispNet search halved FlyingThings3D's training set the same way);
 *   - `test`: held out from the search, for the end-point error of a searched network.
 * Sources: the seeded synthetic stereo generator (lib/data/stereo_synthetic.ts; pair k of a split
 * from (data seed, split, k) alone), or three stereo folders written by `writeStereoFolder`
 * (lib/data/stereo_folder.ts; the path real data such as FlyingThings3D would take once converted).
 * The generator's `augment` is the strength of its photometric nuisance (gain, bias, noise), rendered
 * into the pairs: the augmentation knob of the RobustDARTS analogue, fixed per pair (not redrawn
 * per epoch).
 * Orders: an epoch's weight batches follow a permutation drawn from (seed, epoch); the alphas' batch
 * of a search iteration is drawn from the iteration's seed; both replay from a checkpoint.
 */
import { tf } from '../../backend';
import { readStereoFolder } from '../../data/stereo_folder';
import { STEREO_SPLITS, stereoPairs, type StereoSample } from '../../data/stereo_synthetic';
import { mixSeed, permutation, Rng, sampleWithoutReplacement, SEED_KEYS } from '../../nn/random';
import type { EpochPlan, SearchData } from '../../search/problem';
import type { StereoBatch } from './network';

/** Where the pairs come from (the config's `data`, ./config.ts). */
export type StereoSource =
  | {
      readonly source: 'synthetic';
      /** The generator's seed (apart from the search's). */
      readonly seed: number;
      readonly height: number;
      readonly width: number;
      /** The largest disparity, px; null: width / 8. */
      readonly dmax: number | null;
      readonly maxShapes: number;
      readonly texture: 'noise' | 'dots';
      readonly colour: 'rgb' | 'grey';
      /** Strength of the photometric nuisance in [0, 1]. */
      readonly augment: number;
      /** Pairs of each split. */
      readonly train: number;
      readonly valid: number;
      readonly test: number;
    }
  | {
      readonly source: 'folders';
      /** Stereo folders (lib/data/stereo_folder.ts) of the weights', the alphas' and the test pairs; test may be null. */
      readonly train: string;
      readonly valid: string;
      readonly test: string | null;
    };

/** One split in memory: n pairs of height x width, images HWC and disparities row-major, pair after pair. */
export interface StereoSplit {
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly left: Float32Array;
  readonly right: Float32Array;
  readonly disparity: Float32Array;
}

/** Packs pairs of one size into a split; throws naming `what` if the sizes differ. */
export function packStereo(pairs: readonly StereoSample[], what: string): StereoSplit {
  if (pairs.length === 0)
    return { n: 0, height: 0, width: 0, left: new Float32Array(0), right: new Float32Array(0), disparity: new Float32Array(0) };
  const { height, width } = pairs[0];
  const size = height * width;
  const left = new Float32Array(pairs.length * size * 3);
  const right = new Float32Array(pairs.length * size * 3);
  const disparity = new Float32Array(pairs.length * size);
  pairs.forEach((p, i) => {
    if (p.height !== height || p.width !== width)
      throw new Error(`${what}: pair ${i} is ${p.height} x ${p.width}, pair 0 ${height} x ${width}`);
    left.set(p.left, i * size * 3);
    right.set(p.right, i * size * 3);
    disparity.set(p.disparity, i * size);
  });
  return { n: pairs.length, height, width, left, right, disparity };
}

/** The batch of pairs `indices` of a split (fresh tensors: dispose them). */
export function stereoBatch(split: StereoSplit, indices: ArrayLike<number>): StereoBatch {
  const { height: H, width: W } = split;
  const size = H * W;
  const n = indices.length;
  const left = new Float32Array(n * size * 3);
  const right = new Float32Array(n * size * 3);
  const disparity = new Float32Array(n * size);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    if (!(Number.isInteger(i) && i >= 0 && i < split.n)) throw new Error(`stereoBatch: pair ${i} is not one of the split's ${split.n}`);
    left.set(split.left.subarray(i * size * 3, (i + 1) * size * 3), b * size * 3);
    right.set(split.right.subarray(i * size * 3, (i + 1) * size * 3), b * size * 3);
    disparity.set(split.disparity.subarray(i * size, (i + 1) * size), b * size);
  }
  return {
    left: tf.tensor4d(left, [n, H, W, 3]),
    right: tf.tensor4d(right, [n, H, W, 3]),
    disparity: tf.tensor4d(disparity, [n, H, W, 1]),
  };
}

/** The three splits of a source, and where they were read from. */
export interface StereoSplits {
  readonly train: StereoSplit;
  readonly valid: StereoSplit;
  readonly test: StereoSplit;
  readonly source: string;
}

/** Generates or reads the splits of `data`; every split must hold pairs of one size, the same for all. */
export function loadStereoSplits(data: StereoSource): StereoSplits {
  let splits: StereoSplits;
  if (data.source === 'synthetic') {
    const { seed, height, width, maxShapes, texture, colour, augment } = data;
    const options = { seed, height, width, maxShapes, texture, colour, augment, ...(data.dmax === null ? {} : { dmax: data.dmax }) };
    splits = {
      train: packStereo(stereoPairs(options, STEREO_SPLITS.train, data.train), 'synthetic train'),
      valid: packStereo(stereoPairs(options, STEREO_SPLITS.valid, data.valid), 'synthetic valid'),
      test: packStereo(stereoPairs(options, STEREO_SPLITS.test, data.test), 'synthetic test'),
      source: `synthetic stereo (seed ${seed}, ${height} x ${width})`,
    };
  } else {
    const read = (dir: string) => packStereo(readStereoFolder(dir).pairs, dir);
    splits = {
      train: read(data.train),
      valid: read(data.valid),
      test: data.test === null ? packStereo([], 'test') : read(data.test),
      source: `stereo folders ${data.train}, ${data.valid}${data.test === null ? '' : `, ${data.test}`}`,
    };
  }
  const { train, valid, test } = splits;
  if (train.n === 0 || valid.n === 0)
    throw new Error(`disparity data (${splits.source}): the train and valid splits need pairs (${train.n}, ${valid.n})`);
  for (const [name, s] of [
    ['valid', valid],
    ['test', test],
  ] as const) {
    if (s.n > 0 && (s.height !== train.height || s.width !== train.width)) {
      throw new Error(
        `disparity data (${splits.source}): the ${name} pairs are ${s.height} x ${s.width}, the train pairs ${train.height} x ${train.width}`,
      );
    }
  }
  return splits;
}

/** The data of a disparity search: the loop's view (`SearchData`), the splits, and the test batches. */
export interface StereoSearchData extends SearchData<StereoBatch> {
  readonly splits: StereoSplits;
  /** The test split in order, in batches (empty without test pairs). */
  testBatches(batchSize: number): Iterable<StereoBatch>;
}

/** The pairs of a split in order, in batches of `batchSize` (the last smaller). */
export function* inOrder(split: StereoSplit, batchSize: number): Generator<StereoBatch> {
  for (let s = 0; s < split.n; s += batchSize) {
    yield stereoBatch(
      split,
      Array.from({ length: Math.min(split.n, s + batchSize) - s }, (_, i) => s + i),
    );
  }
}

/** The search data of the splits (file header). */
export function stereoSearchData(splits: StereoSplits): StereoSearchData {
  const { train, valid, test } = splits;
  return {
    splits,
    *weightBatches(plan: EpochPlan) {
      const order = permutation(train.n, new Rng(mixSeed(plan.seed, plan.epoch, SEED_KEYS.epochOrder)));
      for (let s = 0; s < train.n; s += plan.batchSize) yield stereoBatch(train, order.subarray(s, Math.min(train.n, s + plan.batchSize)));
    },
    steps: (plan) => Math.ceil(train.n / plan.batchSize),
    alphaBatch: (plan, seed) => stereoBatch(valid, sampleWithoutReplacement(valid.n, Math.min(plan.batchSize, valid.n), new Rng(seed))),
    evalBatches: (batchSize) => inOrder(valid, batchSize),
    testBatches: (batchSize) => inOrder(test, batchSize),
    alphaExamples: valid.n,
    dispose: (batch) => tf.dispose([batch.left, batch.right, batch.disparity]),
    source: splits.source,
  };
}
