/**
 * CIFAR-10 from a copy of its 60,000 images as JPEG files in class folders (`train/<class>/*.jpg`,
 * `test/<class>/*.jpg`; a folder or a `.tar.gz` of one): the named data set `cifar10-jpeg`, labelled
 * "CIFAR-10 (JPEG copy)" wherever a result is reported. JPEG is lossy, so its pixels differ a little
 * from the official binaries; the binaries (data set `cifar10`) stay the reference where present.
 * Labels follow CIFAR-10's class order, whatever order the folders sort in. Each split is put in a
 * fixed pseudo-random order (`CIFAR10_JPEG_SHUFFLE_SEED`), as the binaries' images are, so that the
 * first images of the training split (a search's `trainSubset`) and both its halves hold every class.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplits, makeSplits } from './dataset';
import { dataDirs, LocateOptions, warnPassedOver } from './files';
import { readImageFolder } from './image_folder';

/** CIFAR-10's classes in label order (batches.meta.txt of the binary version). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** The seed of the fixed order of the copy's images (changing it changes every result on the copy). */
export const CIFAR10_JPEG_SHUFFLE_SEED = 0;

/** The folder (or archive stem) looked for under `$RDARTS_DATA/` and `data/`. */
export const CIFAR10_JPEG_NAME = 'cifar10-jpeg';

/**
 * Where the copy is: `options.dir` itself (a folder or an archive), else the first of
 * `<root>/cifar10-jpeg/`, `<root>/cifar10-jpeg.tar.gz`, `<root>/cifar10-jpeg.tar` for each data root
 * (`$RDARTS_DATA`, then `data/`). Throws listing every place looked in.
 */
export function locateCifar10Jpeg(options: LocateOptions = {}): string {
  if (options.dir !== undefined) return path.resolve(options.dir);
  const tried: string[] = [];
  const dirs = dataDirs(CIFAR10_JPEG_NAME, [], options.env);
  for (const dir of dirs) {
    for (const candidate of [dir, `${dir}.tar.gz`, `${dir}.tar`]) {
      if (fs.existsSync(candidate)) {
        warnPassedOver('CIFAR-10 (JPEG copy)', [`${dirs[0]} (nor .tar.gz, .tar)`], dirs, dir, options);
        return candidate;
      }
      tried.push(candidate);
    }
  }
  throw new Error(
    `CIFAR-10 (JPEG copy) not found; looked for ${tried.join(', ')}. Set RDARTS_DATA to the folder holding it (see data/README.md)`,
  );
}

/** Loads the JPEG copy of CIFAR-10 (see the file header); every image must be 32x32. */
export function loadCifar10Jpeg(options: LocateOptions = {}): DatasetSplits {
  const source = locateCifar10Jpeg(options);
  const folder = readImageFolder(source, { classes: CIFAR10_CLASSES, channels: 3, shuffleSeed: CIFAR10_JPEG_SHUFFLE_SEED });
  const { height, width } = folder.shape;
  if (height !== 32 || width !== 32) throw new Error(`${source}: the images are ${width}x${height}; CIFAR-10's are 32x32`);
  return makeSplits('cifar10-jpeg', folder.shape, CIFAR10_CLASSES.length, folder.train, folder.test, source);
}
