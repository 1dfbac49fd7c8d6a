import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readGridFile } from '../../lib/config/overrides_file';
import { gridRunDir, runProgress } from '../../lib/experiments/grid';
import { LOCK_FILE } from '../../lib/runs/lock';
import { repoRoot, withTempDir } from '../helpers';

describe('the local pool (lib/cluster/pool.ts)', () => {
  it('passes SIGTERM on to its running searches, which save and stop; it then exits 143 and starts nothing more', () =>
    withTempDir(async (dir) => {
      const grid = path.join(dir, 'grid.json');
      fs.writeFileSync(grid, JSON.stringify({ preset: 'smoke', base: { epochs: 40 }, runs: { first: { seed: 1 }, second: { seed: 2 } } }));
      const out = path.join(dir, 'runs');
      const [first, second] = readGridFile(grid).map((e) => gridRunDir(e, out));
      const child = spawn(
        process.execPath,
        ['--require', 'tsx/cjs', path.join(repoRoot, 'lib', 'cli.ts'), 'grid', grid, '--out', out, '--jobs', '1'],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const end = Date.now() + 120_000;
      while (runProgress(first).epochs < 1) {
        if (Date.now() > end) assert.fail(`no epoch stored in time:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill('SIGTERM');
      assert.strictEqual(await exited, 143, output);
      assert.match(output, /SIGTERM: stopping 1 running task\(s\); the same command resumes/);
      assert.match(output, /\[first\] .*interrupted \(SIGTERM\): stopped search run/);
      assert.ok(!fs.existsSync(path.join(first, LOCK_FILE)), 'the search released its lock');
      assert.ok(!fs.existsSync(path.join(first, 'DONE')) && runProgress(first).epochs < 40);
      assert.ok(!fs.existsSync(second), 'the second search never started');
    }));
});
