/**
 * The IDX format (MNIST, Fashion-MNIST) and the Fashion-MNIST loader.
 *
 * IDX: a 4-byte magic number (0, 0, type code, number of dimensions), one big-endian uint32 per
 * dimension, then the values row-major. We read unsigned bytes only (type code 0x08): images are
 * `[n, 28, 28]` (magic 0x00000803), labels `[n]` (magic 0x00000801). Files may be gzip-compressed
 * (read directly with zlib) or plain.
 */
import { checkLabels, DatasetSplits, fileError, makeSplits, RawSplit } from './dataset';
import { LocateOptions, locateFiles, readDataFile } from './files';

/** The decoded contents of an IDX file of unsigned bytes. */
export interface IdxArray {
  readonly dims: number[];
  readonly data: Uint8Array;
}

/** Parses an (already inflated) IDX file of unsigned bytes with `ndims` dimensions. */
export function parseIdx(buf: Uint8Array, file: string, ndims: number): IdxArray {
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) {
    throw fileError(file, `is truncated: ${buf.length} bytes, shorter than the ${headerBytes}-byte IDX header`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const expected = 0x00000800 | ndims;
  if (magic !== expected) {
    throw fileError(
      file,
      `wrong magic number 0x${magic.toString(16).padStart(8, '0')}, expected ` +
        `0x${expected.toString(16).padStart(8, '0')} (IDX unsigned bytes, ${ndims} dimension${ndims > 1 ? 's' : ''})`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerBytes;
  if (have < size) {
    throw fileError(file, `is truncated: ${have} bytes of data, expected ${size} for shape [${dims.join(', ')}]`);
  }
  if (have > size) {
    throw fileError(file, `has ${have - size} bytes after the data of shape [${dims.join(', ')}]`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, size) };
}

/** Reads one split's image and label IDX files and checks them against each other. */
export function readIdxSplit(imageFile: string, labelFile: string, shape: { height: number; width: number }, classes: number): RawSplit {
  const images = parseIdx(readDataFile(imageFile), imageFile, 3);
  const labels = parseIdx(readDataFile(labelFile), labelFile, 1);
  const [n, h, w] = images.dims;
  if (h !== shape.height || w !== shape.width) {
    throw fileError(imageFile, `images are ${h}x${w}, expected ${shape.height}x${shape.width}`);
  }
  if (labels.dims[0] !== n) {
    throw fileError(labelFile, `holds ${labels.dims[0]} labels but ${imageFile} holds ${n} images`);
  }
  checkLabels(labels.data, classes, labelFile);
  return { images: images.data, labels: labels.data, n };
}

/** The Fashion-MNIST files, per split: images then labels (each also accepted without `.gz`). */
export const FASHION_MNIST_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

/** Debian's `dataset-fashion-mnist` package, the last place searched. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Loads Fashion-MNIST (60,000 training and 10,000 test images, 28x28x1, 10 classes) from
 * `$RDARTS_DATA/fashion-mnist/`, `data/fashion-mnist/` or Debian's folder (`options.dir` to
 * pick one).
 */
export function loadFashionMnist(options: LocateOptions = {}): DatasetSplits {
  const names = [...FASHION_MNIST_FILES.train, ...FASHION_MNIST_FILES.test];
  const { dir, files } = locateFiles(
    'Fashion-MNIST',
    'fashion-mnist',
    names.map((n) => [`${n}.gz`, n]),
    options,
    [FASHION_MNIST_SYSTEM_DIR],
  );
  const shape = { height: 28, width: 28, channels: 1 };
  const train = readIdxSplit(files[0], files[1], shape, 10);
  const test = readIdxSplit(files[2], files[3], shape, 10);
  return makeSplits('fashion-mnist', shape, 10, train, test, dir);
}
