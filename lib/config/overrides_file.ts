/**
 * Config overrides from a JSON file (`rdarts search --config FILE`) and grid files (`rdarts grid
 * FILE`), read and checked here so that errors name the file: a wrong path, invalid JSON, or a field
 * that the schema rejects (resolveConfig names it) change nothing.
 */
import * as fs from 'fs';
import { ConfigOverrides, isPlainObject, resolveConfig, SearchConfig } from './search_config';

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

/** One search of a grid: its preset and overrides, resolved and validated. */
export interface GridEntry {
  readonly name: string;
  readonly preset: string;
  readonly overrides: ConfigOverrides;
  readonly config: SearchConfig;
}

/**
 * A grid file: { "preset": "mini", "base": { ...overrides for all }, "runs": { "name": { ...overrides } } }.
 * Every entry is resolved (base, then its own overrides) before anything runs; an invalid one
 * throws naming the file and the entry.
 */
export function readGridFile(file: string): GridEntry[] {
  const value = readJsonFile(file, 'grid file');
  if (!isPlainObject(value) || !isPlainObject(value.runs)) {
    throw new Error(`grid file ${file} must hold { "preset": ..., "base": { ... }, "runs": { "<name>": { ... }, ... } }`);
  }
  const preset = typeof value.preset === 'string' ? value.preset : 'quick';
  const base = value.base === undefined ? {} : value.base;
  if (!isPlainObject(base)) throw new Error(`grid file ${file}: "base" must be an object of config fields`);
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b))
      out[k] = isPlainObject(v) && isPlainObject(a[k]) ? merge(a[k] as Record<string, unknown>, v) : v;
    return out;
  };
  return Object.entries(value.runs).map(([name, own]) => {
    if (!isPlainObject(own)) throw new Error(`grid file ${file}: runs.${name} must be an object of config fields`);
    const overrides = merge(base, own) as ConfigOverrides;
    return { name, preset, overrides, config: resolveConfig(preset, overrides, `${file}: runs.${name}`) };
  });
}
