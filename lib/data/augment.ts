/**
 * The training augmentation of the search (docs/method.md §1) and Cutout (docs/method.md §4, R-DARTS(DP)), on
 * typed arrays, in the order of the paper's code (torchvision transforms, RobustDARTS src/utils.py):
 *   1. RandomCrop(size, padding = pad): zero-pad the uint8 image by `pad` on every side, then cut
 *      a window of the original size at a uniformly random offset (dy, dx) in [0, 2 pad]^2;
 *   2. RandomHorizontalFlip: mirror the cropped image with probability 1/2;
 *   3. ToTensor + Normalize: x = (v / 255 - mean[c]) / std[c] (so a padded pixel becomes
 *      -mean/std, not 0);
 *   4. Cutout(length, prob): with probability `prob`, pick a centre (cy, cx) uniformly among the
 *      pixels and zero rows [cy - L/2, cy + L/2) x columns [cx - L/2, cx + L/2), with L/2 =
 *      floor(length / 2), clipped to the image: zeros *after* normalisation.
 * For 28x28 Fashion-MNIST we use the same pad of 4 (the default of `trainAugment`; a parameter).
 */
import { Rng } from '../nn/random';

/** How to augment training images. */
export interface AugmentOptions {
  /** Zero padding per side of the random crop, in pixels; 0 turns the crop off. */
  readonly pad: number;
  /** Whether to flip horizontally with probability 1/2. */
  readonly flip: boolean;
  /** Cutout: side `length` and probability `prob` in [0, 1]; off when absent. */
  readonly cutout?: { readonly length: number; readonly prob: number };
}

/** No augmentation: normalisation only (evaluation). */
export const NO_AUGMENT: AugmentOptions = { pad: 0, flip: false };

/** The search's training augmentation for a data set: crop with pad 4, its flip flag, no Cutout. */
export function trainAugment(dataset: { readonly flip: boolean }, overrides: Partial<AugmentOptions> = {}): AugmentOptions {
  return checkAugment({ pad: 4, flip: dataset.flip, ...overrides });
}

/** Validates augmentation options, naming the bad field. */
export function checkAugment(a: AugmentOptions): AugmentOptions {
  if (!Number.isInteger(a.pad) || a.pad < 0) throw new Error(`augment.pad=${a.pad} must be an integer >= 0`);
  if (a.cutout) {
    const { length, prob } = a.cutout;
    if (!Number.isInteger(length) || length < 0) throw new Error(`augment.cutout.length=${length} must be an integer >= 0`);
    if (!(prob >= 0 && prob <= 1)) throw new Error(`augment.cutout.prob=${prob} must be in [0, 1]`);
  }
  return a;
}

/** The random choices for one image. */
export interface ImageDraw {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
  readonly cutout: boolean;
  readonly cy: number;
  readonly cx: number;
}

/**
 * Draws one image's choices. Always six numbers in the same order, whatever the options, so the
 * crop and flip of an image do not change when Cutout is switched on.
 */
export function drawAugment(rng: Rng, height: number, width: number, a: AugmentOptions): ImageDraw {
  const dy = rng.int(2 * a.pad + 1);
  const dx = rng.int(2 * a.pad + 1);
  const flip = rng.uniform() < 0.5 && a.flip;
  const cut = rng.uniform() < (a.cutout?.prob ?? 0);
  const cy = rng.int(height);
  const cx = rng.int(width);
  return { dy, dx, flip, cutout: cut && (a.cutout?.length ?? 0) > 0, cy, cx };
}

/** The identity draw: no shift, no flip, no Cutout. */
export const IDENTITY_DRAW: ImageDraw = { dy: 0, dx: 0, flip: false, cutout: false, cy: 0, cx: 0 };

/** Normalised value of each byte per channel: table[c * 256 + v] = (v / 255 - mean[c]) / std[c]. */
export function normaliseTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const t = new Float32Array(mean.length * 256);
  for (let c = 0; c < mean.length; c++) {
    for (let v = 0; v < 256; v++) t[c * 256 + v] = (v / 255 - mean[c]) / std[c];
  }
  return t;
}

/** An image's geometry: height, width, channels (NHWC, one image). */
export interface Geometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Writes one cropped, flipped and normalised image: src (uint8, HWC at `srcAt`) to dst (float32,
 * HWC at `dstAt`), steps 1-3 of the header with `pad` and the offsets of `draw`.
 */
export function writeImage(
  src: Uint8Array,
  srcAt: number,
  dst: Float32Array,
  dstAt: number,
  g: Geometry,
  table: Float32Array,
  pad: number,
  draw: ImageDraw,
): void {
  const { height: H, width: W, channels: C } = g;
  for (let y = 0; y < H; y++) {
    const sy = y + draw.dy - pad;
    const inRow = sy >= 0 && sy < H;
    for (let x = 0; x < W; x++) {
      const sx = (draw.flip ? W - 1 - x : x) + draw.dx - pad;
      const o = dstAt + (y * W + x) * C;
      if (inRow && sx >= 0 && sx < W) {
        const s = srcAt + (sy * W + sx) * C;
        for (let c = 0; c < C; c++) dst[o + c] = table[c * 256 + src[s + c]];
      } else {
        for (let c = 0; c < C; c++) dst[o + c] = table[c * 256];
      }
    }
  }
}

/** Zeroes the Cutout square of `length` centred at (cy, cx) in one HWC image of dst (step 4). */
export function applyCutout(dst: Float32Array, dstAt: number, g: Geometry, cy: number, cx: number, length: number): void {
  const half = Math.floor(length / 2);
  const y1 = Math.max(0, cy - half);
  const y2 = Math.min(g.height, cy + half);
  const x1 = Math.max(0, cx - half);
  const x2 = Math.min(g.width, cx + half);
  for (let y = y1; y < y2; y++) {
    const row = dstAt + (y * g.width + x1) * g.channels;
    dst.fill(0, row, row + (x2 - x1) * g.channels);
  }
}
