/**
 * `ensureRun(config)`: the DARTS search of a config, read back, resumed or started through the
 * generic runner (lib/search/run.ts `runSearch`). The CLI, the notebooks and the tests call it.
 */
import type { SearchConfig } from '../../config/search_config';
import type { Dataset } from '../../data/dataset';
import type { DartsArchitectureRecord } from '../../runs/records';
import { type RunOptions, type RunResult, runSearch } from '../../search/run';
import { dartsProblem } from './problem';

export interface EnsureRunOptions extends RunOptions<DartsArchitectureRecord> {
  /** The training split to search on, instead of loading `config.dataset` (tests). */
  readonly train?: Dataset;
}

/** Reads, resumes or starts the DARTS search run of `config`; resolves when it is finished (or interrupted). */
export function ensureRun(config: SearchConfig, options: EnsureRunOptions = {}): Promise<RunResult<SearchConfig, DartsArchitectureRecord>> {
  const { train, ...rest } = options;
  return runSearch(dartsProblem(config, train), rest);
}
