/**
 * The store of a baseline run (docs/method.md §4's RS-ws), as lib/runs/store.ts is for a search: every
 * file written atomically (writeFileAtomic), so a killed process leaves a run that resumes. A
 * baseline directory `<root>/baselines/<id>/` (root: the results folder) holds
 *   config.json                        { id, method, parameters, config, createdAt, backend, versions }
 *   epochs.jsonl                       one training-epoch record a line (with its `seconds`), in order
 *   checkpoint/epoch-<e>.safetensors   the state after epoch e (lib/runs/checkpoint.ts; the latest only)
 *   samples.jsonl                      the selection phase's scored architectures, one a line, in
 *                                      index order; rewritten whole at each flush
 *   result.json                        written last: the run is finished
 * `id` = the first 12 hex digits of sha256 of (the canonical config, method, parameters): the
 * seed is part of it, `report` is not. The config is a DARTS search config or, with
 * `problem: 'nb201'`, a NAS-Bench-201 one, each canonical and checked by its problem's codec. Write order of an epoch: checkpoint, record, prune; resume
 * (`prepareBaselineResume`) starts after the last epoch with both, as lib/runs/store.ts.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo } from '../backend';
import { isPlainObject, type SearchConfig, SEARCH_CONFIG_CODEC } from '../config/search_config';
import type { ConfigCodec } from '../config/validation';
import { NB201_CONFIG_CODEC, type Nb201Config } from '../problems/nb201/config';
import { resultsDir } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { checkpointEpochs, checkpointFile, type CheckpointRef, latestCheckpoint } from '../runs/run_read';
import { softwareVersions } from '../versions';

export { checkpointFile } from '../runs/run_read';

/** The names inside a baseline directory. */
export const BASELINE_FILES = {
  config: 'config.json',
  epochs: 'epochs.jsonl',
  samples: 'samples.jsonl',
  result: 'result.json',
  checkpoints: 'checkpoint',
} as const;

/** The search configs a baseline runs on (its codec: `baselineCodec`). */
export type BaselineConfig = SearchConfig | Nb201Config;

/** The codec of a baseline's config, by its `problem` field (absent: the DARTS search config); another problem throws, naming it. */
export function baselineCodec(config: unknown): ConfigCodec<BaselineConfig> {
  const problem = isPlainObject(config) ? config.problem : undefined;
  if (problem === undefined) return SEARCH_CONFIG_CODEC as ConfigCodec<BaselineConfig>;
  if (problem === 'nb201') return NB201_CONFIG_CODEC as ConfigCodec<BaselineConfig>;
  throw new Error(
    `baseline store: baselines run on the DARTS search spaces and NAS-Bench-201 (problem 'nb201'); got problem ${JSON.stringify(problem)}`,
  );
}

/** Plain JSON values: a baseline's parameters. */
export type Parameters = Readonly<Record<string, number | string | boolean>>;

/** What config.json holds. */
export interface BaselineConfigFile {
  readonly id: string;
  readonly method: string;
  readonly parameters: Parameters;
  readonly config: BaselineConfig;
  readonly createdAt: string;
  readonly backend: string | null;
  readonly versions: Readonly<Record<string, string>>;
}

const sortedJson = (p: Parameters) =>
  JSON.stringify(
    Object.fromEntries(
      Object.keys(p)
        .sort()
        .map((k) => [k, p[k]]),
    ),
  );

/** The id of a baseline run: sha256 of the canonical config, the method and the parameters (file header). */
export function baselineId(config: BaselineConfig, method: string, parameters: Parameters): string {
  return createHash('sha256')
    .update(`${baselineCodec(config).canonical(config)}\n${method}\n${sortedJson(parameters)}`)
    .digest('hex')
    .slice(0, 12);
}

