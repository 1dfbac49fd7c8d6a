import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { CIFAR10_CLASSES } from '../lib/data/cifar10_jpeg';
import { ensureRun } from '../lib/problems/darts/run';
import { resolveConfig } from '../lib/config/search_config';
import { repoRoot, tempDir } from './helpers';
import { fakeDataset, smokeConfig } from './search/fixtures';

function rdarts(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(repoRoot, 'lib', 'cli.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env,
  });
}

/** A CIFAR-10 JPEG copy in miniature under `root/cifar10-jpeg/`: 7 training images and 1 test image a class, 32x32 PNG. */
function writeTinyCifarCopy(root: string): void {
  CIFAR10_CLASSES.forEach((c, k) => {
    for (const [split, n] of [
      ['train', 7],
      ['test', 1],
    ] as const) {
      const dir = path.join(root, 'cifar10-jpeg', split, c);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < n; i++) {
        const png = new PNG({ width: 32, height: 32 });
        for (let p = 0; p < png.data.length; p++) png.data[p] = p % 4 === 3 ? 255 : (k * 25 + i * 7 + p * 13) % 256;
        fs.writeFileSync(path.join(dir, `${i}.png`), PNG.sync.write(png));
      }
    }
  });
}

describe('rdarts search', () => {
  for (const [what, args, message] of [
    ['an unknown space', ['--space', 's9'], /space: must be one of s1, s2, s3, s4, darts, got "s9"/],
    ['an unknown preset', ['--preset', 'huge'], /preset="huge" is not a preset/],
    ['a non-integer seed', ['--seed', '1.5'], /--seed must be an integer, got 1\.5/],
    ['an unknown data set', ['--dataset', 'imagenet'], /dataset: must be one of/],
    ['an unknown problem', ['--problem', 'nb201x'], /unknown problem "nb201x"; known: darts/],
  ] as const) {
    it(`rejects ${what}, naming it, and writes no run directory`, () => {
      const { dir, cleanup } = tempDir();
      try {
        const r = rdarts(['search', '--preset', 'smoke', ...args, '--out', dir]);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stderr, message);
        assert.deepStrictEqual(fs.readdirSync(dir), []);
      } finally {
        cleanup();
      }
    });
  }
});

describe('rdarts --version', () => {
  it("prints the package's version and the engine revision", () => {
    const r = rdarts(['--version']);
    assert.strictEqual(r.status, 0, r.stderr);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.match(r.stdout, new RegExp(`^robust-darts-ts ${pkg.version.replace(/\./g, '\\.')} \\(engine revision \\d+\\)`));
  });
});

