/**
 * Synthetic stereo pairs with exact ground-truth disparity: the data of the disparity miniature
 * (§4.2 of the cross-domain specification, CROSSDOMAIN.md in the shared docs), a CPU-sized
 * stand-in for FlyingThings3D, with a "shift set" that stands in for Sintel in the cross-domain
 * check.
 *
 * A scene is a stack of layers, each a support mask and a disparity plane d = a + b u + c v in
 * left-image coordinates (u, v), clamped to [0, dmax]; larger d is closer:
 *   - the background covers everything: a in [0, 0.3] dmax, b in [-0.02, 0.02], c in [-0.05, 0.05];
 *   - 1..maxShapes foreground shapes (ellipses, axis-aligned or rotated rectangles), half of them
 *     fronto-parallel, half slightly slanted, with d in [0.4, 1] dmax over the whole shape.
 * Each layer carries its own texture, a continuous function of (u, v), so a surface point has the
 * same colour in both views whatever its sub-pixel position: 3 octaves of value noise (cells of
 * c, c/2, c/4 px with c in [1.5, 6], amplitudes 1, 1/2, 1/4) or random dots (Gaussian blobs of
 * sigma 0.7 px at 0.2-0.5 per px^2, bright and dark around grey). RGB has an independent texture per
 * channel; grey replicates one.
 *
 * Each view is rendered on its own with a z-buffer: a pixel shows the covering layer of largest d.
 * Right pixel (x_r, y) sees layer k at the left coordinate u with u - d_k(u, y) = x_r, i.e.
 * u = (x_r + a + c y) / (1 - b) where the plane is not clamped (b < 1 keeps u - d increasing, so
 * there is one solution). The ground truth is the left view's d; a left pixel is occluded when
 * x - d leaves [0, W - 1] or the right view shows another layer there.
 *
 * Then, in this order: the shift set's blur, and per view the photometric nuisance (gain, bias,
 * Gaussian noise, clipped to [0, 1]) whose ranges the augmentation strength s scales, the knob of
 * the RobustDARTS analogue (s = 0: clean renderings, on which warping the right view by the
 * ground truth reproduces the left view; test/data/stereo_synthetic.test.ts measures how well).
 * The shift set (`shift`) swaps the texture family, blurs both views (sigma 1), glues
 * constant-colour patches over 10-20 % of the left image (each to the surface under its centre,
 * so they move with it), multiplies dmax by 1.5 and widens the nuisance ranges.
 *
 * Seeds: pair k of split `split` comes from mixSeed(seed, split, k) alone, so any pair can be
 * regenerated without the others. Inside a pair the geometry, the textures, the textureless patches
 * and the nuisance draw from separate streams, so the nuisance strength changes no scene.
 */
import { mixSeed, Rng } from '../nn/random';

/** A stereo pair as the disparity problem sees it: images and the left view's disparity. */
export interface StereoSample {
  readonly height: number;
  readonly width: number;
  /** Left image, height x width x 3 (HWC), values in [0, 1]. */
  readonly left: Float32Array;
  /** Right image, as the left. */
  readonly right: Float32Array;
  /** Disparity of each left pixel in pixels (its match in the right view is at x - d), height x width; NaN where unknown. */
  readonly disparity: Float32Array;
}

/** A generated pair: a sample with no unknown disparity, its occlusion mask and the disparity bound. */
export interface StereoPair extends StereoSample {
  /** 1 where the left pixel is not visible in the right view (occluded, or x - d out of frame), else 0; height x width. */
  readonly occluded: Uint8Array;
  /** The bound every disparity respects (dmax, times the shift set's factor). */
  readonly dmax: number;
}

/** Half-ranges of the photometric nuisance at strength 1: gain in 1 +- gain, bias in +- bias, noise N(0, noise). */
export interface PhotometricRanges {
  readonly gain: number;
  readonly bias: number;
  readonly noise: number;
}

