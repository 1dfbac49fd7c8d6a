/**
 * Image folders, laid out as torchvision's ImageFolder: `root/train/<class>/*.jpg|png` and
 * `root/test/<class>/...`, read from a folder or straight from a `.tar` / `.tar.gz` archive of one
 * (an archive may wrap everything in one top folder). JPEG files are decoded with jpeg-js, PNG
 * files with pngjs; other files are ignored, as ImageFolder does, and so are hidden ones.
 *
 * Labels are class indices in `classes` order (default: the training split's class folders,
 * sorted by code unit, as ImageFolder sorts them); the images of a split are ordered by label,
 * then by path, or shuffled by a seed (`shuffleSeed`). Every image must have the split's size (nothing is resized) and both splits the
 * same classes; any problem throws an error naming the file or folder, before anything is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { type ImageShape, fileError, type RawSplit } from './dataset';
import { readDataFile } from './files';
import { readTar } from './tar';
import { mixSeed, permutation, Rng } from '../nn/random';

/** How to read an image folder. */
export interface ImageFolderOptions {
  /** Class names in label order; every class folder must be one of them. Default: the training split's folders, sorted. */
  readonly classes?: readonly string[];
  /**
   * 3 (RGB, the default, as torchvision's loader converts every image) or 1 (luma, as PIL's
   * `convert('L')`: (19595 R + 38470 G + 7471 B + 2^15) >> 16).
   */
  readonly channels?: 1 | 3;
  /**
   * Puts each split's images in a pseudo-random order drawn from this seed (the same files and seed
   * give the same order) instead of label order, so that a prefix of a split (a search's
   * `trainSubset`, its halves) holds every class, as in CIFAR's binaries.
   */
  readonly shuffleSeed?: number;
}

/** Both splits of an image folder, decoded, with the class names and the images' shape. */
export interface ImageFolderSplits {
  readonly train: RawSplit;
  readonly test: RawSplit;
  readonly classes: readonly string[];
  readonly shape: ImageShape;
}

/** One file of the folder or archive: its `/`-separated path under the root, and its bytes on demand. */
interface SourceFile {
  readonly name: string;
  read(): Buffer;
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png)$/i;
const ARCHIVE = /\.(tar|tar\.gz|tgz)$/i;
const SPLITS = ['train', 'test'] as const;

/** The files under a folder, recursively, with paths relative to it. */
function folderFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(root, name);
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile()) out.push({ name, read: () => readDataFile(full) });
    }
  };
  walk('');
  return out;
}

/** The regular files of a tar or tar.gz archive. */
function archiveFiles(file: string): SourceFile[] {
  const buf = readDataFile(file);
  let files;
  try {
    files = readTar(buf).files;
  } catch (e) {
    throw fileError(file, (e as Error).message);
  }
  return files.map((f) => ({ name: f.name.replace(/^(\.\/)+/, ''), read: () => f.data }));
}

/** Drops one top folder shared by every path when the splits are not at the root (an archive of `root/`). */
function stripTopFolder(files: SourceFile[]): SourceFile[] {
  const atRoot = files.some((f) => SPLITS.some((s) => f.name.startsWith(`${s}/`)));
  if (atRoot || files.length === 0) return files;
  const top = files[0].name.split('/')[0];
  if (!files.every((f) => f.name.startsWith(`${top}/`))) return files;
  return files.map((f) => ({ name: f.name.slice(top.length + 1), read: f.read }));
}

/** Decodes one image to `channels` channels, with its size; errors name `file`. */
export function decodeImage(data: Uint8Array, file: string, channels: 1 | 3): { width: number; height: number; pixels: Uint8Array } {
  let width: number;
  let height: number;
  let rgb: Uint8Array;
  let stride: number;
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      [width, height, rgb, stride] = [png.width, png.height, png.data, 4];
    } else {
      const img = jpeg.decode(data, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 100, maxMemoryUsageInMB: 512 });
      [width, height, rgb, stride] = [img.width, img.height, img.data, 3];
    }
  } catch (e) {
    throw fileError(file, `cannot be decoded as ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'} (${(e as Error).message})`);
  }
  const n = width * height;
  const pixels = new Uint8Array(n * channels);
  for (let i = 0, at = 0; i < n; i++, at += stride) {
    if (channels === 3) {
      pixels[3 * i] = rgb[at];
      pixels[3 * i + 1] = rgb[at + 1];
      pixels[3 * i + 2] = rgb[at + 2];
    } else {
      pixels[i] = (19595 * rgb[at] + 38470 * rgb[at + 1] + 7471 * rgb[at + 2] + 0x8000) >> 16;
    }
  }
  return { width, height, pixels };
}