describe('rdarts search --problem nb201 and rdarts show', () => {
  it('searches NAS-Bench-201 on the CIFAR-10 JPEG copy, prints the cell string, and shows the epochs with their benchmark accuracies', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeTinyCifarCopy(path.join(dir, 'data'));
      const env = { ...process.env, RDARTS_DATA: path.join(dir, 'data') };
      const out = path.join(dir, 'runs');
      const r = rdarts(['search', '--problem', 'nb201', '--preset', 'smoke', '--out', out], env);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /search \(nb201\): nas-bench-201 C2 N1, seed 0/);
      assert.match(r.stdout, /genotype \(epoch 1 of 0-1\): \|[a-z_0-9]+~0\|\+\|/);
      // The data's source is printed and recorded in config.json.
      const source = path.join(dir, 'data', 'cifar10-jpeg');
      assert.ok(r.stdout.includes(`data read from ${source}\n`), r.stdout);
      assert.match(r.stdout, /next:\n {2}npx rdarts show [0-9a-f]{12} --out /);
      const [runId] = fs.readdirSync(out);
      assert.strictEqual(JSON.parse(fs.readFileSync(path.join(out, runId, 'config.json'), 'utf8')).data, source);
      const show = rdarts(['show', path.join(out, runId), '--table', path.join(dir, 'tables')]);
      assert.strictEqual(show.status, 0, show.stderr);
      assert.match(show.stdout, /NAS-Bench-201, C 2, N 1, on cifar10-jpeg \(64 images\), seed 0, 2\/2 epochs \(done\)/);
      assert.match(show.stdout, /benchmark test accuracy CIFAR-10 \d+\.\d\d%/);
      const csv = fs
        .readFileSync(path.join(dir, 'tables', 'nb201-trajectory.csv'), 'utf8')
        .trim()
        .split('\n');
      assert.strictEqual(csv[0], 'epoch,cell,cifar10,cifar100,imagenet16,parameterFree,skip,none,eigenvalue,supernetValid,seconds');
      assert.strictEqual(csv.length, 3);
      // A grid of NAS-Bench-201 searches: the entry runs through `rdarts search --problem nb201`.
      const grid = path.join(dir, 'grid.json');
      fs.writeFileSync(grid, JSON.stringify({ problem: 'nb201', preset: 'smoke', runs: { one: { epochs: 1, seed: 5 } } }));
      const g = rdarts(['grid', grid, '--out', path.join(dir, 'grid-runs'), '--jobs', '1'], env);
      assert.strictEqual(g.status, 0, g.stderr + g.stdout);
      assert.match(g.stdout, /\[one\] search \(nb201\): nas-bench-201 C2 N1, seed 5/);
      assert.strictEqual(fs.readdirSync(path.join(dir, 'grid-runs')).length, 1);
      // The pilot's table reads the grid's NAS-Bench-201 search: the cell's parameter-free edges, the benchmark's error.
      const p = rdarts(['pilot', '--grid', grid, '--out', path.join(dir, 'grid-runs')]);
      assert.strictEqual(p.status, 0, p.stderr);
      assert.match(p.stdout, /\|one\|nb201\|cifar10-jpeg\|32x32x3\|5\|2\|64\|1\|\d+\|[0-9.]+\|[0-6]\|[0-6]\|[0-6]\|6\|/);
      // A DARTS flag that the NAS-Bench-201 config lacks is named, and nothing is written.
      const bad = rdarts(['search', '--problem', 'nb201', '--preset', 'smoke', '--space', 's3', '--out', path.join(dir, 'bad')], env);
      assert.strictEqual(bad.status, 1);
      assert.match(bad.stderr, /NAS-Bench-201 search config .*unknown key "space"/);
      assert.ok(!fs.existsSync(path.join(dir, 'bad')));
    } finally {
      cleanup();
    }
  });
});

describe('rdarts search --config and rdarts grid', () => {
  it('applies a config file, and names a bad one without writing a run', () => {
    const { dir, cleanup } = tempDir();
    try {
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ hessian: { method: 'power' } }));
      const r = rdarts(['search', '--preset', 'smoke', '--config', bad, '--out', path.join(dir, 'runs')]);
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /bad\.json \+ command line\): hessian\.method: must be one of lanczos, full, off, got "power"/);
      assert.ok(!fs.existsSync(path.join(dir, 'runs')));
    } finally {
      cleanup();
    }
  });

  it('runs the searches of a grid file, which a second call reads back', () => {
    const { dir, cleanup } = tempDir();
    try {
      const grid = path.join(dir, 'grid.json');
      fs.writeFileSync(grid, JSON.stringify({ preset: 'smoke', base: { epochs: 1 }, runs: { a: { seed: 1 }, b: { seed: 2 } } }));
      const out = path.join(dir, 'runs');
      const first = rdarts(['grid', grid, '--out', out, '--jobs', '2']);
      assert.strictEqual(first.status, 0, first.stderr + first.stdout);
      assert.match(first.stdout, /\[a\] finished/);
      const runs = fs.readdirSync(out);
      assert.strictEqual(runs.length, 2);
      assert.ok(runs.every((r) => fs.existsSync(path.join(out, r, 'DONE'))));
      assert.match(rdarts(['grid', grid, '--out', out]).stdout, /\[b\] run \w+ \(finished\)/);
    } finally {
      cleanup();
    }
  });
});

