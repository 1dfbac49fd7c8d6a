/** Where the project's outputs go. */
import * as path from 'path';

/**
 * The results directory: `$RDARTS_RESULTS`, else `results/` under the current working directory
 * (the project root for the CLI, npm scripts and notebooks; the user's own folder for a script
 * that imports the package).
 */
export function resultsDir(): string {
  return path.resolve(process.env.RDARTS_RESULTS || 'results');
}

/** The preset whose tables and figures are the report's (results/tables, results/figures). */
export const REPORT_PRESET = 'mini';

/**
 * Where the notebooks' tables and figures of `preset` (default: RDARTS_PRESET, else quick, as
 * presetFromEnv) go: the results directory itself for the report's preset, `<results>/<preset>/`
 * for the others. So the smoke runs of CI and the tests, and quick runs, never overwrite the
 * report's committed tables.
 */
export function outputsDir(preset: string = process.env.RDARTS_PRESET || 'quick'): string {
  if (!/^[a-z]+$/.test(preset)) throw new Error(`outputsDir: preset "${preset}" is not a preset name`);
  return preset === REPORT_PRESET ? resultsDir() : path.join(resultsDir(), preset);
}

/** The root of this package (the folder holding package.json), from lib/ or dist/. */
export const packageRoot: string = path.resolve(__dirname, '..');

/** Checks that `name` is a plain file stem (letters, digits, `-`, `_`, `.`); `caller` names the API. */
export function checkFileStem(name: string, caller: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`${caller}: name "${name}" must be a plain file stem (letters, digits, - _ .)`);
  }
  return name;
}
