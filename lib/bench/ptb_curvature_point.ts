/**
 * One alpha window of a language-modelling search at its latest checkpoint, written for the float64
 * PyTorch oracle (./ptb_curvature_oracle.py, docs/method.md §9): the weights, the alphas, the window
 * (ids, targets, carried h0) and the dropout masks that the curvature's passes draw from their seed,
 * plus what our engine measures there. For each finite-difference step in STEPS:
 *   - H v for a seeded random v and for unit vectors (the alphas in COORDS, flattened [36, 5]);
 *   - the dominant eigenvalue by Lanczos (20 products, tolerance 0), as a search measures it.
 * The oracle compares both with autograd's exact Hessian. PASSES 'eval' takes the point with
 * dropout off (no masks), as the reduced presets' `hessian.passes`. Usage:
 *   RDARTS_DATA=... npx tsx lib/bench/ptb_curvature_point.ts RUN_DIR OUT.json [WINDOW=0] [PASSES=train]
 */
import * as fs from 'fs';
import { initBackend, tf } from '../backend';
import { alphaObjective } from '../hessian/alpha_loss';
import { dominantEigenvalue } from '../hessian/eigen';
import { HessianOperator, lossGradient } from '../hessian/hvp';
import { mixSeed, Rng, SEED_KEYS } from '../nn/random';
import { dropoutNoise, type RecurrentSearchModel } from '../problems/ptb/model';
import type { RecurrentNoise } from '../problems/ptb/network';
import { loadPtbCheckpoint } from './ptb_checkpoint';

const STEPS = [1e-2, 3e-3, 1e-3, 3e-4];
const COORDS = [0, 4, 12, 57, 100, 150];

/** A tensor as the oracle reads it (null where a mask is absent: no dropout there). */
function plain(t: tf.Tensor | undefined): { shape: number[]; data: number[] } | null {
  return t ? { shape: t.shape, data: Array.from(t.dataSync()) } : null;
}

async function main(): Promise<void> {
  const [dir, out, windowArg = '0', passes = 'train'] = process.argv.slice(2);
  if (!dir || !out || (passes !== 'train' && passes !== 'eval')) {
    throw new Error('usage: npx tsx lib/bench/ptb_curvature_point.ts RUN_DIR OUT.json [WINDOW] [train|eval]');
  }
  const training = passes === 'train';
  await initBackend();
  const { run, data, state, plan, alphaWindows, release } = loadPtbCheckpoint(dir);
  const windows = alphaWindows(Number(windowArg) + 1);
  try {
    const c = run.config;
    const window = windows[Number(windowArg)];
    if (!window) throw new Error(`${dir}: the epoch has fewer than ${Number(windowArg) + 1} alpha windows`);
    const net = state.net as unknown as RecurrentSearchModel;
    // The seed a search's curvature uses at this epoch (lib/search/loop.ts), so the masks are its.
    const seed = mixSeed(c.seed, plan.epoch, SEED_KEYS.curvature);
    // In eval mode the passes draw no masks (lib/problems/ptb/model.ts): the oracle then applies none.
    const noise: RecurrentNoise = training ? dropoutNoise(c, net.vocabulary, window.inputs.shape[1], seed) : {};
    const objective = alphaObjective(net, window, { seed, training });
    const point = {
      run: run.runId,
      epoch: plan.epoch,
      window: Number(windowArg),
      passes,
      size: c.size,
      weights: Object.fromEntries([...net.weights].map(([k, v]) => [k, plain(v)])),
      alphas: plain(net.alphaParams.get('alphas')),
      inputs: plain(window.inputs),
      targets: plain(window.targets),
      h0: plain(window.h0),
      masks: {
        rows: plain(noise.embeddingRows),
        input: plain(noise.input),
        output: plain(noise.output),
        x: plain(noise.cell?.x),
        h: plain(noise.cell?.h),
      },
      kinkSites: objective.kinkSites,
      loss: tf.tidy(() => objective.loss(tf.tensor1d(Array.from(objective.alphas))).dataSync()[0]),
      gradient: Array.from(lossGradient(objective.loss, objective.alphas)),
      products: [] as { step: number; name: string; v: number[]; hv: number[] }[],
      lanczos: [] as { step: number; value: number; products: number }[],
    };
    const rng = new Rng(seed);
    const directions: [string, number[]][] = [['random', Array.from({ length: objective.alphas.length }, () => rng.uniform() - 0.5)]];
    for (const j of COORDS) directions.push([`e${j}`, Array.from(objective.alphas, (_, i) => (i === j ? 1 : 0))]);
    for (const step of STEPS) {
      const op = new HessianOperator(objective.loss, objective.alphas, { step, scheme: 'central', weightDecay: 0 });
      for (const [name, v] of directions) point.products.push({ step, name, v, hv: Array.from(op.apply(v)) });
      const r = await dominantEigenvalue((v) => op.apply(v), op.dim, { maxProducts: 20, tolerance: 0, seed });
      point.lanczos.push({ step, value: r.value, products: r.products });
      console.error(`step ${step}: Lanczos ${r.value.toPrecision(4)}`);
    }
    objective.dispose();
    tf.dispose(
      Object.values(noise.cell ?? {}).concat(
        [noise.embeddingRows, noise.input, noise.output].filter((t) => t !== undefined),
      ) as tf.Tensor[],
    );
    fs.writeFileSync(out, JSON.stringify(point));
    console.error(`wrote ${out}: run ${run.runId}, epoch ${plan.epoch}, window ${windowArg}, loss ${point.loss}`);
  } finally {
    windows.forEach((w) => data.dispose(w));
    release();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
