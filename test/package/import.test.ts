import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, tempDir } from '../helpers';

// A user's project outside the repository that depends on this package, the way
// `npm install /path/to/robust-darts-ts` links it.
describe('the package, imported from a script outside the repository', () => {
  let dir: string;
  let cleanup: () => void;
  before(function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm ci and npm test do it)');
    }
    ({ dir, cleanup } = tempDir('rdarts-user-'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(repoRoot, path.join(dir, 'node_modules', 'robust-darts-ts'), 'dir');
  });
  after(() => cleanup?.());

  /** Our TypeScript, strict, on the user's `file` with the given module resolution. */
  const typecheck = (file: string, resolution: 'node16' | 'node10', extra: readonly string[] = []) => {
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const module = resolution === 'node16' ? 'node16' : 'commonjs';
    const flags = ['--noEmit', '--strict', '--skipLibCheck', '--module', module, '--moduleResolution', resolution];
    return spawnSync(process.execPath, [tsc, ...flags, ...extra, '--target', 'es2022', '--lib', 'es2022,dom', file], {
      cwd: dir,
      encoding: 'utf8',
    });
  };

  const check = (out: string) => {
    const r = JSON.parse(out.trim().split('\n').pop() as string);
    assert.ok(['wasm', 'cpu', 'tfjs-node', 'tfjs-node-gpu'].includes(r.backend));
    assert.strictEqual(r.sum, 6);
    assert.deepStrictEqual(r.presets, ['smoke', 'quick', 'mini', 'paper']);
  };

  it('works with require() (CommonJS)', () => {
    fs.writeFileSync(
      path.join(dir, 'user.js'),
      `
      const rd = require('robust-darts-ts');
      rd.initBackend().then((info) => {
        const sum = rd.tf.tidy(() => rd.tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
        console.log(JSON.stringify({ backend: info.name, sum, presets: rd.PRESETS }));
      });`,
    );
    const r = spawnSync(process.execPath, ['user.js'], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    check(r.stdout);
  });

  it('works with import (ES module)', () => {
    fs.writeFileSync(
      path.join(dir, 'user.mjs'),
      `
      import { initBackend, tf, PRESETS } from 'robust-darts-ts';
      const info = await initBackend();
      const sum = tf.tidy(() => tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
      console.log(JSON.stringify({ backend: info.name, sum, presets: PRESETS }));`,
    );
    const r = spawnSync(process.execPath, ['user.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    check(r.stdout);
  });

  it('serves the subpaths (one per folder of lib/), with their types', () => {
    fs.writeFileSync(
      path.join(dir, 'sub.js'),
      `
      const analysis = require('robust-darts-ts/analysis');
      const hessian = require('robust-darts-ts/hessian');
      console.log(JSON.stringify([typeof analysis.esTestErrorTable, typeof hessian.dominantEigenvalue]));`,
    );
    const r = spawnSync(process.execPath, ['sub.js'], { cwd: dir, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout.trim().split('\n').pop() as string), ['function', 'function']);
    fs.writeFileSync(
      path.join(dir, 'sub.ts'),
      `
      import { symmetricEigen } from 'robust-darts-ts/hessian';
      export const top: number = symmetricEigen([[2, 0], [0, 1]]).values[1];`,
    );
    for (const resolution of ['node16', 'node10'] as const) {
      const t = typecheck('sub.ts', resolution);
      assert.strictEqual(t.status, 0, `${resolution}: ${t.stdout}${t.stderr}`);
    }
  });

  it('type-checks and runs each script of examples/ in the user project, as a user would', function () {
    this.timeout(300_000);
    const examples = fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.ts'));
    assert.deepStrictEqual(examples.sort(), ['curvature.ts', 'grid.ts', 'search.ts']);
    const tsx = require.resolve('tsx/cjs', { paths: [repoRoot] });
    const results = path.join(dir, 'results');
    // search first (curvature reads its smoke run back), then the others.
    for (const name of ['search.ts', 'curvature.ts', 'grid.ts']) {
      fs.copyFileSync(path.join(repoRoot, 'examples', name), path.join(dir, name));
      for (const resolution of ['node16', 'node10'] as const) {
        // A script's user has @types/node, as we do.
        const t = typecheck(name, resolution, ['--typeRoots', path.join(repoRoot, 'node_modules', '@types'), '--types', 'node']);
        assert.strictEqual(t.status, 0, `${name} (${resolution}): ${t.stdout}${t.stderr}`);
      }
      const r = spawnSync(process.execPath, ['--require', tsx, name, results], { cwd: dir, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
      const expected = {
        'search.ts': /genotype: normal: n0=/,
        'curvature.ts': /dominant eigenvalue \d+\.\d{4} .*tensors left: 0/s,
        'grid.ts': /example-grid\.csv/,
      }[name];
      assert.match(r.stdout, expected as RegExp, name);
    }
  });

  it('ships types that a TypeScript user sees through package exports', () => {
    fs.writeFileSync(
      path.join(dir, 'user.ts'),
      `
      import { initBackend, type BackendInfo, type PresetName } from 'robust-darts-ts';
      const preset: PresetName = 'smoke';
      export async function main(): Promise<string> {
        const info: BackendInfo = await initBackend();
        return info.name + preset;
      }
      // @ts-expect-error: not a preset
      export const wrong: PresetName = 'huge';`,
    );
    const r = typecheck('user.ts', 'node16');
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  });
});
