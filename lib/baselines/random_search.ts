/**
 * Plain random search (the baseline without weight sharing, Li & Talwalkar 2019; docs/method.md §4 compares
 * DARTS with random search): sample `samples` architectures uniformly (lib/baselines/sample.ts),
 * train each from scratch and keep the one with the best validation accuracy. Training is the
 * caller's `trainAndValidate` (e.g. the final-evaluation trainer of lib/train, docs/method.md §5), so this
 * file fixes only the sampling and the choice. Candidate i is drawn from mixSeed(seed, KEY, i):
 * the same seed gives the same candidates, and a longer search extends a shorter one.
 */
import { mixSeed, Rng, SEED_KEYS } from '../nn/random';
import type { Genotype } from '../spaces/genotype';
import type { SearchSpace } from '../spaces/spaces';
import { sampleGenotype } from './sample';

/** Seed key of random search's candidates (apart from RS-ws's). */
const RANDOM_SEARCH_KEY = SEED_KEYS.randomSearch;

/** One trained candidate. */
export interface RandomSearchCandidate {
  readonly index: number;
  readonly genotype: Genotype;
  /** What `trainAndValidate` returned: validation accuracy in [0, 1]. */
  readonly validAccuracy: number;
}

export interface RandomSearchOptions {
  /** The space to sample from. */
  readonly space: SearchSpace;
  /** Architectures to train. */
  readonly samples: number;
  /** Seed of the candidates. */
  readonly seed: number;
  /** Trains `genotype` from scratch and resolves to its validation accuracy in [0, 1]. */
  readonly trainAndValidate: (genotype: Genotype, index: number) => Promise<number>;
  /** Called after each candidate is trained. */
  readonly onCandidate?: (candidate: RandomSearchCandidate) => void;
}

/** Every candidate in sampling order, and the best (ties: the earlier). */
export interface RandomSearchResult {
  readonly candidates: readonly RandomSearchCandidate[];
  readonly best: RandomSearchCandidate;
}

/** Candidate `index` of a random search with `seed` in `space`. */
export function randomSearchCandidate(space: SearchSpace, seed: number, index: number): Genotype {
  return sampleGenotype(space, new Rng(mixSeed(seed, RANDOM_SEARCH_KEY, index)));
}

/** Runs the random search (file header), one candidate at a time. */
export async function randomSearch(options: RandomSearchOptions): Promise<RandomSearchResult> {
  const { space, samples, seed, trainAndValidate } = options;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`randomSearch: samples must be a positive integer, got ${samples}`);
  if (!Number.isInteger(seed)) throw new Error(`randomSearch: seed must be an integer, got ${seed}`);
  if (typeof trainAndValidate !== 'function') throw new Error('randomSearch: trainAndValidate must be a function');
  const candidates: RandomSearchCandidate[] = [];
  for (let index = 0; index < samples; index++) {
    const genotype = randomSearchCandidate(space, seed, index);
    const validAccuracy = await trainAndValidate(genotype, index);
    if (typeof validAccuracy !== 'number' || !(validAccuracy >= 0 && validAccuracy <= 1)) {
      throw new Error(`randomSearch: trainAndValidate returned ${validAccuracy} for candidate ${index}; expected an accuracy in [0, 1]`);
    }
    const candidate = { index, genotype, validAccuracy };
    candidates.push(candidate);
    options.onCandidate?.(candidate);
  }
  const best = candidates.reduce((b, c) => (c.validAccuracy > b.validAccuracy ? c : b));
  return { candidates, best };
}
