/**
 * The command-line options of a Slurm submission, shared by every command that can submit
 * (`rdarts grid`, `rdarts experiment`, `rdarts experiment --evaluate`), so they read and check
 * the same way everywhere.
 */
import type { Command } from 'commander';
import type { SlurmOptions } from './slurm_script';

/** The options as commander parses them. */
export interface SlurmFlags {
  slurm?: boolean;
  dryRun?: boolean;
  wait?: boolean;
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  gpus?: string;
  account?: string;
  qos?: string;
  maxParallel?: string;
  requeue?: boolean;
  sbatch?: string[];
}

/** Adds the Slurm options to `command`. */
export function addSlurmOptions(command: Command): Command {
  return command
    .option(
      '--slurm',
      'submit the tasks not finished, running or queued as one Slurm job array (one task each) instead of running them here',
    )
    .option('--dry-run', 'with --slurm: write the sbatch script and print it, submit nothing')
    .option('--wait', 'with --slurm: wait until the array has ended, then print the status (exit 1 unless every task finished)')
    .option('--partition <name>', 'with --slurm: the partition')
    .option('--time <limit>', 'with --slurm: time limit per task (minutes, HH:MM:SS, D-HH:MM, ...)')
    .option('--mem <size>', 'with --slurm: memory per task, e.g. 4G')
    .option('--cpus-per-task <n>', 'with --slurm: CPUs per task (default 1: the wasm engine runs one thread)')
    .option('--gpus <n>', 'with --slurm: GPUs per task, e.g. 1 or a100:1')
    .option('--account <name>', 'with --slurm: the account to charge')
    .option('--qos <name>', 'with --slurm: the quality of service')
    .option('--max-parallel <n>', 'with --slurm: at most this many tasks at once')
    .option('--requeue', 'with --slurm: let Slurm requeue a preempted task (it resumes where it was saved)')
    .option(
      '--sbatch <option>',
      'with --slurm: a further sbatch option, e.g. --sbatch=--constraint=avx2 (repeatable)',
      (v: string, all: string[] = []) => [...all, v],
    );
}

const SLURM_ONLY = [
  'dryRun',
  'wait',
  'partition',
  'time',
  'mem',
  'cpusPerTask',
  'gpus',
  'account',
  'qos',
  'maxParallel',
  'requeue',
  'sbatch',
] as const;

/**
 * The sbatch settings of the flags of `command` (e.g. 'grid'); throws when a Slurm-only flag comes
 * without --slurm, when --status (which runs nothing) comes with --slurm or --jobs, and when --jobs
 * (the local pool's) comes with --slurm.
 */
export function slurmOptionsFrom(command: string, flags: SlurmFlags & { readonly jobs?: string; readonly status?: boolean }): SlurmOptions {
  if (flags.status && (flags.slurm || flags.jobs)) throw new Error(`${command}: --status runs nothing; leave out --slurm and --jobs`);
  if (flags.slurm && flags.jobs)
    throw new Error(`${command}: --jobs is for running here; with --slurm, --max-parallel limits the tasks at once`);
  if (!flags.slurm) {
    const given = SLURM_ONLY.filter((k) => flags[k] !== undefined);
    if (given.length > 0)
      throw new Error(`${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} need(s) --slurm`);
  }
  // Digits only: Number() would take 0x10 or 1e3; checkSlurmOptions then names a bad value.
  const int = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : NaN);
  return {
    ...(flags.partition !== undefined ? { partition: flags.partition } : {}),
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(flags.mem !== undefined ? { mem: flags.mem } : {}),
    ...(flags.cpusPerTask !== undefined ? { cpusPerTask: int(flags.cpusPerTask) } : {}),
    ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
    ...(flags.account !== undefined ? { account: flags.account } : {}),
    ...(flags.qos !== undefined ? { qos: flags.qos } : {}),
    ...(flags.maxParallel !== undefined ? { maxParallel: int(flags.maxParallel) } : {}),
    ...(flags.requeue ? { requeue: true } : {}),
    ...(flags.sbatch ? { extra: flags.sbatch } : {}),
  };
}
