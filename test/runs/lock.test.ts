import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, LOCK_FILE, readLock } from '../../lib/runs/lock';
import { slurmJobOfThisProcess } from '../../lib/runs/slurm_jobs';
import { assertMayCompute, computeDisabled, NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { repoRoot, tempDir } from '../helpers';

const writeLock = (dir: string, pid: number, host = os.hostname(), since = new Date().toISOString()) =>
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host, since }));

describe('acquireLock', () => {
  it('creates the folder, holds the lock until released, and refuses a second holder', () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'run');
      const release = acquireLock(target, 'search run x');
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(target, LOCK_FILE), 'utf8')).pid, process.pid);
      assert.throws(
        () => acquireLock(target, 'search run x'),
        /search run x in .*run is being computed by this process \(since .*\); .*remove .*\.lock if that process is gone/,
      );
      assert.deepStrictEqual(fs.readdirSync(target), ['.lock'], 'no temporary file is left behind');
      release();
      assert.ok(!fs.existsSync(path.join(target, LOCK_FILE)));
      acquireLock(target, 'search run x')();
    } finally {
      cleanup();
    }
  });

  it("refuses a live process's lock, naming it, and takes over once that process has ended", async () => {
    const { dir, cleanup } = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const since = new Date().toISOString();
      writeLock(dir, pid, os.hostname(), since);
      assert.throws(
        () => acquireLock(dir, 'evaluation e'),
        new RegExp(`evaluation e in .* is being computed by process ${pid} on .*since ${since}`),
      );
      // The same pid, but the lock is older than the process: the pid was reused, the lock is stale.
      writeLock(dir, pid, os.hostname(), '2020-01-01T00:00:00.000Z');
      acquireLock(dir, 'evaluation e')();
      writeLock(dir, pid, os.hostname(), since);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill();
      await exited;
      const release = acquireLock(dir, 'evaluation e');
      assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
      release();
    } finally {
      child.kill();
      cleanup();
    }
  });

  it("respects another host's lock and an unreadable one, naming the file to remove", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeLock(dir, 1, 'elsewhere.example');
      assert.throws(() => acquireLock(dir, 'run'), /process 1 on elsewhere\.example/);
      fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid":');
      assert.throws(
        () => acquireLock(dir, 'run'),
        /run in .*: .*\.lock is unreadable \(.*\); if no process is computing it, remove the file/,
      );
      assert.deepStrictEqual(fs.readdirSync(dir), ['.lock']);
    } finally {
      cleanup();
    }
  });
});

describe('locks of Slurm jobs (lib/runs/slurm_jobs.ts)', () => {
  it("names this process's Slurm job as squeue names it alone: an array task as job_index", () => {
    assert.strictEqual(slurmJobOfThisProcess({ SLURM_JOB_ID: '40', SLURM_ARRAY_JOB_ID: '38', SLURM_ARRAY_TASK_ID: '2' }), '38_2');
    assert.strictEqual(slurmJobOfThisProcess({ SLURM_JOB_ID: '40' }), '40');
    assert.strictEqual(slurmJobOfThisProcess({}), undefined);
  });

  it("takes over another host's lock of this very Slurm task (requeued on another node), and records the task", () => {
    const { dir, cleanup } = tempDir();
    const saved = { array: process.env.SLURM_ARRAY_JOB_ID, index: process.env.SLURM_ARRAY_TASK_ID };
    try {
      process.env.SLURM_ARRAY_JOB_ID = '38';
      process.env.SLURM_ARRAY_TASK_ID = '2';
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 7, host: 'node-before', since: 'x', slurmJob: '38_2' }));
      const release = acquireLock(dir, 'run');
      assert.strictEqual(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).slurmJob, '38_2');
      release();
      // Another task's lock on another host is not this process's to take (squeue is asked; here it
      // cannot answer or does not list the job: only "ended" frees it, so check the record's reading).
      fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 7, host: 'node-other', since: 'x' }));
      assert.strictEqual(readLock(dir)?.live, true);
    } finally {
      for (const [k, v] of [
        ['SLURM_ARRAY_JOB_ID', saved.array],
        ['SLURM_ARRAY_TASK_ID', saved.index],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      cleanup();
    }
  });
});

describe('acquireLock across processes', () => {
  /** Starts `n` processes that each try the lock of `dir` at once and hold it 1.5 s; resolves with how many got it. */
  async function contend(dir: string, n: number): Promise<number> {
    // All try at the same moment: a time after every process has loaded.
    const script = `const { acquireLock } = require(${JSON.stringify(path.join(repoRoot, 'lib', 'runs', 'lock.ts'))});
      const go = ${Date.now() + 4000}; while (Date.now() < go) {}
      try { const release = acquireLock(${JSON.stringify(dir)}, 'x'); console.log('got'); setTimeout(release, 1500); }
      catch (e) { console.log('refused'); }`;
    const outputs = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: repoRoot });
            let out = '';
            child.stdout.on('data', (d) => {
              out += d;
            });
            child.on('close', () => resolve(out.trim()));
          }),
      ),
    );
    return outputs.filter((o) => o === 'got').length;
  }

  it('gives a free lock, and a stale one, to exactly one of several processes trying at once', async function () {
    this.timeout(60000);
    const { dir, cleanup } = tempDir();
    try {
      assert.strictEqual(await contend(dir, 4), 1);
      writeLock(dir, 999999999, os.hostname()); // no such process: stale
      assert.strictEqual(await contend(dir, 4), 1);
      assert.deepStrictEqual(fs.readdirSync(dir), []);
    } finally {
      cleanup();
    }
  });
});

describe('read-only mode (RDARTS_NO_COMPUTE)', () => {
  it('is on for any value but empty and 0, and names what is missing and how to compute it', () => {
    assert.strictEqual(NO_COMPUTE_ENV, 'RDARTS_NO_COMPUTE');
    assert.deepStrictEqual(
      ['1', 'yes', '', '0', undefined].map((v) => computeDisabled(v === undefined ? {} : { RDARTS_NO_COMPUTE: v })),
      [true, true, false, false, false],
    );
    assert.throws(
      () => assertMayCompute('search run abc', 'run X', { RDARTS_NO_COMPUTE: '1' }),
      /^Error: search run abc is not finished and RDARTS_NO_COMPUTE is set \(read-only\); run X$/,
    );
    assertMayCompute('search run abc', 'run X', {});
  });
});