/** The "Sintel stand-in" changes; `shift: true` takes every default. */
export interface StereoShiftOptions {
  /** Use the other texture family (dots for value noise and back); default true. */
  readonly otherTexture?: boolean;
  /** Sigma of a Gaussian blur of both views, px (0: none); default 1. */
  readonly blur?: number;
  /** Range of the fraction of the left image covered by constant-colour patches; default [0.1, 0.2]. */
  readonly textureless?: readonly [number, number];
  /** Factor on dmax; default 1.5. */
  readonly dmaxFactor?: number;
  /** Nuisance ranges replacing the options' ones; default gain 0.2, bias 0.1, noise 0.04. */
  readonly photometric?: PhotometricRanges;
}

/** Options of the generator (file header). */
export interface StereoSyntheticOptions {
  /** Default 0. */
  readonly seed?: number;
  /** Image size; default 32 x 64 (the smoke size; 64 x 128 for the demo). */
  readonly height?: number;
  readonly width?: number;
  /** Largest disparity in px; default width / 8 (8 at 32 x 64, 16 at 64 x 128). */
  readonly dmax?: number;
  /** Foreground shapes per scene are drawn from 1..maxShapes; default 3. */
  readonly maxShapes?: number;
  /** Texture family; default 'noise' (value noise). */
  readonly texture?: 'noise' | 'dots';
  /** An independent texture per channel ('rgb', the default) or one replicated ('grey'). */
  readonly colour?: 'rgb' | 'grey';
  /** Augmentation strength s in [0, 1] scaling the nuisance ranges; default 1. */
  readonly augment?: number;
  /** Nuisance ranges at s = 1; default gain 0.1, bias 0.05, noise 0.02. */
  readonly photometric?: PhotometricRanges;
  /** The shift set's changes (`true`: all of them with their defaults); default none (false or null). */
  readonly shift?: boolean | StereoShiftOptions | null;
}

/** Every option filled in and checked: what a folder's manifest records. */
export interface ResolvedStereoOptions {
  readonly seed: number;
  readonly height: number;
  readonly width: number;
  readonly dmax: number;
  readonly maxShapes: number;
  readonly texture: 'noise' | 'dots';
  readonly colour: 'rgb' | 'grey';
  readonly augment: number;
  readonly photometric: PhotometricRanges;
  readonly shift: Required<StereoShiftOptions> | null;
}

/** Split keys mixed into the seed (mixSeed(seed, split, k)); fixed forever, like SEED_KEYS. */
export const STEREO_SPLITS = Object.freeze({ train: 1, valid: 2, test: 3, shift: 4 });

/** The defaults of the nuisance (CROSSDOMAIN.md §4.2) and of the shift set's other nuisance. */
export const DEFAULT_PHOTOMETRIC: PhotometricRanges = Object.freeze({ gain: 0.1, bias: 0.05, noise: 0.02 });
const SHIFT_PHOTOMETRIC: PhotometricRanges = Object.freeze({ gain: 0.2, bias: 0.1, noise: 0.04 });

const err = (what: string) => new Error(`synthetic stereo: ${what}`);

function checkPhotometric(p: PhotometricRanges, where: string): PhotometricRanges {
  for (const key of ['gain', 'bias', 'noise'] as const) {
    const v = p?.[key];
    if (!(typeof v === 'number' && v >= 0 && v < 1)) throw err(`${where}.${key}=${String(v)} must be a number in [0, 1)`);
  }
  return { gain: p.gain, bias: p.bias, noise: p.noise };
}

