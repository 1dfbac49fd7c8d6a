/**
 * `rdarts grid FILE`: the searches of a grid file (lib/config/overrides_file.ts; any problem), one process per
 * core (wasm runs one thread), each an ordinary `rdarts search` that reads back, resumes or starts
 * its run. Finished runs cost nothing, so a grid is re-run to resume it. Output lines carry the
 * entry's name.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { GridEntry } from '../config/overrides_file';
import type { LoopConfig } from '../config/search_config';

export interface GridOptions {
  /** Processes at once (default: the number of cores). */
  readonly jobs?: number;
  /** Folder of run directories (default results/runs). */
  readonly out?: string;
  readonly log?: (line: string) => void;
}

/** One CLI process of a pool: its name (prefixed to its output lines) and its arguments after `rdarts`. */
export interface CliTask {
  readonly name: string;
  readonly args: readonly string[];
  /** Logged when the task starts (default: its arguments). */
  readonly describe?: string;
}

/**
 * Runs `tasks` as CLI processes, `options.jobs` at once, in order; resolves with each task's exit
 * code (0 = finished). Progress-bar step lines are not relayed.
 */
export async function runCliTasks(
  tasks: readonly CliTask[],
  options: Pick<GridOptions, 'jobs' | 'log'> = {},
): Promise<Map<string, number>> {
  const jobs = options.jobs ?? os.cpus().length;
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${jobs}`);
  const log = options.log ?? ((l: string) => console.log(l));
  const codes = new Map<string, number>();
  const queue = [...tasks];
  // This process's own way of running the CLI (node + tsx's loader, or node + dist/cli.js).
  const cli = process.argv[1];
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const task = t;
      log(`[${task.name}] start: ${task.describe ?? task.args.join(' ')}`);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [...process.execArgv, cli, ...task.args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: process.env,
        });
        const relay = (chunk: Buffer) => {
          for (const line of chunk.toString().split(/[\r\n]+/))
            if (line.trim() !== '' && !/ step \d+\/\d+ /.test(line)) log(`[${task.name}] ${line}`);
        };
        child.stdout.on('data', relay);
        child.stderr.on('data', relay);
        child.on('close', (c) => resolve(c ?? 1));
      });
      codes.set(task.name, code);
      log(`[${task.name}] ${code === 0 ? 'finished' : `failed (exit ${code})`}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return codes;
}

/** Runs `entries`; resolves with each entry's exit code (0 = finished). */
export async function runGrid(entries: readonly GridEntry<LoopConfig>[], options: GridOptions = {}): Promise<Map<string, number>> {
  const log = options.log ?? ((l: string) => console.log(l));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-grid-'));
  try {
    const tasks = entries.map((entry) => {
      const file = path.join(tmp, `${entry.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
      fs.writeFileSync(file, JSON.stringify(entry.overrides));
      return {
        name: entry.name,
        describe: `${entry.preset} + ${JSON.stringify(entry.overrides)}`,
        args: [
          'search',
          ...(entry.problem && entry.problem !== 'darts' ? ['--problem', entry.problem] : []),
          '--preset',
          entry.preset,
          '--config',
          file,
          ...(options.out ? ['--out', options.out] : []),
        ],
      };
    });
    return await runCliTasks(tasks, { jobs: options.jobs, log });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
