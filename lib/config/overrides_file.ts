/**
 * Config overrides from a JSON file (`rdarts search --config FILE`) and grid files (`rdarts grid
 * FILE`), read and checked here so that errors name the file: a wrong path, invalid JSON, or a field
 * that the schema rejects (resolveConfig names it) change nothing.
 */
import * as fs from 'fs';
import { ConfigOverrides, deepMerge, isPlainObject, type LoopConfig, resolveConfig, SearchConfig } from './search_config';

function readJsonFile(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${what} ${file} does not exist`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what} ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The overrides object in `file` (a JSON object of config fields). */
export function readOverridesFile(file: string): ConfigOverrides {
  const value = readJsonFile(file, 'config file');
  if (!isPlainObject(value)) throw new Error(`config file ${file} must hold a JSON object of config fields`);
  return value as ConfigOverrides;
}

/** One search of a grid: its problem, preset and overrides, resolved and validated. */
export interface GridEntry<C extends LoopConfig = SearchConfig> {
  readonly name: string;
  /** The search problem (lib/problems/registry.ts); 'darts' unless the grid file names another. */
  readonly problem?: string;
  readonly preset: string;
  readonly overrides: ConfigOverrides;
  readonly config: C;
}

/** Validates a problem's config from a preset and overrides (the CLI passes the problems registry's). */
export type GridResolver = (problem: string, preset: string, overrides: ConfigOverrides, source: string) => LoopConfig;

/**
 * A grid file: { "problem": "darts", "preset": "mini", "base": { ...overrides for all }, "runs":
 * { "name": { ...overrides } } } ("problem" optional, default darts). Every entry is resolved
 * (base, then its own overrides) before anything runs; an invalid one throws naming the file and
 * the entry. Without `resolve` only DARTS grids are read.
 */
export function readGridFile(file: string): GridEntry[];
export function readGridFile(file: string, resolve: GridResolver): GridEntry<LoopConfig>[];
export function readGridFile(file: string, resolve?: GridResolver): GridEntry<LoopConfig>[] {
  return gridEntries(readJsonFile(file, 'grid file'), file, resolve);
}

/** The entries of a grid given as a value (a grid file's contents); errors name `file`, where it came from. */
export function gridEntries(value: unknown, file: string, resolve?: GridResolver): GridEntry<LoopConfig>[] {
  if (!isPlainObject(value) || !isPlainObject(value.runs)) {
    throw new Error(`grid file ${file} must hold { "preset": ..., "base": { ... }, "runs": { "<name>": { ... }, ... } }`);
  }
  const problem = value.problem === undefined ? 'darts' : value.problem;
  if (typeof problem !== 'string') throw new Error(`grid file ${file}: "problem" must be a problem's name, got ${JSON.stringify(problem)}`);
  if (problem !== 'darts' && !resolve)
    throw new Error(`grid file ${file}: problem ${JSON.stringify(problem)} needs the problems registry to resolve it`);
  const preset = typeof value.preset === 'string' ? value.preset : 'quick';
  const base = value.base === undefined ? {} : value.base;
  if (!isPlainObject(base)) throw new Error(`grid file ${file}: "base" must be an object of config fields`);
  return Object.entries(value.runs).map(([name, own]) => {
    if (!isPlainObject(own)) throw new Error(`grid file ${file}: runs.${name} must be an object of config fields`);
    const overrides = deepMerge(base, own) as ConfigOverrides;
    const source = `${file}: runs.${name}`;
    const config = resolve ? resolve(problem, preset, overrides, source) : resolveConfig(preset, overrides, source);
    return { name, problem, preset, overrides, config };
  });
}
