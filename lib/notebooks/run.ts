/**
 * Headless notebooks: every notebook in notebooks/ executed in order with `jupyter nbconvert
 * --execute` on the project's tslab kernel, the preset passed through RDARTS_PRESET, the executed
 * copies written apart from the sources (results/notebooks/). A cell that throws stops the run with
 * an error naming the notebook and the cell. At mini and paper the kernel is read-only by default
 * (RDARTS_NO_COMPUTE, lib/runs/compute_guard.ts): the notebooks rebuild the report's tables and
 * figures from finished runs and evaluations, and a missing one fails naming the command that
 * computes it, instead of starting hours of work inside a notebook.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PresetName, presetFromEnv } from '../config/preset';
import { packageRoot, resultsDir } from '../paths';
import { NO_COMPUTE_ENV } from '../runs/compute_guard';
import { hasJupyterCommand, JUPYTER_HINT, jupyterDataDir, jupyterEnv, KERNEL_NAME } from './jupyter';

export interface NotebookRunOptions {
  /** Where the executed copies go (default results/notebooks). */
  readonly outDir?: string;
  /** RDARTS_PRESET for the kernel (default: the environment's, else `quick`). */
  readonly preset?: PresetName;
  /**
   * Whether searches, evaluations and baselines may only be read back, not computed (default:
   * true at mini and paper, false at smoke and quick; DEFAULT_READ_ONLY).
   */
  readonly readOnly?: boolean;
  /** Kernelspec to run (default the project's tslab kernel). */
  readonly kernel?: string;
  /** Called before and after each notebook (progress lines). */
  readonly log?: (line: string) => void;
}

export interface NotebookRunResult {
  readonly notebook: string;
  readonly executed: string;
  readonly seconds: number;
}

/** Presets whose notebooks run read-only unless told otherwise: their searches take hours. */
export const DEFAULT_READ_ONLY: Readonly<Record<PresetName, boolean>> = Object.freeze({
  smoke: false,
  quick: false,
  mini: true,
  paper: true,
});

/** A notebook cell threw (or the kernel died) during a headless run. */
export class NotebookError extends Error {
  constructor(
    readonly notebook: string,
    /** 0-based index among all cells (markdown included), or undefined when no cell could be named. */
    readonly cellIndex: number | undefined,
    readonly detail: string,
  ) {
    super(`${path.basename(notebook)}: ${cellIndex === undefined ? 'execution failed' : `cell ${cellIndex + 1} threw`}: ${detail}`);
    this.name = 'NotebookError';
  }
}

/** The notebooks of `dir`, sorted by name (they are numbered: 00-, 01-, ...). */
export function listNotebooks(dir = path.join(packageRoot, 'notebooks')): string[] {
  if (!fs.existsSync(dir)) throw new Error(`listNotebooks: no folder ${dir}`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Executes one notebook; throws NotebookError naming the cell that failed. */
export function runNotebook(notebook: string, options: NotebookRunOptions = {}): NotebookRunResult {
  if (!fs.existsSync(notebook)) throw new Error(`runNotebook: no notebook at ${notebook}`);
  if (!hasJupyterCommand('nbconvert')) throw new Error(`jupyter nbconvert is not available: ${JUPYTER_HINT}`);
  const outDir = options.outDir ?? path.join(resultsDir(), 'notebooks');
  const preset = options.preset ?? presetFromEnv();
  const start = Date.now();
  const r = spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--config',
      path.join(jupyterDataDir, 'nbconvert_config.py'),
      `--ExecutePreprocessor.kernel_name=${options.kernel ?? KERNEL_NAME}`,
      '--ExecutePreprocessor.timeout=-1',
      '--output-dir',
      outDir,
      notebook,
    ],
    {
      cwd: packageRoot,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      // Always set, so that --compute also overrides an RDARTS_NO_COMPUTE inherited from the shell.
      env: jupyterEnv({ RDARTS_PRESET: preset, [NO_COMPUTE_ENV]: (options.readOnly ?? DEFAULT_READ_ONLY[preset]) ? '1' : '0' }),
    },
  );
  if (r.status !== 0) {
    const stderr = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
    const report = /^RDARTS_CELL_ERROR (.*)$/m.exec(stderr);
    if (report) {
      const { cell, message } = JSON.parse(report[1]) as { cell: number; message: string };
      throw new NotebookError(notebook, cell, message);
    }
    const tail = stderr.trim().split('\n').slice(-8).join('\n');
    throw new NotebookError(notebook, undefined, tail || `nbconvert exited with status ${r.status}`);
  }
  return { notebook, executed: path.join(outDir, path.basename(notebook)), seconds: (Date.now() - start) / 1000 };
}

/** Executes every notebook of `dir` in order, stopping at the first failure. */
export function runNotebooks(dir?: string, options: NotebookRunOptions = {}): NotebookRunResult[] {
  const log = options.log ?? (() => undefined);
  const notebooks = listNotebooks(dir);
  const results: NotebookRunResult[] = [];
  notebooks.forEach((nb, i) => {
    const preset = options.preset ?? presetFromEnv();
    const readOnly = options.readOnly ?? DEFAULT_READ_ONLY[preset];
    log(`[${i + 1}/${notebooks.length}] ${path.basename(nb)} (preset ${preset}${readOnly ? ', read-only' : ''}) ...`);
    const result = runNotebook(nb, options);
    log(`[${i + 1}/${notebooks.length}] ${path.basename(nb)} ok in ${result.seconds.toFixed(1)} s -> ${result.executed}`);
    results.push(result);
  });
  return results;
}
