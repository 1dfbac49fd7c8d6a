/**
 * The run store (runs are content-addressed by their config and resumable): the files of one search
 * run, each written atomically (writeFileAtomic). This file writes; ./run_read.ts reads back and
 * validates (re-exported here). A run directory `<resultsDir()>/runs/<runId>/` holds
 *   config.json                        { runId, config, createdAt, backend, versions }
 *   epochs.jsonl                       one EpochRecord a line (without `seconds`), epochs 0..k-1 in
 *                                      order; identical between runs of one config on one backend
 *   timings.jsonl                      { epoch, search, valid } seconds a line, written before
 *                                      epochs.jsonl; both rewritten whole
 *                                      on each append, so a crash never leaves half a line
 *   checkpoint/epoch-<e>.safetensors   the search state after epoch e (lib/runs/checkpoint.ts)
 *   genotype.json                      { epoch, genotype }: the final genotype and its epoch
 *   DONE                               { finishedAt, seconds }, written last: the run is finished
 *
 * Write order and resume rule. The loop finishes epoch e with
 *   1. saveEpochCheckpoint(dir, e, state)   2. appendEpoch(dir, record)   3. pruneCheckpoints(dir, keep)
 * so every stored record had its checkpoint written first: "record e exists" means "the state
 * after epoch e was saved", and a crash never retracts a record that a reader has seen. A process
 * killed between 1 and 2 leaves a checkpoint without its record: `latestCheckpoint` ignores it,
 * `prepareResume` deletes it. Resume starts after the last epoch that has both:
 *   const dir = createRun(config);                       // or the existing run, unchanged
 *   if (!readRun(dir).done) {
 *     const { startEpoch, checkpoint } = prepareResume(dir);
 *     if (checkpoint) loadCheckpoint(checkpoint.file, state);   // else start from scratch
 *     for (let e = startEpoch; e < config.epochs; e++) { ...; 1; 2; 3 }
 *     markDone(dir, genotype, epoch, seconds);            // genotype.json, then DONE
 *   }
 * Records without a checkpoint (one deleted by hand) are dropped by prepareResume. Readers
 * (readRun, listRuns) change nothing, so a notebook may read a run that another process writes;
 * only the process that owns the run calls the writers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { backendInfo } from '../backend';
import type { SearchConfig } from '../config/search_config';
import type { ConfigCodec } from '../config/validation';
import type { ArchitectureRecord, ControllerDecision, EpochRecord } from './records';
import { softwareVersions } from '../versions';
import { writeFileAtomic } from '../io/atomic';
import { type CheckpointModel, saveCheckpoint, type SearchState } from './checkpoint';
import {
  checkpointEpochs,
  checkpointFile,
  type CheckpointRef,
  dartsCodec,
  latestCheckpoint,
  readDecisions,
  readEpochs,
  readRunConfig,
  RUN_FILES,
  type RunConfigFile,
  runDirFor,
  runsRoot,
} from './run_read';

export {
  checkpointEpochs,
  checkpointFile,
  latestCheckpoint,
  listRuns,
  readDecisions,
  readEpochs,
  readRun,
  readRunConfig,
  readRunIfAny,
  readRunProblem,
  resolveRunRef,
  RUN_FILES,
  runDirFor,
  runSeconds,
  runsRoot,
} from './run_read';
export type { CheckpointRef, RunConfigFile, RunSummary, StoredRun } from './run_read';

/** The configs the store handles: any JSON object, through its codec (the DARTS search config's by default). */
type Config = object;

/** What config.json records beside the config, when known. */
export interface RunExtra {
  /** Where the search's data were read from (a folder or an archive). */
  readonly data?: string;
}

/**
 * Creates the run directory of `config` under `root` with its config.json and returns the
 * directory. An existing run of the same config (by `codec.canonical`, so `report` may differ) is
 * returned unchanged; one whose config.json holds another config throws, naming the directory.
 */
