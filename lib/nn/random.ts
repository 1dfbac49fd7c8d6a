/**
 * The one home of randomness. Every random draw of the project is a function of a seed, so runs
 * replay exactly and resume from checkpoints:
 *   - weight initialisation and the noise op's samples (docs/method.md §2): `SeedStream` and `Init`;
 *     tfjs draws `randomUniform` and `randomNormal` in JavaScript (seedrandom's alea), so the values
 *     do not depend on the backend;
 *   - the data pipeline (docs/method.md §1: each epoch's order, the alpha batches, every augmentation
 *     draw), sampling of architectures and batches: `Rng`, in plain JavaScript, so a seed gives the
 *     same draws on every backend and machine. Generator: mulberry32 (Tommy Ettinger's 32-bit
 *     generator, period 2^32, the same as `SeedStream`). Seeds of several integers (seed, epoch,
 *     step, key) are hashed into one by `mixSeed` with MurmurHash3's 32-bit finaliser, so nearby
 *     keys give unrelated streams;
 *   - `SEED_KEYS`: the keys that keep the streams of different purposes apart.
 */
import { tf } from '../backend';

/** Whether `value` is an integer; throws an error naming `what` otherwise. */
export function checkInteger(value: number, what: string, min = -Infinity): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${what}=${value} is not ${min === -Infinity ? 'an integer' : `an integer >= ${min}`}`);
  }
}

/** A deterministic stream of 32-bit integer seeds (mulberry32), one per random tensor. */
export class SeedStream {
  private state: number;

  constructor(seed: number) {
    checkInteger(seed, 'seed');
    // Mix the seed so that nearby seeds give unrelated streams.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** The next seed, an integer in [0, 2^32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/**
 * Initial values of the weights, PyTorch's defaults: Conv2d and Linear weights are
 * kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with fanIn = in channels per
 * group x kh x kw (in features for Linear); Linear bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)); BN weight 1,
 * bias 0, running mean 0, running variance 1. The caller owns every returned tensor.
 */
export class Init {
  private readonly seeds: SeedStream;

  constructor(seed: number) {
    this.seeds = new SeedStream(seed);
  }

  /** The next seed of this initialiser's stream (for tensors drawn outside this class). */
  nextSeed(): number {
    return this.seeds.next();
  }

  /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)) of `shape`. */
  uniform(shape: number[], fanIn: number): tf.Tensor {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.randomUniform(shape, -bound, bound, 'float32', this.seeds.next());
  }

  /** A dense conv filter, HWIO [kh, kw, in, out]. */
  conv(kh: number, kw: number, cin: number, cout: number): tf.Tensor4D {
    return this.uniform([kh, kw, cin, cout], kh * kw * cin) as tf.Tensor4D;
  }

  /** A depthwise filter [kh, kw, C, 1] (PyTorch's groups = C: fanIn = kh x kw). */
  depthwise(k: number, c: number): tf.Tensor4D {
    return this.uniform([k, k, c, 1], k * k) as tf.Tensor4D;
  }

  /** 1e-3 N(0, 1) of `shape`: the alphas' initial value (docs/method.md §2). */
  alphas(shape: [number, number]): tf.Tensor2D {
    return tf.randomNormal(shape, 0, 1e-3, 'float32', this.seeds.next()) as tf.Tensor2D;
  }
}

/**
 * The keys mixed into a seed (`mixSeed(seed, ..., key)`) to keep the streams of different purposes
 * apart; each value is fixed forever (changing one changes every record made with it).
 */
export const SEED_KEYS = Object.freeze({
  /** The order of an epoch's weight batches (lib/data/batches.ts). */
  epochOrder: -1,
  /** A random batch of a subset (lib/data/batches.ts). */
  sampleBatch: -2,
  /** The evaluation pass after a search epoch (any noise op in eval mode; lib/search/loop.ts). */
  evaluation: -3,
  /** The curvature measurement: its loss's random draws and Lanczos's start (lib/search/loop.ts). */
  curvature: -4,
  /** RS-ws: the selection samples (lib/baselines/rs_ws.ts). */
  rsWsSelect: -5,
  /** RS-ws: the fixed score batches. */
  rsWsScore: -6,
  /** RS-ws: the architecture trained at a step (mixed after (seed, epoch, step)). */
  rsWsArchitecture: 3,
  /** Random search: the sampled genotypes (lib/baselines/random_search.ts). */
  randomSearch: -7,
  /** Random search with short trainings: a candidate's initial weights and batch order (lib/baselines/proxy_random_search.ts). */
  proxyTraining: -12,
  /** Drop path of the discretisation measurement (lib/measurements/discretisation.ts). */
  discretisationDropPath: -8,
  /** The lengths of an epoch's BPTT windows (lib/problems/ptb/data.ts). */
  bpttLengths: -9,
  /** The lengths of a language model's training windows (lib/train/lm_train.ts). */
  lmTrainLengths: -11,
});

/** MurmurHash3's fmix32: a bijective mixing of 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hashes integer keys (any sign, up to 2^53) into one 32-bit seed; the order of the keys matters. */
export function mixSeed(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    checkInteger(key, 'seed key');
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    h = fmix32((h ^ hi) + 0x165667b1);
  }
  return h;
}

/** A seeded stream of random numbers (mulberry32). */
export class Rng {
  private readonly stream: SeedStream;

  constructor(seed: number) {
    this.stream = new SeedStream(seed);
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    return this.stream.next();
  }

  /** A float in [0, 1), with 32 random bits. */
  uniform(): number {
    return this.stream.next() / 4294967296;
  }

  /** An integer in [0, n): floor(uniform() n), whose bias (below n / 2^32) we neglect. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** `k` distinct integers drawn uniformly from [0, n), in random order. */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Int32Array {
  if (k > n) throw new Error(`sampleWithoutReplacement: cannot draw k=${k} distinct values from n=${n}`);
  if (2 * k > n) return permutation(n, rng).slice(0, k);
  const out = new Int32Array(k);
  const seen = new Set<number>();
  for (let i = 0; i < k;) {
    const v = rng.int(n);
    if (!seen.has(v)) {
      seen.add(v);
      out[i++] = v;
    }
  }
  return out;
}
