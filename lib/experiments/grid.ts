/**
 * `rdarts grid FILE` (and `rdarts experiment`): the searches of a grid file
 * (lib/config/overrides_file.ts; any problem), each an ordinary `rdarts search` that reads back,
 * resumes or starts its run. Run here by the local pool (lib/cluster/pool.ts, one process per core:
 * wasm runs one thread) or submitted as a Slurm job array (lib/cluster/slurm_submit.ts), and their
 * status read from the run directories. Finished runs cost nothing, so a grid is re-run to resume it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type CliTask, type PoolOptions, runCliTasks } from '../cluster/pool';
import { submitAndWait, type SubmitOptions, tasksStatus } from '../cluster/slurm_submit';
import { checkTaskNames, type DirTask, taskFileName, type TaskStatus } from '../cluster/task_status';
import { type GridEntry, readGridFile } from '../config/overrides_file';
import type { LoopConfig } from '../config/search_config';
import { problemEntry } from '../problems/registry';
import { RUN_FILES, runDirFor, runsRoot } from '../runs/run_read';

export { type CliTask, runCliTasks } from '../cluster/pool';

export interface GridOptions {
  /** Processes at once (default: the number of cores). */
  readonly jobs?: number;
  /** Folder of run directories (default results/runs). */
  readonly out?: string;
  readonly log?: (line: string) => void;
  /** Called as each search's process ends (lib/cluster/pool.ts `onTaskEnd`). */
  readonly onTaskEnd?: PoolOptions['onTaskEnd'];
}

/** A grid file's entries, each validated by its problem's config (lib/problems/registry.ts). */
export function readProblemGrid(file: string): GridEntry<LoopConfig>[] {
  return readGridFile(file, (problem, preset, overrides, source) => problemEntry(problem).problem(preset, overrides, source).config);
}

/** How far the run in `dir` is: finished (DONE written), epochs stored. Reads two files, changes nothing. */
export function runProgress(dir: string, of?: number): { done: boolean; epochs: number; of?: number } {
  const done = fs.existsSync(path.join(dir, RUN_FILES.done));
  const file = path.join(dir, RUN_FILES.epochs);
  const epochs = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '').length
    : 0;
  return { done, epochs, ...(of === undefined ? {} : { of }) };
}

/** The run directory of a grid entry (its problem's codec names it). */
export function gridRunDir(entry: GridEntry<LoopConfig>, out: string = runsRoot()): string {
  return runDirFor(entry.config, out, problemEntry(entry.problem ?? 'darts').codec);
}

/** Each entry as a task for status and Slurm: its run directory and progress. */
export function gridDirTasks(entries: readonly GridEntry<LoopConfig>[], out?: string): DirTask[] {
  return entries.map((entry) => {
    const dir = gridRunDir(entry, out);
    return { name: entry.name, dir, progress: () => runProgress(dir, entry.config.epochs) };
  });
}

/** The `rdarts search` tasks of `entries`, their overrides written as JSON files into `configDir`. */
export function gridCliTasks(entries: readonly GridEntry<LoopConfig>[], configDir: string, out?: string): CliTask[] {
  checkTaskNames(entries.map((e) => e.name));
  fs.mkdirSync(configDir, { recursive: true });
  return entries.map((entry) => {
    const file = path.join(configDir, `${taskFileName(entry.name)}.json`);
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
        ...(out ? ['--out', path.resolve(out)] : []),
      ],
    };
  });
}

/** Runs `entries` here; resolves with each entry's exit code (0 = finished). */
export async function runGrid(entries: readonly GridEntry<LoopConfig>[], options: GridOptions = {}): Promise<Map<string, number>> {
  const log = options.log ?? ((l: string) => console.log(l));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-grid-'));
  // Also when the pool ends the process (a passed-on Ctrl-C), which skips `finally`.
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once('exit', cleanup);
  try {
    return await runCliTasks(gridCliTasks(entries, tmp, options.out), { jobs: options.jobs, log, onTaskEnd: options.onTaskEnd });
  } finally {
    process.off('exit', cleanup);
    cleanup();
  }
}

/** The Slurm folder of grid `name` (e.g. the grid file's base name) under the runs folder `out`. */
export function gridSlurmDir(name: string, out: string = runsRoot()): string {
  return path.resolve(out, '.slurm', taskFileName(name));
}

/**
 * Submits the entries not finished, running or queued as one Slurm job array, and with `wait`
 * waits for it (lib/cluster/slurm_submit.ts `submitAndWait`).
 */
export function submitGrid(
  entries: readonly GridEntry<LoopConfig>[],
  slurmDir: string,
  options: SubmitOptions & { readonly out?: string; readonly wait?: boolean },
): Promise<TaskStatus[] | undefined> {
  const byName = new Map(entries.map((e) => [e.name, e]));
  return submitAndWait(
    gridDirTasks(entries, options.out),
    slurmDir,
    (pending, dir) =>
      gridCliTasks(
        pending.map((t) => byName.get(t.name) as GridEntry<LoopConfig>),
        path.join(dir, 'configs'),
        options.out ?? runsRoot(),
      ),
    options,
  );
}

/** The status of each entry (lib/cluster/task_status.ts), with what Slurm says of the submissions in `slurmDir`. */
export function gridStatus(entries: readonly GridEntry<LoopConfig>[], slurmDir: string, out?: string): TaskStatus[] {
  return tasksStatus(gridDirTasks(entries, out), slurmDir);
}
