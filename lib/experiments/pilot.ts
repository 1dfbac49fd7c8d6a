/**
 * The pilot of the reproduction (results/pilot/README.md): the searches of its grid files, each read
 * from its run directory and, once finished, turned into a pilot row (lib/analysis/pilot.ts) of
 * what it spent and whether it collapsed. One implementation for `rdarts pilot` and notebook 01.
 */
import * as fs from 'fs';
import * as path from 'path';
import { nb201PilotRow, type PilotRow, pilotRow } from '../analysis/pilot';
import { nb201RunsDir } from '../analysis/nb201_figure';
import { resultsDir } from '../paths';
import type { Nb201Config } from '../problems/nb201/config';
import type { Nb201ArchitectureRecord } from '../problems/nb201/problem';
import { problemEntry } from '../problems/registry';
import { readRun, type StoredRun } from '../runs/run_read';
import { gridRunDir, readProblemGrid } from './grid';

/** The pilot's folder: its grid files, and its finished runs' compact records under runs/. */
export function pilotDir(): string {
  return path.join(resultsDir(), 'pilot');
}

/** The pilot's grid files: the DARTS spaces' and NAS-Bench-201's. */
export function pilotGridFiles(dir: string = pilotDir()): string[] {
  return [path.join(dir, 'grid.json'), path.join(dir, 'nb201-grid.json')];
}

/** A search of the grids that has not finished: how far it is, and where. */
export interface PilotPending {
  readonly name: string;
  readonly dir: string;
  readonly epochs: number;
  readonly of: number;
}

/** A finished search of a grid file: its entry's name, its problem and its records. */
export interface GridRun {
  readonly name: string;
  readonly problem: 'darts' | 'nb201';
  readonly run: StoredRun | StoredRun<Nb201Config, Nb201ArchitectureRecord>;
}

/**
 * The finished searches of `gridFiles` (in the files' order; those whose name `only` accepts), read
 * from their run directories under `out`, and the searches not finished. A grid of another problem
 * than the DARTS spaces or NAS-Bench-201 throws, naming it.
 */
export function gridRuns(
  gridFiles: readonly string[],
  out: string,
  only: (name: string) => boolean = () => true,
): { runs: GridRun[]; pending: PilotPending[] } {
  const entries = gridFiles.flatMap(readProblemGrid).filter((e) => only(e.name));
  const runs: GridRun[] = [];
  const pending: PilotPending[] = [];
  for (const e of entries) {
    const problem = e.problem ?? 'darts';
    if (problem !== 'darts' && problem !== 'nb201') {
      throw new Error(`${e.name} searches ${problem}; only DARTS-space and NAS-Bench-201 searches are read here`);
    }
    const dir = gridRunDir(e, out);
    const run = fs.existsSync(dir) ? readRun(dir, problemEntry(problem).codec) : undefined;
    if (!run?.done) pending.push({ name: e.name, dir, epochs: run?.epochs.length ?? 0, of: e.config.epochs });
    else runs.push({ name: e.name, problem, run: run as GridRun['run'] });
  }
  return { runs, pending };
}

/**
 * The pilot rows of the finished searches of `gridFiles` (`gridRuns`), from run directories under
 * `out`, and the searches not finished.
 */
export function pilotRows(
  gridFiles: readonly string[] = pilotGridFiles(),
  out: string = path.join(pilotDir(), 'runs'),
  only: (name: string) => boolean = () => true,
): { rows: PilotRow[]; pending: PilotPending[] } {
  const { runs, pending } = gridRuns(gridFiles, out, only);
  const rows = runs.map((r) =>
    r.problem === 'nb201'
      ? nb201PilotRow(r.name, r.run as StoredRun<Nb201Config, Nb201ArchitectureRecord>)
      : pilotRow(r.name, r.run as StoredRun),
  );
  return { rows, pending };
}

/** The DARTS searches of the NAS-Bench-201 grid (results/nas-bench-201/grid.json): plain DARTS, seed by seed. */
export const NB201_GRID_DARTS = /^darts-s\d+$/;

/**
 * The pilot's rows and, after them, the DARTS searches of the NAS-Bench-201 grid (3,950 weight
 * steps: the pilot's NAS-Bench-201 setting at the larger size, run there with its seeds), so that
 * the table and its findings cover both sizes; notebook 01 reads this.
 */
export function reproductionPilotRows(): { rows: PilotRow[]; pending: PilotPending[] } {
  const pilot = pilotRows();
  const grid = pilotRows([path.join(nb201RunsDir(), '..', 'grid.json')], nb201RunsDir(), (name) => NB201_GRID_DARTS.test(name));
  return {
    rows: [...pilot.rows, ...grid.rows.map((r) => ({ ...r, name: `nas-bench-201/${r.name}` }))],
    pending: [...pilot.pending, ...grid.pending.map((p) => ({ ...p, name: `nas-bench-201/${p.name}` }))],
  };
}
