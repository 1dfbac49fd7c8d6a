/**
 * Ctrl-C (SIGINT) or SIGTERM while a job computes. Every job runs through `ensureJob`
 * (lib/runs/job.ts), which registers itself here while it holds its directory's lock. The handling
 * that `onInterrupt` sets up (the CLI does; a script may; a notebook must not: tslab's kernel turns
 * SIGINT into "interrupt the cell", and exiting would lose the kernel's state, so there it does
 * nothing) releases those locks, says what was stopped, what is saved and how to resume, and ends
 * the process with the signal's exit code (130, 143). Without it Node ends the process at once: no
 * message, and a `.lock` left behind (stale, so taken over by the next run, but confusing).
 *
 * The process listens only while a job is registered: outside one, Ctrl-C ends the process at once,
 * as Node's default. Within a job the handler runs when the event loop turns: the step loops of the
 * searches, evaluations and RS-ws yield after each step (`yieldToSignals`), so a Ctrl-C is answered
 * within one step there, never in the middle of writing a checkpoint or a record; synchronous phases
 * (loading data, an epoch's evaluation pass, a curvature measurement) finish first.
 */
import { inNotebook } from '../io/display';

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

/** The handler `onInterrupt` set up, and whether it is attached to the process now. */
let handler: ((signal: NodeJS.Signals) => void) | undefined;
let listening = false;

/** Attaches the handler while a job is registered, detaches it when none is (see the file header). */
function syncListeners(): void {
  const want = handler !== undefined && active.size > 0;
  if (want === listening || (want && !handler)) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    if (want) process.on(signal, handler as (s: NodeJS.Signals) => void);
    else if (handler) process.off(signal, handler);
  }
  listening = want;
}

/** Registers `job` until the returned function is called (ensureJob does both). */
export function registerActiveJob(job: ActiveJob): () => void {
  active.add(job);
  syncListeners();
  return () => {
    active.delete(job);
    syncListeners();
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
  syncListeners();
  return lines;
}

/** The exit code of a process ended by `signal`, as a shell reports it (128 + the signal's number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}

/**
 * Sets up the handling of SIGINT and SIGTERM while a job runs: stop the active jobs (above), print
 * their lines and the way to resume through `log`, exit with the signal's code. Returns its
 * uninstaller. In a notebook it does nothing (see the file header). `exit` is replaceable for tests.
 */
export function onInterrupt(
  log: (line: string) => void = (l) => console.error(l),
  exit: (code: number) => void = (c) => process.exit(c),
): () => void {
  if (inNotebook()) return () => undefined;
  const mine = (signal: NodeJS.Signals) => {
    const lines = stopActiveJobs(signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : `interrupted (${signal})`);
    for (const line of lines) log(line);
    if (lines.length > 0) log('Run the same command (or call) again to resume from what is saved.');
    exit(signalExitCode(signal));
  };
  if (listening && handler) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, handler);
  listening = false;
  handler = mine;
  syncListeners();
  return () => {
    if (handler !== mine) return;
    if (listening) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, mine);
    listening = false;
    handler = undefined;
  };
}

/** Lets pending signals (and other events) be handled: awaited after each step of a long loop. */
export function yieldToSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
