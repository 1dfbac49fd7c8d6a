/**
 * Random search with short trainings (Li & Talwalkar 2019's random search, the baseline without
 * weight sharing of docs/method.md §4), for the problems RS-ws runs on (./rs_ws_spaces.ts); made
 * for NAS-Bench-201, whose committed table has no validation accuracies to pick by (docs/method.md §8).
 * `samples` architectures are drawn uniformly, candidate i from mixSeed(seed, RANDOM_SEARCH, i) as
 * in ./random_search.ts; each is trained alone from fresh weights (the supernet's discrete pass: only
 * its ops take part) for `trainEpochs` passes over the weights' half, with the search config's SGD,
 * L2, clip and augmentation and a cosine lr over those epochs, then validated on the alphas' half in
 * eval mode (its own running statistics). The best validation accuracy wins (ties: the lower index).
 * The benchmark's own random search picks by the validation accuracy of a separate 12-epoch
 * training (its schedule ending at epoch 12, as ours ends at `trainEpochs`); here the candidates
 * train on the search's reduced data (a proxy of the same kind, cheaper still).
 *
 * Seeds: candidate i's initial weights and batch order come from the config with its seed replaced
 * by mixSeed(seed, PROXY_TRAINING, i), so each candidate's training is a function of (seed, i) and a
 * resumed run equals an uninterrupted one. Store (./store.ts): config.json, samples.jsonl (one
 * trained candidate a line, in index order, written after each), result.json (written last).
 */
import type { SearchConfig } from '../config/search_config';
import type { Dataset } from '../data/dataset';
import type { Batch } from '../nn/loss';
import type { SearchModel } from '../nn/model';
import { mixSeed, Rng, SEED_KEYS } from '../nn/random';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201Genotype } from '../problems/nb201/problem';
import type { SearchState } from '../runs/checkpoint';
import { yieldToSignals } from '../runs/interrupt';
import { ensureJob } from '../runs/job';
import type { LossAccuracy } from '../runs/records';
import { disposeSearchState, evaluateAlphaHalf, initialState } from '../search/loop';
import type { ImageSearchData } from '../search/image_data';
import type { ProgressMode } from '../search/progress';
import type { Genotype } from '../spaces/genotype';
import { discreteEpoch, discreteModel } from './rs_ws';
import { type RsWsConfig, type RsWsSpace, rsWsSpace } from './rs_ws_spaces';
import {
  BASELINE_FILES,
  baselineDir,
  createBaseline,
  readBaselineConfig,
  readBaselineResult,
  readIndexedSamples,
  writeBaselineResult,
  writeLines,
} from './store';

/** The method name in the baseline directory and result. */
export const PROXY_RANDOM_SEARCH_METHOD = 'random-search' as const;

/** The search's sizes. */
export interface ProxyRandomSearchParameters {
  /** Architectures drawn and trained. */
  readonly samples: number;
  /** Passes over the weights' half that train each. */
  readonly trainEpochs: number;
}

export const PROXY_RANDOM_SEARCH_DEFAULTS: ProxyRandomSearchParameters = Object.freeze({ samples: 20, trainEpochs: 12 });

/** One trained candidate (a line of samples.jsonl). */
export interface ProxyCandidate<G = unknown> {
  readonly index: number;
  readonly genotype: G;
  /** The last training epoch's means (training mode). */
  readonly train: LossAccuracy;
  /** On the whole alphas' half, eval mode. */
  readonly valid: LossAccuracy;
  readonly seconds: number;
}

/** result.json. */
export interface ProxyRandomSearchResult<G = unknown> {
  readonly method: typeof PROXY_RANDOM_SEARCH_METHOD;
  readonly id: string;
  /** The candidate with the best validation accuracy (ties: the lower index). */
  readonly genotype: G;
  readonly best: number;
  readonly valid: LossAccuracy;
  readonly parameters: ProxyRandomSearchParameters;
  /** Training and validation of every candidate. */
  readonly seconds: { readonly total: number };
}

/** Checks the parameters; an error names the parameter. */
export function checkProxyParameters(p: ProxyRandomSearchParameters): ProxyRandomSearchParameters {
  for (const key of ['samples', 'trainEpochs'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`random search: ${key} must be a positive integer, got ${p[key]}`);
  }
  return { samples: p.samples, trainEpochs: p.trainEpochs };
}

/** Candidate `index` of the search of `space`'s config. */
export function proxyCandidate<G>(space: RsWsSpace<G>, index: number): G {
  return space.sample(new Rng(mixSeed(space.config.seed, SEED_KEYS.randomSearch, index)));
}

/**
 * The config that trains candidate `index`: its own seed, `trainEpochs` epochs (the cosine lr ends
 * with them), and no alpha warm-up (a candidate has no alphas to hold).
 */
function candidateConfig(config: RsWsConfig, index: number, trainEpochs: number): RsWsConfig {
  const { alphaWarmupEpochs: _held, ...rest } = config as RsWsConfig & { readonly alphaWarmupEpochs?: number };
  return { ...rest, seed: mixSeed(config.seed, SEED_KEYS.proxyTraining, index), epochs: trainEpochs } as RsWsConfig;
}

/**
 * Trains candidate `index` alone from fresh weights (file header) and validates it. `data` is the
 * search's, loaded once for all candidates.
 */
