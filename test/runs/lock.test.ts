import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireLock, LOCK_FILE } from '../../lib/runs/lock';
import { assertMayCompute, computeDisabled, NO_COMPUTE_ENV } from '../../lib/runs/compute_guard';
import { tempDir } from '../helpers';

const writeLock = (dir: string, pid: number, host = os.hostname()) =>
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host, since: '2026-01-01T00:00:00.000Z' }));

describe('acquireLock', () => {
  it('creates the folder, holds the lock until released, and refuses a second holder', () => {
    const { dir, cleanup } = tempDir();
    try {
      const target = path.join(dir, 'run');
      const release = acquireLock(target, 'search run x');
      assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(target, LOCK_FILE), 'utf8')).pid, process.pid);
      assert.throws(() => acquireLock(target, 'search run x'), /search run x in .*run is already being computed by this process/);
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
      writeLock(dir, pid);
      assert.throws(() => acquireLock(dir, 'evaluation e'), new RegExp(`evaluation e in .* is being computed by process ${pid} on .*since 2026-01-01`));
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

  it("respects another host's lock, and treats an unreadable lock as stale", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeLock(dir, 1, 'elsewhere.example');
      assert.throws(() => acquireLock(dir, 'run'), /process 1 on elsewhere\.example/);
      fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid":');
      acquireLock(dir, 'run')();
    } finally {
      cleanup();
    }
  });
});

describe('read-only mode (RDARTS_NO_COMPUTE)', () => {
  it('is on for any value but empty and 0, and names what is missing and how to compute it', () => {
    assert.strictEqual(NO_COMPUTE_ENV, 'RDARTS_NO_COMPUTE');
    assert.deepStrictEqual(['1', 'yes', '', '0', undefined].map((v) => computeDisabled(v === undefined ? {} : { RDARTS_NO_COMPUTE: v })),
      [true, true, false, false, false]);
    assert.throws(() => assertMayCompute('search run abc', 'run X', { RDARTS_NO_COMPUTE: '1' }),
      /^Error: search run abc is not finished and RDARTS_NO_COMPUTE is set \(read-only\); run X$/);
    assertMayCompute('search run abc', 'run X', {});
  });
});
