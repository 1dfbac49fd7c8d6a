/**
 * The local pool: CLI processes (`rdarts <args>`), a number at once, in order. One process per core
 * is the default because the wasm engine runs one thread (docs/architecture.md). Each task is an
 * ordinary resumable command, so a pool is re-run to resume it; the same tasks go to a Slurm job
 * array instead with ./slurm_submit.ts.
 */
import { spawn } from 'child_process';
import * as os from 'os';
import { signalExitCode } from '../runs/interrupt';

/** One CLI process: its name (prefixed to its output lines) and its arguments after `rdarts`. */
export interface CliTask {
  readonly name: string;
  readonly args: readonly string[];
  /** Logged when the task starts (default: its arguments). */
  readonly describe?: string;
}

export interface PoolOptions {
  /** Processes at once (default: the number of cores). */
  readonly jobs?: number;
  readonly log?: (line: string) => void;
  /** Called as each task's process ends: its exit code and wall seconds (start to exit). */
  readonly onTaskEnd?: (task: CliTask, code: number, seconds: number) => void;
}

/**
 * This process's own way of running the CLI: node, its flags (tsx's loader under `npx tsx`) and
 * the CLI's file (lib/cli.ts or dist/cli.js), as absolute paths; `rdarts <args>` is this plus args.
 */
export function cliInvocation(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]];
}

/** Checks a number of processes at once (`--jobs`). */
export function checkJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
  return jobs;
}

/**
 * Runs `tasks` as CLI processes, `options.jobs` at once, in order; resolves with each task's exit
 * code (0 = finished). Progress-bar step lines are not relayed. SIGINT or SIGTERM to this process
 * is passed on to the running tasks (each saves and stops, resumable) and no further task starts;
 * once they have stopped, this process exits with the signal's code (130 or 143).
 */
export async function runCliTasks(tasks: readonly CliTask[], options: PoolOptions = {}): Promise<Map<string, number>> {
  const jobs = checkJobs(options.jobs ?? os.cpus().length);
  const log = options.log ?? ((l: string) => console.log(l));
  const codes = new Map<string, number>();
  const queue = [...tasks];
  const [node, ...cli] = cliInvocation();
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping === undefined) log(`${signal}: stopping ${children.size} running task(s); the same command resumes`);
    stopping = signal;
    queue.length = 0;
    for (const child of children) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const task = t;
      log(`[${task.name}] start: ${task.describe ?? task.args.join(' ')}`);
      const started = process.hrtime.bigint();
      const code = await new Promise<number>((resolve) => {
        const child = spawn(node, [...cli, ...task.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
        children.add(child);
        const relay = (chunk: Buffer) => {
          for (const line of chunk.toString().split(/[\r\n]+/))
            if (line.trim() !== '' && !/ step \d+\/\d+ /.test(line)) log(`[${task.name}] ${line}`);
        };
        child.stdout.on('data', relay);
        child.stderr.on('data', relay);
        child.on('error', (e) => log(`[${task.name}] could not start: ${e.message}`));
        child.on('close', (c, signal) => {
          children.delete(child);
          resolve(c ?? (signal ? signalExitCode(signal) : 1));
        });
      });
      codes.set(task.name, code);
      options.onTaskEnd?.(task, code, Number(process.hrtime.bigint() - started) / 1e9);
      log(`[${task.name}] ${code === 0 ? 'finished' : `failed (exit ${code})`}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stopping !== undefined) process.exit(signalExitCode(stopping));
  return codes;
}