/** Fills in the defaults and checks every option; throws an error naming the bad one. */
export function resolveStereoOptions(options: StereoSyntheticOptions = {}): ResolvedStereoOptions {
  const seed = options.seed ?? 0;
  const height = options.height ?? 32;
  const width = options.width ?? 64;
  if (!Number.isSafeInteger(seed)) throw err(`seed=${seed} is not an integer`);
  for (const [v, what] of [
    [height, 'height'],
    [width, 'width'],
  ] as const) {
    if (!Number.isInteger(v) || v < 4 || v > 4096) throw err(`${what}=${v} must be an integer in [4, 4096]`);
  }
  const dmax = options.dmax ?? width / 8;
  if (!(dmax > 0 && dmax < width)) throw err(`dmax=${dmax} must be in (0, width=${width})`);
  const maxShapes = options.maxShapes ?? 3;
  if (!Number.isInteger(maxShapes) || maxShapes < 1 || maxShapes > 64) throw err(`maxShapes=${maxShapes} must be an integer in [1, 64]`);
  const texture = options.texture ?? 'noise';
  if (texture !== 'noise' && texture !== 'dots') throw err(`texture=${JSON.stringify(texture)}; use 'noise' or 'dots'`);
  const colour = options.colour ?? 'rgb';
  if (colour !== 'rgb' && colour !== 'grey') throw err(`colour=${JSON.stringify(colour)}; use 'rgb' or 'grey'`);
  const augment = options.augment ?? 1;
  if (!(augment >= 0 && augment <= 1)) throw err(`augment=${augment} must be in [0, 1]`);
  const photometric = checkPhotometric(options.photometric ?? DEFAULT_PHOTOMETRIC, 'photometric');
  let shift: Required<StereoShiftOptions> | null = null;
  if (options.shift) {
    const s = options.shift === true ? {} : options.shift;
    const blur = s.blur ?? 1;
    const textureless = s.textureless ?? [0.1, 0.2];
    const dmaxFactor = s.dmaxFactor ?? 1.5;
    if (!(blur >= 0 && blur <= 8)) throw err(`shift.blur=${blur} must be in [0, 8]`);
    if (!(textureless.length === 2 && textureless[0] >= 0 && textureless[0] <= textureless[1] && textureless[1] <= 0.9)) {
      throw err(`shift.textureless=${JSON.stringify(textureless)} must be [lo, hi] with 0 <= lo <= hi <= 0.9`);
    }
    if (!(dmaxFactor > 0 && dmaxFactor * dmax < width)) throw err(`shift.dmaxFactor=${dmaxFactor} must be > 0 with dmax x factor < width`);
    shift = {
      otherTexture: s.otherTexture ?? true,
      blur,
      textureless: [textureless[0], textureless[1]],
      dmaxFactor,
      photometric: checkPhotometric(s.photometric ?? SHIFT_PHOTOMETRIC, 'shift.photometric'),
    };
  }
  return { seed, height, width, dmax, maxShapes, texture, colour, augment, photometric, shift };
}

/** A scalar texture: a continuous function of left-image coordinates with values in [0, 1]. */
type Texture = (u: number, v: number) => number;

/** One layer: a disparity plane (clamped to [0, dmax]), a support mask and a texture per channel. */
interface Layer {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly covers: (u: number, v: number) => boolean;
  readonly textures: Texture[];
}