export function trainCandidate<G>(
  config: RsWsConfig,
  data: ImageSearchData,
  index: number,
  trainEpochs: number,
  train?: Dataset,
): ProxyCandidate<G> {
  const started = Date.now();
  const space = rsWsSpace(config, train) as RsWsSpace<G>;
  const genotype = proxyCandidate(space, index);
  const own = rsWsSpace(candidateConfig(config, index, trainEpochs), train) as RsWsSpace<G>;
  const state: SearchState<SearchModel<Batch>> = initialState(own.problem, data);
  try {
    let last: LossAccuracy = { loss: NaN, accuracy: NaN };
    for (let epoch = 0; epoch < trainEpochs; epoch++) last = discreteEpoch(own, data, state, epoch, () => genotype).train;
    const valid = evaluateAlphaHalf(discreteModel(own, state.net, genotype), data, config.batchSize, own.config.seed);
    return { index, genotype, train: last, valid, seconds: (Date.now() - started) / 1000 };
  } finally {
    disposeSearchState(state);
  }
}

/** Options of `ensureProxyRandomSearch`; the parameters default to PROXY_RANDOM_SEARCH_DEFAULTS. */
export interface EnsureProxyOptions extends Partial<ProxyRandomSearchParameters> {
  /** The results folder; the run lives in `<root>/baselines/<id>` (default results/). */
  readonly root?: string;
  /** The training split to use instead of loading the config's data set (tests). */
  readonly train?: Dataset;
  /** 'off' is silent; otherwise a line per candidate to stderr (default: the config's). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after training this many candidates in this call (tests: an interruption). */
  readonly maxCandidates?: number;
}

/** How the run was found, and what is stored after it. */
export interface ProxyRandomSearchRun<G = unknown> {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly dir: string;
  readonly candidates: ProxyCandidate<G>[];
  /** Set once the run is finished. */
  readonly result?: ProxyRandomSearchResult<G>;
}

function stored(dir: string, status: ProxyRandomSearchRun['status']): ProxyRandomSearchRun {
  const result = readBaselineResult<ProxyRandomSearchResult>(dir);
  return { status, dir, candidates: readIndexedSamples<ProxyCandidate>(dir), ...(result ? { result } : {}) };
}

/**
 * Reads, resumes or starts the random search of `config` (a DARTS search config, or NAS-Bench-201's)
 * with the given parameters (file header); resolves when it is finished (or interrupted by maxCandidates).
 */
export async function ensureProxyRandomSearch(config: SearchConfig, options?: EnsureProxyOptions): Promise<ProxyRandomSearchRun<Genotype>>;
export async function ensureProxyRandomSearch(
  config: Nb201Config,
  options?: EnsureProxyOptions,
): Promise<ProxyRandomSearchRun<Nb201Genotype>>;
export async function ensureProxyRandomSearch(config: RsWsConfig, options?: EnsureProxyOptions): Promise<ProxyRandomSearchRun>;
export async function ensureProxyRandomSearch(config: RsWsConfig, options: EnsureProxyOptions = {}): Promise<ProxyRandomSearchRun> {
  const parameters = checkProxyParameters({
    samples: options.samples ?? PROXY_RANDOM_SEARCH_DEFAULTS.samples,
    trainEpochs: options.trainEpochs ?? PROXY_RANDOM_SEARCH_DEFAULTS.trainEpochs,
  });
  const space = rsWsSpace(config, options.train);
  const checked = space.config as RsWsConfig;
  rsWsSpace(candidateConfig(checked, 0, parameters.trainEpochs), options.train); // a candidate's config is valid too, before anything is written
  const dir = baselineDir(checked, PROXY_RANDOM_SEARCH_METHOD, { ...parameters }, options.root);
  return ensureJob({
    dir,
    read: (d) => readBaselineResult<ProxyRandomSearchResult>(d),
    finished: (result, d) => (result ? stored(d, 'finished') : undefined),
    label: () => `random search baseline in ${dir}`,
    hint: 'compute it with `rdarts baseline random-search --problem nb201` (with its preset and seed), then call again',
    lockLabel: 'random search baseline',
    saved: (d) =>
      `${readIndexedSamples<ProxyCandidate>(d).length} of ${parameters.samples} candidates are trained and saved; a re-run goes on from there.`,
    prepare: () => space.problem.loadData() as ImageSearchData,
    create: () => createBaseline(checked, PROXY_RANDOM_SEARCH_METHOD, { ...parameters }, options.root),
    resume: async (data, d) => {
      const { id } = readBaselineConfig(d);
      const candidates = readIndexedSamples<ProxyCandidate>(d);
      const status = candidates.length > 0 ? 'resumed' : 'started';
      const mode = options.progress ?? checked.report.progress;
      const stop =
        options.maxCandidates === undefined ? parameters.samples : Math.min(parameters.samples, candidates.length + options.maxCandidates);
      for (let index = candidates.length; index < stop; index++) {
        const c = trainCandidate(checked, data, index, parameters.trainEpochs, options.train);
        candidates.push(c);
        writeLines(d, BASELINE_FILES.samples, candidates);
        if (mode !== 'off') {
          process.stderr.write(
            `random search ${id}: candidate ${index + 1}/${parameters.samples} ${space.format(c.genotype)}: ` +
              `valid acc ${c.valid.accuracy.toFixed(4)} (${c.seconds.toFixed(1)} s)\n`,
          );
        }
        await yieldToSignals(); // a Ctrl-C is handled between candidates (lib/runs/interrupt.ts)
      }
      if (candidates.length < parameters.samples) return stored(d, 'interrupted');
      const best = candidates.reduce((b, c) => (c.valid.accuracy > b.valid.accuracy ? c : b));
      const result: ProxyRandomSearchResult = {
        method: PROXY_RANDOM_SEARCH_METHOD,
        id,
        genotype: best.genotype,
        best: best.index,
        valid: best.valid,
        parameters,
        seconds: { total: candidates.reduce((s, c) => s + c.seconds, 0) },
      };
      writeBaselineResult(d, result);
      return stored(d, status);
    },
  });
}
