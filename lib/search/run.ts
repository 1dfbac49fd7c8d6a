/**
 * `ensureRun(config)`: the one way to get a search's results (DESIGN.md data flow). A finished run
 * is read back; an unfinished one resumes from its last checkpoint; a missing one starts. The CLI,
 * the notebooks and the tests all call it. Write order and resume rule: lib/runs/store.ts.
 */
import * as fs from 'fs';
import type { SearchConfig } from '../config/search_config';
import type { Dataset } from '../data/dataset';
import { loadCheckpoint } from '../runs/checkpoint';
import {
  appendEpoch, createRun, markDone, prepareResume, pruneCheckpoints, readRun, runDirFor, saveEpochCheckpoint, StoredRun,
} from '../runs/store';
import { checkImplemented, createSearchState, disposeSearchState, searchData, searchEpoch, StepInfo } from './loop';
import type { EpochRecord } from './records';
import { makeProgress, ProgressMode } from './progress';

export interface EnsureRunOptions {
  /** Folder of run directories (default results/runs). */
  readonly root?: string;
  /** The training split to search on, instead of loading `config.dataset` (tests). */
  readonly train?: Dataset;
  /** Progress display (default: the config's `report.progress`). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after this many epochs of this call: an interruption, for tests. */
  readonly maxEpochs?: number;
  /** Which epoch checkpoints to keep besides the latest (default none). */
  readonly keepCheckpoint?: (epoch: number) => boolean;
  /** Called after every search iteration, and after every epoch once its record is stored. */
  readonly hooks?: {
    readonly step?: (info: StepInfo) => void;
    readonly epoch?: (record: EpochRecord) => void;
  };
}

/** How ensureRun found the run, and the run as stored after it. */
export interface RunResult {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly run: StoredRun;
}

/** Reads, resumes or starts the search run of `config`; resolves when it is finished (or interrupted). */
export async function ensureRun(config: SearchConfig, options: EnsureRunOptions = {}): Promise<RunResult> {
  checkImplemented(config);
  const existing = runDirFor(config, options.root);
  if (fs.existsSync(existing) && readRun(existing).done) return { status: 'finished', run: readRun(existing) };
  // Data first: a missing or corrupt data file fails before anything of the run is written.
  const data = searchData(config, options.train);
  const dir = createRun(config, options.root);
  const { startEpoch, checkpoint } = prepareResume(dir);
  const status = startEpoch > 0 ? 'resumed' : 'started';
  const state = createSearchState(config, data);
  const progress = makeProgress(options.progress ?? config.report.progress, config.epochs, config.report.logEvery);
  try {
    if (checkpoint) loadCheckpoint(checkpoint.file, state);
    const stop = options.maxEpochs === undefined ? config.epochs : Math.min(config.epochs, startEpoch + options.maxEpochs);
    // Lanczos starts from the previous measurement's eigenvector (from the records on resume, so a
    // resumed run measures exactly as an uninterrupted one).
    let curvatureStart = readRun(dir).epochs.filter((r) => r.epoch < startEpoch && r.hessian).pop()?.hessian?.vector;
    for (let epoch = startEpoch; epoch < stop; epoch++) {
      const record = await searchEpoch(config, data, state, epoch, {
        onStep: (info) => {
          progress.step(info);
          options.hooks?.step?.(info);
        },
        ...(curvatureStart ? { curvatureStart } : {}),
      });
      if (record.hessian) curvatureStart = record.hessian.vector;
      saveEpochCheckpoint(dir, epoch, state);
      appendEpoch(dir, record);
      pruneCheckpoints(dir, options.keepCheckpoint ?? (() => false));
      progress.epoch(record, config.epochs);
      options.hooks?.epoch?.(record);
    }
    progress.done();
  } finally {
    disposeSearchState(state);
  }
  const run = readRun(dir);
  if (run.epochs.length < config.epochs) return { status: 'interrupted', run };
  const last = run.epochs[run.epochs.length - 1];
  const seconds = run.epochs.reduce((s, r) => s + r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0), 0);
  markDone(dir, last.genotype, last.epoch, seconds);
  return { status, run: readRun(dir) };
}
