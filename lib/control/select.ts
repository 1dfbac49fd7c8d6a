/**
 * R-DARTS selection (docs/method.md §4): run DARTS at several regularisation strengths and keep the
 * architecture whose search-time validation signal is best. The signal is read from the run
 * records only: by default the supernet's accuracy on the alpha half (eval mode) after the last
 * epoch, the code's `valid_acc` (for a run stopped early, after its stop epoch).
 */
import type { StoredRun } from '../runs/run_read';
import type { Genotype } from '../spaces/genotype';

/** A run's validation signal: higher is better. */
export type SelectionSignal = (run: StoredRun) => number;

/** The supernet's validation accuracy at the run's result epoch (its genotype's epoch). */
export const FINAL_VALID_ACCURACY: SelectionSignal = (run) => {
  const epoch = run.genotype?.epoch ?? run.epochs.length - 1;
  const record = run.epochs[epoch];
  if (!record) throw new Error(`selectRun: run ${run.runId} has no record of epoch ${epoch}`);
  return record.valid.accuracy;
};

/**
 * For a problem whose records' `accuracy` fields hold an error, lower being better (the disparity
 * search's end-point error, lib/problems/disparity/problem.ts): minus that error at the result epoch.
 */
export const FINAL_VALID_ERROR: SelectionSignal = (run) => -FINAL_VALID_ACCURACY(run);

export interface Selection {
  readonly run: StoredRun;
  readonly genotype: Genotype;
  readonly signal: number;
  /** Every candidate's signal, in the order given. */
  readonly signals: readonly { readonly runId: string; readonly signal: number }[];
}

/** The finished run with the highest signal (the first on ties); throws on none or an unfinished run. */
export function selectRun(runs: readonly StoredRun[], signal: SelectionSignal = FINAL_VALID_ACCURACY): Selection {
  if (runs.length === 0) throw new Error('selectRun: no runs to select from');
  const unfinished = runs.filter((r) => !r.done || !r.genotype);
  if (unfinished.length > 0) throw new Error(`selectRun: unfinished runs: ${unfinished.map((r) => r.runId).join(', ')}`);
  const signals = runs.map((r) => ({ runId: r.runId, signal: signal(r) }));
  let best = 0;
  signals.forEach((s, i) => {
    if (s.signal > signals[best].signal) best = i;
  });
  const run = runs[best];
  return { run, genotype: (run.genotype as { genotype: Genotype }).genotype, signal: signals[best].signal, signals };
}
