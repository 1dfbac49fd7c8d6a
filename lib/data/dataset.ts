/**
 * Image data sets in memory (docs/method.md §1: the search data; docs/method.md §5: the final evaluation).
 *
 * A data set is plain typed arrays: uint8 pixels in NHWC order and integer labels, plus the
 * per-channel mean and standard deviation of its *training* split (both splits carry the training
 * statistics, since both are normalised with them). Loaders live beside this file, one per format;
 * each validates its files and throws an error naming the file and what is wrong.
 */

/** The data sets we can load, by name. */
export const DATASET_NAMES = ['fashion-mnist', 'cifar10', 'cifar100', 'svhn', 'cifar10-jpeg'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** One split (train or test) of an image data set. */
export interface Dataset {
  readonly name: DatasetName;
  readonly split: 'train' | 'test';
  /** Pixels 0..255, [n, height, width, channels] row-major (NHWC). */
  readonly images: Uint8Array;
  /** Class of each image, in [0, classes). */
  readonly labels: Uint8Array | Int32Array;
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** Per-channel mean of the training split's pixels, in [0, 1] units. */
  readonly mean: readonly number[];
  /** Per-channel population standard deviation of the training split's pixels, in [0, 1] units. */
  readonly std: readonly number[];
  /** Where it was read from (a folder or an archive), for messages and the run's record. */
  readonly source?: string;
}

/** The train and test splits of one data set. */
export interface DatasetSplits {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Decoded pixels and labels of one split, before the statistics are attached. */
export interface RawSplit {
  readonly images: Uint8Array;
  readonly labels: Uint8Array | Int32Array;
  readonly n: number;
}

/** The shape every image of a data set has. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** An error about one data file: the message starts with the file's path. */
export function fileError(file: string, what: string): Error {
  return new Error(`${file}: ${what}`);
}

/**
 * Per-channel mean and population standard deviation (numpy's default, ddof = 0) of NHWC uint8
 * `images`, in [0, 1] units. Exact: it counts each byte value per channel, then sums in float64.
 */
export function channelStats(images: Uint8Array, channels: number): { mean: number[]; std: number[] } {
  if (!Number.isInteger(channels) || channels < 1 || images.length % channels !== 0 || images.length === 0) {
    throw new Error(`channelStats: ${images.length} pixels do not split into channels=${channels}`);
  }
  const counts = new Float64Array(channels * 256);
  for (let i = 0, c = 0; i < images.length; i++) {
    counts[c * 256 + images[i]]++;
    if (++c === channels) c = 0;
  }
  const mean: number[] = [];
  const std: number[] = [];
  const perChannel = images.length / channels;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let v = 1; v < 256; v++) sum += counts[c * 256 + v] * v;
    const m = sum / perChannel;
    let sq = 0;
    for (let v = 0; v < 256; v++) sq += counts[c * 256 + v] * (v - m) * (v - m);
    mean.push(m / 255);
    std.push(Math.sqrt(sq / perChannel) / 255);
  }
  return { mean, std };
}

/** Throws, naming `file`, when a label is not an integer in [0, classes). */
export function checkLabels(labels: ArrayLike<number>, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < classes) || !Number.isInteger(y)) {
      throw fileError(file, `label ${y} of record ${i} is out of range [0, ${classes})`);
    }
  }
}

/**
 * Builds both splits of a data set from decoded arrays: checks the sizes and computes the
 * training statistics. The arrays are used as they are (not copied).
 */
export function makeSplits(
  name: DatasetName,
  shape: ImageShape,
  classes: number,
  train: RawSplit,
  test: RawSplit,
  source?: string,
): DatasetSplits {
  const { height, width, channels } = shape;
  for (const [split, raw] of [
    ['train', train],
    ['test', test],
  ] as const) {
    if (raw.images.length !== raw.n * height * width * channels || raw.labels.length !== raw.n) {
      throw new Error(
        `${name} ${split}: ${raw.images.length} pixels and ${raw.labels.length} labels ` +
          `do not make ${raw.n} images of ${height}x${width}x${channels}`,
      );
    }
    if (raw.n === 0) throw new Error(`${name} ${split}: no images`);
  }
  const { mean, std } = channelStats(train.images, channels);
  const make = (split: 'train' | 'test', raw: RawSplit): Dataset => ({
    name,
    split,
    images: raw.images,
    labels: raw.labels,
    n: raw.n,
    height,
    width,
    channels,
    classes,
    mean,
    std,
    ...(source === undefined ? {} : { source }),
  });
  return { train: make('train', train), test: make('test', test) };
}

/** How many images of each class `labels` holds, indexed by class. */
export function labelHistogram(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
