/**
 * CIFAR-10 and CIFAR-100, binary versions (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * Each file is a run of fixed-size records: the label byte(s), then 3,072 pixel bytes as three
 * 32x32 planes (all red, all green, all blue; each plane row-major). CIFAR-10 records have one
 * label byte (10 classes); CIFAR-100 records have the coarse label (20 classes) then the fine
 * label (100 classes), and we use the fine one, as the paper's code (torchvision) does. We convert
 * the planes to NHWC.
 */
import * as path from 'path';
import { DatasetSplits, fileError, makeSplits, RawSplit } from './dataset';
import { locateCifar10Jpeg } from './cifar10_jpeg';
import { LocateOptions, locateFiles, readDataFile } from './files';

const PLANE = 32 * 32;
const PIXELS = 3 * PLANE;

/** The layout of one CIFAR binary record. */
export interface CifarLayout {
  /** Label bytes before the pixels: 1 (CIFAR-10) or 2 (CIFAR-100). */
  readonly labelBytes: number;
  /** Which label byte is the class: 0 (CIFAR-10) or 1 (CIFAR-100's fine label). */
  readonly labelIndex: number;
  readonly classes: number;
  /** The range of each label byte, to check the ones we do not use (CIFAR-100's 20 coarse classes). */
  readonly labelRanges: readonly number[];
}

export const CIFAR10_LAYOUT: CifarLayout = { labelBytes: 1, labelIndex: 0, classes: 10, labelRanges: [10] };
export const CIFAR100_LAYOUT: CifarLayout = { labelBytes: 2, labelIndex: 1, classes: 100, labelRanges: [20, 100] };

/** Decodes the records of one CIFAR binary file into NHWC images and labels. */
export function parseCifarRecords(buf: Uint8Array, file: string, layout: CifarLayout): RawSplit {
  const record = layout.labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % record !== 0) {
    throw fileError(
      file,
      `size ${buf.length} bytes is not a positive multiple of the ${record}-byte record ` +
        `(${layout.labelBytes} label byte${layout.labelBytes > 1 ? 's' : ''} + ${PIXELS} pixels); the file may be truncated`,
    );
  }
  const n = buf.length / record;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * record;
    for (let b = 0; b < layout.labelBytes; b++) {
      const v = buf[base + b];
      if (v >= layout.labelRanges[b]) {
        throw fileError(file, `label byte ${b} of record ${i} is ${v}, out of range [0, ${layout.labelRanges[b]})`);
      }
    }
    labels[i] = buf[base + layout.labelIndex];
    const src = base + layout.labelBytes;
    const dst = i * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      images[dst + 3 * p] = buf[src + p];
      images[dst + 3 * p + 1] = buf[src + PLANE + p];
      images[dst + 3 * p + 2] = buf[src + 2 * PLANE + p];
    }
  }
  return { images, labels, n };
}

/** Reads and concatenates the records of several files of one split. */
export function readCifarFiles(files: readonly string[], layout: CifarLayout): RawSplit {
  const parts = files.map((f) => parseCifarRecords(readDataFile(f), f, layout));
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { images, labels, n };
}

const SHAPE = { height: 32, width: 32, channels: 3 };

/** The CIFAR-10 files, in `cifar-10-batches-bin/`. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/** The CIFAR-100 files, in `cifar-100-binary/`. */
export const CIFAR100_FILES = { train: ['train.bin'], test: ['test.bin'] } as const;

function loadCifar(
  name: 'cifar10' | 'cifar100',
  label: string,
  folder: string,
  names: { train: readonly string[]; test: readonly string[] },
  layout: CifarLayout,
  options: LocateOptions,
): DatasetSplits {
  const all = [...names.train, ...names.test];
  const { dir } = locateFiles(
    label,
    folder,
    all.map((n) => [n]),
    options,
  );
  const train = readCifarFiles(
    names.train.map((n) => path.join(dir, n)),
    layout,
  );
  const test = readCifarFiles(
    names.test.map((n) => path.join(dir, n)),
    layout,
  );
  return makeSplits(name, SHAPE, layout.classes, train, test, dir);
}

/**
 * Loads CIFAR-10 (50,000 + 10,000 images, 32x32x3, 10 classes) from `cifar-10-batches-bin/`. When
 * the binaries are missing but the JPEG copy is there (lib/data/cifar10_jpeg.ts), the error says so:
 * the binaries stay the reference, and results on the copy must be labelled as such.
 */
export function loadCifar10(options: LocateOptions = {}): DatasetSplits {
  try {
    return loadCifar('cifar10', 'CIFAR-10', 'cifar-10-batches-bin', CIFAR10_FILES, CIFAR10_LAYOUT, options);
  } catch (e) {
    const message = (e as Error).message;
    if (!message.startsWith('CIFAR-10 not found')) throw e;
    let copy: string | undefined;
    try {
      copy = locateCifar10Jpeg({ env: options.env });
    } catch {
      throw e;
    }
    throw new Error(
      `${message}. A JPEG copy of CIFAR-10 is at ${copy}: use the data set cifar10-jpeg ("CIFAR-10 (JPEG copy)") to search on it`,
      {
        cause: e,
      },
    );
  }
}

/** Loads CIFAR-100 (50,000 + 10,000 images, 32x32x3, 100 fine classes) from `cifar-100-binary/`. */
export function loadCifar100(options: LocateOptions = {}): DatasetSplits {
  return loadCifar('cifar100', 'CIFAR-100', 'cifar-100-binary', CIFAR100_FILES, CIFAR100_LAYOUT, options);
}
