/**
 * A language-modelling search's latest checkpoint, loaded for the curvature benchmarks
 * (./curvature_windows.ts, ./curvature_consistency.ts): the run's records, its data, the search
 * state at the checkpoint and the plan of the checkpoint's epoch. Call `release()` when done.
 */
import { PTB_CONFIG_CODEC, type PtbConfig } from '../problems/ptb/config';
import type { TextWindow } from '../problems/ptb/data';
import { ptbProblem } from '../problems/ptb/problem';
import { loadCheckpoint, type SearchState } from '../runs/checkpoint';
import { latestCheckpoint, readRun, type StoredRun } from '../runs/store';
import type { SearchModel } from '../nn/model';
import { disposeSearchState, initialState } from '../search/loop';
import type { EpochPlan, SearchData } from '../search/problem';

/** What `loadPtbCheckpoint` returns. */
export interface PtbCheckpoint {
  readonly run: StoredRun<PtbConfig, never>;
  readonly data: SearchData<TextWindow>;
  readonly state: SearchState<SearchModel<TextWindow>>;
  /** The plan of the checkpoint's epoch (its windows and their alpha windows). */
  readonly plan: EpochPlan;
  /**
   * The epoch's first `count` alpha windows in the search's order (each drawn after its weights'
   * window, so that each starts from the hidden state the search carried to it); the caller
   * disposes them with `data.dispose`.
   */
  alphaWindows(count: number): TextWindow[];
  /** Frees the state and the data. */
  release(): void;
}

/** Loads the latest checkpoint of the language-modelling run in `dir` (an error names a run without one). */
export function loadPtbCheckpoint(dir: string): PtbCheckpoint {
  const run = readRun<PtbConfig, never>(dir, PTB_CONFIG_CODEC);
  const ckpt = latestCheckpoint(dir);
  if (!ckpt) throw new Error(`${dir} holds no checkpoint`);
  const data = ptbProblem(run.config).loadData();
  const state = initialState(ptbProblem(run.config), data);
  try {
    loadCheckpoint(ckpt.file, state);
  } catch (e) {
    disposeSearchState(state);
    data.release?.();
    throw e;
  }
  const c = run.config;
  const plan: EpochPlan = { epoch: ckpt.epoch, epochs: c.epochs, batchSize: c.batchSize, seed: c.seed };
  return {
    run,
    data,
    state,
    plan,
    alphaWindows: (count) => {
      const windows: TextWindow[] = [];
      if (count <= 0) return windows;
      for (const w of data.weightBatches(plan)) {
        data.dispose(w);
        windows.push(data.alphaBatch(plan, windows.length));
        if (windows.length >= count) break;
      }
      return windows;
    },
    release: () => {
      disposeSearchState(state);
      data.release?.();
    },
  };
}
