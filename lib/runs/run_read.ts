/**
 * The read side of the run store (lib/runs/store.ts has the layout, the write order and the
 * writers): a run directory read back and validated, and the list of runs under a root. Nothing
 * here changes a file, so a notebook may read a run while another process writes it. Every error
 * names the file (and the line of epochs.jsonl).
 */
import * as fs from 'fs';
import * as path from 'path';
import { isPlainObject, SEARCH_CONFIG_CODEC, type SearchConfig } from '../config/search_config';
import type { ConfigCodec } from '../config/validation';
import { resultsDir } from '../paths';
import { type ArchitectureRecord, type ControllerDecision, type DartsArchitectureRecord, type EpochRecord, epochSeconds } from './records';

/** The names inside a run directory. */
export const RUN_FILES = {
  config: 'config.json',
  epochs: 'epochs.jsonl',
  timings: 'timings.jsonl',
  genotype: 'genotype.json',
  done: 'DONE',
  checkpoints: 'checkpoint',
  decisions: 'decisions.jsonl',
} as const;

/** What config.json holds (C: the problem's config; the DARTS search config by default). */
export interface RunConfigFile<C = SearchConfig> {
  readonly runId: string;
  readonly config: C;
  /** ISO time the run directory was created. */
  readonly createdAt: string;
  /** The backend active at creation (each EpochRecord names its own); null before initBackend. */
  readonly backend: string | null;
  readonly versions: Readonly<Record<string, string>>;
  /** Where the search's data were read from (absent in runs made before it was recorded). */
  readonly data?: string;
}

/** A checkpoint of the run: the search state after `epoch`. */
export interface CheckpointRef {
  readonly epoch: number;
  readonly file: string;
}

/** A run directory read back and validated (A: the problem's architecture fields). */
export interface StoredRun<C = SearchConfig, A extends ArchitectureRecord = DartsArchitectureRecord> extends RunConfigFile<C> {
  readonly dir: string;
  /** Epochs 0..k-1 in order. */
  readonly epochs: EpochRecord<A>[];
  /** True when DONE exists; then `genotype` and `finished` are set. */
  readonly done: boolean;
  readonly genotype?: { readonly epoch: number; readonly genotype: A['genotype'] };
  readonly finished?: { readonly finishedAt: string; readonly seconds: number };
  /** The highest epoch with both a checkpoint and a record (store.ts header). */
  readonly lastCheckpoint?: CheckpointRef;
  /** The eigenvalue controller's firings that acted (DARTS-ES / DARTS-ADA, docs/method.md §4), in order. */
  readonly decisions: ControllerDecision<A>[];
}

/** The configs the store handles: any JSON object with its codec (lib/config/validation.ts); `epochs`, where present, bounds the records. */
type Config = object;
/**
 * The DARTS search config's codec, the default of the functions whose overloads allow leaving the
 * codec out only for a SearchConfig (the implementation signatures are generic).
 */
export const dartsCodec = <C extends Config>() => SEARCH_CONFIG_CODEC as unknown as ConfigCodec<C>;

/** `<resultsDir()>/runs`. */
export function runsRoot(): string {
  return path.join(resultsDir(), 'runs');
}

/** The directory of the run of `config`: `<root>/<run id>` (`codec.id`, the DARTS config's runId by default). */
export function runDirFor(config: SearchConfig, root?: string): string;
export function runDirFor<C extends Config>(config: C, root: string | undefined, codec: ConfigCodec<C>): string;
export function runDirFor<C extends Config>(config: C, root: string = runsRoot(), codec: ConfigCodec<C> = dartsCodec<C>()): string {
  return path.join(root, codec.id(config));
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`run store: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`run store: ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and validates `<dir>/config.json` (`codec.check`, and its runId against the config). */
/**
 * The problem a run directory's config.json names (`config.problem`; a DARTS config has none:
 * 'darts'), to pick the codec that reads the run. Throws, naming the file, when it cannot be read.
 */
export function readRunProblem(dir: string): string {
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) throw new Error(`run store: ${file} does not exist (not a run directory)`);
  const raw = readJson(file);
  const problem = isPlainObject(raw) && isPlainObject(raw.config) ? raw.config.problem : undefined;
  return typeof problem === 'string' ? problem : 'darts';
}

