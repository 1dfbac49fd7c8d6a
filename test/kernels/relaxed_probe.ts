/**
 * Run by test/kernels/relaxed.test.ts in a child process (the kernel build is chosen once per
 * process): every gradient of the S3 and DARTS-space check supernets on the wasm backend, with the
 * build RDARTS_WASM_RELAXED asks for, printed as one JSON line { relaxedSimd, grads: { case/tensor: [...] } }.
 */
import { initBackend } from '../../lib/backend';
import { CHECK_CASES, measureCase } from '../../lib/engine/differential';

(async () => {
  const info = await initBackend({ force: 'wasm' });
  const grads: Record<string, number[]> = {};
  for (const c of CHECK_CASES.filter((k) => k.space === 's3' || k.space === 'darts')) {
    for (const [name, values] of Object.entries(await measureCase(c, 'gradients'))) grads[`${c.space}/${name}`] = Array.from(values);
  }
  process.stdout.write(JSON.stringify({ relaxedSimd: info.wasm?.relaxedSimd, grads }) + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
