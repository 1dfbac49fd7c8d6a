/**
 * How much a language-modelling search's dominant eigenvalue depends on the dropout masks of the
 * curvature's pass (docs/method.md §9): at a run's latest checkpoint, on one alpha window, Lanczos
 * (at most 20 products, tolerance 1e-3, step STEP, default the PTB presets' 3e-4) on the loss with DRAWS independent mask
 * draws, each its own function of the alphas, and once with dropout off (the model's eval mode;
 * batch norm keeps the batch's statistics). One JSON line. Usage:
 *   RDARTS_DATA=... npx tsx lib/bench/curvature_masks.ts RUN_DIR [WINDOW=0] [DRAWS=8] [STEP] >> results/ptb/curvature_masks.jsonl
 */
import { initBackend } from '../backend';
import { measureCurvatureMean } from '../hessian/track';
import { mixSeed, SEED_KEYS } from '../nn/random';
import { PTB_PAPER } from '../problems/ptb/config';
import { loadPtbCheckpoint } from './ptb_checkpoint';

async function main(): Promise<void> {
  const [dir, windowArg = '0', drawsArg = '8', stepArg = String(PTB_PAPER.hessian.step)] = process.argv.slice(2);
  if (!dir) throw new Error('usage: npx tsx lib/bench/curvature_masks.ts RUN_DIR [WINDOW] [DRAWS]');
  await initBackend();
  const { run, state, plan, alphaWindows, data, release } = loadPtbCheckpoint(dir);
  const windows = alphaWindows(Number(windowArg) + 1);
  try {
    const window = windows[Number(windowArg)];
    if (!window) throw new Error(`${dir}: the epoch has fewer than ${Number(windowArg) + 1} alpha windows`);
    const net = state.net;
    const c = run.config;
    const base = mixSeed(c.seed, plan.epoch, SEED_KEYS.curvature);
    const settings = {
      method: 'lanczos',
      maxProducts: 20,
      tolerance: 1e-3,
      step: Number(stepArg),
      scheme: 'central',
      weightDecay: 0,
    } as const;
    const draws: number[] = [];
    for (let k = 0; k < Number(drawsArg); k++) {
      // Draw 0 is the search's own (its seed); the others are seeded apart from it.
      const r = await measureCurvatureMean(net, [window], { ...settings, seed: k === 0 ? base : mixSeed(base, k) });
      draws.push(r.dominantEigenvalue);
    }
    const off = await measureCurvatureMean(net, [window], { ...settings, seed: base, passes: 'eval' });
    const sorted = [...draws].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        run: run.runId,
        epoch: plan.epoch,
        window: Number(windowArg),
        step: settings.step,
        maskDraws: draws,
        median: sorted[Math.floor(sorted.length / 2)],
        noDropout: off.dominantEigenvalue,
      }),
    );
  } finally {
    windows.forEach((w) => data.dispose(w));
    release();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
