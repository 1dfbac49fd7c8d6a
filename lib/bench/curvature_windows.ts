/**
 * How much the dominant eigenvalue of a language-modelling search depends on the validation window
 * it is measured on, and how much averaging the Hessian over windows helps (docs/method.md §9). At a
 * search run's latest checkpoint, over the alpha windows of the checkpoint's epoch, each with its
 * own frozen dropout masks and carried state:
 *   - one line per window: Lanczos as the search's old setting ran it (at most 20 products,
 *     tolerance 1e-3) and with every one of its 20 products (tolerance 0);
 *   - one line per group of GROUP consecutive windows: the Hessian of their mean loss
 *     (`measureCurvatureMean`, as a config's hessian.batches = GROUP measures it) by Lanczos at 12
 *     and 20 products (tolerance 0), and on the first FULL groups the full 180 x 180 matrix (the
 *     check of Lanczos).
 *   RDARTS_DATA=... npx tsx lib/bench/curvature_windows.ts RUN_DIR [WINDOWS=8] [GROUP=4] [FULL=1]
 */
import { initBackend } from '../backend';
import { measureCurvatureMean, type CurvatureSettings } from '../hessian/track';
import { mixSeed } from '../nn/random';
import type { TextWindow } from '../problems/ptb/data';
import { loadPtbCheckpoint } from './ptb_checkpoint';

async function main(): Promise<void> {
  const [dir, count = '8', groupArg = '4', fullArg = '1'] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx lib/bench/curvature_windows.ts RUN_DIR [WINDOWS] [GROUP] [FULL]');
  const [windows, group, fullGroups] = [Number(count), Number(groupArg), Number(fullArg)];
  await initBackend();
  const { run, data, state, plan, release } = loadPtbCheckpoint(dir);
  const kept: TextWindow[] = [];
  try {
    const c = run.config;
    const base: Partial<CurvatureSettings> = { weightDecay: c.alphaOptimizer.weightDecay, step: c.hessian.step, scheme: c.hessian.scheme };
    const line = (o: object) => console.log(JSON.stringify({ run: run.runId, epoch: plan.epoch, ...o }));
    let k = 0;
    for (const w of data.weightBatches(plan)) {
      data.dispose(w);
      const a = data.alphaBatch(plan, k);
      kept.push(a);
      const seed = mixSeed(c.seed, plan.epoch, k);
      const early = await measureCurvatureMean(state.net, [a], { ...base, method: 'lanczos', maxProducts: 20, tolerance: 1e-3, seed });
      const all = await measureCurvatureMean(state.net, [a], { ...base, method: 'lanczos', maxProducts: 20, tolerance: 0, seed });
      line({ window: k, lanczosEarly: early.dominantEigenvalue, products: early.products, lanczos20: all.dominantEigenvalue });
      if (kept.length === group) {
        const g = Math.floor(k / group);
        const settings = { ...base, method: 'lanczos' as const, tolerance: 0, seed: mixSeed(c.seed, plan.epoch, 1000 + g) };
        const l12 = await measureCurvatureMean(state.net, kept, { ...settings, maxProducts: 12 });
        const l20 = await measureCurvatureMean(state.net, kept, { ...settings, maxProducts: 20 });
        const full = g < fullGroups ? await measureCurvatureMean(state.net, kept, { ...settings, method: 'full' }) : undefined;
        line({
          windows: [k - group + 1, k],
          meanLanczos12: l12.dominantEigenvalue,
          meanLanczos20: l20.dominantEigenvalue,
          meanFull: full?.dominantEigenvalue ?? null,
        });
        kept.splice(0).forEach((b) => data.dispose(b));
      }
      if (++k >= windows) break;
    }
  } finally {
    kept.forEach((b) => data.dispose(b));
    release();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
