/** The one job protocol (lib/runs/job.ts), step by step, with a job that records what it was asked. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { ensureJob, type Job } from '../../lib/runs/job';
import { LOCK_FILE } from '../../lib/runs/lock';
import { withTempDir } from '../helpers';

/**
 * A job whose steps are logged; `done` says what the directory holds at each read (a finished
 * result, or undefined), and `finished` answers with it.
 */
function job(
  dir: string,
  done: (call: number) => string | undefined,
  log: string[],
  prepare = () => 'data',
): Job<string, string, string | undefined> {
  let calls = 0;
  return {
    dir,
    read: () => {
      log.push('read');
      return done(calls++);
    },
    finished: (stored) => {
      log.push('finished');
      return stored;
    },
    label: () => 'test job',
    hint: 'run it elsewhere',
    prepare: () => {
      log.push('prepare');
      return prepare();
    },
    create: () => {
      log.push('create');
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    resume: async (data, d, stored) => {
      log.push(`resume ${data} locked=${fs.existsSync(path.join(d, LOCK_FILE))} stored=${stored}`);
      return 'computed';
    },
  };
}

describe('ensureJob: the protocol of every resumable job', () => {
  it('reads a finished job back and touches nothing else', () =>
    withTempDir(async (root) => {
      const log: string[] = [];
      assert.strictEqual(await ensureJob(job(path.join(root, 'j'), () => 'stored', log)), 'stored');
      assert.deepStrictEqual(log, ['read', 'finished']);
    }));

  it('loads the data, creates the directory, locks it, checks again, then resumes under the lock and releases it', () =>
    withTempDir(async (root) => {
      const log: string[] = [];
      const dir = path.join(root, 'j');
      assert.strictEqual(await ensureJob(job(dir, () => undefined, log)), 'computed');
      assert.deepStrictEqual(log, [
        'read',
        'finished',
        'prepare',
        'create',
        'read',
        'finished',
        'resume data locked=true stored=undefined',
      ]);
      assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)), 'the lock is released');
    }));

  it('returns what another process finished while this one waited for the lock', () =>
    withTempDir(async (root) => {
      const log: string[] = [];
      assert.strictEqual(await ensureJob(job(path.join(root, 'j'), (call) => (call === 0 ? undefined : 'theirs'), log)), 'theirs');
      assert.deepStrictEqual(log, ['read', 'finished', 'prepare', 'create', 'read', 'finished']);
    }));

  it('in read-only mode refuses before loading anything, naming the job and how to compute it', () =>
    withTempDir(async (root) => {
      const log: string[] = [];
      const before = process.env[NO_COMPUTE_ENV];
      process.env[NO_COMPUTE_ENV] = '1';
      try {
        await assert.rejects(ensureJob(job(path.join(root, 'j'), () => undefined, log)), /test job is not finished .*run it elsewhere/);
      } finally {
        if (before === undefined) delete process.env[NO_COMPUTE_ENV];
        else process.env[NO_COMPUTE_ENV] = before;
      }
      assert.deepStrictEqual(log, ['read', 'finished']);
    }));

  it('a failing data load writes nothing', () =>
    withTempDir(async (root) => {
      const log: string[] = [];
      const dir = path.join(root, 'j');
      const failing = () => {
        throw new Error('corrupt data file');
      };
      await assert.rejects(ensureJob(job(dir, () => undefined, log, failing)), /corrupt data file/);
      assert.deepStrictEqual(log, ['read', 'finished', 'prepare']);
      assert.ok(!fs.existsSync(dir));
    }));
});
