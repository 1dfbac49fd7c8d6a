/**
 * Seeds and weight initialisation (PAPER.md 2: the supernet's weights and alphas). Every random
 * tensor of the supernet comes from a `SeedStream`, so a seed fixes the weights, the alphas and the
 * noise op's samples. tfjs draws `randomUniform` and `randomNormal` in JavaScript (seedrandom's
 * alea), so the values do not depend on the backend.
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

  /** 1e-3 N(0, 1) of `shape`: the alphas' initial value (PAPER.md 2). */
  alphas(shape: [number, number]): tf.Tensor2D {
    return tf.randomNormal(shape, 0, 1e-3, 'float32', this.seeds.next()) as tf.Tensor2D;
  }
}
