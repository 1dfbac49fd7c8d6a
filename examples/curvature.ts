/**
 * The curvature of a stored run: its supernet loaded from the last checkpoint, the dominant
 * eigenvalue of the alpha Hessian measured on a batch of the alphas' half, beside the one the
 * search recorded at that epoch (another batch and start vector: close, not equal).
 * Run: npx tsx examples/curvature.ts [results folder] [run directory]
 *   (default run: the smoke search under the results folder, made if missing)
 */
import * as path from 'path';
import { ensureRun, initBackend, loadCheckpoint, measureCurvature, readRun, resolveConfig, searchData, tf } from 'robust-darts-ts';
import { createSearchState, disposeSearchState } from 'robust-darts-ts/problems/darts';

async function main(): Promise<void> {
  await initBackend();
  const [results = 'results', given] = process.argv.slice(2);
  const dir = given ?? (await ensureRun(resolveConfig('smoke'), { root: path.join(results, 'runs'), progress: 'off' })).run.dir;
  const run = readRun(dir);
  if (!run.lastCheckpoint) throw new Error(`${dir} has no checkpoint (committed records keep none): run the search again to make one`);
  const data = searchData(run.config);
  const state = createSearchState(run.config, data);
  try {
    loadCheckpoint(run.lastCheckpoint.file, state);
    const epoch = run.lastCheckpoint.epoch;
    const plan = { epoch, epochs: run.config.epochs, batchSize: run.config.batchSize, seed: run.config.seed };
    const batch = data.alphaBatch(plan, 12345);
    try {
      // Settings left out take CURVATURE_DEFAULTS (Lanczos, central differences); the alphas' L2 is the run's.
      const c = await measureCurvature(state.net, batch, { weightDecay: run.config.alphaOptimizer.weightDecay });
      const stored = run.epochs.find((r) => r.epoch === epoch)?.hessian;
      console.log(
        `run ${run.runId}, epoch ${epoch}: dominant eigenvalue ${c.dominantEigenvalue.toFixed(4)} ` +
          `(${c.products} Hessian-vector products, converged ${c.converged})` +
          (stored ? `; recorded by the search: ${stored.dominantEigenvalue.toFixed(4)}` : ''),
      );
    } finally {
      data.dispose(batch);
    }
  } finally {
    disposeSearchState(state);
  }
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
