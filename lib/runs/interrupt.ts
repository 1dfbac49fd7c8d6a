/**
 * Ctrl-C (SIGINT) or SIGTERM while a job computes. Every job runs through `ensureJob`
 * (lib/runs/job.ts), which registers itself here while it holds its directory's lock. The handler
 * that `onInterrupt` installs (the CLI installs it; a script or a notebook may) releases those locks,
 * says what was stopped, what is saved and how to resume, and ends the process with the signal's
 * exit code (130, 143). Without it Node ends the process at once: no message, and a `.lock` left
 * behind (stale, so taken over by the next run, but confusing).
 *
 * The handler runs between search steps: the step loops yield to the event loop after each step
 * (`yieldToSignals`), so a Ctrl-C is answered within one step, never in the middle of writing a
 * checkpoint or a record.
 */

/** A job holding its lock, as the handler sees it. */
export interface ActiveJob {
  /** What it is, e.g. "search run 0bf524b59982". */
  readonly what: string;
  readonly dir: string;
  /** What is saved of it now, and where a re-run resumes, e.g. "epochs 0-12 of 0-49 are saved ...". */
  readonly saved?: () => string;
  readonly release: () => void;
}

const active = new Set<ActiveJob>();

/** Registers `job` until the returned function is called (ensureJob does both). */
export function registerActiveJob(job: ActiveJob): () => void {
  active.add(job);
  return () => {
    active.delete(job);
  };
}

/** The jobs computing in this process now. */
export function activeJobs(): readonly ActiveJob[] {
  return [...active];
}

/**
 * Releases every active job's lock and returns the lines that say what was stopped, what is saved
 * and how to resume (one job a line). Called by the interrupt handler; safe to call twice.
 */
export function stopActiveJobs(signal: string): string[] {
  const lines: string[] = [];
  for (const job of [...active]) {
    const saved = (() => {
      try {
        return job.saved ? ` ${job.saved()}` : '';
      } catch (e) {
        return ` (could not read what is saved: ${(e as Error).message})`;
      }
    })();
    job.release();
    active.delete(job);
    lines.push(`${signal}: stopped ${job.what} in ${job.dir}; its lock is released.${saved}`);
  }
  return lines;
}

/** The exit code of a process ended by `signal`, as a shell reports it (128 + the signal's number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}

/**
 * Installs the handler for SIGINT and SIGTERM: it stops the active jobs (above), prints its lines
 * through `log` (with the way to resume when nothing was running, none) and exits with the signal's
 * code. Returns its uninstaller. `exit` is replaceable for tests.
 */
export function onInterrupt(
  log: (line: string) => void = (l) => console.error(l),
  exit: (code: number) => void = (c) => process.exit(c),
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    const lines = stopActiveJobs(signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `interrupted (${signal})`);
    for (const line of lines) log(line);
    if (lines.length > 0) log('Run the same command (or call) again to resume from what is saved.');
    exit(signalExitCode(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Lets pending signals (and other events) be handled: awaited after each step of a long loop. */
export function yieldToSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