export function readRunConfig(dir: string): RunConfigFile;
export function readRunConfig<C extends Config>(dir: string, codec: ConfigCodec<C>): RunConfigFile<C>;
export function readRunConfig<C extends Config>(dir: string, codec: ConfigCodec<C> = dartsCodec<C>()): RunConfigFile<C> {
  if (!fs.existsSync(dir)) throw new Error(`run store: run directory ${dir} does not exist`);
  const file = path.join(dir, RUN_FILES.config);
  const raw = readJson(file);
  if (!isPlainObject(raw)) throw new Error(`run store: ${file} is not a JSON object`);
  const config = codec.check(raw.config, file);
  const id = codec.id(config);
  if (raw.runId !== id) {
    throw new Error(`run store: ${file}: runId ${JSON.stringify(raw.runId)} does not match its config (${id}); was the file edited?`);
  }
  if (typeof raw.createdAt !== 'string') throw new Error(`run store: ${file}: createdAt must be a string`);
  if (raw.backend !== null && typeof raw.backend !== 'string') throw new Error(`run store: ${file}: backend must be a string or null`);
  const versions = isPlainObject(raw.versions) ? (raw.versions as Record<string, string>) : {};
  // Explicit narrowing: TypeScript 5.0 (tslab's) does not narrow `raw.backend` from the checks above.
  const backend = raw.backend === null ? null : String(raw.backend);
  if (raw.data !== undefined && typeof raw.data !== 'string')
    throw new Error(`run store: ${file}: data must be a string (where the data were read from)`);
  return { runId: id, config, createdAt: raw.createdAt, backend, versions, ...(typeof raw.data === 'string' ? { data: raw.data } : {}) };
}

/** The controller decisions of the run in `dir` (decisions.jsonl; none when absent), checked line by line. */
export function readDecisions<A extends ArchitectureRecord = DartsArchitectureRecord>(dir: string): ControllerDecision<A>[] {
  const file = path.join(dir, RUN_FILES.decisions);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((line, i) => {
      const at = `run store: ${file}:${i + 1}`;
      let d: unknown;
      try {
        d = JSON.parse(line);
      } catch (e) {
        throw new Error(`${at}: not a valid JSON line (${(e as Error).message})`, { cause: e });
      }
      if (
        !isPlainObject(d) ||
        !['stop', 'simulate', 'rollback'].includes(String(d.action)) ||
        typeof d.stopEpoch !== 'number' ||
        typeof d.decisionEpoch !== 'number' ||
        !isPlainObject(d.l2) ||
        !isPlainObject(d.genotype)
      ) {
        throw new Error(`${at}: not a controller decision ({ action, decisionEpoch, stopEpoch, ratio, genotype, l2 })`);
      }
      return d as unknown as ControllerDecision<A>;
    });
}

/** The JSON objects of a JSONL file, one per line (none when the file is absent); errors name file and line. */
function readJsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => {
    const at = `run store: ${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${at}: not a valid JSON line (${(e as Error).message})`, { cause: e });
    }
    if (!isPlainObject(value)) throw new Error(`${at}: not a JSON object`);
    if (value.epoch !== i) {
      throw new Error(`${at}: epoch ${JSON.stringify(value.epoch)}, expected ${i} (epochs must be 0..k-1 in order)`);
    }
    return value;
  });
}

/**
 * The epoch records of `dir` (none without epochs.jsonl). The wall-clock `seconds` of each record
 * live in timings.jsonl (written first, so it covers every stored epoch), which keeps epochs.jsonl
 * byte-identical between runs of the same config on the same backend. A line that is not JSON,
 * not an object, or whose epoch is not its index throws, naming the file and line.
 */
export function readEpochs<A extends ArchitectureRecord = DartsArchitectureRecord>(dir: string): EpochRecord<A>[] {
  const timingsFile = path.join(dir, RUN_FILES.timings);
  const timings = readJsonLines(timingsFile);
  return readJsonLines(path.join(dir, RUN_FILES.epochs)).map((record, i) => {
    const t = timings[i];
    // Runs written before timings.jsonl existed kept the seconds in the record itself.
    if (!t && isPlainObject(record.seconds)) return record as unknown as EpochRecord<A>;
    if (!t || typeof t.search !== 'number' || typeof t.valid !== 'number') {
      throw new Error(`run store: ${timingsFile}: no timing for epoch ${i}`);
    }
    const hessian = typeof t.hessian === 'number' ? { hessian: t.hessian } : {};
    return { ...record, seconds: { search: t.search, valid: t.valid, ...hessian } } as unknown as EpochRecord<A>;
  });
}

/** `<dir>/checkpoint/epoch-<epoch>.safetensors`. */
export function checkpointFile(dir: string, epoch: number): string {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`checkpointFile: epoch must be an integer >= 0, got ${epoch}`);
  return path.join(dir, RUN_FILES.checkpoints, `epoch-${epoch}.safetensors`);
}

