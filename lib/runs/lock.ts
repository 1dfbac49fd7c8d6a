/**
 * One writer per run or evaluation directory. Two processes resuming the same search or evaluation
 * (a notebook and `rdarts experiment`, say) would interleave their epochs and checkpoints, so the
 * writer holds `<dir>/.lock` ({pid, host, since}) while it computes. A lock whose process is gone
 * (same host, pid no longer running) is stale and taken over; a lock of another host is respected.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const LOCK_FILE = '.lock';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(v.pid) && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;  // half-written or unreadable: treated as stale
  }
}

/**
 * Takes the lock of `dir` (created if missing) for this process; returns its release. Throws when
 * a live process holds it, naming the process, `what` and the directory.
 */
export function acquireLock(dir: string, what: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return () => {
        if (readOwner(file)?.pid === me.pid) fs.rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(file);
    if (owner && owner.pid === process.pid && owner.host === me.host) {
      throw new Error(`${what} in ${dir} is already being computed by this process`);
    }
    if (owner && (owner.host !== me.host || running(owner.pid))) {
      throw new Error(`${what} in ${dir} is being computed by process ${owner.pid} on ${owner.host} (since ${owner.since}); ` +
        `wait for it to finish, or stop it and call again to resume (remove ${file} if that process is gone)`);
    }
    fs.rmSync(file, { force: true });  // stale: its process has ended
  }
  throw new Error(`${what} in ${dir}: could not take ${file}`);
}
