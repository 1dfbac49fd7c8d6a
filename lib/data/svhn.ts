/**
 * SVHN, cropped digits (http://ufldl.stanford.edu/housenumbers/): `train_32x32.mat` (73,257
 * images) and `test_32x32.mat` (26,032), MAT-files with `X`, uint8 [32, 32, 3, N] (MATLAB's
 * column-major order: height, width, channel, image), and `y`, [N, 1] with the digit 1..10, where 10
 * means the digit 0 (we map it to 0, as torchvision does). The `extra` split is not used.
 */
import * as path from 'path';
import { DatasetSplits, fileError, makeSplits, RawSplit } from './dataset';
import { LocateOptions, locateFiles, readDataFile } from './files';
import { MatNumeric, readMat } from './mat';

/** The SVHN files, in `svhn/`. */
export const SVHN_FILES = { train: 'train_32x32.mat', test: 'test_32x32.mat' } as const;

/** Converts SVHN's column-major X [32, 32, 3, N] (any numeric storage) to NHWC uint8. */
export function svhnImages(x: MatNumeric, n: number, file: string): Uint8Array {
  const H = 32;
  const W = 32;
  const C = 3;
  const size = H * W * C;
  const out = new Uint8Array(n * size);
  const check = !(x instanceof Uint8Array);
  for (let img = 0; img < n; img++) {
    const base = img * size;
    for (let c = 0; c < C; c++) {
      for (let w = 0; w < W; w++) {
        const src = base + c * H * W + w * H;
        for (let h = 0; h < H; h++) {
          const v = x[src + h];
          if (check && (!(v >= 0 && v <= 255) || v !== Math.floor(v))) {
            throw fileError(file, `X(${h + 1},${w + 1},${c + 1},${img + 1}) = ${v} is not a pixel value 0..255`);
          }
          out[base + (h * W + w) * C + c] = v;
        }
      }
    }
  }
  return out;
}

/** Decodes one SVHN MAT-file: checks the shapes, maps label 10 to 0. */
export function parseSvhnMat(buf: Uint8Array, file: string): RawSplit {
  const vars = readMat(buf, file);
  const x = vars.get('X');
  const y = vars.get('y');
  if (!x || !y) {
    throw fileError(file, `has no numeric variable ${!x ? 'X' : 'y'} (found: ${[...vars.keys()].join(', ') || 'none'})`);
  }
  const [h, w, c, n = 1] = x.dims;
  if (x.dims.length > 4 || h !== 32 || w !== 32 || c !== 3) {
    throw fileError(file, `X has shape [${x.dims.join(', ')}], expected [32, 32, 3, N]`);
  }
  if (y.data.length !== n || y.dims.filter((d) => d !== 1).length > 1) {
    throw fileError(file, `y has shape [${y.dims.join(', ')}], expected [${n}, 1] to match X's ${n} images`);
  }
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = y.data[i];
    if (!(v >= 1 && v <= 10) || v !== Math.floor(v)) {
      throw fileError(file, `label y(${i + 1}) = ${v} is out of range 1..10`);
    }
    labels[i] = v === 10 ? 0 : v;
  }
  return { images: svhnImages(x.data, n, file), labels, n };
}

/** Loads SVHN (73,257 + 26,032 images, 32x32x3, 10 classes) from `$RDARTS_DATA/svhn/` or `data/svhn/`. */
export function loadSvhn(options: LocateOptions = {}): DatasetSplits {
  const { dir } = locateFiles('SVHN', 'svhn', [[SVHN_FILES.train], [SVHN_FILES.test]], options);
  const read = (name: string): RawSplit => {
    const file = path.join(dir, name);
    return parseSvhnMat(readDataFile(file), file);
  };
  return makeSplits('svhn', { height: 32, width: 32, channels: 3 }, 10, read(SVHN_FILES.train), read(SVHN_FILES.test), dir);
}
