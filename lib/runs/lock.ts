/**
 * One writer per run or evaluation directory. Two processes resuming the same search or evaluation
 * (a notebook and `rdarts experiment`, say) would interleave their epochs and checkpoints, so the
 * writer holds `<dir>/.lock` ({pid, host, since}) while it computes.
 *   - Taking it is atomic: the owner record is written to a file of its own, then hard-linked to
 *     `.lock`, which fails when `.lock` exists; so a lock is never seen half-written.
 *   - A lock whose process is gone is stale and taken over: same host, and its pid is not running,
 *     or runs a process that started after the lock was taken (the pid was reused, e.g. after a
 *     restart). Taking over renames the stale file away first, so two processes taking over at
 *     once cannot both win. A lock of another host is respected, unless its owner ran as a Slurm
 *     job (the record names it: `slurmJobOfThisProcess`) that Slurm no longer runs, or that is this
 *     process's own job (a requeued task, on another node now: one job runs one command at a
 *     time). So a task killed without its clean-up (SIGKILL, a lost node) does not block its
 *     resubmission or its requeue elsewhere (./slurm_jobs.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { slurmJobActive, slurmJobOfThisProcess } from './slurm_jobs';

export const LOCK_FILE = '.lock';

/** Who holds a lock: the lock file's record. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** The Slurm job the owner ran in, as `slurmJobOfThisProcess` names it (job_index for an array task), if any. */
  readonly slurmJob?: string;
}

/** When process `pid` started (ms since the epoch), from Linux's /proc; undefined where unknown. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks after boot) follows the parenthesised command name.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + (ticks * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's process still runs: same pid, started no later than the lock (1 s of slack). */
function ownerAlive(owner: LockOwner): boolean {
  const since = Date.parse(owner.since);
  if (owner.pid === process.pid) return !(since < Date.now() - process.uptime() * 1000 - 1000);
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartMs(owner.pid);
  return started === undefined || !Number.isFinite(since) || started <= since + 1000;
}

/**
 * Whether the owner may still be computing: alive on this host; on another host, unless its Slurm
 * job is this process's own (requeued here) or Slurm says that job has ended.
 */
function ownerMayRun(owner: LockOwner): boolean {
  if (owner.host === os.hostname()) return ownerAlive(owner);
  if (owner.slurmJob === undefined) return true;
  if (owner.slurmJob === slurmJobOfThisProcess()) return false;
  return slurmJobActive(owner.slurmJob) !== false;
}

function readOwner(file: string): LockOwner | undefined {
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  if (!Number.isInteger(v.pid) || typeof v.host !== 'string' || typeof v.since !== 'string') throw new Error('not a lock record');
  if (v.slurmJob !== undefined && typeof v.slurmJob !== 'string') throw new Error('not a lock record');
  return v;
}

/**
 * The lock of `dir` as a reader sees it (changes nothing): undefined when there is none; else its
 * owner and whether that owner may still be computing (false: a stale lock, which the next
 * writer takes over). An unreadable lock file reads as held by an unknown owner.
 */
export function readLock(dir: string): { owner?: LockOwner; live: boolean } | undefined {
  const file = path.join(dir, LOCK_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const owner = readOwner(file) as LockOwner;
    return { owner, live: ownerMayRun(owner) };
  } catch {
    return fs.existsSync(file) ? { live: true } : undefined;
  }
}

let counter = 0;

/**
 * Takes the lock of `dir` (created if missing) for this process; returns its release. Throws when
 * a live process holds it, naming the process, `what` and the directory.
 */
export function acquireLock(dir: string, what: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const job = slurmJobOfThisProcess();
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), ...(job ? { slurmJob: job } : {}) };
  const mine = path.join(dir, `${LOCK_FILE}.${process.pid}.${counter++}.tmp`);
  fs.writeFileSync(mine, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.linkSync(mine, file);
        return () => {
          try {
            const owner = readOwner(file);
            if (owner?.pid === me.pid && owner.since === me.since) fs.rmSync(file, { force: true });
          } catch {
            // gone or replaced: nothing of ours to remove
          }
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let owner: LockOwner;
      try {
        owner = readOwner(file) as LockOwner;
      } catch (e) {
        throw new Error(
          `${what} in ${dir}: ${file} is unreadable (${(e as Error).message}); if no process is computing it, remove the file`,
          { cause: e },
        );
      }
      if (ownerMayRun(owner)) {
        const who = owner.pid === process.pid && owner.host === me.host ? 'this process' : `process ${owner.pid} on ${owner.host}`;
        throw new Error(
          `${what} in ${dir} is being computed by ${who} (since ${owner.since}); ` +
            `wait for it to finish, or stop it and call again to resume (remove ${file} if that process is gone)`,
        );
      }
      // Stale: break it under a second lock (`.lock.break`), so that one process at a time re-reads it
      // and removes it only if it still is the dead owner's; a live lock is never moved or removed.
      const breaker = `${file}.break`;
      try {
        fs.linkSync(mine, breaker);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const holder = (() => {
          try {
            return readOwner(breaker);
          } catch {
            return undefined;
          }
        })();
        if (holder && !ownerMayRun(holder)) fs.rmSync(breaker, { force: true }); // died while breaking
        continue; // another process is breaking it; try again
      }
      try {
        const again = (() => {
          try {
            return readOwner(file);
          } catch {
            return undefined;
          }
        })();
        if (again && again.pid === owner.pid && again.since === owner.since) fs.rmSync(file, { force: true });
      } finally {
        fs.rmSync(breaker, { force: true });
      }
    }
    throw new Error(`${what} in ${dir}: could not take ${file}`);
  } finally {
    fs.rmSync(mine, { force: true });
  }
}
