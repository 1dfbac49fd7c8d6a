/**
 * The sbatch script of a Slurm job array: one array task per CLI task, each running exactly one
 * `rdarts <args>` (a search, an evaluation, a baseline) through the same resumable code path as
 * the local pool. The script is plain bash that a user can read, edit and resubmit:
 *   - task i's command is a line of a `case` on SLURM_ARRAY_TASK_ID;
 *   - its output is appended to `logs/<name>.log` (one log per task name across resubmissions;
 *     Slurm's own file `logs/slurm-<job>_<i>.out` keeps only what Slurm itself writes);
 *   - the command runs as a child of the script, which passes SIGTERM or SIGINT on to it and waits
 *     for it to save and stop; when it ends, its exit code goes to `exits/<name>.json` with the
 *     directory it writes (./task_status.ts reads it; a task killed outright does not get to write
 *     it, and then its directory tells);
 *   - every path is absolute and the job starts in the submitting folder, so a shared file system
 *     mounted at the same path on every node is assumed, as is node at the same path.
 * A task that Slurm kills (scancel, preemption, time limit) gets SIGTERM, saves and stops
 * (lib/runs/interrupt.ts); resubmitting the grid resumes it, so `--requeue` is safe.
 */
import type { CliTask } from './pool';
import { SLURM_DIRS, taskFileName } from './task_status';

/** The sbatch settings a user chooses (each optional; Slurm's defaults apply). */
export interface SlurmOptions {
  readonly partition?: string;
  /** Time limit per task, in a Slurm format: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
  readonly time?: string;
  /** Memory per node, e.g. 4G, 4000M. */
  readonly mem?: string;
  /** CPUs per task (default 1: the wasm engine runs one thread). */
  readonly cpusPerTask?: number;
  /** GPUs per task, e.g. 1 or a100:1. */
  readonly gpus?: string;
  readonly account?: string;
  readonly qos?: string;
  /** At most this many tasks at once (the array's %N). */
  readonly maxParallel?: number;
  /** Let Slurm requeue a preempted or failed-node task (it resumes). */
  readonly requeue?: boolean;
  /** The job's name (default rdarts-<folder name>). */
  readonly jobName?: string;
  /** Further sbatch options, one `--name=value` each, written as #SBATCH lines verbatim. */
  readonly extra?: readonly string[];
}

/** sbatch options the script sets itself (the array's index-to-task mapping and the logs depend on them). */
const OWN = ['--array', '--output', '--chdir', '--wrap', '--ntasks'];
const WORD = /^[A-Za-z0-9_.,:+-]+$/;
const TIME = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/;

/** Checks `options`, naming the first bad one (before anything is written or submitted). */
export function checkSlurmOptions(options: SlurmOptions): SlurmOptions {
  const bad = (flag: string, value: unknown, want: string) => new Error(`--${flag} ${JSON.stringify(value)}: ${want}`);
  for (const [key, flag] of [
    ['partition', 'partition'],
    ['account', 'account'],
    ['qos', 'qos'],
    ['jobName', 'job-name'],
  ] as const) {
    const v = options[key];
    if (v !== undefined && !WORD.test(v)) throw bad(flag, v, 'must be a Slurm name (letters, digits, _ . , : + -)');
  }
  if (options.time !== undefined && !TIME.test(options.time))
    throw bad('time', options.time, 'must be a Slurm time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS');
  if (options.mem !== undefined && !/^\d+[KMGTkmgt]?$/.test(options.mem))
    throw bad('mem', options.mem, 'must be a size such as 4G or 4000M');
  if (options.gpus !== undefined && !/^([A-Za-z0-9_.-]+:)?\d+$/.test(options.gpus))
    throw bad('gpus', options.gpus, 'must be a count, or type:count');
  for (const [key, flag] of [
    ['cpusPerTask', 'cpus-per-task'],
    ['maxParallel', 'max-parallel'],
  ] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw bad(flag, v, 'must be a positive integer');
  }
  for (const e of options.extra ?? []) {
    if (!/^--[a-z][a-z-]*(=[^\n]*)?$/.test(e)) throw bad('sbatch', e, 'each must be one sbatch option, --name or --name=value');
    const name = e.replace(/=.*/s, '');
    if (OWN.includes(name)) throw bad('sbatch', e, `the script sets ${OWN.join(', ')} itself`);
  }
  return options;
}

