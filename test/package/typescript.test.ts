/**
 * One TypeScript: tslab brings its own (5.0, as @tslab/typescript-for-tslab), whose `tsc` npm may
 * link as node_modules/.bin/tsc; the build and the type check must use the declared one instead.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../helpers';

describe('the TypeScript of the build and the type check', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  for (const script of ['build', 'typecheck']) {
    it(`${script} runs the declared typescript ${pkg.devDependencies.typescript}, not tslab's`, () => {
      const m = /^node (\S+) -p \S+$/.exec(pkg.scripts[script]);
      assert.ok(m, `${script}: ${pkg.scripts[script]} names the compiler's file`);
      const r = spawnSync(process.execPath, [path.join(repoRoot, m[1]), '--version'], { encoding: 'utf8' });
      assert.strictEqual(r.stdout.trim(), `Version ${pkg.devDependencies.typescript}`);
    });
  }
});
