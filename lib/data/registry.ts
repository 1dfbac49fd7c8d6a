/**
 * The data sets by name: how to load each, its shape, and its augmentation defaults; and where
 * each one's files come from officially (for a later `rdarts data fetch`).
 */
import { loadCifar10, loadCifar100 } from './cifar';
import { CIFAR10_JPEG_NAME, loadCifar10Jpeg } from './cifar10_jpeg';
import { DatasetName, DatasetSplits, DATASET_NAMES } from './dataset';
import { LocateOptions } from './files';
import { loadFashionMnist } from './idx';
import { loadSvhn } from './svhn';

/** What we know about one data set before loading it. */
export interface DatasetInfo {
  /** Its usual spelling, for messages. */
  readonly label: string;
  /** The folder under `$RDARTS_DATA/` or `data/` holding its files. */
  readonly folder: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /**
   * Images of the official training and test splits (the published files; tests load smaller
   * files in the same formats). For sizes decided before loading, e.g. random search's hold-out.
   */
  readonly trainImages: number;
  readonly testImages: number;
  /**
   * Whether the training augmentation flips images horizontally. False for SVHN digits (a
   * mirrored digit is another glyph), although the paper's code (RobustDARTS src/utils.py,
   * `_data_transforms_svhn`) does flip SVHN; pass `flip: true` to augment like that code.
   */
  readonly flip: boolean;
  readonly load: (options?: LocateOptions) => DatasetSplits;
}

export const DATASETS: Readonly<Record<DatasetName, DatasetInfo>> = {
  'fashion-mnist': {
    label: 'Fashion-MNIST',
    folder: 'fashion-mnist',
    height: 28,
    width: 28,
    channels: 1,
    classes: 10,
    trainImages: 60000,
    testImages: 10000,
    flip: true,
    load: loadFashionMnist,
  },
  cifar10: {
    label: 'CIFAR-10',
    folder: 'cifar-10-batches-bin',
    height: 32,
    width: 32,
    channels: 3,
    classes: 10,
    trainImages: 50000,
    testImages: 10000,
    flip: true,
    load: loadCifar10,
  },
  cifar100: {
    label: 'CIFAR-100',
    folder: 'cifar-100-binary',
    height: 32,
    width: 32,
    channels: 3,
    classes: 100,
    trainImages: 50000,
    testImages: 10000,
    flip: true,
    load: loadCifar100,
  },
  svhn: {
    label: 'SVHN',
    folder: 'svhn',
    height: 32,
    width: 32,
    channels: 3,
    classes: 10,
    trainImages: 73257,
    testImages: 26032,
    flip: false,
    load: loadSvhn,
  },
  'cifar10-jpeg': {
    label: 'CIFAR-10 (JPEG copy)',
    folder: CIFAR10_JPEG_NAME,
    height: 32,
    width: 32,
    channels: 3,
    classes: 10,
    trainImages: 50000,
    testImages: 10000,
    flip: true,
    load: loadCifar10Jpeg,
  },
};

/** Checks a data set name; `what` names the argument in the error. */
export function parseDatasetName(name: string, what = 'dataset'): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(name)) return name as DatasetName;
  throw new Error(`${what}="${name}" is not a data set; use one of ${DATASET_NAMES.join(', ')}`);
}

/** Loads both splits of the named data set (see each loader for where it looks). */
export function loadDataset(name: DatasetName, options: LocateOptions = {}): DatasetSplits {
  return DATASETS[parseDatasetName(name)].load(options);
}

/** One downloadable file and its published MD5 checksum. */
export interface DataSource {
  readonly url: string;
  readonly md5: string;
  /** What to do with it once downloaded. */
  readonly unpack: 'tar.gz' | 'none';
}

const FMNIST = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/**
 * Official sources and MD5 sums, as published by the authors (the CIFAR page; the Fashion-MNIST
 * README) and used by torchvision. Debian's Fashion-MNIST `.gz` files hold the same data but were
 * recompressed, so their MD5 sums differ from these.
 */
export const DATA_SOURCES: Readonly<Record<DatasetName, readonly DataSource[]>> = {
  'fashion-mnist': [
    { url: `${FMNIST}train-images-idx3-ubyte.gz`, md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', unpack: 'none' },
    { url: `${FMNIST}train-labels-idx1-ubyte.gz`, md5: '25c81989df183df01b3e8a0aad5dffbe', unpack: 'none' },
    { url: `${FMNIST}t10k-images-idx3-ubyte.gz`, md5: 'bef4ecab320f06d8554ea6380940ec79', unpack: 'none' },
    { url: `${FMNIST}t10k-labels-idx1-ubyte.gz`, md5: 'bb300cfdad3c16e7a12a480ee83cd310', unpack: 'none' },
  ],
  cifar10: [{ url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530', unpack: 'tar.gz' }],
  cifar100: [
    { url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8', unpack: 'tar.gz' },
  ],
  svhn: [
    { url: 'http://ufldl.stanford.edu/housenumbers/train_32x32.mat', md5: 'e26dedcc434d2e4c54c9b2d4a06d8373', unpack: 'none' },
    { url: 'http://ufldl.stanford.edu/housenumbers/test_32x32.mat', md5: 'eb5a983be6a315427106f1b164d9cef3', unpack: 'none' },
  ],
  // A copy made by a third party, not an official download (lib/data/cifar10_jpeg.ts).
  'cifar10-jpeg': [],
};
