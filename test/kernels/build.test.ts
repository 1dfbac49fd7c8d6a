import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { KERNELS_WASM } from '../../lib/kernels/wasm_module';
import { tempDir } from '../helpers';

describe('grad_kernels.wasm', () => {
  it('is what lib/kernels/build.sh makes from the committed C source', function () {
    if (spawnSync('sh', ['-c', 'command -v clang && command -v wasm-ld']).status !== 0) {
      this.skip(); // clang and lld are optional: the binary is committed
    }
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'rebuilt.wasm');
      const r = spawnSync('bash', [path.join(path.dirname(KERNELS_WASM), 'build.sh'), out], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(
        fs.readFileSync(out).equals(fs.readFileSync(KERNELS_WASM)),
        'the committed grad_kernels.wasm is stale: run `npm run build:kernels` and commit it',
      );
    } finally {
      cleanup();
    }
  });
});
