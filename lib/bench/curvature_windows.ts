/**
 * How much the dominant eigenvalue of a language-modelling search depends on the validation window
 * it is measured on (docs/method.md §9): at a search run's latest checkpoint, Lanczos on every
 * other alpha window of the checkpoint's epoch, each with its own frozen dropout masks and carried
 * state, and the full 180 x 180 Hessian on the first two (a check of Lanczos). One JSON line per window.
 *   RDARTS_DATA=... npx tsx lib/bench/curvature_windows.ts RUN_DIR [WINDOWS=16]
 */
import { initBackend } from '../backend';
import { measureCurvature } from '../hessian/track';
import { mixSeed } from '../nn/random';
import { PTB_CONFIG_CODEC, type PtbConfig } from '../problems/ptb/config';
import { ptbProblem } from '../problems/ptb/problem';
import { loadCheckpoint } from '../runs/checkpoint';
import { latestCheckpoint, readRun } from '../runs/store';
import { disposeSearchState, initialState } from '../search/loop';

async function main(): Promise<void> {
  const [dir, count = '16'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx lib/bench/curvature_windows.ts RUN_DIR [WINDOWS]');
  await initBackend();
  const run = readRun<PtbConfig, never>(dir, PTB_CONFIG_CODEC);
  const ckpt = latestCheckpoint(dir);
  if (!ckpt) throw new Error(`${dir} holds no checkpoint`);
  const problem = ptbProblem(run.config);
  const data = problem.loadData();
  const state = initialState(problem, data);
  try {
    loadCheckpoint(ckpt.file, state);
    const c = run.config;
    const plan = { epoch: ckpt.epoch, epochs: c.epochs, batchSize: c.batchSize, seed: c.seed };
    const settings = { weightDecay: c.alphaOptimizer.weightDecay, step: c.hessian.step, scheme: c.hessian.scheme };
    let k = 0;
    for (const w of data.weightBatches(plan)) {
      const a = data.alphaBatch(plan, k);
      if (k % 2 === 0) {
        const seed = mixSeed(c.seed, ckpt.epoch, k);
        const lanczos = await measureCurvature(state.net, a, { ...settings, method: 'lanczos', maxProducts: 20, seed });
        const full = k < 4 ? await measureCurvature(state.net, a, { ...settings, method: 'full', maxProducts: 180, seed }) : undefined;
        console.log(
          JSON.stringify({
            run: run.runId,
            epoch: ckpt.epoch,
            window: k,
            lanczos: lanczos.dominantEigenvalue,
            products: lanczos.products,
            full: full?.dominantEigenvalue ?? null,
          }),
        );
      }
      data.dispose(a);
      data.dispose(w);
      if (++k >= Number(count)) break;
    }
  } finally {
    disposeSearchState(state);
    data.release?.();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
