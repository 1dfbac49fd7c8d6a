import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { arrayScript, checkSlurmOptions, shellQuote, type SlurmOptions } from '../../lib/cluster/slurm_script';
import { readTaskExit } from '../../lib/cluster/task_status';
import { withTempDir } from '../helpers';

const tasks = [
  { name: 'plain', args: ['search', '--seed', '1'], dir: '/runs/a' },
  { name: "odd name's", args: ['search', '--config', "/a b/it's.json", '$HOME', '`x`'], dir: '/runs/"b" \\c' },
];

/** Writes the array script of `tasks` with `cli` as the command; the environment of task `index` as Slurm sets it. */
function writeScript(dir: string, cli: string[], index: string | undefined, options: SlurmOptions = {}) {
  const script = path.join(dir, 'array.sh');
  fs.writeFileSync(script, arrayScript({ tasks, slurmDir: dir, workDir: dir, cli, header: ['a test'], options }));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, SLURM_ARRAY_JOB_ID: '77' };
  if (index !== undefined) env.SLURM_ARRAY_TASK_ID = index;
  return { script, env };
}

/** Runs the array script as Slurm would run task `index`. */
function runTask(dir: string, cli: string[], index: string | undefined, options: SlurmOptions = {}) {
  const { script, env } = writeScript(dir, cli, index, options);
  return spawnSync('bash', [script], { env, encoding: 'utf8' });
}

describe('the Slurm array script (lib/cluster/slurm_script.ts)', () => {
  it('passes each task its own arguments unchanged, logs its output and records how it ended', () =>
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'logs'));
      const r = runTask(dir, ['/bin/echo', 'rdarts'], '1');
      assert.strictEqual(r.status, 0, r.stderr);
      const log = fs.readFileSync(path.join(dir, 'logs', 'odd_name_s.log'), 'utf8');
      assert.match(log, /^== .* Slurm task 77_1 on .*: rdarts search/m);
      assert.match(log, /^rdarts search --config \/a b\/it's\.json \$HOME `x`$/m, 'the arguments arrive as written, unexpanded');
      const exit = readTaskExit(dir, "odd name's", tasks[1].dir);
      assert.deepStrictEqual([exit?.exit, exit?.job, exit?.task, exit?.dir], [0, '77', 1, tasks[1].dir]);
      assert.strictEqual(readTaskExit(dir, "odd name's", '/runs/another'), undefined, "another directory's record is not this one's");
    }));

  it('passes SIGTERM on to the command, waits for it to stop, and records its exit code', () =>
    withTempDir(async (dir) => {
      fs.mkdirSync(path.join(dir, 'logs'));
      // A command that takes a while to stop after SIGTERM, as a search saving its state.
      const slow = "process.on('SIGTERM',()=>setTimeout(()=>process.exit(143),300));console.log('up');setInterval(()=>{},1000)";
      const { script, env } = writeScript(dir, [process.execPath, '-e', slow], '0');
      const child = spawn('bash', [script], { env, stdio: 'ignore' });
      const log = path.join(dir, 'logs', 'plain.log');
      for (let i = 0; i < 100 && !(fs.existsSync(log) && /^up$/m.test(fs.readFileSync(log, 'utf8'))); i++)
        await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      assert.strictEqual(code, 143);
      assert.strictEqual(readTaskExit(dir, 'plain')?.exit, 143, 'the exit record is written after the command stopped');
    }));

  it("records a failing task's exit code and ends with it; a run without an array index stops at once", () =>
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'logs'));
      const failed = runTask(dir, ['/bin/false'], '0');
      assert.strictEqual(failed.status, 1);
      assert.strictEqual(readTaskExit(dir, 'plain')?.exit, 1);
      const outside = runTask(dir, ['/bin/echo'], undefined);
      assert.notStrictEqual(outside.status, 0);
      assert.match(outside.stderr, /submit this script with sbatch/);
      const beyond = runTask(dir, ['/bin/echo'], '2');
      assert.strictEqual(beyond.status, 2);
      assert.match(beyond.stderr, /no task 2/);
    }));

  it('writes the sbatch settings as #SBATCH lines, one array task per task', () => {
    const text = arrayScript({
      tasks,
      slurmDir: '/shared/runs/.slurm/g',
      workDir: '/shared/work',
      cli: ['/usr/bin/node', '/x/cli.js'],
      header: ['rdarts grid g.json --slurm'],
      options: {
        partition: 'gpu',
        time: '1-00:00:00',
        mem: '4G',
        cpusPerTask: 2,
        gpus: 'a100:1',
        maxParallel: 3,
        requeue: true,
        extra: ['--nice=5'],
      },
    });
    const sbatch = text.split('\n').filter((l) => l.startsWith('#SBATCH '));
    assert.deepStrictEqual(sbatch, [
      '#SBATCH --job-name=rdarts',
      '#SBATCH --array=0-1%3',
      '#SBATCH --output=/shared/runs/.slurm/g/logs/slurm-%A_%a.out',
      '#SBATCH --chdir=/shared/work',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1-00:00:00',
      '#SBATCH --mem=4G',
      '#SBATCH --gpus=a100:1',
      '#SBATCH --requeue',
      '#SBATCH --nice=5',
    ]);
    assert.match(text, /^# rdarts grid g\.json --slurm$/m);
    assert.throws(
      () => arrayScript({ tasks: [], slurmDir: '/s', workDir: '/w', cli: ['node'], header: [], options: {} }),
      /at least one task/,
    );
  });

  it('names the first bad sbatch setting', () => {
    for (const [options, message] of [
      [{ time: '2 hours' }, /--time "2 hours": must be a Slurm time/],
      [{ mem: '4 GB' }, /--mem "4 GB": must be a size/],
      [{ cpusPerTask: 0 }, /--cpus-per-task 0: must be a positive integer/],
      [{ maxParallel: 1.5 }, /--max-parallel 1.5: must be a positive integer/],
      [{ partition: 'a b' }, /--partition "a b": must be a Slurm name/],
      [{ gpus: 'many' }, /--gpus "many": must be a count/],
      [{ extra: ['-N 2'] }, /--sbatch "-N 2": each must be one sbatch option/],
      [{ extra: ['--x=1\n#SBATCH --y'] }, /--sbatch/],
      [{ extra: ['--array=0-3'] }, /the script sets --array/],
    ] as const)
      assert.throws(() => checkSlurmOptions(options as SlurmOptions), message);
    for (const time of ['30', '10:00', '2:00:00', '1-12', '1-12:30', '1-12:30:00']) assert.doesNotThrow(() => checkSlurmOptions({ time }));
  });

  it('quotes a word for bash only where needed', () => {
    assert.strictEqual(shellQuote('/a/b.json'), '/a/b.json');
    assert.strictEqual(shellQuote("it's"), `'it'\\''s'`);
    assert.strictEqual(spawnSync('bash', ['-c', `printf %s ${shellQuote("a 'b' $c")}`], { encoding: 'utf8' }).stdout, "a 'b' $c");
  });
});
