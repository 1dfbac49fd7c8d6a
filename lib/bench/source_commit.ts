/**
 * Which code a benchmark ran: the git commit of this package's checkout (lib/bench only: records
 * that compare code across commits on one machine).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { packageRoot } from '../paths';

/**
 * The git commit of this checkout and whether its tracked files differ from it (`dirty`), or
 * undefined where the package is not a git checkout (installed from npm) or git is missing. For
 * benchmark records, which compare code across commits on one machine.
 */
export function sourceCommit(): { commit: string; dirty: boolean } | undefined {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    // Installed under node_modules of another checkout, git would answer for that one.
    if (fs.realpathSync(git(['rev-parse', '--show-toplevel'])) !== fs.realpathSync(packageRoot)) return undefined;
    const commit = git(['rev-parse', 'HEAD']);
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    return { commit, dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '' };
  } catch {
    return undefined;
  }
}
