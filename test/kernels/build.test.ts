import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { KERNELS_WASM, KERNELS_WASM_SHARED } from '../../lib/kernels/wasm_module';
import { tempDir } from '../helpers';

describe('grad_kernels.wasm and grad_kernels_shared.wasm', () => {
  it('are what lib/kernels/build.sh makes from the committed C source', function () {
    if (spawnSync('sh', ['-c', 'command -v clang && command -v wasm-ld']).status !== 0) {
      this.skip(); // clang and lld are optional: the binary is committed
    }
    const { dir, cleanup } = tempDir();
    try {
      const [out, shared] = [path.join(dir, 'rebuilt.wasm'), path.join(dir, 'rebuilt_shared.wasm')];
      const r = spawnSync('bash', [path.join(path.dirname(KERNELS_WASM), 'build.sh'), out, shared], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      for (const [built, committed] of [
        [out, KERNELS_WASM],
        [shared, KERNELS_WASM_SHARED],
      ]) {
        assert.ok(
          fs.readFileSync(built).equals(fs.readFileSync(committed)),
          `the committed ${path.basename(committed)} is stale: run \`npm run build:kernels\` and commit it`,
        );
      }
    } finally {
      cleanup();
    }
  });
});
