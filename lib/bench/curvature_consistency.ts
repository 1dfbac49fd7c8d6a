/**
 * Whether the finite-difference alpha Hessian of a language-modelling search is a linear operator at
 * a checkpoint (docs/method.md §9): Lanczos (20 products, tolerance 0, ReLU kinks frozen) on the
 * Hessian of the mean loss over the checkpoint epoch's first GROUP alpha windows, at the steps
 * 1e-2, 3e-3 and 1e-3, each from two start vectors. On a linear symmetric operator the two starts
 * give the same top eigenvalue (test/hessian/track.test.ts: within 1 % on the image supernet); where
 * they differ, the differences of gradients are not of a quadratic function at that step. One JSON
 * line per (step, start), with the eigenvector's three largest entries (flattened [36, 5] index).
 *   RDARTS_DATA=... npx tsx lib/bench/curvature_consistency.ts RUN_DIR [GROUP=4]
 */
import { initBackend } from '../backend';
import { measureCurvatureMean } from '../hessian/track';
import { mixSeed } from '../nn/random';
import { loadPtbCheckpoint } from './ptb_checkpoint';

async function main(): Promise<void> {
  const [dir, groupArg = '4'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx lib/bench/curvature_consistency.ts RUN_DIR [GROUP]');
  await initBackend();
  const { run, data, state, plan, alphaWindows, release } = loadPtbCheckpoint(dir);
  const windows = alphaWindows(Number(groupArg));
  try {
    const c = run.config;
    const seed = mixSeed(c.seed, plan.epoch, 1000);
    for (const step of [1e-2, 3e-3, 1e-3])
      for (const start of [0, 1]) {
        const r = await measureCurvatureMean(state.net, windows, {
          method: 'lanczos',
          maxProducts: 20,
          tolerance: 0,
          step,
          scheme: 'central',
          weightDecay: c.alphaOptimizer.weightDecay,
          seed: seed + start,
        });
        const top = r.vector
          .map((v, i) => [Math.abs(v), i])
          .sort((a, b) => b[0] - a[0])
          .slice(0, 3)
          .map(([v, i]) => `${i}:${v.toFixed(2)}`);
        console.log(
          JSON.stringify({
            run: run.runId,
            epoch: plan.epoch,
            windows: windows.length,
            step,
            start,
            products: r.products,
            value: r.dominantEigenvalue,
            top,
          }),
        );
      }
  } finally {
    windows.forEach((b) => data.dispose(b));
    release();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
