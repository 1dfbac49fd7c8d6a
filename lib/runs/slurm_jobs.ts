/**
 * What Slurm says about a job, asked through `squeue` (the controller's view; no accounting
 * database needed). Used to tell a stale run lock of another node from a live one
 * (./lock.ts) and to mark queued tasks in `rdarts grid --status`.
 */
import { spawnSync } from 'child_process';

/** Job states in which a job may still start or run (squeue's %T). */
const ACTIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
  'RESV_DEL_HOLD',
  'SPECIAL_EXIT',
]);

/**
 * The Slurm job this process runs in, as squeue names it alone: `<array job>_<index>` for an array
 * task (an array's first task has the array's own SLURM_JOB_ID, which squeue -j matches with every
 * task of the array), else SLURM_JOB_ID; undefined outside Slurm.
 */
export function slurmJobOfThisProcess(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { SLURM_ARRAY_JOB_ID: array, SLURM_ARRAY_TASK_ID: index, SLURM_JOB_ID: job } = env;
  if (array && index) return `${array}_${index}`;
  return job || undefined;
}

/**
 * Runs `squeue` with `args` (no header); its stdout lines, or undefined where squeue is missing or
 * fails for another reason than an unknown job id (then an empty list: Slurm has forgotten it).
 * The user's SQUEUE_* defaults (a partition, states, users) are left out: they would hide jobs.
 */
export function squeue(args: readonly string[]): string[] | undefined {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SQUEUE_')));
  const r = spawnSync('squeue', ['-h', ...args], { encoding: 'utf8', timeout: 30_000, env });
  if (r.error || r.status === null) return undefined;
  if (r.status !== 0) return /Invalid job id/i.test(r.stderr) ? [] : undefined;
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

/**
 * Whether Slurm job `id` (a SLURM_JOB_ID) may still run: true while queued or running, false when
 * Slurm no longer runs it (ended, cancelled, or forgotten), undefined where squeue cannot answer.
 */
export function slurmJobActive(id: string): boolean | undefined {
  if (!/^\d+(_\d+)?$/.test(id)) return undefined;
  const states = squeue(['-j', id, '-o', '%T']);
  if (states === undefined) return undefined;
  return states.some((s) => ACTIVE.has(s.trim()));
}

/** The tasks of array job `job` that Slurm still lists, by array index, with their state (PENDING, RUNNING, ...). */
export function arrayTaskStates(job: string): Map<number, string> | undefined {
  const lines = squeue(['-j', job, '-r', '-o', '%K %T']);
  if (lines === undefined) return undefined;
  const states = new Map<number, string>();
  for (const line of lines) {
    const [index, state] = line.trim().split(/\s+/);
    if (/^\d+$/.test(index) && ACTIVE.has(state)) states.set(Number(index), state);
  }
  return states;
}
