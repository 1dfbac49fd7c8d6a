/**
 * Stereo pairs on disk.
 *
 * A generated split as a folder laid out like FlyingThings3D, so that the loader path of real data
 * is the one the synthetic data takes (CROSSDOMAIN.md §4.2, "Storage"):
 *   left/NNNN.png, right/NNNN.png              8-bit RGB
 *   disparity/NNNN.pfm                         float32, 1 channel, left-referenced, px
 *   disparity_occlusions/NNNN.png              8-bit grey, 255 where the left pixel is occluded
 *   manifest.json                              the generator's options, seed, split, first pair and count
 * NNNN is the pair's index in the folder, 0-based, four digits at least; folder pair i is the
 * split's pair start + i. The manifest is written last, so a folder cut short by a crash has none
 * (or an older one whose count does not match) and reads as an error, never as a shorter split.
 * Reading checks every file: a missing one, a size other than the manifest's, a PFM with 3
 * channels, or a folder holding more or fewer pairs than the manifest says, each throw an error
 * naming the path.
 *
 * Middlebury-style pairs (the 2005/2006 scenes, and the Aloe pair Debian's opencv-doc ships, see
 * data/middlebury.md): left and right images (PNG or JPEG) and a grey PNG of the left view's
 * disparity times a scale factor (1 for Middlebury 2005/2006 full size and OpenCV's aloeGT.png;
 * 256 in 16-bit PNGs for KITTI), 0 meaning unknown. `downscaleStereo` shrinks a pair by an integer
 * factor with a box filter and divides the disparities by it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { writeFileAtomic } from '../io/atomic';
import { fileError } from './dataset';
import { readDataFile } from './files';
import { decodeImage } from './image_folder';
import { readPfm, writePfm } from './pfm';
import {
  type ResolvedStereoOptions,
  resolveStereoOptions,
  type StereoPair,
  stereoPair,
  type StereoSample,
  type StereoSyntheticOptions,
} from './stereo_synthetic';

/** The manifest of a stereo folder (file header). */
export interface StereoFolderManifest {
  readonly format: 'rdarts-stereo-folder';
  readonly version: 1;
  /** The generator's seed (also in `generator`), and every option of the generator. */
  readonly seed: number;
  readonly generator: ResolvedStereoOptions;
  /** The split key (STEREO_SPLITS) and the split's first pair in the folder. */
  readonly split: number;
  readonly start: number;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** The disparity bound of the pairs (dmax times the shift set's factor). */
  readonly dmax: number;
}

/** A stereo folder read back: its manifest and its pairs in folder order. */
export interface StereoFolder {
  readonly manifest: StereoFolderManifest;
  readonly pairs: StereoPair[];
}

/** The manifest's file name in a stereo folder. */
export const STEREO_MANIFEST = 'manifest.json';
/** The subfolders of a stereo folder, by what they hold. */
export const STEREO_SUBFOLDERS = Object.freeze({
  left: 'left',
  right: 'right',
  disparity: 'disparity',
  occlusions: 'disparity_occlusions',
});

/** The file name of folder pair `i` with extension `ext`: NNNN.ext. */
export const stereoFileName = (i: number, ext: 'png' | 'pfm'): string => `${String(i).padStart(4, '0')}.${ext}`;

/** PNG bytes of an 8-bit image from float values in [0, 1] (rounded, clipped): RGB from HWC, or grey. */
function encodePng(values: Float32Array | Uint8Array, width: number, height: number, channels: 1 | 3, scale: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = Math.round(values[channels === 3 ? 3 * i + ch : i] * scale);
      png.data[4 * i + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: channels === 3 ? 2 : 0 });
}

/** Options of `writeStereoFolder`. */
export interface WriteStereoFolderOptions {
  /** The split's first pair (default 0). */
  readonly start?: number;
  /** Replace a stereo folder already there (its manifest and subfolders only); without it a non-empty folder is an error. */
  readonly overwrite?: boolean;
}

/**
 * Generates pairs start..start+count-1 of `split` and writes them to `dir` (file header); returns
 * the manifest. Images are quantised to 8 bits, disparities kept exact (float32).
 */
