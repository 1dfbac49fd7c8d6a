/**
 * The browser test of the notebooks (./browser_run.ts) as a script:
 *
 *   npx tsx lib/notebooks/browser_test.ts [--only 06-nas-bench-201] [--out DIR] [--dir DIR]
 *       [--preset smoke] [--results DIR] [--timeout-min 20]
 *
 * --only (repeatable, or comma-separated) picks notebooks by file name, with or without .ipynb, or
 * by their number (`--only 00,05`); --dir takes the notebooks from another folder (default
 * notebooks/); --out is where the screenshots and the server's log go (default
 * results/smoke/browser); --results keeps the kernel's results folder (default: a temporary one).
 * Exits 0 when every notebook passed, 1 naming each notebook and cell that failed, 2 when the test
 * could not start.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { parsePreset } from '../config/preset';
import { packageRoot } from '../paths';
import { runNotebooksInBrowser } from './browser_run';
import { listNotebooks } from './run';

/** The notebooks of `all` that `only` names (file name, stem, or the number before the first dash); all when `only` is empty. */
export function pickNotebooks(all: readonly string[], only: readonly string[]): string[] {
  const wanted = only
    .flatMap((o) => o.split(','))
    .map((o) => o.trim().replace(/\.ipynb$/, ''))
    .filter((o) => o !== '');
  if (wanted.length === 0) return [...all];
  const stem = (f: string) => path.basename(f).replace(/\.ipynb$/, '');
  const picked: string[] = [];
  for (const w of wanted) {
    const hits = all.filter((f) => stem(f) === w || stem(f).split('-')[0] === w);
    if (hits.length === 0) throw new Error(`--only ${w}: no such notebook (there are ${all.map(stem).join(', ')})`);
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  // In the folder's order, as a full run would go.
  return all.filter((f) => picked.includes(f));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true },
      dir: { type: 'string' },
      out: { type: 'string' },
      preset: { type: 'string' },
      results: { type: 'string' },
      'timeout-min': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: npx tsx lib/notebooks/browser_test.ts [--only NAME[,NAME]] [--dir DIR] [--out DIR] [--preset smoke] [--results DIR] [--timeout-min 20]',
    );
    return 0;
  }
  const preset = parsePreset(values.preset ?? 'smoke', '--preset');
  const minutes = values['timeout-min'] === undefined ? 20 : Number(values['timeout-min']);
  if (!(minutes > 0)) throw new Error(`--timeout-min ${values['timeout-min']}: expected a positive number of minutes`);
  const notebooks = pickNotebooks(
    listNotebooks(values.dir ? path.resolve(values.dir) : path.join(packageRoot, 'notebooks')),
    values.only ?? [],
  );

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    console.error(`${signal}: stopping after cleaning up (again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const start = Date.now();
  const result = await runNotebooksInBrowser({
    notebooks,
    outDir: values.out,
    preset,
    results: values.results,
    timeoutMs: minutes * 60_000,
    log: (line) => console.log(line),
    signal: controller.signal,
  });
  console.log(`\nbrowser test, preset ${preset}: ${((Date.now() - start) / 1000).toFixed(1)} s in all`);
  for (const r of result.notebooks) {
    const verdict = r.failures.length === 0 ? 'ok    ' : 'FAILED';
    console.log(
      `  ${verdict} ${r.notebook.padEnd(36)} ${r.seconds.toFixed(1).padStart(7)} s  ${r.figures.length} figure(s)  ${r.screenshot ?? '(no screenshot)'}`,
    );
    for (const n of r.notes) console.log(`         note: ${n}`);
  }
  console.log(`  server log: ${result.serverLog}`);
  if (result.ok) return 0;
  const messages = result.notebooks.flatMap((r) => r.messages);
  if (result.notebooks.length < notebooks.length)
    messages.push(`${notebooks.length - result.notebooks.length} notebook(s) not run (interrupted)`);
  console.error(`\nbrowser test FAILED:\n${messages.map((m) => `  ${m}`).join('\n')}`);
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`browser test could not run: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
