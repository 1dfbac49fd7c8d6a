/**
 * `rdarts grid --slurm` against a real Slurm (test/cluster/local_slurm.ts): a grid of smoke searches
 * submitted as a job array, one task cancelled mid-run (scancel), the grid submitted again, and
 * every run's records compared with the same grid run here by the local pool. Where Slurm cannot
 * start, the test fails naming why when RDARTS_REQUIRE_SLURM=1 (.ci/run sets it) and skips
 * otherwise.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readSubmissions } from '../../lib/cluster/slurm_submit';
import { readGridFile } from '../../lib/config/overrides_file';
import { gridRunDir, gridSlurmDir, runProgress } from '../../lib/experiments/grid';
import { LOCK_FILE } from '../../lib/runs/lock';
import { repoRoot, tempDir } from '../helpers';
import { type LocalSlurm, startLocalSlurm, unavailable } from './local_slurm';

function rdarts(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(repoRoot, 'lib', 'cli.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms: number, logs: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logs()}`);
    await sleep(250);
  }
}

describe('rdarts grid --slurm on a real one-node Slurm', function () {
  this.timeout(600_000);
  let slurm: LocalSlurm | undefined;
  let tmp: ReturnType<typeof tempDir>;

  before(async function () {
    const why = unavailable();
    if (why) {
      if (process.env.RDARTS_REQUIRE_SLURM === '1') throw new Error(`Slurm cannot start here: ${why}`);
      console.log(`    (skipped: Slurm cannot start here: ${why}; RDARTS_REQUIRE_SLURM=1 makes this a failure)`);
      this.skip();
    }
    slurm = await startLocalSlurm();
    tmp = tempDir('rdarts-slurm-test-');
  });

  after(async () => {
    await slurm?.stop();
    tmp?.cleanup();
  });

  it('runs each search as an array task, resumes a cancelled one on resubmission, and writes the records of a local run', async () => {
    const s = slurm as LocalSlurm;
    const env = s.env;
    const grid = path.join(tmp.dir, 'grid.json');
    // "long" has epochs enough to be cancelled after its first one; the others finish on their own.
    fs.writeFileSync(
      grid,
      JSON.stringify({ preset: 'smoke', base: { epochs: 2 }, runs: { a: { seed: 1 }, long: { seed: 2, epochs: 12 }, c: { seed: 3 } } }),
    );
    const out = path.join(tmp.dir, 'runs');
    const entries = readGridFile(grid);
    const slurmDir = gridSlurmDir(`${path.basename(tmp.dir)}-grid`, out);
    const longDir = gridRunDir(entries[1], out);
    const logs = () => {
      const logDir = path.join(slurmDir, 'logs');
      const taskLogs = fs.existsSync(logDir)
        ? fs.readdirSync(logDir).map((f) => `--- ${f}\n${fs.readFileSync(path.join(logDir, f), 'utf8')}`)
        : [];
      return [...taskLogs, s.logs()].join('\n');
    };

    const first = rdarts(['grid', grid, '--slurm', '--out', out], env);
    assert.strictEqual(first.status, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /submitted job array (\d+): 3 task\(s\) \(a, long, c\)/);
    const [submission] = readSubmissions(slurmDir);
    assert.deepStrictEqual(submission.tasks, ['a', 'long', 'c']);
    const job = submission.job;

    // Cancel "long" once its first epoch is stored: Slurm sends SIGTERM, the search saves and stops.
    await until('the first epoch of "long"', () => runProgress(longDir).epochs >= 1, 240_000, logs);
    const cancel = spawnSync('scancel', [`${job}_1`], { env, encoding: 'utf8' });
    assert.strictEqual(cancel.status, 0, cancel.stderr);
    await until(
      'the array to end',
      () => spawnSync('squeue', ['-h', '-j', job], { env, encoding: 'utf8' }).stdout.trim() === '',
      240_000,
      logs,
    );
    const stored = runProgress(longDir).epochs;
    assert.ok(!fs.existsSync(path.join(longDir, 'DONE')), `"long" was cancelled before it finished\n${logs()}`);
    assert.ok(stored >= 1 && stored < 12, `"long" stopped part-way (${stored} epochs)`);

    const status = rdarts(['grid', grid, '--status', '--out', out], env);
    assert.strictEqual(status.status, 0, status.stderr);
    assert.match(status.stdout, /^a +\w{12} +done +finished$/m);
    assert.match(status.stdout, /^long +\w{12} +pending +stopped after \d+\/12 epochs.*resumes there$/m);
    assert.match(status.stdout, /3 task\(s\): 2 done, 0 running, 1 pending, 0 failed/);

    // A lock of another node is respected while its Slurm job may run, and taken over once Slurm
    // says the job has ended: write one naming the cancelled task, as a task killed outright leaves.
    const foreign = { pid: 4_000_000, host: 'node-gone', since: new Date().toISOString() };
    fs.writeFileSync(path.join(longDir, LOCK_FILE), JSON.stringify(foreign));
    assert.match(rdarts(['grid', grid, '--status', '--out', out], env).stdout, /^long +\w{12} +running +.*pid 4000000 on node-gone/m);
    fs.writeFileSync(path.join(longDir, LOCK_FILE), JSON.stringify({ ...foreign, slurmJob: `${job}_1` }));
    assert.match(rdarts(['grid', grid, '--status', '--out', out], env).stdout, /^long +\w{12} +pending +stopped after/m);

    // Submitting again submits only what is left, and --wait waits for it.
    const again = rdarts(['grid', grid, '--slurm', '--out', out, '--wait'], env);
    assert.strictEqual(again.status, 0, again.stderr + again.stdout + logs());
    assert.match(again.stdout, /^a: done \(finished\); not submitted$/m);
    assert.match(again.stdout, /submitted job array \d+: 1 task\(s\) \(long\)/);
    assert.match(again.stdout, /3 task\(s\): 3 done, 0 running, 0 pending, 0 failed/);
    assert.match(fs.readFileSync(path.join(slurmDir, 'logs', 'long.log'), 'utf8'), /resum/i);

    // The same grid run here: identical records (the epochs, the genotype, the decisions).
    const local = path.join(tmp.dir, 'local');
    const here = rdarts(['grid', grid, '--out', local, '--jobs', '2'], process.env);
    assert.strictEqual(here.status, 0, here.stderr);
    for (const entry of entries) {
      const [a, b] = [gridRunDir(entry, out), gridRunDir(entry, local)];
      assert.strictEqual(path.basename(a), path.basename(b));
      for (const file of ['epochs.jsonl', 'genotype.json'])
        assert.strictEqual(
          fs.readFileSync(path.join(a, file), 'utf8'),
          fs.readFileSync(path.join(b, file), 'utf8'),
          `${entry.name}: ${file}`,
        );
    }
    const exit = JSON.parse(fs.readFileSync(path.join(slurmDir, 'exits', 'long.json'), 'utf8'));
    assert.strictEqual(exit.exit, 0);
  });
});
