#!/usr/bin/env node
/**
 * `rdarts`: the command line of robust-darts-ts. Every command calls the same lib/ functions that
 * the notebooks and the tests use.
 */
import { Command } from 'commander';
import { BACKENDS, BackendName, initBackend } from './backend';
import { parsePreset } from './config/preset';
import { openJupyter } from './notebooks/jupyter';
import { NotebookError, runNotebooks } from './notebooks/run';

const program = new Command('rdarts')
  .description('RobustDARTS in TypeScript: search, measure curvature, robustify')
  .showHelpAfterError();

program.command('backend')
  .description('load the tfjs backend (or the one RDARTS_BACKEND / --force names) and print what was chosen and why')
  .option('--force <name>', `one of ${BACKENDS.join(', ')}`)
  .action(async (opts: { force?: string }) => {
    if (opts.force !== undefined && !(BACKENDS as readonly string[]).includes(opts.force)) {
      throw new Error(`--force ${opts.force} is not a backend; use one of ${BACKENDS.join(', ')}`);
    }
    const info = await initBackend({ force: opts.force as BackendName | undefined });
    console.log(JSON.stringify(info, null, 2));
  });

program.command('notebooks')
  .description('execute every notebook in notebooks/ headless, in order (executed copies in results/notebooks/)')
  .option('--preset <name>', 'preset for the notebooks (default: RDARTS_PRESET, else quick)')
  .option('--out <dir>', 'folder for the executed copies')
  .option('--dir <dir>', 'folder of the notebooks to run (default: the project\'s notebooks/)')
  .action((opts: { preset?: string; out?: string; dir?: string }) => {
    const preset = opts.preset === undefined ? undefined : parsePreset(opts.preset, '--preset');
    runNotebooks(opts.dir, { preset, outDir: opts.out, log: (l) => console.log(l) });
  });

program.command('jupyter')
  .description('open JupyterLab (or the classic Notebook) in notebooks/ with the project\'s tslab kernel')
  .allowUnknownOption()
  .argument('[args...]', 'passed on to jupyter')
  .action((args: string[]) => {
    process.exitCode = openJupyter(args);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  // Expected failures (bad input, a failing notebook) print one clear message, not a stack.
  const message = e instanceof NotebookError || e instanceof Error ? e.message : String(e);
  console.error(`rdarts: ${message}`);
  process.exitCode = 1;
});