export function createRun(config: SearchConfig, root?: string): string;
export function createRun<C extends Config>(config: C, root: string | undefined, codec: ConfigCodec<C>, extra?: RunExtra): string;
export function createRun<C extends Config>(
  config: C,
  root: string = runsRoot(),
  codec: ConfigCodec<C> = dartsCodec<C>(),
  extra: RunExtra = {},
): string {
  const checked = codec.check(config, 'createRun');
  const dir = runDirFor(checked, root, codec);
  if (fs.existsSync(path.join(dir, RUN_FILES.config))) {
    const stored = readRunConfig(dir, codec);
    if (codec.canonical(stored.config) !== codec.canonical(checked)) {
      throw new Error(`createRun: run directory ${dir} holds another config (a hash collision or an edited config.json)`);
    }
    return dir;
  }
  const record: RunConfigFile<C> = {
    runId: codec.id(checked),
    config: checked,
    createdAt: new Date().toISOString(),
    backend: backendInfo()?.name ?? null,
    versions: softwareVersions(),
    ...(extra.data === undefined ? {} : { data: extra.data }),
  };
  writeFileAtomic(path.join(dir, RUN_FILES.config), JSON.stringify(record, null, 2) + '\n');
  return dir;
}

function writeEpochs(dir: string, records: readonly EpochRecord<ArchitectureRecord>[]): void {
  // Timings first: every record in epochs.jsonl then has its timing (see readEpochs).
  writeFileAtomic(path.join(dir, RUN_FILES.timings), records.map((r) => JSON.stringify({ epoch: r.epoch, ...r.seconds }) + '\n').join(''));
  writeFileAtomic(
    path.join(dir, RUN_FILES.epochs),
    records
      .map((r) => {
        const { seconds: _seconds, ...rest } = r;
        return JSON.stringify(rest) + '\n';
      })
      .join(''),
  );
}

/**
 * Appends `record` to epochs.jsonl, rewriting the file atomically. Its epoch must equal the number
 * of stored epochs. Save the epoch's checkpoint first (file header).
 */
export function appendEpoch(dir: string, record: EpochRecord<ArchitectureRecord>): void {
  const records = readEpochs<ArchitectureRecord>(dir);
  if (record.epoch !== records.length) {
    throw new Error(`appendEpoch ${dir}: epoch ${record.epoch} after ${records.length} stored epochs`);
  }
  writeEpochs(dir, [...records, record]);
}

/**
 * Keeps the first `count` epoch records (resume; DARTS-ADA rollbacks). A finished run is finished
 * no more (DONE and genotype.json go), and the checkpoints of epochs >= count are deleted before
 * the records, so none of them can pair with a later record of the same epoch.
 */
export function truncateEpochs(dir: string, count: number): void {
  const records = readEpochs<ArchitectureRecord>(dir);
  if (!Number.isInteger(count) || count < 0 || count > records.length) {
    throw new Error(`truncateEpochs ${dir}: count must be an integer in [0, ${records.length}], got ${count}`);
  }
  fs.rmSync(path.join(dir, RUN_FILES.done), { force: true });
  fs.rmSync(path.join(dir, RUN_FILES.genotype), { force: true });
  for (const e of checkpointEpochs(dir)) if (e >= count) fs.rmSync(checkpointFile(dir, e), { force: true });
  if (count < records.length) writeEpochs(dir, records.slice(0, count));
}

/**
 * Appends a controller decision to decisions.jsonl (the file rewritten whole, atomically). For a
 * rollback, call before truncateEpochs: a crash in between leaves records past the stop epoch that
 * `reconcileRollback` drops on resume.
 */
export function appendDecision(dir: string, decision: ControllerDecision<ArchitectureRecord>): void {
  const lines = readDecisions(dir).map((d) => JSON.stringify(d) + '\n');
  writeFileAtomic(path.join(dir, RUN_FILES.decisions), lines.join('') + JSON.stringify(decision) + '\n');
}

/**
 * After a crash between appendDecision and truncateEpochs of a rollback: drops the records after the
 * last rollback's stop epoch that were made before it (their L2 is not the raised one). Owner only.
 */
