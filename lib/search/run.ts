/**
 * `ensureRun(config)`: the one way to get a search's results (DESIGN.md data flow). A finished run
 * is read back; an unfinished one resumes from its last checkpoint; a missing one starts. The CLI,
 * the notebooks and the tests all call it. Write order and resume rule: lib/runs/store.ts. The
 * eigenvalue controller (DARTS-ES / DARTS-ADA, PAPER.md 4; lib/control/controller.ts) acts here,
 * after an epoch's record is stored.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SearchConfig } from '../config/search_config';
import { canRaiseL2, ControllerDecision, controllerRule, currentL2, eigenvalueHistory, rollbackSpan } from '../control/controller';
import { earlyStopDecision } from '../control/early_stop';
import type { Dataset } from '../data/dataset';
import type { CurvatureRecord, CurvatureSettings } from '../hessian/track';
import { loadCheckpoint } from '../runs/checkpoint';
import { assertMayCompute } from '../runs/compute_guard';
import { acquireLock } from '../runs/lock';
import {
  appendDecision,
  appendEpoch,
  checkpointFile,
  createRun,
  markDone,
  prepareResume,
  pruneCheckpoints,
  readRun,
  reconcileRollback,
  runDirFor,
  saveEpochCheckpoint,
  StoredRun,
  truncateEpochs,
} from '../runs/store';
import type { SearchNetwork } from '../supernet/network';
import { createSearchState, disposeSearchState, searchData, searchEpoch, StepInfo } from './loop';
import type { EpochRecord } from './records';
import { makeProgress, ProgressMode } from './progress';
import type { Batch } from './step';

export interface EnsureRunOptions {
  /** Folder of run directories (default results/runs). */
  readonly root?: string;
  /** The training split to search on, instead of loading `config.dataset` (tests). */
  readonly train?: Dataset;
  /** Progress display (default: the config's `report.progress`). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after this many epochs of this call: an interruption, for tests. */
  readonly maxEpochs?: number;
  /** Which epoch checkpoints to keep besides the latest (default none; 'adaptive' keeps what a rollback may need). */
  readonly keepCheckpoint?: (epoch: number) => boolean;
  /** Called after every search iteration, and after every epoch once its record is stored. */
  readonly hooks?: {
    readonly step?: (info: StepInfo) => void;
    readonly epoch?: (record: EpochRecord) => void;
    readonly decision?: (decision: ControllerDecision) => void;
  };
  /**
   * A fake eigenvalue source for tests (as the original code's debug mode): the curvature record
   * of `epoch`; `rollbacks` is the number of DARTS-ADA rollbacks so far.
   */
  readonly fakeCurvature?: (epoch: number, rollbacks: number) => number;
}

/** How ensureRun found the run, and the run as stored after it. */
export interface RunResult {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly run: StoredRun;
}

const totalSeconds = (records: readonly EpochRecord[]) =>
  records.reduce((s, r) => s + r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0), 0);

/** Reads, resumes or starts the search run of `config`; resolves when it is finished (or interrupted). */
export async function ensureRun(config: SearchConfig, options: EnsureRunOptions = {}): Promise<RunResult> {
  const existing = runDirFor(config, options.root);
  if (fs.existsSync(existing) && readRun(existing).done) return { status: 'finished', run: readRun(existing) };
  assertMayCompute(
    `search run ${path.basename(existing)} (${config.space}, seed ${config.seed})`,
    'compute it with `rdarts experiment --preset P` (the planned searches) or `rdarts search`, then call again',
  );
  // Data first: a missing or corrupt data file fails before anything of the run is written.
  const data = searchData(config, options.train);
  const dir = createRun(config, options.root);
  const release = acquireLock(dir, `search run ${path.basename(dir)}`);
  try {
    // Read again under the lock: another process may have finished it meanwhile.
    if (readRun(dir).done) return { status: 'finished', run: readRun(dir) };
    return await continueRun(config, options, data, dir);
  } finally {
    release();
  }
}

