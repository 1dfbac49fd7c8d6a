/**
 * Submitting tasks as a Slurm job array, and the status of a grid's tasks. A Slurm folder
 * (`<out>/.slurm/<name>/`, beside the run directories: a shared file system is assumed) holds
 *   submissions/<stamp>/array.sh         the sbatch script of one submission (./slurm_script.ts)
 *   submissions/<stamp>/submission.json  { job, submittedAt, tasks: [names, by array index] }
 *   submissions/<stamp>/...              files the tasks read (a grid's config overrides)
 *   logs/<name>.log                      each task's output, appended across submissions
 *   exits/<name>.json                    how each task's last command ended
 * Only tasks that are neither finished, running, nor queued in an earlier submission are
 * submitted, so submitting again after a kill, a preemption or a failure resumes exactly what is
 * left, and never runs a task twice at once (the run's lock would stop the second anyway). One
 * submission at a time per Slurm folder (its own lock); where squeue cannot say what earlier
 * submissions still hold, nothing is submitted.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { arrayTaskStates } from '../runs/slurm_jobs';
import { cliInvocation, type CliTask } from './pool';
import { acquireLock } from '../runs/lock';
import { arrayScript, checkSbatchPath, checkSlurmOptions, type SlurmOptions } from './slurm_script';
import { checkTaskNames, type DirTask, formatStatus, needsSubmitting, SLURM_DIRS, type TaskStatus, taskStatus } from './task_status';

export interface Submission {
  /** Slurm's job id of the array ('' for a dry run). */
  readonly job: string;
  readonly submittedAt: string;
  /** Task names by array index. */
  readonly tasks: readonly string[];
  /** The directory each task's job writes, by array index. */
  readonly dirs: readonly string[];
  /** The sbatch script (absolute path). */
  readonly script: string;
}

/** The earlier submissions in `slurmDir`, oldest first (unreadable records are skipped). */
export function readSubmissions(slurmDir: string): Submission[] {
  const root = path.join(slurmDir, SLURM_DIRS.submissions);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((d) => {
      try {
        const s = JSON.parse(fs.readFileSync(path.join(root, d, 'submission.json'), 'utf8')) as Submission;
        return s.job ? [s] : [];
      } catch {
        return [];
      }
    });
}

/**
 * What squeue still lists of the submissions in `slurmDir` (queued or running), by the directory
 * each task writes; undefined where squeue cannot answer about one of them.
 */
export function queuedTasks(slurmDir: string): Map<string, { state: string; id: string }> | undefined {
  const queued = new Map<string, { state: string; id: string }>();
  for (const s of readSubmissions(slurmDir)) {
    const states = arrayTaskStates(s.job);
    if (!states) return undefined;
    s.dirs.forEach((dir, i) => {
      const state = states.get(i);
      if (state) queued.set(dir, { state, id: `${s.job}_${i}` });
    });
  }
  return queued;
}

/** The status of every task (./task_status.ts), with Slurm's view of the submissions in `slurmDir` where squeue answers. */
export function tasksStatus(tasks: readonly DirTask[], slurmDir: string): TaskStatus[] {
  const queued = queuedTasks(slurmDir);
  return tasks.map((t) => taskStatus(t, slurmDir, queued));
}

export interface SubmitOptions {
  readonly slurm: SlurmOptions;
  /** Write the script and print it, submit nothing. */
  readonly dryRun?: boolean;
  /** What submitted it, for the script's header (e.g. the rdarts command line). */
  readonly command: string;
  readonly log?: (line: string) => void;
  /** The sbatch program (default `sbatch` on PATH). */
  readonly sbatch?: string;
}

/**
 * Submits the tasks of `tasks` that are pending or failed as one job array (file header);
 * `argsIn(submissionDir)` gives each submitted task's CLI task (and may write files it reads into
 * that folder). Returns the submission, or undefined when nothing is left to submit.
 */
export function submitArray(
  tasks: readonly DirTask[],
  slurmDir: string,
  argsIn: (pending: readonly DirTask[], submissionDir: string) => CliTask[],
  options: SubmitOptions,
): Submission | undefined {
  const slurm = checkSlurmOptions(options.slurm);
  const log = options.log ?? ((l: string) => console.log(l));
  const dir = checkSbatchPath('the Slurm folder', path.resolve(slurmDir));
  checkSbatchPath('the working folder', process.cwd());
  checkTaskNames(tasks.map((t) => t.name));
  const release = acquireLock(dir, `a Slurm submission (${dir})`);
  try {
    return submitLocked(tasks, dir, argsIn, options, slurm, log);
  } finally {
    release();
  }
}