export function writeStereoFolder(
  dir: string,
  options: StereoSyntheticOptions,
  split: number,
  count: number,
  write: WriteStereoFolderOptions = {},
): StereoFolderManifest {
  const generator = resolveStereoOptions(options);
  const start = write.start ?? 0;
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`stereo folder: count=${count} is not an integer >= 0`);
  if (!Number.isSafeInteger(start) || start < 0) throw new Error(`stereo folder: start=${start} is not an integer >= 0`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    if (!write.overwrite) throw new Error(`${dir}: is not empty; remove it, pick another folder, or pass overwrite: true`);
    fs.rmSync(path.join(dir, STEREO_MANIFEST), { force: true });
    for (const sub of Object.values(STEREO_SUBFOLDERS)) fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
  }
  let dmax = generator.dmax * (generator.shift?.dmaxFactor ?? 1);
  for (let i = 0; i < count; i++) {
    const p = stereoPair(generator, split, start + i);
    dmax = p.dmax;
    const { width, height } = p;
    writeFileAtomic(path.join(dir, STEREO_SUBFOLDERS.left, stereoFileName(i, 'png')), encodePng(p.left, width, height, 3, 255));
    writeFileAtomic(path.join(dir, STEREO_SUBFOLDERS.right, stereoFileName(i, 'png')), encodePng(p.right, width, height, 3, 255));
    writePfm(path.join(dir, STEREO_SUBFOLDERS.disparity, stereoFileName(i, 'pfm')), { width, height, channels: 1, data: p.disparity });
    writeFileAtomic(path.join(dir, STEREO_SUBFOLDERS.occlusions, stereoFileName(i, 'png')), encodePng(p.occluded, width, height, 1, 255));
  }
  const manifest: StereoFolderManifest = {
    format: 'rdarts-stereo-folder',
    version: 1,
    seed: generator.seed,
    generator,
    split,
    start,
    count,
    height: generator.height,
    width: generator.width,
    dmax,
  };
  writeFileAtomic(path.join(dir, STEREO_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Reads and checks a stereo folder's manifest. */
function readManifest(dir: string): StereoFolderManifest {
  const file = path.join(dir, STEREO_MANIFEST);
  if (!fs.existsSync(file)) throw fileError(file, `is missing: ${dir} is not a stereo folder written by writeStereoFolder`);
  let m: Partial<StereoFolderManifest>;
  try {
    m = JSON.parse(readDataFile(file).toString('utf8')) as Partial<StereoFolderManifest>;
  } catch (e) {
    throw fileError(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'rdarts-stereo-folder' || m.version !== 1) {
    throw fileError(
      file,
      `is not a stereo folder manifest of version 1 (format ${JSON.stringify(m?.format)}, version ${JSON.stringify(m?.version)})`,
    );
  }
  for (const key of ['count', 'height', 'width', 'split', 'start'] as const) {
    const v = m[key];
    if (!Number.isSafeInteger(v) || (v as number) < (key === 'height' || key === 'width' ? 1 : key === 'split' ? -Infinity : 0)) {
      throw fileError(file, `${key}=${JSON.stringify(v)} is not a valid integer`);
    }
  }
  if (!(typeof m.dmax === 'number' && m.dmax > 0)) throw fileError(file, `dmax=${JSON.stringify(m.dmax)} is not a positive number`);
  if (typeof m.generator !== 'object' || m.generator === null) throw fileError(file, 'has no generator options');
  try {
    resolveStereoOptions(m.generator);
  } catch (e) {
    throw fileError(file, `generator options: ${(e as Error).message}`);
  }
  return m as StereoFolderManifest;
}

/** Checks that `sub` holds exactly `count` numbered `.ext` files. */
function checkCount(dir: string, sub: string, ext: 'png' | 'pfm', count: number): void {
  const folder = path.join(dir, sub);
  if (!fs.existsSync(folder)) throw fileError(folder, `is missing (the manifest says ${count} pairs)`);
  const pattern = new RegExp(`^\\d{4,}\\.${ext}$`);
  const n = fs.readdirSync(folder).filter((f) => pattern.test(f)).length;
  if (n !== count) throw fileError(folder, `holds ${n} .${ext} files, but the manifest says ${count} pairs (count mismatch)`);
}

/** Reads one 8-bit image of the folder as floats in [0, 1], checking its size. */
function readFolderImage(file: string, channels: 1 | 3, width: number, height: number): Uint8Array {
  const img = decodeImage(readDataFile(file), file, channels);
  if (img.width !== width || img.height !== height)
    throw fileError(file, `is ${img.width}x${img.height}, the manifest says ${width}x${height}`);
  return img.pixels;
}

/** 8-bit values as floats in [0, 1] (a loop: TypedArray.from with a map function is many times slower). */
function toUnit(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

/** Reads a folder written by `writeStereoFolder` (file header), checking every file. */
export function readStereoFolder(dir: string): StereoFolder {
  const manifest = readManifest(dir);
  const { count, width, height, dmax } = manifest;
  checkCount(dir, STEREO_SUBFOLDERS.left, 'png', count);
  checkCount(dir, STEREO_SUBFOLDERS.right, 'png', count);
  checkCount(dir, STEREO_SUBFOLDERS.disparity, 'pfm', count);
  checkCount(dir, STEREO_SUBFOLDERS.occlusions, 'png', count);
  const pairs: StereoPair[] = [];
  for (let i = 0; i < count; i++) {
    const file = (sub: string, ext: 'png' | 'pfm') => path.join(dir, sub, stereoFileName(i, ext));
    const left = toUnit(readFolderImage(file(STEREO_SUBFOLDERS.left, 'png'), 3, width, height));
    const right = toUnit(readFolderImage(file(STEREO_SUBFOLDERS.right, 'png'), 3, width, height));
    const occ = readFolderImage(file(STEREO_SUBFOLDERS.occlusions, 'png'), 1, width, height);
    const pfmFile = file(STEREO_SUBFOLDERS.disparity, 'pfm');
    const pfm = readPfm(pfmFile);
    if (pfm.channels !== 1) throw fileError(pfmFile, `has ${pfm.channels} channels; a disparity map has 1`);
    if (pfm.width !== width || pfm.height !== height)
      throw fileError(pfmFile, `is ${pfm.width}x${pfm.height}, the manifest says ${width}x${height}`);
    const occluded = new Uint8Array(occ.length);
    for (let j = 0; j < occ.length; j++) occluded[j] = occ[j] >= 128 ? 1 : 0;
    pairs.push({ height, width, left, right, disparity: pfm.data, occluded, dmax });
  }
  return { manifest, pairs };
}

/** A stereo sample whose disparity may be unknown in places: `valid` is 1 where it is known (finite). */
export interface StereoGroundTruth extends StereoSample {
  readonly valid: Uint8Array;
}

/** The files of a Middlebury-style pair and how its disparity PNG is stored. */
export interface MiddleburyPairFiles {
  readonly left: string;
  readonly right: string;
  /** A grey PNG (8 or 16 bits) of the left view's disparity times `scale`; 0 = unknown. */
  readonly disparity: string;
  /** Stored value = disparity x scale (default 1: Middlebury 2005/2006 full size, OpenCV's aloeGT.png). */
  readonly scale?: number;
}

/**
 * The Aloe pair (Middlebury 2006, full size 1282x1110) that Debian's opencv-doc package ships
 * (data/middlebury.md): ground-truth values are disparities in px of these images (scale 1).
 */
export const OPENCV_DOC_ALOE: Required<MiddleburyPairFiles> = Object.freeze({
  left: '/usr/share/doc/opencv-doc/examples/data/aloeL.jpg',
  right: '/usr/share/doc/opencv-doc/examples/data/aloeR.jpg',
  disparity: '/usr/share/doc/opencv-doc/examples/data/aloeGT.png',
  scale: 1,
});

/**
 * Reads a disparity PNG: a grey image (8 or 16 bits; a colour one only when its channels agree)
 * whose values are disparity x `scale`, 0 meaning unknown (NaN in the result).
 */
export function readDisparityPng(file: string, scale = 1): { width: number; height: number; disparity: Float32Array } {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`disparity PNG: scale=${scale} must be a positive number`);
  let png: PNG;
  try {
    png = PNG.sync.read(readDataFile(file), { skipRescale: true });
  } catch (e) {
    if ((e as Error).message.startsWith(file)) throw e;
    throw fileError(file, `cannot be decoded as PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  // RGBA in memory whatever the file's colour type; 16-bit files give 16-bit values (skipRescale).
  const data = png.data as unknown as ArrayLike<number>;
  const disparity = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const v = data[4 * i];
    if (data[4 * i + 1] !== v || data[4 * i + 2] !== v) {
      throw fileError(
        file,
        `is a colour image (channels differ at pixel (${i % width}, ${Math.floor(i / width)})); a disparity PNG is grey`,
      );
    }
    disparity[i] = v === 0 ? NaN : v / scale;
  }
  return { width, height, disparity };
}

/** `valid` of a disparity map: 1 where it is finite. */
export function validOf(disparity: Float32Array): Uint8Array {
  const valid = new Uint8Array(disparity.length);
  for (let i = 0; i < disparity.length; i++) valid[i] = Number.isFinite(disparity[i]) ? 1 : 0;
  return valid;
}

/**
 * Reads a Middlebury-style pair (file header): images as floats in [0, 1], HWC; disparity in px
 * of these images, NaN where unknown. With `downscale` f > 1 the pair is shrunk by `downscaleStereo`.
 * Throws, naming the file, when one is missing or undecodable or the three sizes differ.
 */
export function readMiddleburyPair(files: MiddleburyPairFiles, options: { readonly downscale?: number } = {}): StereoGroundTruth {
  const left = decodeImage(readDataFile(files.left), files.left, 3);
  const right = decodeImage(readDataFile(files.right), files.right, 3);
  const gt = readDisparityPng(files.disparity, files.scale ?? 1);
  for (const [img, file] of [
    [right, files.right],
    [gt, files.disparity],
  ] as const) {
    if (img.width !== left.width || img.height !== left.height) {
      throw fileError(file, `is ${img.width}x${img.height}, but the left image ${files.left} is ${left.width}x${left.height}`);
    }
  }
  const sample: StereoGroundTruth = {
    height: left.height,
    width: left.width,
    left: toUnit(left.pixels),
    right: toUnit(right.pixels),
    disparity: gt.disparity,
    valid: validOf(gt.disparity),
  };
  const f = options.downscale ?? 1;
  return f === 1 ? sample : downscaleStereo(sample, f);
}

/**
 * Shrinks a pair by the integer `factor` with a box filter: each output pixel is the mean of a
 * factor x factor block (the last rows and columns that do not fill a block are dropped). A
 * block's disparity is the mean of its known values divided by `factor` (disparities are in
 * pixels, which shrink with the image), unknown (NaN) when none is known.
 */
export function downscaleStereo(sample: StereoSample, factor: number): StereoGroundTruth {
  const { height: H, width: W } = sample;
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`downscaleStereo: factor=${factor} is not an integer >= 1`);
  const h = Math.floor(H / factor);
  const w = Math.floor(W / factor);
  if (h < 1 || w < 1) throw new Error(`downscaleStereo: a ${W}x${H} pair is smaller than the factor ${factor}`);
  const box = (img: Float32Array) => {
    const out = new Float32Array(h * w * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < 3; ch++) {
          let s = 0;
          for (let dy = 0; dy < factor; dy++)
            for (let dx = 0; dx < factor; dx++) s += img[((y * factor + dy) * W + x * factor + dx) * 3 + ch];
          out[(y * w + x) * 3 + ch] = s / (factor * factor);
        }
    return out;
  };
  const disparity = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let dy = 0; dy < factor; dy++)
        for (let dx = 0; dx < factor; dx++) {
          const d = sample.disparity[(y * factor + dy) * W + x * factor + dx];
          if (Number.isFinite(d)) [s, n] = [s + d, n + 1];
        }
      disparity[y * w + x] = n === 0 ? NaN : s / n / factor;
    }
  return { height: h, width: w, left: box(sample.left), right: box(sample.right), disparity, valid: validOf(disparity) };
}
