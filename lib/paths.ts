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

/** The root of this package (the folder holding package.json), from lib/ or dist/. */
export const packageRoot: string = path.resolve(__dirname, '..');

/** Checks that `name` is a plain file stem (letters, digits, `-`, `_`, `.`); `caller` names the API. */
export function checkFileStem(name: string, caller: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
    throw new Error(`${caller}: name "${name}" must be a plain file stem (letters, digits, - _ .)`);
  }
  return name;
}
