/**
 * The seeded random numbers of the data pipeline: the order of each epoch, the random validation
 * batches and every augmentation draw (PAPER.md 1). Plain JavaScript, so a seed gives the same
 * batches on every backend and machine.
 *
 * Generator: mulberry32 (Tommy Ettinger's 32-bit generator, period 2^32; the same one as
 * `SeedStream` in lib/nn/random.ts, which it reuses). Seeds of several integers (seed, epoch,
 * batch, ...) are hashed into one with MurmurHash3's 32-bit finaliser, so nearby keys give
 * unrelated streams.
 */
import { checkInteger, SeedStream } from '../nn/random';

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