/** ensureRun's work on an existing, locked run directory: resume (or start) and finish it. */
async function continueRun(
  config: SearchConfig,
  options: EnsureRunOptions,
  data: ReturnType<typeof searchData>,
  dir: string,
): Promise<RunResult> {
  reconcileRollback(dir);
  const { startEpoch, checkpoint } = prepareResume(dir);
  const status = startEpoch > 0 ? 'resumed' : 'started';
  const state = createSearchState(config, data);
  const progress = makeProgress(options.progress ?? config.report.progress, config.epochs, config.report.logEvery);
  const rule = controllerRule(config);
  const span = rollbackSpan(config);
  const keep = options.keepCheckpoint ?? (() => false);
  let stoppedAt: ControllerDecision | undefined;
  try {
    if (checkpoint) loadCheckpoint(checkpoint.file, state);
    let decisions = readRun(dir).decisions;
    // A 'stop' recorded before a crash (between its decision and DONE) ends the run now.
    stoppedAt = config.earlyStop === 'stop' ? decisions.find((d) => d.action === 'stop') : undefined;
    let l2 = currentL2(config, decisions);
    state.weightOpt.options = { ...state.weightOpt.options, weightDecay: l2 };
    const stop = stoppedAt
      ? startEpoch
      : options.maxEpochs === undefined
        ? config.epochs
        : Math.min(config.epochs, startEpoch + options.maxEpochs);
    // Lanczos starts from the previous measurement's eigenvector (from the records on resume, so a
    // resumed run measures exactly as an uninterrupted one).
    const lastVector = (before: number) =>
      readRun(dir)
        .epochs.filter((r) => r.epoch < before && r.hessian)
        .pop()?.hessian?.vector;
    let curvatureStart = lastVector(startEpoch);
    const fake = options.fakeCurvature;
    const measureCurvature = fake
      ? async (_n: SearchNetwork, b: Batch, s: CurvatureSettings, epoch: number): Promise<CurvatureRecord> => ({
          method: 'lanczos',
          dominantEigenvalue: fake(epoch, decisions.filter((d) => d.action === 'rollback').length),
          vector: [],
          products: 0,
          gradients: 0,
          converged: true,
          batchSize: b.y.shape[0],
          hvp: { scheme: s.scheme, step: s.step, weightDecay: s.weightDecay, kinkSites: 0 },
        })
      : undefined;
    for (let epoch = startEpoch; epoch < stop; epoch++) {
      const record = await searchEpoch(config, data, state, epoch, {
        onStep: (info) => {
          progress.step(info);
          options.hooks?.step?.(info);
        },
        ...(curvatureStart && curvatureStart.length > 0 ? { curvatureStart } : {}),
        ...(measureCurvature ? { measureCurvature } : {}),
      });
      if (record.hessian) curvatureStart = record.hessian.vector;
      saveEpochCheckpoint(dir, epoch, state);
      appendEpoch(dir, record);
      // 'adaptive' keeps the checkpoints that a rollback may return to.
      pruneCheckpoints(dir, (e) => keep(e) || (config.earlyStop === 'adaptive' && e >= epoch - span));
      progress.epoch(record, config.epochs);
      options.hooks?.epoch?.(record);
      if (config.earlyStop === 'off' || !record.hessian) continue;
      if (config.earlyStop === 'adaptive' && !canRaiseL2(config, l2)) continue;
      if (config.earlyStop === 'simulate' && decisions.length > 0) continue;
      const records = readRun(dir).epochs;
      const fired = earlyStopDecision(eigenvalueHistory(records), rule, config.epochs);
      if (!fired.stop) continue;
      const atStop = records[fired.stopEpoch];
      const after = config.earlyStop === 'adaptive' ? Math.min(l2 * config.controller.l2Factor, config.controller.maxL2) : l2;
      const decision: ControllerDecision = {
        action: config.earlyStop === 'adaptive' ? 'rollback' : config.earlyStop,
        rule: rule.name,
        decisionEpoch: fired.decisionEpoch,
        stopEpoch: fired.stopEpoch,
        ratio: fired.ratio,
        genotype: atStop.genotype,
        l2: { before: l2, after },
        ...(config.earlyStop === 'adaptive' ? { discarded: records.slice(fired.stopEpoch + 1).map(({ seconds: _s, ...r }) => r) } : {}),
      };
      appendDecision(dir, decision);
      decisions = [...decisions, decision];
      options.hooks?.decision?.(decision);
      if (config.earlyStop === 'stop') {
        stoppedAt = decision;
        break;
      }
      if (config.earlyStop === 'adaptive') {
        // Roll back to the state after the stop epoch, raise L2 and go on from there.
        truncateEpochs(dir, fired.stopEpoch + 1);
        loadCheckpoint(checkpointFile(dir, fired.stopEpoch), state);
        l2 = after;
        state.weightOpt.options = { ...state.weightOpt.options, weightDecay: l2 };
        curvatureStart = lastVector(fired.stopEpoch + 1);
        epoch = fired.stopEpoch;
      }
    }
    progress.done();
  } finally {
    disposeSearchState(state);
  }
  const run = readRun(dir);
  if (stoppedAt) {
    markDone(dir, stoppedAt.genotype, stoppedAt.stopEpoch, totalSeconds(run.epochs));
    return { status, run: readRun(dir) };
  }
  if (run.epochs.length < config.epochs) return { status: 'interrupted', run };
  const last = run.epochs[run.epochs.length - 1];
  pruneCheckpoints(dir, keep);
  markDone(dir, last.genotype, last.epoch, totalSeconds(run.epochs));
  return { status, run: readRun(dir) };
}