/** The image files of each split, grouped by class folder. */
function groupFiles(files: readonly SourceFile[], where: string): Record<(typeof SPLITS)[number], Map<string, SourceFile[]>> {
  const groups = { train: new Map<string, SourceFile[]>(), test: new Map<string, SourceFile[]>() };
  for (const f of files) {
    const parts = f.name.split('/');
    if (parts.some((p) => p.startsWith('.'))) continue;
    const split = parts[0] as (typeof SPLITS)[number];
    if (!SPLITS.includes(split) || !IMAGE_EXTENSIONS.test(f.name)) continue;
    if (parts.length < 3) throw new Error(`${where}: ${f.name} is not in a class folder (expected ${split}/<class>/<image>)`);
    const list = groups[split].get(parts[1]) ?? [];
    list.push(f);
    groups[split].set(parts[1], list);
  }
  for (const split of SPLITS) {
    if (groups[split].size === 0) throw new Error(`${where}: no images under ${split}/ (expected ${split}/<class>/<image>.jpg|png)`);
  }
  return groups;
}

/** The label order: given (checked against the folders) or the training folders sorted. */
function classOrder(groups: ReturnType<typeof groupFiles>, given: readonly string[] | undefined, where: string): string[] {
  const folders = [...groups.train.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classes = given ? [...given] : folders;
  if (new Set(classes).size !== classes.length || classes.length === 0) {
    throw new Error(`${where}: classes ${JSON.stringify(given)} must be distinct names, at least one`);
  }
  for (const split of SPLITS) {
    for (const folder of groups[split].keys()) {
      if (!classes.includes(folder)) throw new Error(`${where}: ${split}/${folder} is not one of the classes (${classes.join(', ')})`);
    }
    for (const c of classes) {
      if (!groups[split].has(c)) throw new Error(`${where}: class ${JSON.stringify(c)} has no images under ${split}/${c}/`);
    }
  }
  return classes;
}

/** Decodes one split: images ordered by label, then path; every image of `shape` (the first image's when undefined). */
function decodeSplit(
  files: Map<string, SourceFile[]>,
  classes: readonly string[],
  channels: 1 | 3,
  shape: ImageShape | undefined,
  where: string,
  shuffleSeed: number | undefined,
): { raw: RawSplit; shape: ImageShape } {
  const sorted: [SourceFile, number][] = [];
  classes.forEach((c, label) => {
    const list = [...(files.get(c) ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const f of list) sorted.push([f, label]);
  });
  const ordered = shuffleSeed === undefined ? sorted : Array.from(permutation(sorted.length, new Rng(shuffleSeed)), (i) => sorted[i]);
  let want = shape;
  let images = new Uint8Array(0);
  const labels = new Uint8Array(ordered.length);
  const tooMany = classes.length > 256;
  const labels32 = tooMany ? new Int32Array(ordered.length) : undefined;
  ordered.forEach(([f, label], i) => {
    const name = `${where}/${f.name}`;
    const img = decodeImage(f.read(), name, channels);
    if (!want) want = { height: img.height, width: img.width, channels };
    if (img.height !== want.height || img.width !== want.width) {
      throw fileError(name, `is ${img.width}x${img.height}; the images are ${want.width}x${want.height} (nothing is resized)`);
    }
    if (i === 0) images = new Uint8Array(ordered.length * img.pixels.length);
    images.set(img.pixels, i * img.pixels.length);
    if (labels32) labels32[i] = label;
    else labels[i] = label;
  });
  return { raw: { images, labels: labels32 ?? labels, n: ordered.length }, shape: want! };
}

/**
 * Reads the image folder or archive `source` (see the file header). Throws, naming the path, when
 * it is missing, not a folder or archive, has no `train/` or `test/` images, a class lacks a split,
 * an image cannot be decoded or differs in size.
 */
export function readImageFolder(source: string, options: ImageFolderOptions = {}): ImageFolderSplits {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`image folder: channels=${String(channels)}; use 1 or 3`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new Error(`${source}: no such folder or archive`);
  }
  let files: SourceFile[];
  if (stat.isDirectory()) files = folderFiles(source);
  else if (ARCHIVE.test(source)) files = archiveFiles(source);
  else throw new Error(`${source}: not a folder, nor a .tar / .tar.gz / .tgz archive`);
  const groups = groupFiles(stripTopFolder(files), source);
  const classes = classOrder(groups, options.classes, source);
  const seed = options.shuffleSeed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`image folder: shuffleSeed=${seed} is not an integer`);
  const train = decodeSplit(groups.train, classes, channels, undefined, source, seed === undefined ? undefined : mixSeed(seed, 0));
  const test = decodeSplit(groups.test, classes, channels, train.shape, source, seed === undefined ? undefined : mixSeed(seed, 1));
  return { train: train.raw, test: test.raw, classes, shape: train.shape };
}