export function reconcileRollback(dir: string): void {
  const last = readDecisions(dir)
    .filter((d) => d.action === 'rollback')
    .pop();
  if (!last) return;
  const records = readEpochs<ArchitectureRecord>(dir);
  const stale = records.findIndex((r) => r.epoch > last.stopEpoch && r.regularization?.l2 !== last.l2.after);
  if (stale >= 0) truncateEpochs(dir, stale);
}

/**
 * Finishes the run: genotype.json ({ epoch, genotype }), then DONE ({ finishedAt, seconds }).
 * `epoch` is the stored epoch the genotype comes from; `seconds` the run's total wall-clock time.
 */
export function markDone(dir: string, genotype: object, epoch: number, seconds: number): void {
  const stored = readEpochs(dir).length;
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= stored) {
    throw new Error(`markDone ${dir}: epoch ${epoch} is not one of the ${stored} stored epochs`);
  }
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`markDone ${dir}: seconds must be >= 0, got ${seconds}`);
  writeFileAtomic(path.join(dir, RUN_FILES.genotype), JSON.stringify({ epoch, genotype }) + '\n');
  writeFileAtomic(path.join(dir, RUN_FILES.done), JSON.stringify({ finishedAt: new Date().toISOString(), seconds }) + '\n');
}

/** The runId written in `<dir>/config.json`, whatever the problem (not validated: the owner wrote it). */
function storedRunId(dir: string): string {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), 'utf8')) as { runId?: unknown };
  if (typeof raw.runId !== 'string') throw new Error(`run store: ${path.join(dir, RUN_FILES.config)} has no runId`);
  return raw.runId;
}

/**
 * Saves the search state after `epoch` as its checkpoint, with meta { ...state.meta, epoch, runId };
 * returns the file. Call before appendEpoch of the same epoch.
 */
export function saveEpochCheckpoint(
  dir: string,
  epoch: number,
  state: SearchState<CheckpointModel>,
  runId: string = storedRunId(dir),
): string {
  const file = checkpointFile(dir, epoch);
  saveCheckpoint(file, { ...state, meta: { ...state.meta, epoch, runId } });
  return file;
}

/**
 * Deletes the checkpoints for which `keep(epoch)` is false, except the latest (latestCheckpoint)
 * and any newer one (saved, its record not yet). Returns the deleted epochs, ascending.
 */
export function pruneCheckpoints(dir: string, keep: (epoch: number) => boolean): number[] {
  const latest = latestCheckpoint(dir)?.epoch ?? -1;
  const deleted = checkpointEpochs(dir).filter((e) => e < latest && !keep(e));
  for (const e of deleted) fs.rmSync(checkpointFile(dir, e), { force: true });
  return deleted;
}

/**
 * Makes the run in `dir` consistent for resuming (file header): deletes checkpoints without a
 * record and left-over temporary files, keeps the records up to the latest checkpoint, and returns
 * that checkpoint (to load) and the epoch to run next (0 without one). Owner only; a finished run
 * throws.
 */
export function prepareResume(dir: string): { startEpoch: number; checkpoint?: CheckpointRef } {
  if (fs.existsSync(path.join(dir, RUN_FILES.done))) throw new Error(`prepareResume: the run in ${dir} is finished (DONE exists)`);
  const stored = readEpochs<ArchitectureRecord>(dir).length;
  for (const folder of [dir, path.join(dir, RUN_FILES.checkpoints)]) {
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder)) {
      if (/^\..+\.tmp$/.test(name)) fs.rmSync(path.join(folder, name), { force: true });
    }
  }
  for (const e of checkpointEpochs(dir)) if (e >= stored) fs.rmSync(checkpointFile(dir, e), { force: true });
  const checkpoint = latestCheckpoint(dir, stored);
  const startEpoch = checkpoint ? checkpoint.epoch + 1 : 0;
  if (startEpoch < stored) truncateEpochs(dir, startEpoch);
  return { startEpoch, checkpoint };
}
