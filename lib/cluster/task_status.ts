/**
 * Where each task of a grid stands, read from what its job writes (no accounting database): the
 * job's directory (finished? how many epochs? its lock: lib/runs/lock.ts), and, for tasks run as
 * a Slurm job array, the exit record the array script writes when a task's command ends
 * (./slurm_script.ts) and what squeue still lists. Reading changes nothing.
 *   done     the job finished (its directory says so)
 *   running  a live process holds the directory's lock (or Slurm runs its task and it is starting)
 *   failed   its last Slurm task ended with an error (not a signal), and it is not running now
 *   pending  everything else: not started, queued in Slurm, or stopped part-way (resumes there)
 */
import * as fs from 'fs';
import * as path from 'path';
import { readLock } from '../runs/lock';
import { signalExitCode } from '../runs/interrupt';

/** How far a job is, from its directory. */
export interface TaskProgress {
  readonly done: boolean;
  /** Epochs stored so far. */
  readonly epochs: number;
  /** Epochs in all, where known. */
  readonly of?: number;
}

/** A named task whose job writes one directory (a search run, an evaluation, a baseline). */
export interface DirTask {
  readonly name: string;
  /** The job's directory (it may not exist yet). */
  readonly dir: string;
  /** How far the job is (reads its directory, changes nothing). */
  progress(): TaskProgress;
}

export type TaskState = 'done' | 'running' | 'pending' | 'failed';

export interface TaskStatus {
  readonly name: string;
  readonly dir: string;
  readonly state: TaskState;
  readonly epochs: number;
  readonly of?: number;
  /** One line: who runs it, why it failed, where it resumes. */
  readonly detail: string;
  /** The Slurm task that is to run it (`job_index`), while squeue lists it as pending. */
  readonly queuedAs?: string;
}

/** What an array task records when its command ends (the array script writes it). */
export interface TaskExit {
  readonly exit: number;
  /** The array's job id and the task's index. */
  readonly job: string;
  readonly task: number;
  readonly host: string;
  readonly at: string;
  /** The directory the task's job writes. */
  readonly dir: string;
}

/** The folders of a Slurm folder (`<out>/.slurm/<name>/`; ./slurm_submit.ts). */
export const SLURM_DIRS = { logs: 'logs', exits: 'exits', submissions: 'submissions' } as const;

/** A task name as a file name. */
export const taskFileName = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Checks that no two task names share a file name (their logs, exit records and config files would mix). */
export function checkTaskNames(names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = taskFileName(name);
    const other = seen.get(file);
    if (other !== undefined)
      throw new Error(`task names ${JSON.stringify(other)} and ${JSON.stringify(name)} share the file name ${file}; rename one`);
    seen.set(file, name);
  }
}

/** Task `name`'s log in Slurm folder `slurmDir`. */
export const taskLog = (slurmDir: string, name: string) => path.join(slurmDir, SLURM_DIRS.logs, `${taskFileName(name)}.log`);

/**
 * The exit record of task `name` in Slurm folder `slurmDir`, if any and if it is of directory
 * `dir` (a grid entry whose config changed since is another run); an unreadable one reads as none.
 */
export function readTaskExit(slurmDir: string, name: string, dir?: string): TaskExit | undefined {
  const file = path.join(slurmDir, SLURM_DIRS.exits, `${taskFileName(name)}.json`);
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as TaskExit;
    return Number.isInteger(v.exit) && (dir === undefined || v.dir === dir) ? v : undefined;
  } catch {
    return undefined;
  }
}

const epochText = (p: TaskProgress) => (p.of === undefined ? `${p.epochs} epochs` : `${p.epochs}/${p.of} epochs`);

/**
 * The status of `task` (file header). `slurmDir`: the Slurm folder its array tasks record in;
 * `queued`: the Slurm state and `job_index` of the tasks squeue still lists, by their directory.
 */
export function taskStatus(task: DirTask, slurmDir?: string, queued?: ReadonlyMap<string, { state: string; id: string }>): TaskStatus {
  const p = task.progress();
  const base = { name: task.name, dir: task.dir, epochs: p.epochs, ...(p.of === undefined ? {} : { of: p.of }) };
  if (p.done) return { ...base, state: 'done', detail: 'finished' };
  const lock = readLock(task.dir);
  if (lock?.live) {
    const o = lock.owner;
    const who = o ? `pid ${o.pid} on ${o.host} since ${o.since}${o.slurmJob ? ` (Slurm job ${o.slurmJob})` : ''}` : 'an unreadable lock';
    return { ...base, state: 'running', detail: `${epochText(p)}; ${who}` };
  }
  const slurm = queued?.get(task.dir);
  if (slurm && slurm.state !== 'PENDING')
    return { ...base, state: 'running', detail: `Slurm task ${slurm.id} ${slurm.state.toLowerCase()}` };
  if (slurm)
    return {
      ...base,
      state: 'pending',
      queuedAs: slurm.id,
      detail: `queued as Slurm task ${slurm.id}${p.epochs > 0 ? `; resumes after ${epochText(p)}` : ''}`,
    };
  const exit = slurmDir ? readTaskExit(slurmDir, task.name, task.dir) : undefined;
  const signalled = exit && (exit.exit === signalExitCode('SIGINT') || exit.exit === signalExitCode('SIGTERM'));
  if (exit && exit.exit !== 0 && !signalled)
    return {
      ...base,
      state: 'failed',
      detail: `exit ${exit.exit} in Slurm task ${exit.job}_${exit.task} on ${exit.host} at ${exit.at}; log: ${taskLog(slurmDir as string, task.name)}`,
    };
  if (p.epochs > 0)
    return {
      ...base,
      state: 'pending',
      detail: `stopped after ${epochText(p)}${signalled ? ` (signal, Slurm task ${exit.job}_${exit.task})` : ''}; resumes there`,
    };
  return { ...base, state: 'pending', detail: fs.existsSync(task.dir) ? 'started, no epoch saved yet' : 'not started' };
}

/** Whether a task with this status is to be submitted: failed, or pending and not queued already. */
export const needsSubmitting = (s: TaskStatus) => s.state === 'failed' || (s.state === 'pending' && s.queuedAs === undefined);

/** A status table: one line per task, then the counts. */
export function formatStatus(statuses: readonly TaskStatus[]): string[] {
  const width = Math.max(4, ...statuses.map((s) => s.name.length));
  const lines = statuses.map((s) => `${s.name.padEnd(width)}  ${path.basename(s.dir).padEnd(12)}  ${s.state.padEnd(7)}  ${s.detail}`);
  const counts = (['done', 'running', 'pending', 'failed'] as const).map((k) => `${statuses.filter((s) => s.state === k).length} ${k}`);
  return [...lines, `${statuses.length} task(s): ${counts.join(', ')}`];
}
