import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { AUTO_BACKENDS, backendInfo, initBackend, tf } from '../lib/backend';
import { wasmThreadsFromEnv } from '../lib/backend_wasm_threads';
import { relaxedSimdFromEnv } from '../lib/kernels/wasm_module';
import { packageVersion } from '../lib/versions';
import { assertClose, assertNoTensorLeak, repoRoot } from './helpers';

/** Runs `rdarts backend` in a child process with the given environment. */
function cliBackend(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(repoRoot, 'lib', 'cli.ts'), 'backend'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('initBackend', () => {
  it('activates the backend that RDARTS_BACKEND names, else the first that loads', async () => {
    const info = await initBackend();
    const forced = process.env.RDARTS_BACKEND;
    if (forced) {
      assert.strictEqual(info.name, forced);
      assert.match(info.reason, /RDARTS_BACKEND/);
    } else {
      // Nothing before the chosen one loaded, and each skipped one says why.
      const index = (AUTO_BACKENDS as readonly string[]).indexOf(info.name);
      assert.deepStrictEqual(
        info.skipped.map((s) => s.name),
        AUTO_BACKENDS.slice(0, index),
      );
      for (const s of info.skipped) assert.ok(s.error.length > 0);
    }
    assert.strictEqual(tf.getBackend(), info.tfBackend);
    assert.strictEqual(backendInfo(), info);
    assert.strictEqual(info.versions['tfjs-core'], tf.version_core);
  });

  it('reads the wasm binaries from node_modules, with SIMD', async function () {
    const info = await initBackend();
    if (info.name !== 'wasm') this.skip();
    assert.ok(info.wasm, 'wasm details are reported');
    assert.ok(info.wasm.dir.includes(`node_modules${path.sep}@tensorflow${path.sep}tfjs-backend-wasm`));
    assert.strictEqual(info.wasm.simd, true);
    // The threaded build only where RDARTS_WASM_THREADS asks for it (test:backends runs this file both ways).
    const threads = wasmThreadsFromEnv();
    assert.deepStrictEqual([info.wasm.multithread, info.wasm.threads], [threads !== undefined, threads ?? 1]);
    // Our kernels' relaxed-SIMD build only where RDARTS_WASM_RELAXED=1 asks (test:backends runs it so too).
    assert.strictEqual(info.wasm.relaxedSimd, relaxedSimdFromEnv());
  });

  it('computes a gradient that matches the closed form, without leaking tensors', async () => {
    // f(x) = sum(x^2 * w) => df/dx = 2 x w
    const x = [1.5, -2, 0.25, 3];
    const w = [0.5, 1, -2, 0.1];
    const grad = () =>
      tf.tidy(() => {
        const wt = tf.tensor1d(w);
        return tf
          .grad((v: tf.Tensor) => v.square().mul(wt).sum())(tf.tensor1d(x))
          .dataSync();
      });
    assertClose(
      grad(),
      x.map((v, i) => 2 * v * w[i]),
      1e-6,
      'gradient',
    );
    await assertNoTensorLeak(grad);
  });

  it('fails with an explanation when a forced native backend cannot load', async function () {
    if (packageVersion('@tensorflow/tfjs-node') !== undefined) this.skip();
    const active = (await initBackend()).name;
    await assert.rejects(
      initBackend({ force: 'tfjs-node' }),
      /backend tfjs-node was requested but cannot be used: cannot load @tensorflow\/tfjs-node.*npm install --no-save @tensorflow\/tfjs-node@4\.22\.0.*environment\.md/,
    );
    // The failure leaves the active backend as it was.
    assert.strictEqual((await initBackend({ force: active })).name, active);
  });

  it('fails with an explanation when WebGPU is named and its packages are not installed', async function () {
    if (packageVersion('webgpu') !== undefined) this.skip();
    const active = (await initBackend()).name;
    await assert.rejects(
      initBackend({ force: 'webgpu' }),
      /backend webgpu was requested but cannot be used: cannot load the webgpu package \(Dawn\).*npm install --no-save webgpu@0\.6\.2 @tensorflow\/tfjs-backend-webgpu@4\.22\.0/,
    );
    assert.strictEqual((await initBackend({ force: active })).name, active);
  });

  it('makes the CLI exit non-zero with that explanation when RDARTS_BACKEND=tfjs-node cannot load', function () {
    if (packageVersion('@tensorflow/tfjs-node') !== undefined) this.skip();
    const r = cliBackend({ RDARTS_BACKEND: 'tfjs-node' });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /tfjs-node was requested but cannot be used.*npm install/);
  });

  it('runs the threaded wasm build where RDARTS_WASM_THREADS asks, and the CLI still exits; a bad count is named', function () {
    this.timeout(120_000);
    const r = cliBackend({ RDARTS_BACKEND: 'wasm', RDARTS_WASM_THREADS: '2' });
    assert.strictEqual(r.status, 0, r.stderr);
    // tfjs caps its threads at half the cores it sees, which the build's patch doubles: 2 where there are 2 cores or more.
    assert.match(r.stdout, new RegExp(`"multithread": true,\\s*"threads": ${Math.min(2, os.cpus().length)}`));
    const bad = cliBackend({ RDARTS_BACKEND: 'wasm', RDARTS_WASM_THREADS: 'two' });
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /RDARTS_WASM_THREADS must be a positive integer \(threads of the wasm backend\), got "two"/);
  });

  it("runs our kernels' relaxed-SIMD build where RDARTS_WASM_RELAXED=1 asks (Node 20: behind a V8 flag it sets); a bad value is named", function () {
    this.timeout(120_000);
    const r = cliBackend({ RDARTS_BACKEND: 'wasm', RDARTS_WASM_RELAXED: '1' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /"relaxedSimd": true/);
    const plain = cliBackend({ RDARTS_BACKEND: 'wasm', RDARTS_WASM_RELAXED: '0' });
    assert.strictEqual(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /"relaxedSimd": false/);
    const bad = cliBackend({ RDARTS_BACKEND: 'wasm', RDARTS_WASM_RELAXED: 'yes' });
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stderr, /RDARTS_WASM_RELAXED must be 1 \(our kernels' relaxed-SIMD build\) or 0 \(the plain SIMD build\), got "yes"/);
  });

  it('rejects an unknown RDARTS_BACKEND, naming the variable and the choices', () => {
    const r = cliBackend({ RDARTS_BACKEND: 'tpu' });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /RDARTS_BACKEND=tpu is not a backend; use one of tfjs-node-gpu, tfjs-node, wasm, cpu, webgpu/);
  });
});
