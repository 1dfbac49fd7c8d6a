/** Ctrl-C while a job computes (lib/runs/interrupt.ts): locks released, a message, the signal's exit code. */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { activeJobs, onInterrupt, registerActiveJob, signalExitCode, stopActiveJobs } from '../../lib/runs/interrupt';
import { ensureJob } from '../../lib/runs/job';
import { LOCK_FILE } from '../../lib/runs/lock';
import { savedEpochsMessage } from '../../lib/runs/records';
import { repoRoot, withTempDir } from '../helpers';

describe('stopActiveJobs', () => {
  it('releases each registered job once, says what is saved, and forgets it', () => {
    const released: string[] = [];
    const unregister = registerActiveJob({
      what: 'job a',
      dir: '/x/a',
      saved: () => 'Epochs 0-2 are saved.',
      release: () => released.push('a'),
    });
    registerActiveJob({ what: 'job b', dir: '/x/b', release: () => released.push('b') });
    const lines = stopActiveJobs('interrupted (Ctrl-C)');
    assert.deepStrictEqual(released, ['a', 'b']);
    assert.deepStrictEqual(lines, [
      'interrupted (Ctrl-C): stopped job a in /x/a; its lock is released. Epochs 0-2 are saved.',
      'interrupted (Ctrl-C): stopped job b in /x/b; its lock is released.',
    ]);
    assert.deepStrictEqual(activeJobs(), []);
    assert.deepStrictEqual(stopActiveJobs('again'), []);
    unregister(); // after the stop: a no-op
  });

  it('still releases a job whose saved() throws, and says why it could not tell', () => {
    let released = false;
    registerActiveJob({
      what: 'job c',
      dir: '/x/c',
      saved: () => {
        throw new Error('epochs.jsonl: bad line 3');
      },
      release: () => {
        released = true;
      },
    });
    const [line] = stopActiveJobs('interrupted');
    assert.ok(released);
    assert.match(line, /could not read what is saved: epochs\.jsonl: bad line 3/);
  });
});

describe('ensureJob and the interrupt registry', () => {
  it('registers the job while it holds its lock, with its saved() bound to the directory, and unregisters it after', () =>
    withTempDir(async (root) => {
      const dir = path.join(root, 'j');
      let during: string[] = [];
      await ensureJob({
        dir,
        read: () => undefined,
        finished: (s: string | undefined) => s,
        label: () => 'test job',
        hint: '',
        saved: (d) => `saved in ${path.basename(d)}`,
        prepare: () => undefined,
        create: () => {
          fs.mkdirSync(dir, { recursive: true });
          return dir;
        },
        resume: async () => {
          during = activeJobs().map((j) => `${j.what} ${j.dir === dir} ${j.saved?.()}`);
          return 'done';
        },
      });
      assert.deepStrictEqual(during, ['test job true saved in j']);
      assert.deepStrictEqual(activeJobs(), []);
    }));
});

describe('onInterrupt', () => {
  it('on SIGINT stops the active jobs, prints their lines and the way to resume, and exits 130', () => {
    const lines: string[] = [];
    const codes: number[] = [];
    let released = false;
    const uninstall = onInterrupt(
      (l) => lines.push(l),
      (c) => codes.push(c),
    );
    const unregister = registerActiveJob({ what: 'job d', dir: '/x/d', release: () => (released = true) });
    try {
      process.emit('SIGINT', 'SIGINT');
    } finally {
      uninstall();
      unregister();
    }
    assert.ok(released);
    assert.deepStrictEqual(codes, [130]);
    assert.match(lines[0], /^interrupted \(Ctrl-C\): stopped job d in \/x\/d; its lock is released\.$/);
    assert.match(lines[1], /again to resume/);
    assert.strictEqual(signalExitCode('SIGTERM'), 143);
  });
});

describe('onInterrupt, while no job runs', () => {
  it('listens to SIGINT and SIGTERM only while a job is registered (otherwise Ctrl-C ends the process at once)', () => {
    const [int0, term0] = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const uninstall = onInterrupt(
      () => undefined,
      () => undefined,
    );
    try {
      assert.deepStrictEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], [int0, term0]);
      const unregister = registerActiveJob({ what: 'job e', dir: '/x/e', release: () => undefined });
      assert.deepStrictEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], [int0 + 1, term0 + 1]);
      unregister();
      assert.deepStrictEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], [int0, term0]);
    } finally {
      uninstall();
    }
  });
});

describe('savedEpochsMessage', () => {
  it('counts epochs from 0, as the records do', () => {
    assert.strictEqual(savedEpochsMessage(0, 10), 'No epoch was finished (epochs run 0-9); a re-run starts at epoch 0.');
    assert.match(savedEpochsMessage(3, 10), /^Epochs 0-2 of 0-9 are saved, with the last one's checkpoint; epoch 3 was in progress/);
  });
});

describe('rdarts search, interrupted', function () {
  this.timeout(120_000);
  it('answers Ctrl-C within a step: exit 130, the lock released, the saved epochs named', () =>
    withTempDir(async (root) => {
      const args = [
        '--require',
        'tsx/cjs',
        path.join(repoRoot, 'lib', 'cli.ts'),
        'search',
        '--preset',
        'smoke',
        '--epochs',
        '60',
        '--out',
        root,
      ];
      const child = spawn(process.execPath, args, { cwd: repoRoot });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Wait for the first finished epoch, then interrupt.
      const epochsFile = () => {
        const runs = fs.existsSync(root) ? fs.readdirSync(root) : [];
        return runs.length === 1 ? path.join(root, runs[0], 'epochs.jsonl') : undefined;
      };
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const f = epochsFile();
        if (f && fs.existsSync(f) && fs.readFileSync(f, 'utf8').trim().length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      const code = await exited;
      assert.strictEqual(code, 130, stderr);
      const runDir = path.dirname(epochsFile() as string);
      assert.ok(!fs.existsSync(path.join(runDir, LOCK_FILE)), 'the lock is released');
      const saved = fs.readFileSync(path.join(runDir, 'epochs.jsonl'), 'utf8').trim().split('\n').length;
      assert.match(stderr, new RegExp(`rdarts: interrupted \\(Ctrl-C\\): stopped search run ${path.basename(runDir)} in `));
      assert.match(stderr, new RegExp(`Epochs 0-${saved - 1} of 0-59 are saved`));
      assert.match(stderr, /again to resume/);
    }));
});