/** `<root>/baselines/<id>`; root defaults to the results folder. */
export function baselineDir(config: BaselineConfig, method: string, parameters: Parameters, root: string = resultsDir()): string {
  return path.join(root, 'baselines', baselineId(config, method, parameters));
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`baseline store: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads `<dir>/config.json`, checking its config. */
export function readBaselineConfig(dir: string): BaselineConfigFile {
  const file = path.join(dir, BASELINE_FILES.config);
  const value = readJson(file);
  if (!isPlainObject(value) || typeof value.id !== 'string' || typeof value.method !== 'string' || !isPlainObject(value.parameters)) {
    throw new Error(`baseline store: ${file} lacks id, method or parameters`);
  }
  return { ...(value as unknown as BaselineConfigFile), config: baselineCodec(value.config).check(value.config, file) };
}

/**
 * Creates the directory of the baseline run (config, method, parameters) with its config.json and
 * returns it; an existing one is returned unchanged, and one whose config.json holds another run
 * throws, naming the directory.
 */
export function createBaseline(config: BaselineConfig, method: string, parameters: Parameters, root?: string): string {
  const codec = baselineCodec(config);
  const checked = codec.check(config, 'createBaseline');
  const dir = baselineDir(checked, method, parameters, root);
  const id = baselineId(checked, method, parameters);
  if (fs.existsSync(path.join(dir, BASELINE_FILES.config))) {
    const stored = readBaselineConfig(dir);
    if (
      stored.id !== id ||
      stored.method !== method ||
      baselineCodec(stored.config).canonical(stored.config) !== codec.canonical(checked) ||
      sortedJson(stored.parameters) !== sortedJson(parameters)
    ) {
      throw new Error(`createBaseline: directory ${dir} holds another run (a hash collision or an edited config.json)`);
    }
    return dir;
  }
  const record: BaselineConfigFile = {
    id,
    method,
    parameters,
    config: checked,
    createdAt: new Date().toISOString(),
    backend: backendInfo()?.name ?? null,
    versions: softwareVersions(),
  };
  writeFileAtomic(path.join(dir, BASELINE_FILES.config), JSON.stringify(record, null, 2) + '\n');
  return dir;
}

/** The JSON lines of `<dir>/<name>` ([] when the file is missing); an error names the file and line. */
export function readLines<T>(dir: string, name: string): T[] {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch (e) {
        throw new Error(`baseline store: ${file} line ${i + 1} is not valid JSON: ${(e as Error).message}`, { cause: e });
      }
    });
}

/**
 * The selection phase's records stored in order (samples.jsonl: the one with index i on line i);
 * a line out of order ends them, so a resumed run redoes it and what follows.
 */
export function readIndexedSamples<T extends { readonly index: number }>(dir: string): T[] {
  const lines = readLines<T>(dir, BASELINE_FILES.samples);
  const bad = lines.findIndex((s, i) => s.index !== i);
  return bad < 0 ? lines : lines.slice(0, bad);
}

/** Rewrites `<dir>/<name>` atomically with one JSON value a line. */
export function writeLines(dir: string, name: string, values: readonly unknown[]): void {
  writeFileAtomic(path.join(dir, name), values.map((v) => JSON.stringify(v) + '\n').join(''));
}

/** Appends an epoch record (its `epoch` must equal the number stored); save the epoch's checkpoint first. */
export function appendBaselineEpoch<R extends { readonly epoch: number }>(dir: string, record: R): void {
  const records = readLines<R>(dir, BASELINE_FILES.epochs);
  if (record.epoch !== records.length) {
    throw new Error(`appendBaselineEpoch ${dir}: epoch ${record.epoch} after ${records.length} stored epochs`);
  }
  writeLines(dir, BASELINE_FILES.epochs, [...records, record]);
}

/** Deletes every checkpoint older than `epoch`'s (the latest is all a resume needs). */
export function pruneBaselineCheckpoints(dir: string, epoch: number): void {
  for (const e of checkpointEpochs(dir)) if (e < epoch) fs.rmSync(checkpointFile(dir, e), { force: true });
}

/**
 * Makes the run in `dir` consistent for resuming: deletes checkpoints without their record, keeps the
 * records up to the latest checkpoint (dropping the selection phase's samples if any record goes), and
 * returns that checkpoint and the epoch to run next (0 without one). A finished run throws.
 */
export function prepareBaselineResume(dir: string): { startEpoch: number; checkpoint?: CheckpointRef } {
  if (fs.existsSync(path.join(dir, BASELINE_FILES.result))) throw new Error(`prepareBaselineResume: the run in ${dir} is finished`);
  const records = readLines<{ epoch: number }>(dir, BASELINE_FILES.epochs);
  for (const e of checkpointEpochs(dir)) if (e >= records.length) fs.rmSync(checkpointFile(dir, e), { force: true });
  const checkpoint = latestCheckpoint(dir, records.length);
  const startEpoch = checkpoint ? checkpoint.epoch + 1 : 0;
  if (startEpoch < records.length) {
    fs.rmSync(path.join(dir, BASELINE_FILES.samples), { force: true });
    writeLines(dir, BASELINE_FILES.epochs, records.slice(0, startEpoch));
  }
  return { startEpoch, ...(checkpoint ? { checkpoint } : {}) };
}

/** result.json of a finished run, or undefined. */
export function readBaselineResult<R>(dir: string): R | undefined {
  const file = path.join(dir, BASELINE_FILES.result);
  return fs.existsSync(file) ? (readJson(file) as R) : undefined;
}

/** Writes result.json: the run is finished. */
export function writeBaselineResult(dir: string, result: unknown): void {
  writeFileAtomic(path.join(dir, BASELINE_FILES.result), JSON.stringify(result) + '\n');
}
