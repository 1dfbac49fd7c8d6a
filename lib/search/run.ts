/**
 * `runSearch(problem)`: the one way to get a search's results, for any search problem
 * (./problem.ts). A finished run is read back; an unfinished one resumes from its last checkpoint;
 * a missing one starts. Write order and resume rule: lib/runs/store.ts. After each epoch's record
 * is stored, the eigenvalue controller (DARTS-ES / DARTS-ADA, docs/method.md §4) decides
 * (lib/control/controller.ts `controllerDecision`) and this loop carries the decision out.
 * The DARTS problem's entry point is `ensureRun(config)` (lib/problems/darts/run.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LoopConfig, SearchConfig } from '../config/search_config';
import { ControllerDecision, controllerDecision, controllerRule, currentL2, rollbackSpan } from '../control/controller';
import type { CurvatureRecord, CurvatureSettings } from '../hessian/track';
import type { SearchModel } from '../nn/model';
import { loadCheckpoint } from '../runs/checkpoint';
import { ensureJob } from '../runs/job';
import { checkpointEpochs, type CheckpointRef, readEpochs } from '../runs/run_read';
import { type ArchitectureRecord, type DartsArchitectureRecord, type EpochRecord, epochSeconds, savedEpochsMessage } from '../runs/records';
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
import { disposeSearchState, initialState, searchEpoch, StepInfo } from './loop';
import type { SearchData, SearchProblem } from './problem';
import { makeProgress, ProgressMode } from './progress';

export interface RunOptions<A extends ArchitectureRecord = ArchitectureRecord> {
  /** Folder of run directories (default results/runs). */
  readonly root?: string;
  /** Progress display (default: the config's `report.progress`). */
  readonly progress?: ProgressMode;
  /** Stop (unfinished, resumable) after this many epochs of this call: an interruption, for tests. */
  readonly maxEpochs?: number;
  /** Which epoch checkpoints to keep besides the latest (default none; 'adaptive' keeps what a rollback may need). */
  readonly keepCheckpoint?: (epoch: number) => boolean;
  /** Called after every search iteration, and after every epoch once its record is stored. */
  readonly hooks?: {
    readonly step?: (info: StepInfo) => void;
    readonly epoch?: (record: EpochRecord<A>) => void;
    readonly decision?: (decision: ControllerDecision<A>) => void;
  };
  /**
   * A fake eigenvalue source for tests (as the original code's debug mode): the curvature record
   * of `epoch`; `rollbacks` is the number of DARTS-ADA rollbacks so far.
   */
  readonly fakeCurvature?: (epoch: number, rollbacks: number) => number;
}

/** How a run was found, and the run as stored after it. */
export interface RunResult<C = SearchConfig, A extends ArchitectureRecord = DartsArchitectureRecord> {
  readonly status: 'finished' | 'resumed' | 'started' | 'interrupted';
  readonly run: StoredRun<C, A>;
}

const totalSeconds = (records: readonly EpochRecord<ArchitectureRecord>[]) => records.reduce((s, r) => s + epochSeconds(r), 0);

/**
 * Loads the checkpoint a run resumes from; one that cannot be loaded (truncated, edited, of another
 * network) throws the loader's error with the remedy: deleting it makes the next call resume from
 * the latest earlier checkpoint, or start again (lib/runs/store.ts `prepareResume`).
 */
function loadResumeCheckpoint(checkpoint: CheckpointRef, dir: string, state: Parameters<typeof loadCheckpoint>[1]): void {
  try {
    loadCheckpoint(checkpoint.file, state);
  } catch (e) {
    const earlier = checkpointEpochs(dir).filter((x) => x < checkpoint.epoch);
    const then =
      earlier.length > 0
        ? `from epoch ${earlier[earlier.length - 1] + 1} (its checkpoint of epoch ${earlier[earlier.length - 1]} is kept)`
        : `from epoch 0 (the ${checkpoint.epoch + 1} stored epochs are discarded: no earlier checkpoint is kept)`;
    throw new Error(
      `${(e as Error).message}\nThe run cannot resume from this checkpoint. Remedy: delete ${checkpoint.file} and run the same ` +
        `command again; the run then resumes ${then}.`,
      { cause: e },
    );
  }
}

/** Reads, resumes or starts the search run of `problem`; resolves when it is finished (or interrupted). */
export async function runSearch<B, A extends ArchitectureRecord, C extends LoopConfig>(
  problem: SearchProblem<B, A, C>,
  options: RunOptions<A> = {},
): Promise<RunResult<C, A>> {
  const { config, codec } = problem;
  const dir = runDirFor(config, options.root, codec);
  // The job protocol (lib/runs/job.ts): finished? may compute? data, config.json and lock; finished meanwhile? resume.
  // The data is released however the job ends (finished meanwhile, a lock refused, done).
  let data: SearchData<B> | undefined;
  try {
    return await ensureJob({
      dir,
      read: (d) => (fs.existsSync(d) ? readRun<C, A>(d, codec) : undefined),
      finished: (run) => (run?.done ? { status: 'finished' as const, run } : undefined),
      label: () => `search run ${path.basename(dir)} (${problem.label})`,
      hint: 'compute it with `rdarts experiment --preset P` (the planned searches) or `rdarts search`, then call again',
      lockLabel: `search run ${path.basename(dir)}`,
      saved: (d) => savedEpochsMessage(readEpochs(d).length, config.epochs),
      prepare: () => (data = problem.loadData()),
      create: (d) => createRun(config, options.root, codec, d.source === undefined ? {} : { data: d.source }),
      resume: (d, dir) => continueRun(problem, options, d, dir),
    });
  } finally {
    data?.release?.();
  }
}