describe('rdarts baseline rs-ws --plan', () => {
  it('names a search that is not planned, and refuses --space or --seed beside --plan', () => {
    const nope = rdarts(['baseline', 'rs-ws', '--preset', 'smoke', '--plan', 'nope']);
    assert.strictEqual(nope.status, 1);
    assert.match(nope.stderr, /--plan nope is not a planned search; planned: failure-s1, failure-s2, failure-s3/);
    const both = rdarts(['baseline', 'rs-ws', '--preset', 'smoke', '--plan', 'failure-s3', '--space', 's2']);
    assert.match(both.stderr, /--plan sets the space and the seed; leave out --space and --seed/);
  });
});

describe('rdarts baseline on NAS-Bench-201', () => {
  it('refuses a flag of the other method, random search off NAS-Bench-201, and --space with --problem nb201, naming them', () => {
    const cases: [string[], RegExp][] = [
      [['baseline', 'rs-ws', '--problem', 'nb201', '--train-epochs', '3'], /--train-epochs not for rs-ws/],
      [
        ['baseline', 'random-search', '--problem', 'nb201', '--top-k', '3', '--score-batches', '2'],
        /--score-batches, --top-k not for random-search/,
      ],
      [['baseline', 'random-search', '--preset', 'smoke'], /random-search runs on --problem nb201/],
      [['baseline', 'rs-ws', '--problem', 'nb201', '--space', 's2'], /--plan and --space are for --problem darts/],
      [['baseline', 'rs-ws', '--problem', 'ptb'], /--problem must be darts or nb201, got "ptb"/],
      [['baseline', 'random', '--problem', 'nb201'], /unknown method "random"; use rs-ws or random-search/],
    ];
    for (const [args, message] of cases) {
      const r = rdarts(args);
      assert.strictEqual(r.status, 1, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
});

describe('rdarts experiment', () => {
  it('--evaluate waits for unfinished searches, evaluates the finished ones, and reads them back on the next call', () => {
    const { dir, cleanup } = tempDir();
    try {
      const [out, evals] = [path.join(dir, 'runs'), path.join(dir, 'evals')];
      const args = ['experiment', '--preset', 'smoke', '--group', 'ada', '--out', out];
      const waiting = rdarts([...args, '--evaluate', '--evals', evals]);
      assert.strictEqual(waiting.status, 0, waiting.stderr);
      assert.match(waiting.stdout, /waiting: ada-s3 \(run \w{12}, 0\/2 epochs\)/);
      assert.match(waiting.stdout, /0 of 0 planned evaluations done, 0 to run, 1 search\(es\) waiting/);
      assert.strictEqual(rdarts([...args, '--jobs', '1']).status, 0);
      const first = rdarts([...args, '--evaluate', '--evals', evals, '--jobs', '1']);
      assert.strictEqual(first.status, 0, first.stderr + first.stdout);
      assert.match(first.stdout, /\[ada-s3\] start: run \w{12}, epoch 1 -> evaluation (\w{12})/);
      assert.match(first.stdout, /\[ada-s3\] finished/);
      const id = /-> evaluation (\w{12})/.exec(first.stdout)?.[1] as string;
      assert.ok(fs.existsSync(path.join(evals, id, 'eval.json')));
      const again = rdarts([...args, '--evaluate', '--evals', evals]);
      assert.match(again.stdout, new RegExp(`done: ada-s3 \\(run \\w{12}, epoch 1\\): evaluation ${id}, test error \\d+\\.\\d\\d%`));
      assert.match(again.stdout, /1 of 1 planned evaluations done, 0 to run, 0 search\(es\) waiting/);
    } finally {
      cleanup();
    }
  });

  it('lists the planned searches with their runIds, and names a bad group', () => {
    const list = rdarts(['experiment', '--preset', 'smoke', '--group', 'ada,l2', '--list']);
    assert.strictEqual(list.status, 0, list.stderr);
    assert.deepStrictEqual(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
      ['ada-s3', 'l2-0.0009', 'l2-0.0027', 'l2-0.0081', 'l2-0.0243'],
    );
    assert.ok(
      list.stdout
        .trim()
        .split('\n')
        .every((l) => /^\S+\s+\w{12} {2}(not started|finished|\d+\/2 epochs)\s+\{/.test(l)),
      list.stdout,
    );
    const bad = rdarts(['experiment', '--group', 'l3', '--list']);
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /--group l3 is not a group; use failure, ada, l2, dp/);
    const only = rdarts(['experiment', '--preset', 'smoke', '--group', 'ada,l2', '--only', 'l2-0.0081,ada-s3', '--list']);
    assert.deepStrictEqual(
      only.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
      ['ada-s3', 'l2-0.0081'],
    );
    const notPlanned = rdarts(['experiment', '--preset', 'smoke', '--group', 'l2', '--only', 'dp-0', '--list']);
    assert.strictEqual(notPlanned.status, 1);
    assert.match(notPlanned.stderr, /--only dp-0: not in the plan of --group l2; planned: l2-0.0009, l2-0.0027, l2-0.0081, l2-0.0243/);
  });
});

describe('rdarts pilot', function () {
  this.timeout(120_000);
  it("lists the grid's unfinished searches and tabulates the finished ones", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const grid = path.join(dir, 'grid.json');
      fs.writeFileSync(grid, JSON.stringify({ preset: 'smoke', base: {}, runs: { done: {}, waiting: { seed: 7 } } }));
      const out = path.join(dir, 'runs');
      await ensureRun(resolveConfig('smoke'), { root: out, progress: 'off' });
      const r = rdarts(['pilot', '--grid', grid, '--out', out, '--table', path.join(dir, 'tables')]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /waiting: not started \(/);
      assert.match(r.stdout, /\|name\|space\|dataset\|image\|layers\|C\|images\|epochs\|weightSteps\|/);
      assert.match(r.stdout, /\|done\|s3\|fashion-mnist\|28x28x1\|3\|2\|64\|2\|8\|/);
      assert.ok(fs.existsSync(path.join(dir, 'tables', 'pilot.csv')));
      // A grid of another problem is named, not tabulated.
      const lm = path.join(dir, 'lm.json');
      fs.writeFileSync(lm, JSON.stringify({ problem: 'ptb', preset: 'smoke', runs: { lm: {} } }));
      const bad = rdarts(['pilot', '--grid', grid, lm, '--out', out]);
      assert.strictEqual(bad.status, 1);
      assert.match(bad.stderr, /lm searches ptb; only DARTS-space and NAS-Bench-201 searches are read here/);
    } finally {
      cleanup();
    }
  });
});

describe('rdarts runs', () => {
  it('says so when there are no runs', () => {
    const { dir, cleanup } = tempDir();
    try {
      assert.match(rdarts(['runs', '--out', dir]).stdout, /no runs/);
    } finally {
      cleanup();
    }
  });
});

describe('rdarts show', () => {
  it("summarises a run: genotype, time per epoch and an op's share per epoch", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { run } = await ensureRun(smokeConfig({ epochs: 2 }), { root: dir, train: fakeDataset(), progress: 'off' });
      const r = rdarts(['show', run.runId, '--out', dir]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /final genotype \(epoch 1 of 0-1\): normal: n0=/);
      assert.match(r.stdout, /\|epoch\|w_normal\|w_reduce\|n_normal\|n_reduce\|\n\|-:\|-:\|-:\|-:\|-:\|\n\|0\|0\.3\d\d\|/);
      assert.match(rdarts(['show', run.runId, '--out', dir, '--op', 'conv9']).stderr, /--op conv9 is not an operation/);
      assert.match(rdarts(['show', 'nope', '--out', dir]).stderr, /no run "nope": not a directory, nor a runId \(or its start\)/);
      // The first characters of a runId are enough when only one run starts so.
      const byPrefix = rdarts(['show', run.runId.slice(0, 4), '--out', dir]);
      assert.strictEqual(byPrefix.status, 0, byPrefix.stderr);
      assert.match(byPrefix.stdout, new RegExp(`^run ${run.runId}:`));
      fs.mkdirSync(path.join(dir, `${run.runId.slice(0, 4)}-other`));
      assert.match(rdarts(['show', run.runId.slice(0, 4), '--out', dir]).stderr, /is ambiguous in .*: /);
    } finally {
      cleanup();
    }
  });
});
