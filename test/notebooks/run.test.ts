import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { jupyterEnv, KERNEL_NAME } from '../../lib/notebooks/jupyter';
import { NotebookError, runNotebook } from '../../lib/notebooks/run';
import { repoRoot, tempDir } from '../helpers';

/** A notebook for our kernel with one markdown cell, then the given code cells. */
function notebook(codeCells: string[]): string {
  const cells = [
    { cell_type: 'markdown', id: 'm0', metadata: {}, source: ['# test'] },
    ...codeCells.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source: [source],
    })),
  ];
  return JSON.stringify({
    cells,
    metadata: { kernelspec: { name: KERNEL_NAME, display_name: 'TS', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

describe('the project kernelspec', () => {
  it('is found by Jupyter through JUPYTER_PATH, from inside the project', () => {
    // Ask the Python that runs `jupyter` (Debian's has no `jupyter kernelspec` command).
    const jupyter = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).stdout.trim();
    const python = fs
      .readFileSync(jupyter, 'utf8')
      .split('\n')[0]
      .replace(/^#!\s*/, '')
      .split(' ')[0];
    const r = spawnSync(
      python,
      [
        '-c',
        'import json; from jupyter_client.kernelspec import KernelSpecManager as M; ' +
          `s = M().get_kernel_spec(${JSON.stringify(KERNEL_NAME)}); print(json.dumps({"dir": s.resource_dir, "argv": s.argv}))`,
      ],
      { env: jupyterEnv(), encoding: 'utf8' },
    );
    assert.strictEqual(r.status, 0, r.stderr);
    const spec = JSON.parse(r.stdout) as { dir: string; argv: string[] };
    assert.ok(spec.dir.startsWith(repoRoot), spec.dir);
    assert.ok(spec.argv.some((a) => a.includes('node_modules/.bin/tslab kernel --config-path')));
  });
});

describe('runNotebook', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('executes a notebook on the tslab kernel with the preset, importing lib/, and stores the executed copy apart', () => {
    const src = path.join(dir, 'ok.ipynb');
    fs.writeFileSync(src, notebook(["import { presetFromEnv } from './lib/index';\nconsole.log('preset=' + presetFromEnv());"]));
    const out = path.join(dir, 'out');
    const result = runNotebook(src, { outDir: out, preset: 'smoke' });
    assert.strictEqual(result.executed, path.join(out, 'ok.ipynb'));
    const executed = JSON.parse(fs.readFileSync(result.executed, 'utf8'));
    assert.deepStrictEqual(executed.cells[1].outputs[0].text, ['preset=smoke\n']);
    // The source is left without outputs.
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(src, 'utf8')).cells[1].outputs, []);
  });

  it('fails when a cell throws, naming the notebook, the cell and the error, and stops there', () => {
    const src = path.join(dir, 'bad.ipynb');
    fs.writeFileSync(
      src,
      notebook([
        'const a: number = 1;',
        "if (a === 1) throw new Error('deliberate failure');",
        "require('fs').writeFileSync('should-not-exist', 'x');",
      ]),
    );
    assert.throws(
      () => runNotebook(src, { outDir: path.join(dir, 'out'), preset: 'smoke' }),
      (e: unknown) => {
        assert.ok(e instanceof NotebookError);
        assert.strictEqual(e.cellIndex, 2);
        assert.match(e.message, /^bad\.ipynb: cell 3 threw: [\s\S]*Error: deliberate failure/);
        return true;
      },
    );
    assert.ok(!fs.existsSync(path.join(repoRoot, 'should-not-exist')), 'cells after the failure did not run');
  });

  it('runs read-only at mini by default, and computing when told, whatever the shell says', () => {
    const src = path.join(dir, 'ro.ipynb');
    fs.writeFileSync(src, notebook(["import { computeDisabled } from './lib/runs/index';\nconsole.log('readOnly=' + computeDisabled());"]));
    const printed = (options: { preset: 'mini' | 'smoke'; readOnly?: boolean }) => {
      const result = runNotebook(src, { outDir: path.join(dir, 'ro-out'), ...options });
      return JSON.parse(fs.readFileSync(result.executed, 'utf8')).cells[1].outputs[0].text.join('');
    };
    assert.strictEqual(printed({ preset: 'mini' }), 'readOnly=true\n');
    const before = process.env.RDARTS_NO_COMPUTE;
    process.env.RDARTS_NO_COMPUTE = '1';
    try {
      assert.strictEqual(printed({ preset: 'mini', readOnly: false }), 'readOnly=false\n');
    } finally {
      if (before === undefined) delete process.env.RDARTS_NO_COMPUTE;
      else process.env.RDARTS_NO_COMPUTE = before;
    }
  });

  it('fails on a TypeScript type error in a cell', () => {
    const src = path.join(dir, 'types.ipynb');
    fs.writeFileSync(src, notebook(["const n: number = 'not a number';"]));
    assert.throws(
      () => runNotebook(src, { outDir: path.join(dir, 'out'), preset: 'smoke' }),
      /types\.ipynb: cell 2 threw: [\s\S]*not assignable to type 'number'/,
    );
  });

  it('makes `rdarts notebooks` exit non-zero and name the cell', () => {
    const nbDir = path.join(dir, 'nbs');
    fs.mkdirSync(nbDir);
    fs.writeFileSync(path.join(nbDir, '00-fine.ipynb'), notebook(['1 + 1;']));
    fs.writeFileSync(path.join(nbDir, '01-broken.ipynb'), notebook(["throw new Error('broken on purpose');"]));
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        path.join(repoRoot, 'lib', 'cli.ts'),
        'notebooks',
        '--dir',
        nbDir,
        '--out',
        path.join(dir, 'cli-out'),
        '--preset',
        'smoke',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    assert.strictEqual(r.status, 1);
    assert.match(r.stdout, /\[1\/2\] 00-fine\.ipynb ok/);
    assert.match(r.stderr, /rdarts: 01-broken\.ipynb: cell 2 threw: [\s\S]*broken on purpose/);
  });
});