function submitLocked(
  tasks: readonly DirTask[],
  dir: string,
  argsIn: (pending: readonly DirTask[], submissionDir: string) => CliTask[],
  options: SubmitOptions,
  slurm: SlurmOptions,
  log: (line: string) => void,
): Submission | undefined {
  const queued = queuedTasks(dir);
  if (!queued)
    throw new Error(`squeue cannot say which tasks of the earlier submissions in ${dir} still run; nothing submitted (try again)`);
  const statuses = tasks.map((t) => taskStatus(t, dir, queued));
  const pending = tasks.filter((_, i) => needsSubmitting(statuses[i]));
  for (const s of statuses.filter((x) => !needsSubmitting(x))) log(`${s.name}: ${s.state} (${s.detail}); not submitted`);
  if (pending.length === 0) {
    log('nothing to submit: every task is finished, running or queued');
    return undefined;
  }
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let subDir = path.join(dir, SLURM_DIRS.submissions, stamp);
  for (let k = 1; fs.existsSync(subDir); k++) subDir = path.join(dir, SLURM_DIRS.submissions, `${stamp}-${k}`);
  fs.mkdirSync(subDir, { recursive: true });
  fs.mkdirSync(path.join(dir, SLURM_DIRS.logs), { recursive: true });
  fs.mkdirSync(path.join(dir, SLURM_DIRS.exits), { recursive: true });
  const script = path.join(subDir, 'array.sh');
  let submitted = false;
  try {
    const dirs = new Map(pending.map((t) => [t.name, t.dir]));
    const cliTasks = argsIn(pending, subDir).map((t) => ({ ...t, dir: dirs.get(t.name) as string }));
    const text = arrayScript({
      tasks: cliTasks,
      slurmDir: dir,
      workDir: process.cwd(),
      cli: cliInvocation(),
      header: [
        `${options.command}`,
        `${cliTasks.length} task(s) of robust-darts-ts as a Slurm job array, written ${new Date().toISOString()}.`,
        'Each task runs one resumable rdarts command; re-running the command above submits what is left.',
      ],
      options: { jobName: `rdarts-${path.basename(dir)}`, ...slurm },
    });
    fs.writeFileSync(script, text, { mode: 0o755 });
    const names = cliTasks.map((t) => t.name);
    const taskDirs = cliTasks.map((t) => t.dir);
    if (options.dryRun) {
      log(`dry run: ${names.length} task(s) in ${script} (submit it with: sbatch ${script}):`);
      log(text);
      submitted = true; // keep the files the printed script names
      return { job: '', submittedAt: '', tasks: names, dirs: taskDirs, script };
    }
    const r = spawnSync(options.sbatch ?? 'sbatch', ['--parsable', script], { encoding: 'utf8', timeout: 60_000 });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
      submitted = true; // Slurm may have taken it: its tasks would read these files
      throw new Error(`sbatch did not answer within 60 s; the array may have been submitted (see squeue); its files stay in ${subDir}`);
    }
    if (r.error || r.status !== 0) {
      const why = r.error
        ? (r.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'sbatch is not on PATH (is this a Slurm login node?)'
          : r.error.message
        : r.stderr.trim() || `exit ${r.status}`;
      throw new Error(`sbatch refused the job array: ${why}`);
    }
    submitted = true;
    const job = r.stdout.trim().split(';')[0];
    if (!/^\d+$/.test(job)) throw new Error(`sbatch answered ${JSON.stringify(r.stdout.trim())}, not a job id; the script is ${script}`);
    const submission: Submission = { job, submittedAt: new Date().toISOString(), tasks: names, dirs: taskDirs, script };
    fs.writeFileSync(path.join(subDir, 'submission.json'), JSON.stringify(submission, null, 2) + '\n');
    log(
      `submitted job array ${job}: ${names.length} task(s) (${names.join(', ')}); script ${script}; logs in ${path.join(dir, SLURM_DIRS.logs)}`,
    );
    return submission;
  } catch (e) {
    if (!submitted) fs.rmSync(subDir, { recursive: true, force: true });
    throw e;
  }
}

/** Waits until squeue lists no task of `job` (polling every `everyMs`; squeue may fail 10 times in a row). */
export async function waitForArray(job: string, everyMs = 1000, log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  let last = '';
  let failures = 0;
  for (;;) {
    const states = arrayTaskStates(job);
    if (states === undefined) {
      if (++failures >= 10) throw new Error(`squeue did not answer about job ${job} 10 times in a row`);
      await new Promise((r) => setTimeout(r, everyMs));
      continue;
    }
    failures = 0;
    if (states.size === 0) return;
    const counts = [...new Set(states.values())]
      .map((s) => `${[...states.values()].filter((v) => v === s).length} ${s.toLowerCase()}`)
      .join(', ');
    if (counts !== last) log(`job ${job}: ${counts}`);
    last = counts;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * `submitArray`, then with `wait` (and a real submission) waits for the array to end and returns
 * every task's status; throws naming the tasks that did not finish.
 */
export async function submitAndWait(
  tasks: readonly DirTask[],
  slurmDir: string,
  argsIn: (pending: readonly DirTask[], submissionDir: string) => CliTask[],
  options: SubmitOptions & { readonly wait?: boolean },
): Promise<TaskStatus[] | undefined> {
  const log = options.log ?? ((l: string) => console.log(l));
  const submission = submitArray(tasks, slurmDir, argsIn, options);
  if (!options.wait || !submission?.job) return undefined;
  await waitForArray(submission.job, 1000, log);
  const statuses = tasksStatus(tasks, path.resolve(slurmDir));
  for (const line of formatStatus(statuses)) log(line);
  const left = statuses.filter((s) => s.state !== 'done');
  if (left.length > 0) throw new Error(`${left.length} of ${tasks.length} task(s) not finished: ${left.map((s) => s.name).join(', ')}`);
  return statuses;
}