/** The epochs whose checkpoint file exists, ascending. */
export function checkpointEpochs(dir: string): number[] {
  const folder = path.join(dir, RUN_FILES.checkpoints);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .flatMap((name) => {
      const m = /^epoch-(\d+)\.safetensors$/.exec(name);
      return m ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b);
}

/**
 * The highest epoch whose checkpoint exists and whose record is stored (`stored`: the number of
 * records, read when left out), or undefined. A checkpoint without its record is ignored here
 * (prepareResume deletes it).
 */
export function latestCheckpoint(dir: string, stored: number = readEpochs(dir).length): CheckpointRef | undefined {
  const epochs = checkpointEpochs(dir).filter((e) => e < stored);
  if (epochs.length === 0) return undefined;
  const epoch = epochs[epochs.length - 1];
  return { epoch, file: checkpointFile(dir, epoch) };
}

/** `readRun(dir)` where the run directory exists, else undefined (not started). */
export function readRunIfAny(dir: string): StoredRun | undefined {
  return fs.existsSync(dir) ? readRun(dir) : undefined;
}

/** Reads the run in `dir` and validates it (its config with `codec`); a missing directory throws, naming it. */
export function readRun(dir: string): StoredRun;
export function readRun<C extends Config, A extends ArchitectureRecord>(dir: string, codec: ConfigCodec<C>): StoredRun<C, A>;
export function readRun<C extends Config, A extends ArchitectureRecord>(
  dir: string,
  codec: ConfigCodec<C> = dartsCodec<C>(),
): StoredRun<C, A> {
  const configFile = readRunConfig(dir, codec);
  const epochs = readEpochs<A>(dir);
  const planned = (configFile.config as { readonly epochs?: unknown }).epochs;
  if (typeof planned === 'number' && epochs.length > planned) {
    throw new Error(`run store: ${path.join(dir, RUN_FILES.epochs)} holds ${epochs.length} epochs; the config has ${planned}`);
  }
  const doneFile = path.join(dir, RUN_FILES.done);
  const done = fs.existsSync(doneFile);
  let genotype: StoredRun<C, A>['genotype'];
  let finished: StoredRun<C, A>['finished'];
  if (done) {
    const genotypeFile = path.join(dir, RUN_FILES.genotype);
    const g = readJson(genotypeFile);
    if (!isPlainObject(g) || !isPlainObject(g.genotype) || !Number.isInteger(g.epoch) || (g.epoch as number) >= epochs.length) {
      throw new Error(`run store: ${genotypeFile}: expected { epoch: one of the ${epochs.length} stored epochs, genotype }`);
    }
    genotype = g as unknown as StoredRun<C, A>['genotype'];
    const f = readJson(doneFile);
    if (!isPlainObject(f) || typeof f.finishedAt !== 'string' || typeof f.seconds !== 'number') {
      throw new Error(`run store: ${doneFile}: expected { finishedAt, seconds }`);
    }
    finished = { finishedAt: f.finishedAt, seconds: f.seconds };
  }
  return {
    ...configFile,
    dir,
    epochs,
    done,
    genotype,
    finished,
    lastCheckpoint: latestCheckpoint(dir, epochs.length),
    decisions: readDecisions<A>(dir),
  };
}

/**
 * The process time a run took: the seconds of its stored epochs (search steps, evaluation, the
 * curvature), and the epochs that DARTS-ADA's rollbacks undid, whose records keep no timing,
 * counted at the stored epochs' mean. `undone` says how many were estimated so.
 */
export function runSeconds(run: Pick<StoredRun<unknown, ArchitectureRecord>, 'epochs' | 'decisions'>): {
  readonly seconds: number;
  readonly undone: number;
} {
  const kept = run.epochs.reduce((a, r) => a + epochSeconds(r), 0);
  const undone = run.decisions.reduce((a, d) => a + (d.discarded?.length ?? 0), 0);
  return { seconds: run.epochs.length > 0 ? kept * (1 + undone / run.epochs.length) : 0, undone };
}

/** One line of `listRuns`: the run's state and the config fields that tell runs apart. */
export interface RunSummary {
  readonly runId: string;
  readonly dir: string;
  /** The search problem (lib/problems/registry.ts): 'darts' unless the config names another. */
  readonly problem?: string;
  /** done: DONE exists; partial: some epochs; empty: none yet; invalid: see `error`. */
  readonly status: 'done' | 'partial' | 'empty' | 'invalid';
  readonly error?: string;
  readonly createdAt?: string;
  /** Stored epochs, of `plannedEpochs` (config.epochs). */
  readonly epochs: number;
  readonly plannedEpochs?: number;
  readonly space?: string;
  readonly dataset?: string;
  readonly seed?: number;
  readonly order?: string;
  readonly earlyStop?: string;
  readonly l2?: number;
  readonly dropPathProb?: number;
  readonly cutoutProb?: number;
  /** valid.accuracy of the last stored epoch. */
  readonly lastValidAccuracy?: number;
  /** The config of a DARTS run (other problems' configs are not DARTS configs). */
  readonly config?: SearchConfig;
  /** The config of any problem's run as stored, for listings that compare runs (lib/runs/run_names.ts). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** The fields of any problem's config that a listing shows (lib/config/search_config.ts `LoopConfig`, and a data set if any). */
interface ListedConfig {
  readonly epochs: number;
  readonly seed: number;
  readonly order: string;
  readonly earlyStop: string;
  readonly regularization: { readonly l2: number; readonly dropPathProb: number };
  readonly dataset?: string;
}

/** The summary of any problem's run: the loop's fields and the data set (a DARTS run's adds its own, `summarize`). */
function summarizeOther(run: StoredRun<ListedConfig, ArchitectureRecord>, problem: string): RunSummary {
  const { config } = run;
  return {
    runId: run.runId,
    dir: run.dir,
    problem,
    status: run.done ? 'done' : run.epochs.length > 0 ? 'partial' : 'empty',
    createdAt: run.createdAt,
    epochs: run.epochs.length,
    plannedEpochs: config.epochs,
    dataset: config.dataset,
    seed: config.seed,
    order: config.order,
    earlyStop: config.earlyStop,
    l2: config.regularization.l2,
    dropPathProb: config.regularization.dropPathProb,
    lastValidAccuracy: run.epochs[run.epochs.length - 1]?.valid?.accuracy,
    settings: config as unknown as Readonly<Record<string, unknown>>,
  };
}

function summarize(run: StoredRun): RunSummary {
  const { config } = run;
  // The cast: tslab compiles without strictNullChecks, where zod's output type has optional fields.
  const loop = summarizeOther(run as unknown as StoredRun<ListedConfig, ArchitectureRecord>, 'darts');
  return { ...loop, space: config.space, cutoutProb: config.augment.cutout?.prob ?? 0, config };
}

/**
 * Every run directory under `root` (none when `root` does not exist), oldest first (createdAt;
 * an invalid run by its directory's change time). A run that fails to read is listed as
 * 'invalid' with its error; this never throws on account of one run.
 * A run of another problem (its config.json names it, e.g. `nb201`) is read with that problem's
 * codec from `codecs` (the CLI passes the registry's, lib/problems/registry.ts); without one it is
 * listed as invalid, saying so.
 */
export function listRuns(root: string = runsRoot(), codecs: Readonly<Record<string, ConfigCodec<object>>> = {}): RunSummary[] {
  if (!fs.existsSync(root)) return [];
  const runs = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.')) // .slurm/: a grid's Slurm files (lib/cluster)
    .map((d): RunSummary => {
      const dir = path.join(root, d.name);
      try {
        const problem = readRunProblem(dir);
        if (problem === 'darts') return summarize(readRun(dir));
        const codec = Object.hasOwn(codecs, problem) ? codecs[problem] : undefined;
        if (!codec) throw new Error(`a run of the problem ${JSON.stringify(problem)}, which this listing was not given a codec for`);
        return summarizeOther(readRun<ListedConfig, ArchitectureRecord>(dir, codec as ConfigCodec<ListedConfig>), problem);
      } catch (e) {
        const createdAt = new Date(fs.statSync(dir).ctimeMs).toISOString();
        return { runId: d.name, dir, status: 'invalid', error: (e as Error).message, createdAt, epochs: 0 };
      }
    });
  return runs.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.runId.localeCompare(b.runId));
}

/** The final genotype of a finished run and the epoch it is read at; an unfinished run throws, naming its directory. */
export function finalGenotype<C, A extends ArchitectureRecord>(
  run: StoredRun<C, A>,
): { readonly epoch: number; readonly genotype: A['genotype'] } {
  if (!run.done || !run.genotype) throw new Error(`finalGenotype: the run in ${run.dir} is not finished`);
  return run.genotype;
}

/**
 * The run directory `ref` names: a path, a runId under `root`, or the start of exactly one runId
 * there. Throws naming what it looked for, and the candidates when a prefix is ambiguous.
 */
export function resolveRunRef(ref: string, root: string): string {
  if (fs.existsSync(ref)) return ref;
  const exact = path.join(root, ref);
  if (fs.existsSync(exact)) return exact;
  const matches = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => d.startsWith(ref)) : [];
  if (matches.length === 1) return path.join(root, matches[0]);
  if (matches.length > 1) throw new Error(`run ${JSON.stringify(ref)} is ambiguous in ${root}: ${matches.join(', ')}`);
  throw new Error(`no run ${JSON.stringify(ref)}: not a directory, nor a runId (or its start) under ${root} (rdarts runs lists them)`);
}
