/**
 * A search from a script: the `smoke` preset's DARTS search on S2 (seconds), then what it stored.
 * Run: npx tsx examples/search.ts [results folder]   (default: results/ of the current folder)
 */
import * as path from 'path';
import { ensureRun, formatGenotype, initBackend, resolveConfig } from 'robust-darts-ts';

async function main(): Promise<void> {
  const root = path.join(process.argv[2] ?? 'results', 'runs');
  const info = await initBackend();
  // A preset plus overrides; an unknown or misspelt key is named (with the nearest valid one).
  const config = resolveConfig('smoke', { space: 's2', seed: 3 });
  const { status, run } = await ensureRun(config, { root, progress: 'off' });
  console.log(`backend ${info.name}; run ${run.runId} (${status}) in ${run.dir}`);
  for (const r of run.epochs) {
    const curvature = r.hessian ? `, dominant eigenvalue ${r.hessian.dominantEigenvalue.toFixed(4)}` : '';
    console.log(`epoch ${r.epoch}: train loss ${r.train.loss.toFixed(3)}, valid accuracy ${r.valid.accuracy.toFixed(3)}${curvature}`);
  }
  if (run.genotype) console.log(`genotype: ${formatGenotype(run.genotype.genotype)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
