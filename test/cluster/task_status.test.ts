import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkTaskNames, formatStatus, needsSubmitting, SLURM_DIRS, taskStatus, type DirTask } from '../../lib/cluster/task_status';
import { acquireLock, LOCK_FILE } from '../../lib/runs/lock';
import { listRuns } from '../../lib/runs/run_read';
import { withTempDir } from '../helpers';

function task(dir: string, done = false, epochs = 0): DirTask {
  return { name: path.basename(dir), dir, progress: () => ({ done, epochs, of: 10 }) };
}

function writeExit(slurmDir: string, name: string, exit: number, dir: string) {
  fs.mkdirSync(path.join(slurmDir, SLURM_DIRS.exits), { recursive: true });
  const record = { exit, job: '12', task: 3, host: 'n1', at: '2026-01-01T00:00:00Z', dir };
  fs.writeFileSync(path.join(slurmDir, SLURM_DIRS.exits, `${name}.json`), JSON.stringify(record));
}

describe('task status (lib/cluster/task_status.ts)', () => {
  it('reads done, running, failed and pending from the directory, its lock and the exit record', () =>
    withTempDir((root) => {
      const slurm = path.join(root, '.slurm');
      const dir = (name: string) => {
        fs.mkdirSync(path.join(root, name), { recursive: true });
        return path.join(root, name);
      };
      assert.deepStrictEqual(taskStatus(task(path.join(root, 'none')), slurm).detail, 'not started');
      assert.strictEqual(taskStatus(task(dir('done'), true, 10), slurm).state, 'done');

      const release = acquireLock(dir('mine'), 'a test');
      const mine = taskStatus(task(dir('mine'), false, 4), slurm);
      assert.strictEqual(mine.state, 'running');
      assert.match(mine.detail, new RegExp(`^4/10 epochs; pid ${process.pid} on ${os.hostname()}`));
      release();

      // A dead process's lock on this host is stale: the run is pending, resumable.
      fs.writeFileSync(
        path.join(dir('stale'), LOCK_FILE),
        JSON.stringify({ pid: 4_000_000, host: os.hostname(), since: new Date().toISOString() }),
      );
      assert.deepStrictEqual(
        [taskStatus(task(dir('stale'), false, 3), slurm).state, taskStatus(task(dir('stale'), false, 3), slurm).detail],
        ['pending', 'stopped after 3/10 epochs; resumes there'],
      );
      // Another host's lock without a Slurm job: respected.
      fs.writeFileSync(path.join(dir('other'), LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', since: 'x' }));
      assert.strictEqual(taskStatus(task(dir('other')), slurm).state, 'running');

      writeExit(slurm, 'failed', 1, dir('failed'));
      const failed = taskStatus(task(dir('failed'), false, 2), slurm);
      assert.strictEqual(failed.state, 'failed');
      assert.ok(failed.detail.startsWith('exit 1 in Slurm task 12_3 on n1 at 2026-01-01T00:00:00Z; log: '), failed.detail);
      assert.ok(failed.detail.endsWith(path.join(slurm, 'logs', 'failed.log')), failed.detail);
      // The record of another directory under the same name (the entry's config changed since): not this run's.
      writeExit(slurm, 'changed', 1, path.join(root, 'before'));
      assert.strictEqual(taskStatus(task(dir('changed')), slurm).state, 'pending');
      writeExit(slurm, 'killed', 143, dir('killed'));
      assert.match(
        taskStatus(task(dir('killed'), false, 2), slurm).detail,
        /^stopped after 2\/10 epochs \(signal, Slurm task 12_3\); resumes there$/,
      );

      const queued = new Map([
        [dir('q'), { state: 'PENDING', id: '12_0' }],
        [dir('r'), { state: 'RUNNING', id: '12_1' }],
      ]);
      const q = taskStatus(task(dir('q')), slurm, queued);
      assert.deepStrictEqual([q.state, q.queuedAs, needsSubmitting(q)], ['pending', '12_0', false]);
      assert.strictEqual(taskStatus(task(dir('r')), slurm, queued).state, 'running');
      assert.ok(needsSubmitting(failed) && needsSubmitting(taskStatus(task(dir('stale'), false, 3), slurm)));

      const table = formatStatus([failed, q]);
      assert.strictEqual(table[table.length - 1], '2 task(s): 0 done, 0 running, 1 pending, 1 failed');
    }));

  it('refuses task names that would share a file', () => {
    assert.doesNotThrow(() => checkTaskNames(['a', 'b', 'a-b']));
    assert.throws(() => checkTaskNames(['a b', 'x', 'a_b']), /task names "a b" and "a_b" share the file name a_b; rename one/);
  });

  it("is not listed as a run: the runs folder's .slurm folder", () =>
    withTempDir((root) => {
      fs.mkdirSync(path.join(root, '.slurm', 'grid'), { recursive: true });
      assert.deepStrictEqual(listRuns(root), []);
    }));
});
