/**
 * A custom grid from a script: R-DARTS(L2)'s weight decays on S3 at the `smoke` preset, one search
 * after another in this process (`rdarts grid FILE` runs a grid file one process per core), then a
 * table of what each found, saved as CSV and Markdown.
 * Run: npx tsx examples/grid.ts [results folder]
 */
import * as path from 'path';
import { ensureRun, initBackend, resolveConfig, saveTable, showTable } from 'robust-darts-ts';
import { parameterFreeShare } from 'robust-darts-ts/spaces';

async function main(): Promise<void> {
  const results = process.argv[2] ?? 'results';
  await initBackend();
  const rows = [];
  for (const l2 of [3e-4, 2.43e-2]) {
    const config = resolveConfig('smoke', { regularization: { l2, dropPathProb: 0 } });
    const { run } = await ensureRun(config, { root: path.join(results, 'runs'), progress: 'off' });
    const last = run.epochs[run.epochs.length - 1];
    rows.push({
      l2,
      runId: run.runId,
      validAccuracy: last.valid.accuracy,
      parameterFreeShare: parameterFreeShare(last.genotype),
      eigenvalue: last.hessian?.dominantEigenvalue ?? null,
    });
  }
  // Rows or an arquero table: both are shown (HTML in a notebook, Markdown here) and saved.
  showTable(rows);
  console.log(saveTable(rows, 'example-grid', path.join(results, 'tables')));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