/** runSearch's work on an existing, locked run directory: resume (or start) and finish it. */
async function continueRun<B, A extends ArchitectureRecord, C extends LoopConfig>(
  problem: SearchProblem<B, A, C>,
  options: RunOptions<A>,
  data: SearchData<B>,
  dir: string,
): Promise<RunResult<C, A>> {
  const { config, codec } = problem;
  const read = () => readRun<C, A>(dir, codec);
  reconcileRollback(dir);
  const { startEpoch, checkpoint } = prepareResume(dir);
  const status = startEpoch > 0 ? 'resumed' : 'started';
  // The id the directory was created under (config.json's), as the checkpoint's meta records it.
  const runId = path.basename(dir);
  const state = initialState(problem, data);
  const mode = options.progress ?? config.report.progress;
  const progress = makeProgress(mode, config.epochs, config.report.logEvery, undefined, undefined, problem.metricName);
  const rule = controllerRule(config);
  const span = rollbackSpan(config);
  const keep = options.keepCheckpoint ?? (() => false);
  let stoppedAt: ControllerDecision<A> | undefined;
  try {
    if (checkpoint) loadResumeCheckpoint(checkpoint, dir, state);
    let decisions = read().decisions;
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
      read()
        .epochs.filter((r) => r.epoch < before && r.hessian)
        .pop()?.hessian?.vector;
    let curvatureStart = lastVector(startEpoch);
    const fake = options.fakeCurvature;
    const measureCurvature = fake
      ? async (m: SearchModel<B>, batches: readonly B[], s: CurvatureSettings, epoch: number): Promise<CurvatureRecord> => ({
          method: 'lanczos',
          dominantEigenvalue: fake(epoch, decisions.filter((d) => d.action === 'rollback').length),
          vector: [],
          products: 0,
          gradients: 0,
          converged: true,
          batchSize: batches.reduce((n, b) => n + m.examples(b), 0),
          hvp: { scheme: s.scheme, step: s.step, weightDecay: s.weightDecay, kinkSites: 0 },
        })
      : undefined;
    for (let epoch = startEpoch; epoch < stop; epoch++) {
      const record = await searchEpoch(problem, data, state, epoch, {
        onStep: (info) => {
          progress.step(info);
          options.hooks?.step?.(info);
        },
        ...(curvatureStart && curvatureStart.length > 0 ? { curvatureStart } : {}),
        ...(measureCurvature ? { measureCurvature } : {}),
      });
      if (record.hessian) curvatureStart = record.hessian.vector;
      saveEpochCheckpoint(dir, epoch, state, runId);
      appendEpoch(dir, record);
      // 'adaptive' keeps the checkpoints that a rollback may return to: a firing now reaches `span`
      // back, and after its rollback to epoch - span a firing at any later epoch reaches `span` back
      // from there, so twice the span (a PTB search rolled back twice and found its checkpoint gone).
      pruneCheckpoints(dir, (e) => keep(e) || (config.earlyStop === 'adaptive' && e >= epoch - 2 * span));
      progress.epoch(record, config.epochs, problem.describe?.(record));
      options.hooks?.epoch?.(record);
      if (config.earlyStop === 'off' || !record.hessian) continue;
      const decision = controllerDecision(config, read().epochs, l2, decisions, rule);
      if (!decision) continue;
      appendDecision(dir, decision);
      decisions = [...decisions, decision];
      options.hooks?.decision?.(decision);
      if (decision.action === 'stop') {
        stoppedAt = decision;
        break;
      }
      if (decision.action === 'rollback') {
        // Roll back to the state after the stop epoch, raise L2 and go on from there.
        truncateEpochs(dir, decision.stopEpoch + 1);
        loadCheckpoint(checkpointFile(dir, decision.stopEpoch), state);
        l2 = decision.l2.after;
        state.weightOpt.options = { ...state.weightOpt.options, weightDecay: l2 };
        curvatureStart = lastVector(decision.stopEpoch + 1);
        epoch = decision.stopEpoch;
      }
    }
    progress.done(stoppedAt !== undefined || read().epochs.length >= config.epochs);
  } finally {
    disposeSearchState(state);
  }
  const run = read();
  if (stoppedAt) {
    markDone(dir, stoppedAt.genotype, stoppedAt.stopEpoch, totalSeconds(run.epochs));
    return { status, run: read() };
  }
  if (run.epochs.length < config.epochs) return { status: 'interrupted', run };
  const last = run.epochs[run.epochs.length - 1];
  pruneCheckpoints(dir, keep);
  markDone(dir, last.genotype, last.epoch, totalSeconds(run.epochs));
  return { status, run: read() };
}