/** The rectangle of left-image coordinates every view samples (the right view reaches u = W - 1 + dmax). */
interface Domain {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();

/** Value noise: 3 octaves of bilinear interpolation on random lattices, cells halving, amplitudes 1, 1/2, 1/4, over 1.75. */
function valueNoise(rng: Rng, cell: number, dom: Domain): Texture {
  const octaves = [0, 1, 2].map((o) => {
    const s = cell / 2 ** o;
    // A random phase per octave, so that the lattices' corners do not line up.
    const ox = dom.x0 - s * rng.uniform();
    const oy = dom.y0 - s * rng.uniform();
    const nx = Math.ceil((dom.x1 - ox) / s) + 2;
    const ny = Math.ceil((dom.y1 - oy) / s) + 2;
    const values = new Float32Array(nx * ny);
    for (let i = 0; i < values.length; i++) values[i] = rng.uniform();
    return { s, ox, oy, nx, ny, values, amplitude: 1 / 2 ** o };
  });
  return (u, v) => {
    let sum = 0;
    for (const { s, ox, oy, nx, ny, values, amplitude } of octaves) {
      const gx = (u - ox) / s;
      const gy = (v - oy) / s;
      const i = Math.min(nx - 2, Math.max(0, Math.floor(gx)));
      const j = Math.min(ny - 2, Math.max(0, Math.floor(gy)));
      const fx = gx - i;
      const fy = gy - j;
      const at = j * nx + i;
      const top = values[at] + fx * (values[at + 1] - values[at]);
      const bottom = values[at + nx] + fx * (values[at + nx + 1] - values[at + nx]);
      sum += amplitude * (top + fy * (bottom - top));
    }
    return sum / 1.75;
  };
}

const DOT_SIGMA = 0.7;
const DOT_REACH = 3 * DOT_SIGMA;
/** The Gaussian's value at the cut-off, subtracted so that the texture stays continuous there. */
const DOT_FLOOR = Math.exp(-4.5);

/**
 * Random dots: Gaussian blobs of sigma 0.7 px (cut at 3 sigma, shifted to reach 0 there) with
 * amplitudes +-[0.2, 0.5] around grey 0.5, clipped to [0, 1]; dots are bucketed by 1-px cell.
 */
function randomDots(rng: Rng, density: number, dom: Domain): Texture {
  const w = Math.ceil(dom.x1 - dom.x0);
  const h = Math.ceil(dom.y1 - dom.y0);
  const n = Math.round(density * w * h);
  const du = new Float64Array(n);
  const dv = new Float64Array(n);
  const amp = new Float64Array(n);
  const cellOf = new Int32Array(n);
  const counts = new Int32Array(w * h + 1);
  for (let i = 0; i < n; i++) {
    du[i] = dom.x0 + w * rng.uniform();
    dv[i] = dom.y0 + h * rng.uniform();
    amp[i] = (rng.uniform() < 0.5 ? -1 : 1) * uniform(rng, 0.2, 0.5);
    cellOf[i] = Math.floor(dv[i] - dom.y0) * w + Math.floor(du[i] - dom.x0);
    counts[cellOf[i] + 1]++;
  }
  for (let c = 0; c < w * h; c++) counts[c + 1] += counts[c];
  const order = new Int32Array(n);
  const fill = counts.slice(0, w * h);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;
  const reach = Math.ceil(DOT_REACH);
  return (u, v) => {
    const cx = Math.floor(u - dom.x0);
    const cy = Math.floor(v - dom.y0);
    let sum = 0.5;
    for (let y = Math.max(0, cy - reach); y <= Math.min(h - 1, cy + reach); y++) {
      for (let x = Math.max(0, cx - reach); x <= Math.min(w - 1, cx + reach); x++) {
        const cell = y * w + x;
        for (let k = counts[cell]; k < counts[cell + 1]; k++) {
          const i = order[k];
          const r2 = (u - du[i]) ** 2 + (v - dv[i]) ** 2;
          if (r2 < DOT_REACH * DOT_REACH) sum += (amp[i] * (Math.exp(-r2 / (2 * DOT_SIGMA * DOT_SIGMA)) - DOT_FLOOR)) / (1 - DOT_FLOOR);
        }
      }
    }
    return sum < 0 ? 0 : sum > 1 ? 1 : sum;
  };
}

/** The textures of one layer (one per channel, or one shared for grey). */
function layerTextures(rng: Rng, family: 'noise' | 'dots', colour: 'rgb' | 'grey', dom: Domain): Texture[] {
  const make = (): Texture =>
    family === 'noise' ? valueNoise(rng, uniform(rng, 1.5, 6), dom) : randomDots(rng, uniform(rng, 0.2, 0.5), dom);
  if (colour === 'grey') {
    const t = make();
    return [t, t, t];
  }
  return [make(), make(), make()];
}

/** The background and the foreground shapes' geometry (textures come later, from their own stream). */
function drawGeometry(rng: Rng, o: ResolvedStereoOptions, dmax: number): Omit<Layer, 'textures'>[] {
  const { height: H, width: W } = o;
  const layers: Omit<Layer, 'textures'>[] = [
    { a: uniform(rng, 0, 0.3 * dmax), b: uniform(rng, -0.02, 0.02), c: uniform(rng, -0.05, 0.05), covers: () => true },
  ];
  const shapes = 1 + rng.int(o.maxShapes);
  const size = Math.min(H, W);
  for (let s = 0; s < shapes; s++) {
    const ellipse = rng.uniform() < 0.5;
    const cx = uniform(rng, 0, W);
    const cy = uniform(rng, 0, H);
    const rx = uniform(rng, 0.15, 0.4) * size;
    const ry = uniform(rng, 0.15, 0.4) * size;
    // Ellipses at any angle; rectangles half axis-aligned, half rotated.
    const theta = ellipse || rng.uniform() < 0.5 ? uniform(rng, 0, Math.PI) : 0;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const covers = ellipse
      ? (u: number, v: number) => {
          const p = (u - cx) * cos + (v - cy) * sin;
          const q = -(u - cx) * sin + (v - cy) * cos;
          return (p / rx) ** 2 + (q / ry) ** 2 <= 1;
        }
      : (u: number, v: number) => Math.abs((u - cx) * cos + (v - cy) * sin) <= rx && Math.abs(-(u - cx) * sin + (v - cy) * cos) <= ry;
    // Half fronto-parallel, half slightly slanted; the slant's reach over the shape (radius R)
    // is kept below dmax / 4, and the centre's d leaves room for it inside [0.4, 1] dmax.
    let b = 0;
    let c = 0;
    if (rng.uniform() < 0.5) {
      b = uniform(rng, -0.03, 0.03);
      c = uniform(rng, -0.03, 0.03);
    }
    const R = Math.max(rx, ry) * (ellipse ? 1 : Math.SQRT2);
    let reach = (Math.abs(b) + Math.abs(c)) * R;
    if (reach > 0.25 * dmax) {
      b *= (0.25 * dmax) / reach;
      c *= (0.25 * dmax) / reach;
      reach = 0.25 * dmax;
    }
    const d0 = uniform(rng, 0.4 * dmax + reach, dmax - reach);
    layers.push({ a: d0 - b * cx - c * cy, b, c, covers });
  }
  return layers;
}

/** The clamped disparity of a layer at (u, v). */
const layerDisparity = (l: Omit<Layer, 'textures'>, u: number, v: number, dmax: number) => {
  const d = l.a + l.b * u + l.c * v;
  return d < 0 ? 0 : d > dmax ? dmax : d;
};

/** The left coordinate u that layer `l` puts at right-view coordinate xr on row v: the one solution of u - d(u, v) = xr. */
function leftCoordinate(l: Omit<Layer, 'textures'>, xr: number, v: number, dmax: number): number {
  const p0 = l.a + l.c * v;
  const u = (xr + p0) / (1 - l.b);
  const d = p0 + l.b * u;
  if (d >= 0 && d <= dmax) return u;
  // Outside the plane's unclamped range the layer is at d = 0 or d = dmax.
  return p0 + l.b * xr <= 0 ? xr : xr + dmax;
}

/** The layer the left view shows at (x, y): the covering one of largest d (the later one on a tie). */
function leftLayer(layers: readonly Omit<Layer, 'textures'>[], x: number, y: number, dmax: number): number {
  let best = 0;
  let bestD = layerDisparity(layers[0], x, y, dmax);
  for (let k = 1; k < layers.length; k++) {
    if (!layers[k].covers(x, y)) continue;
    const d = layerDisparity(layers[k], x, y, dmax);
    if (d >= bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** The layer the right view shows at (xr, y), xr continuous, and the left coordinate u it maps to. */
function rightLayer(layers: readonly Omit<Layer, 'textures'>[], xr: number, y: number, dmax: number): { layer: number; u: number } {
  let best = 0;
  let bestU = leftCoordinate(layers[0], xr, y, dmax);
  let bestD = layerDisparity(layers[0], bestU, y, dmax);
  for (let k = 1; k < layers.length; k++) {
    const u = leftCoordinate(layers[k], xr, y, dmax);
    if (!layers[k].covers(u, y)) continue;
    const d = layerDisparity(layers[k], u, y, dmax);
    if (d >= bestD) [best, bestU, bestD] = [k, u, d];
  }
  return { layer: best, u: bestU };
}

/**
 * Covers a fraction in [lo, hi] of the left image with constant-colour patches: rectangles drawn
 * in left coordinates, each glued to the layer the left view shows at its centre (so it moves with
 * that surface in the right view), added until the covered share of left pixels reaches the target.
 */
function addTexturelessPatches(rng: Rng, layers: Layer[], leftLayers: Int32Array, o: ResolvedStereoOptions, lo: number, hi: number): void {
  const { height: H, width: W } = o;
  const target = uniform(rng, lo, hi) * H * W;
  const covered = new Uint8Array(H * W);
  let count = 0;
  for (let p = 0; p < 200 && count < target; p++) {
    const w = uniform(rng, 0.1, 0.3) * W;
    const h = uniform(rng, 0.15, 0.4) * H;
    const u0 = uniform(rng, -w / 2, W - w / 2);
    const v0 = uniform(rng, -h / 2, H - h / 2);
    const cx = Math.min(W - 1, Math.max(0, Math.round(u0 + w / 2)));
    const cy = Math.min(H - 1, Math.max(0, Math.round(v0 + h / 2)));
    const k = leftLayers[cy * W + cx];
    const grey = o.colour === 'grey' ? rng.uniform() : -1;
    const colours = [0, 1, 2].map(() => (grey >= 0 ? grey : rng.uniform()));
    const inside = (u: number, v: number) => u >= u0 && u <= u0 + w && v >= v0 && v <= v0 + h;
    const before = layers[k].textures;
    layers[k] = { ...layers[k], textures: before.map((t, ch) => (u: number, v: number) => (inside(u, v) ? colours[ch] : t(u, v))) };
    for (let y = Math.max(0, Math.ceil(v0)); y <= Math.min(H - 1, Math.floor(v0 + h)); y++) {
      for (let x = Math.max(0, Math.ceil(u0)); x <= Math.min(W - 1, Math.floor(u0 + w)); x++) {
        if (leftLayers[y * W + x] === k && !covered[y * W + x]) {
          covered[y * W + x] = 1;
          count++;
        }
      }
    }
  }
}

/** Separable Gaussian blur of an HWC image in place (radius ceil(3 sigma), edges clamped). */
function gaussianBlur(img: Float32Array, H: number, W: number, sigma: number): void {
  const r = Math.ceil(3 * sigma);
  const kernel = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((s, k) => s + k, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const tmp = new Float32Array(img.length);
  const pass = (src: Float32Array, dst: Float32Array, horizontal: boolean) => {
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let ch = 0; ch < 3; ch++) {
          let s = 0;
          for (let i = -r; i <= r; i++) {
            const xx = horizontal ? Math.min(W - 1, Math.max(0, x + i)) : x;
            const yy = horizontal ? y : Math.min(H - 1, Math.max(0, y + i));
            s += kernel[i + r] * src[(yy * W + xx) * 3 + ch];
          }
          dst[(y * W + x) * 3 + ch] = s;
        }
  };
  pass(img, tmp, true);
  pass(tmp, img, false);
}

/** Gain, bias and N(0, sigma) noise with the ranges scaled by `s`, clipped to [0, 1], in place. */
function photometricNuisance(img: Float32Array, rng: Rng, p: PhotometricRanges, s: number): void {
  const gain = 1 + s * uniform(rng, -p.gain, p.gain);
  const bias = s * uniform(rng, -p.bias, p.bias);
  const sigma = s * p.noise;
  for (let i = 0; i < img.length; i++) {
    let v = gain * img[i] + bias;
    if (sigma > 0) {
      // Box-Muller; 1 - uniform() is in (0, 1], so the log is finite.
      v += sigma * Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
    }
    img[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Pair k of split `split` (a number; STEREO_SPLITS names the usual ones), from mixSeed(seed, split, k) alone. */
export function stereoPair(options: StereoSyntheticOptions, split: number, k: number): StereoPair {
  const o = resolveStereoOptions(options);
  if (!Number.isSafeInteger(split)) throw err(`split=${split} is not an integer`);
  if (!Number.isSafeInteger(k) || k < 0) throw err(`pair index ${k} is not an integer >= 0`);
  const { height: H, width: W, shift } = o;
  const dmax = o.dmax * (shift?.dmaxFactor ?? 1);
  const base = mixSeed(o.seed, split, k);
  const dom: Domain = { x0: -3, x1: W + dmax + 3, y0: -3, y1: H + 3 };
  const family = shift?.otherTexture ? (o.texture === 'noise' ? 'dots' : 'noise') : o.texture;
  const textureRng = new Rng(mixSeed(base, 1));
  const layers: Layer[] = drawGeometry(new Rng(mixSeed(base, 0)), o, dmax).map((g) => ({
    ...g,
    textures: layerTextures(textureRng, family, o.colour, dom),
  }));

  const disparity = new Float32Array(H * W);
  const leftLayers = new Int32Array(H * W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = leftLayer(layers, x, y, dmax);
      leftLayers[y * W + x] = k;
      disparity[y * W + x] = layerDisparity(layers[k], x, y, dmax);
    }
  if (shift && shift.textureless[1] > 0) addTexturelessPatches(new Rng(mixSeed(base, 2)), layers, leftLayers, o, ...shift.textureless);

  const left = new Float32Array(H * W * 3);
  const right = new Float32Array(H * W * 3);
  const occluded = new Uint8Array(H * W);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const lt = layers[leftLayers[i]].textures;
      for (let ch = 0; ch < 3; ch++) left[3 * i + ch] = lt[ch](x, y);
      const seen = rightLayer(layers, x, y, dmax);
      const rt = layers[seen.layer].textures;
      for (let ch = 0; ch < 3; ch++) right[3 * i + ch] = rt[ch](seen.u, y);
      // Occlusion, at the exact (sub-pixel) match x - d.
      const xr = x - disparity[i];
      occluded[i] = xr < 0 || xr > W - 1 || rightLayer(layers, xr, y, dmax).layer !== leftLayers[i] ? 1 : 0;
    }

  if (shift && shift.blur > 0) {
    gaussianBlur(left, H, W, shift.blur);
    gaussianBlur(right, H, W, shift.blur);
  }
  const photometric = shift ? shift.photometric : o.photometric;
  if (o.augment > 0) {
    const rng = new Rng(mixSeed(base, 3));
    photometricNuisance(left, rng, photometric, o.augment);
    photometricNuisance(right, rng, photometric, o.augment);
  }
  return { height: H, width: W, left, right, disparity, occluded, dmax };
}

/** Pairs start..start+count-1 of a split (each as stereoPair makes it alone). */
export function stereoPairs(options: StereoSyntheticOptions, split: number, count: number, start = 0): StereoPair[] {
  if (!Number.isSafeInteger(count) || count < 0) throw err(`count=${count} is not an integer >= 0`);
  const o = resolveStereoOptions(options);
  return Array.from({ length: count }, (_, i) => stereoPair(o, split, start + i));
}
