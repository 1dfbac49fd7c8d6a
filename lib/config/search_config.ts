/**
 * The search config (docs/method.md §1, 3, 4): one readonly, validated value that the search loop, the CLI
 * and the notebooks share. The zod schema (./schema.ts) is the single source; the type is inferred from it.
 * Objects are strict (an unknown key is an error) and every error names the field:
 *   `search config (--config a.json): batchSize: must be a positive integer, got -3`.
 * Presets live in ./presets; `resolveConfig` merges overrides onto one and validates the result.
 * `canonicalConfig` / `runId` identify a run by the fields that change its results.
 */
import { createHash } from 'crypto';
import type { AdamOptions, SgdOptions } from '../nn/optim';
import { parsePreset, PresetName } from './preset';
import { SEARCH_PRESETS } from './presets';
import { SearchConfigSchema, type SearchConfig } from './schema';
import { canonicalJson, type ConfigCodec, describeIssue, showValue } from './validation';

export { SearchConfigSchema } from './schema';
export type { SearchConfig } from './schema';

/**
 * The fields of a search config that the search loop reads, whatever the problem
 * (lib/search/problem.ts); the DARTS problem reads the rest (space, dataset, sizes, data split,
 * augmentation).
 */
export type LoopConfig = LoopOrder &
  Pick<
    SearchConfig,
    | 'seed'
    | 'epochs'
    | 'batchSize'
    | 'order'
    | 'weightOptimizer'
    | 'alphaOptimizer'
    | 'regularization'
    | 'hessian'
    | 'earlyStop'
    | 'controller'
    | 'alphaWarmupEpochs'
    | 'report'
  >;

/**
 * Which step of a search iteration comes first. Absent (every DARTS config): the alpha step, then
 * the weight step, as the DARTS code; 'weight-first' as NAS-Bench-201's DARTS script (a problem's
 * config may offer it).
 */
export interface LoopOrder {
  readonly stepOrder?: 'alpha-first' | 'weight-first';
}

/** The run store's handle on the DARTS search config: validation and the run id. */
export const SEARCH_CONFIG_CODEC: ConfigCodec<SearchConfig> = Object.freeze({
  check: (value: unknown, source: string) => checkConfig(value, source),
  canonical: (config: SearchConfig) => canonicalConfig(config),
  id: (config: SearchConfig) => runId(config),
});

/** Nested partial overrides of a config: objects merge key by key; arrays and null replace. */
export type ConfigOverrides<T = SearchConfig> = { readonly [K in keyof T]?: Override<T[K]> };
type Override<V> = V extends readonly unknown[] ? V : V extends object ? ConfigOverrides<V> : V;

/** A config that failed validation; `issues` holds one line per problem, each naming its field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`search config (${source}): ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates any value as a search config (a config.json read back, a merged preset). */
export function checkConfig(value: unknown, source = 'config'): SearchConfig {
  const result = SearchConfigSchema.safeParse(value);
  if (!result.success)
    throw new ConfigError(
      source,
      result.error.issues.map((i) => describeIssue(i, value, SearchConfigSchema)),
    );
  return result.data;
}

/** A non-null, non-array object (JSON's objects). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `overrides` merged onto a preset's config `base` (not yet validated); overrides that are not an
 * object throw, naming `what` and `source`. The problems' `resolve...Config` share it.
 */
export function mergeOverPreset(what: string, base: object, overrides: unknown, source: string): unknown {
  if (!isPlainObject(overrides)) throw new Error(`${what} (${source}): overrides must be an object, got ${showValue(overrides)}`);
  return deepMerge(base, overrides);
}

/** `over` merged onto `base`: plain objects key by key, anything else replaces; undefined keeps base. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

/**
 * The preset `preset` with `overrides` merged in, validated. `source` says where the overrides
 * came from (a file, `--set`, an environment variable), for the error message.
 */
export function resolveConfig(preset: PresetName | string, overrides: ConfigOverrides = {}, source = 'overrides'): SearchConfig {
  const name = parsePreset(preset, 'preset');
  if (!isPlainObject(overrides)) throw new ConfigError(source, [`overrides must be an object, got ${showValue(overrides)}`]);
  return checkConfig(deepMerge(SEARCH_PRESETS[name], overrides), `preset ${name} + ${source}`);
}

/** The fields that change results (all but `report`), as JSON with keys sorted at every level. */
export function canonicalConfig(config: SearchConfig): string {
  const { report: _report, ...resultFields } = config;
  return canonicalJson(resultFields);
}

/** A run's id: the first 12 hex digits of sha256(canonicalConfig(config)); the seed is part of it. */
export function runId(config: SearchConfig): string {
  return createHash('sha256').update(canonicalConfig(config)).digest('hex').slice(0, 12);
}

/**
 * The options of the weight optimiser (`Sgd`): momentum and weight decay = `regularization.l2`;
 * Nesterov momentum where a problem's config has `weightOptimizer.nesterov` (NAS-Bench-201's recipe).
 */
export function sgdOptions(config: Pick<LoopConfig, 'weightOptimizer' | 'regularization'>): SgdOptions {
  const { momentum } = config.weightOptimizer;
  const nesterov = (config.weightOptimizer as { readonly nesterov?: boolean }).nesterov === true;
  return { momentum, weightDecay: config.regularization.l2, ...(nesterov ? { nesterov } : {}) };
}

/** The options of the alpha optimiser (`Adam`). */
export function adamOptions(config: Pick<LoopConfig, 'alphaOptimizer'>): AdamOptions {
  const { lr, betas, eps, weightDecay } = config.alphaOptimizer;
  return { lr, beta1: betas[0], beta2: betas[1], eps, weightDecay };
}