/** `s` as one bash word (single-quoted). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A task of the array: its command, and the directory its job writes (recorded with its exit code). */
export type ArrayTask = CliTask & { readonly dir: string };

export interface ArrayScriptInput {
  readonly tasks: readonly ArrayTask[];
  /** The Slurm folder (absolute): logs/ and exits/ live there. */
  readonly slurmDir: string;
  /** The folder the tasks run in (absolute). */
  readonly workDir: string;
  /** How to run the CLI: node, its flags and the CLI file (./pool.ts cliInvocation). */
  readonly cli: readonly string[];
  /** Comment lines at the top (what submitted it). */
  readonly header: readonly string[];
  readonly options: SlurmOptions;
}

/**
 * Checks a folder that the script names in an #SBATCH line: sbatch splits those at blanks and reads
 * % as a file-name pattern, so such characters cannot be quoted there.
 */
export function checkSbatchPath(what: string, dir: string): string {
  if (/[\s"'%\\]/.test(dir))
    throw new Error(`${what} ${JSON.stringify(dir)}: a Slurm job array's folders may not contain blanks, quotes, % or \\`);
  return dir;
}

/** The script's text (file header). */
export function arrayScript(input: ArrayScriptInput): string {
  const { tasks, slurmDir, options } = input;
  if (tasks.length === 0) throw new Error('a Slurm job array needs at least one task');
  checkSbatchPath('the Slurm folder', slurmDir);
  checkSbatchPath('the working folder', input.workDir);
  const q = shellQuote;
  const logs = `${slurmDir}/${SLURM_DIRS.logs}`;
  const exits = `${slurmDir}/${SLURM_DIRS.exits}`;
  const sbatch = [
    `--job-name=${options.jobName ?? 'rdarts'}`,
    `--array=0-${tasks.length - 1}${options.maxParallel ? `%${options.maxParallel}` : ''}`,
    `--output=${logs}/slurm-%A_%a.out`,
    `--chdir=${input.workDir}`,
    '--ntasks=1',
    `--cpus-per-task=${options.cpusPerTask ?? 1}`,
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...(options.gpus ? [`--gpus=${options.gpus}`] : []),
    ...(options.account ? [`--account=${options.account}`] : []),
    ...(options.qos ? [`--qos=${options.qos}`] : []),
    ...(options.requeue ? ['--requeue'] : []),
    ...(options.extra ?? []),
  ];
  const cases = tasks.map(
    (t, i) =>
      `  ${i}) name=${q(t.name)}; file=${q(taskFileName(t.name))}; dir=${q(JSON.stringify(t.dir))}; args=(${t.args.map(q).join(' ')}) ;;`,
  );
  return [
    '#!/bin/bash',
    ...input.header.map((h) => `# ${h}`),
    ...sbatch.map((s) => `#SBATCH ${s}`),
    '',
    'set -u',
    'case "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}" in',
    ...cases,
    '  *) echo "this array has no task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;',
    'esac',
    `log=${q(logs)}/"$file.log"`,
    `exits=${q(exits)}`,
    'mkdir -p "$exits"',
    'rm -f "$exits/$file.json"',
    'job="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-0}}"',
    'echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) Slurm task ${job}_${SLURM_ARRAY_TASK_ID} on $(hostname): rdarts ${args[*]}" >> "$log"',
    // In the background, so that this shell outlives a SIGTERM (scancel, preemption, the time
    // limit), passes it on, and records the exit code once the command has saved and stopped.
    `${input.cli.map(q).join(' ')} "\${args[@]}" >> "$log" 2>&1 &`,
    'pid=$!',
    'trap \'kill -TERM "$pid" 2>/dev/null\' TERM',
    'trap \'kill -INT "$pid" 2>/dev/null\' INT',
    'wait "$pid"; code=$?',
    'while kill -0 "$pid" 2>/dev/null; do wait "$pid"; code=$?; done',
    'printf \'{"exit":%d,"job":"%s","task":%d,"host":"%s","at":"%s","dir":%s}\\n\' "$code" "$job" "$SLURM_ARRAY_TASK_ID" "$(hostname)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$dir" > "$exits/$file.json.tmp" && mv "$exits/$file.json.tmp" "$exits/$file.json"',
    'exit $code',
    '',
  ].join('\n');
}
