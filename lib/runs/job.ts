/**
 * The one protocol of every resumable job in a directory: a search (lib/search/run.ts), an
 * evaluation (lib/train/train.ts), a baseline (lib/baselines/rs_ws.ts).
 *   1. finished? read it back and return: nothing is computed, nothing written;
 *   2. may this process compute? (read-only mode, lib/runs/compute_guard.ts, says how instead);
 *   3. load what the work needs (data), so that a missing or corrupt file changes nothing;
 *   4. create the directory's identity (config.json) and take its lock (lib/runs/lock.ts), registered
 *      for the interrupt handler (lib/runs/interrupt.ts);
 *   5. finished after all? another process may have finished it while this one waited: read back;
 *   6. resume the work from the directory's latest checkpoint, or start it, and finish it.
 * Each job brings its own files and resume rule; this file only fixes the order of the steps. The
 * directory is read once before the lock (steps 1-2) and once under it (steps 5-6).
 */
import { assertMayCompute } from './compute_guard';
import { registerActiveJob } from './interrupt';
import { acquireLock } from './lock';

export interface Job<T, P, S> {
  /** The job's directory (it may not exist yet). */
  readonly dir: string;
  /** What `dir` holds now (e.g. undefined: nothing yet); throws on a directory that holds another job. */
  read(dir: string): S;
  /** The finished result in what `read` returned from `dir`, or undefined. */
  finished(stored: S, dir: string): T | undefined;
  /** What the job is, for the read-only message, e.g. "search run 0bf524b59982 (s3, seed 0)". */
  label(stored: S): string;
  /** How to compute it where this process may not (the read-only message's advice). */
  readonly hint: string;
  /** What the lock names (default the label). */
  readonly lockLabel?: string;
  /**
   * What is saved in `dir` now and where a re-run resumes (one sentence), for the message of an
   * interrupted run (lib/runs/interrupt.ts).
   */
  saved?(dir: string): string;
  /** Loads what the work needs, before anything is written. */
  prepare(): P;
  /** Writes the directory's identity (it may record what `prepare` loaded) and returns the directory (default: `dir` as it is). */
  create?(prepared: P): string;
  /** Resumes or starts the work in the locked directory from what it holds (`stored`, read under the lock) and finishes it (or stops, resumable). */
  resume(prepared: P, dir: string, stored: S): Promise<T>;
}

/** Runs `job` through the protocol above: its finished result, or the result of resuming it. */
export async function ensureJob<T, P, S>(job: Job<T, P, S>): Promise<T> {
  const first = job.read(job.dir);
  const done = job.finished(first, job.dir);
  if (done !== undefined) return done;
  const label = job.label(first);
  assertMayCompute(label, job.hint);
  const prepared = job.prepare();
  const dir = job.create ? job.create(prepared) : job.dir;
  const what = job.lockLabel ?? label;
  const release = acquireLock(dir, what);
  const saved = job.saved?.bind(job);
  const unregister = registerActiveJob({ what, dir, release, ...(saved ? { saved: () => saved(dir) } : {}) });
  try {
    const current = job.read(dir);
    const meanwhile = job.finished(current, dir);
    if (meanwhile !== undefined) return meanwhile;
    return await job.resume(prepared, dir, current);
  } finally {
    unregister();
    release();
  }
}
