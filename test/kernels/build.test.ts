import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { KERNELS_WASM, KERNELS_WASM_RELAXED, KERNELS_WASM_SHARED, KERNELS_WASM_SHARED_RELAXED } from '../../lib/kernels/wasm_module';
import { tempDir } from '../helpers';

describe("the kernels' .wasm builds (plain, shared-memory, and the relaxed-SIMD build of each)", () => {
  it('are what lib/kernels/build.sh makes from the committed C source', function () {
    this.timeout(60_000);
    const { dir, cleanup } = tempDir();
    try {
      const committed = [KERNELS_WASM, KERNELS_WASM_SHARED, KERNELS_WASM_RELAXED, KERNELS_WASM_SHARED_RELAXED];
      const rebuilt = committed.map((f) => path.join(dir, path.basename(f)));
      const r = spawnSync('bash', [path.join(path.dirname(KERNELS_WASM), 'build.sh'), ...rebuilt], { encoding: 'utf8' });
      if (r.status === 3) this.skip(); // no clang 16+ with wasm-ld: optional, the binaries are committed
      assert.strictEqual(r.status, 0, r.stderr);
      committed.forEach((file, i) => {
        assert.ok(
          fs.readFileSync(rebuilt[i]).equals(fs.readFileSync(file)),
          `the committed ${path.basename(file)} is stale: run \`npm run build:kernels\` and commit it`,
        );
      });
    } finally {
      cleanup();
    }
  });
});
