/**
 * Finding and reading data files (data/README.md says where each data set is looked up).
 *
 * A data set's folder is searched in `$RDARTS_DATA/<folder>/`, then `data/<folder>/` under the
 * project root, then any system folder the data set names (Debian's
 * `/usr/share/datasets/fashion-mnist/`). The first folder that holds *every* required file wins; when
 * none does, the error lists each place looked in and what was missing there, so a half-copied
 * folder is reported instead of silently skipped over or partly loaded.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { packageRoot } from '../paths';
import { fileError } from './dataset';

/** Where to look for a data set's files. */
export interface LocateOptions {
  /** Look only in this folder (no search). */
  readonly dir?: string;
  /** Environment holding RDARTS_DATA; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the warning goes when RDARTS_DATA is set but the files come from elsewhere (default console.warn). */
  readonly warn?: (message: string) => void;
}

/** A data set's folder, found, and the path of each required file in it. */
export interface Located {
  readonly dir: string;
  /** One path per required file, in the order asked for. */
  readonly files: string[];
}

/** The folders searched for `folder`, in order (see the file header). */
export function dataDirs(folder: string, systemDirs: readonly string[] = [], env: LocateOptions['env'] = process.env): string[] {
  const dirs: string[] = [];
  const root = env.RDARTS_DATA;
  if (root) dirs.push(path.resolve(root, folder));
  dirs.push(path.join(packageRoot, 'data', folder));
  dirs.push(...systemDirs);
  return dirs;
}

/**
 * Finds the first folder holding all `required` files. Each required file is a list of
 * acceptable names, best first (e.g. `x.gz` then `x`). Throws an error naming `what`, every folder
 * looked in and the files missing from each.
 */
export function locateFiles(
  what: string,
  folder: string,
  required: readonly (readonly string[])[],
  options: LocateOptions = {},
  systemDirs: readonly string[] = [],
): Located {
  const dirs = options.dir !== undefined ? [path.resolve(options.dir)] : dataDirs(folder, systemDirs, options.env);
  const reasons: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) {
      reasons.push(`${dir} (no such folder)`);
      continue;
    }
    const files: string[] = [];
    const missing: string[] = [];
    for (const names of required) {
      const found = names.map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
      if (found) files.push(found);
      else missing.push(names.join(' or '));
    }
    if (missing.length === 0) {
      warnPassedOver(what, reasons, dirs, dir, options);
      return { dir, files };
    }
    reasons.push(`${dir} (missing ${missing.join(', ')})`);
  }
  throw new Error(
    `${what} not found; looked in: ${reasons.join('; ')}. ` +
      'Put the files in one of these folders or set RDARTS_DATA (see data/README.md)',
  );
}

/**
 * Says so when RDARTS_DATA is set but its folder was passed over (missing, or without every file)
 * and `used` is read instead: the user asked for their copy and would not otherwise know.
 * `reasons[i]` says why `dirs[i]` was passed over.
 */
export function warnPassedOver(
  what: string,
  reasons: readonly string[],
  dirs: readonly string[],
  used: string,
  options: LocateOptions,
): void {
  const root = (options.env ?? process.env).RDARTS_DATA;
  if (options.dir !== undefined || !root || reasons.length === 0 || dirs[0] === used) return;
  (options.warn ?? ((m: string) => console.warn(m)))(
    `data: RDARTS_DATA=${root} is set, but ${reasons[0]} does not hold ${what}; reading ${used} instead`,
  );
}

/** Reads a whole file; a gzip file (magic 1f 8b) is inflated. Errors name the file. */
export function readDataFile(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw fileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return zlib.gunzipSync(buf);
    } catch (e) {
      throw fileError(file, `is not a valid gzip file, it may be truncated (${(e as Error).message})`);
    }
  }
  return buf;
}
