/**
 * The main grid on S3 at the pilot's cheapest collapsing setting (results/s3-main/README.md): its
 * own searches (DARTS-ADA, R-DARTS(L2), DARTS with an alpha warm-up) and, as DARTS, the pilot's S3 searches at that setting
 * (the same configs, seeds 0 to 2), read from their committed records. One implementation for
 * notebook 01 and the report.
 */
import * as path from 'path';
import type { StoredRun } from '../runs/run_read';
import { resultsDir } from '../paths';
import { gridRuns, type PilotPending, pilotDir } from './pilot';

/** The main grid's folder: its grid file, and its finished runs' compact records under runs/. */
export function s3MainDir(): string {
  return path.join(resultsDir(), 's3-main');
}

/** The pilot's entries that are the main grid's DARTS searches: S3 at 1,000 weight steps, every seed. */
export const S3_MAIN_DARTS = /^s3-steps1000(-s\d+)?$/;

/** The main grid's finished searches (DARTS first, then the grid's entries in its order) and those not finished. */
export function s3MainRuns(): { runs: { name: string; run: StoredRun }[]; pending: PilotPending[] } {
  const darts = gridRuns([path.join(pilotDir(), 'grid.json')], path.join(pilotDir(), 'runs'), (name) => S3_MAIN_DARTS.test(name));
  const own = gridRuns([path.join(s3MainDir(), 'grid.json')], path.join(s3MainDir(), 'runs'));
  const runs = [...darts.runs, ...own.runs];
  const other = runs.find((r) => r.problem !== 'darts');
  if (other) throw new Error(`the S3 main grid reads DARTS-space searches; ${other.name} searches ${other.problem}`);
  return {
    runs: runs.map((r) => ({ name: r.name, run: r.run as StoredRun })),
    pending: [...darts.pending, ...own.pending],
  };
}
