#!/usr/bin/env node
/**
 * `rdarts`: the command line of robust-darts-ts. Every command calls the same lib/ functions that
 * the notebooks and the tests use.
 */
import { Command } from 'commander';
import * as fs from 'fs';
import { type BenchConfig, DEFAULT_BENCH, runSearchBench } from './bench/search_bench';
import { profileMarkdown, profileRecord, profileSearchStep, profileSummaryMarkdown } from './bench/profile';
import { hvpStepCurve } from './bench/hvp_steps';
import { poolThroughput } from './bench/pool_throughput';
import { readOverridesFile } from './config/overrides_file';
import { ConfigOverrides, isPlainObject, runId, type SearchConfig } from './config/search_config';
import { gridSlurmDir, gridStatus, readProblemGrid, runGrid, submitGrid } from './experiments/grid';
import { pilotRows } from './experiments/pilot';
import { addSlurmOptions, type SlurmFlags, slurmOptionsFrom } from './cluster/slurm_cli';
import { shellQuote } from './cluster/slurm_script';
import { submitAndWait, tasksStatus } from './cluster/slurm_submit';
import { formatStatus } from './cluster/task_status';
import { EXPERIMENT_GROUPS, ExperimentGroup, searchPlan } from './experiments/plan';
import { type EvaluationTask, evaluationTasks, runPlannedEvaluation, runPlannedEvaluations } from './experiments/evaluations';
import { experimentRecords, recordGaps } from './experiments/records';
import { compareS3Markdown } from './experiments/compare';
import { writeReport } from './report/report';
import { evaluateCommand } from './train/evaluate_command';
import { ensureRsWs, RS_WS_DEFAULTS, type RsWsParameters } from './baselines/rs_ws';
import { ensureProxyRandomSearch } from './baselines/proxy_random_search';
import { baselineSettings } from './measurements/baseline_settings';
import type { HvpScheme } from './hessian/hvp';
import { resolveConfig } from './config/search_config';
import * as aq from 'arquero';
import * as path from 'path';
import { opShareTable } from './analysis/op_share';
import { nb201RunSummary, nb201Trajectory, nb201TrajectoryTable } from './analysis/nb201_trajectory';
import { nb201BaselinesDir } from './analysis/nb201_random';
import { saveTable, showTable } from './analysis/tables';
import { NB201_CONFIG_CODEC, type Nb201Config, resolveNb201Config } from './problems/nb201/config';
import type { Nb201ArchitectureRecord, Nb201Genotype } from './problems/nb201/problem';
import { nb201Accuracies } from './data/nb201_table';
import { PTB_CONFIG_CODEC, type PtbConfig } from './problems/ptb/config';
import type { RecurrentArchitectureRecord } from './problems/ptb/problem';
import { recurrentRunSummary, recurrentTrajectory } from './analysis/recurrent_run';
import { evaluateLmCommand } from './train/lm_evaluate_command';
import { evaluateDisparityCommand } from './train/disparity_evaluate_command';
import { listRuns, readRun, readRunIfAny, readRunProblem, resolveRunRef, runDirFor, runsRoot } from './runs/store';
import { isOpName, PRIMITIVES } from './spaces/primitives';
import { PROBLEMS, problemCodecs, problemEntry } from './problems/registry';
import { runSearch } from './search/run';
import { formatGenotype, type Genotype, parameterFreeShare } from './spaces/genotype';
import { getSpace } from './spaces/spaces';
import { BACKENDS, BackendName, initBackend } from './backend';
import { parsePreset } from './config/preset';
import { openJupyter } from './notebooks/jupyter';
import { NotebookError, runNotebooks } from './notebooks/run';
import { DATASET_NAMES } from './data/dataset';
import { fetchDataset } from './data/fetch';
import { resultsDir } from './paths';
import { ENGINE_REVISION, packageVersion } from './versions';
import { CHECK_CASES, CHECK_TOLERANCE, compareBackends } from './engine/differential';
import { evaluateReruns, rerunMarkdown, ENGINE_RERUN_DIR } from './experiments/engine_rerun';
import { onInterrupt } from './runs/interrupt';
import { configJsonSchema } from './config/json_schema';
import { distinguishingFields } from './runs/run_names';
import { epochLabel, epochSeconds } from './runs/records';

// Ctrl-C (or SIGTERM) releases the running job's lock and says what is saved and how to resume.
onInterrupt((line) => console.error(`rdarts: ${line}`));

// `rdarts show RUN | head`: a closed pipe ends the output, not in a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command('rdarts')
  .description('RobustDARTS in TypeScript: search, measure curvature, robustify')
  .version(`robust-darts-ts ${packageVersion('robust-darts-ts') ?? '?'} (engine revision ${ENGINE_REVISION})`, '-V, --version')
  .showHelpAfterError();

/** This process's command line, as `rdarts ...` (for the header of a Slurm script). */
const commandLine = () => `rdarts ${process.argv.slice(2).map(shellQuote).join(' ')}`;

function parseBackend(v: string | undefined, flag: string): BackendName | undefined {
  if (v !== undefined && !(BACKENDS as readonly string[]).includes(v))
    throw new Error(`${flag} ${v} is not a backend; use one of ${BACKENDS.join(', ')}`);
  return v as BackendName | undefined;
}

program
  .command('backend')
  .description(
    'load the tfjs backend (or the one RDARTS_BACKEND / --force names) and print what was chosen and why; ' +
      "with --check, compare its supernet gradients with another backend's (lib/engine/differential.ts)",
  )
  .option('--force <name>', `one of ${BACKENDS.join(', ')}`)
  .option('--check', 'compare every gradient of the supernet on the five spaces with --against (slow on cpu: minutes)')
  .option('--against <name>', 'the reference backend of --check', 'cpu')
  .action(async (opts: { force?: string; check?: boolean; against: string }) => {
    const force = parseBackend(opts.force, '--force');
    const against = parseBackend(opts.against, '--against') as BackendName;
    const info = await initBackend({ force });
    console.log(JSON.stringify(info, null, 2));
    if (!opts.check) return;
    if (info.name === against)
      throw new Error(`--check: the active backend is ${against}, the reference too; name another with --force or --against`);
    const rows = await compareBackends(CHECK_CASES, 'gradients', { test: info.name, reference: against });
    for (const r of rows) {
      console.log(
        `${r.case.space.padEnd(6)} C ${r.case.C}, ${r.case.layers} cells, ${r.case.batch}x${r.case.image}x${r.case.image}: ` +
          `worst tensor ${r.worstTensor} off by ${r.worst.toExponential(2)} of its largest entry`,
      );
    }
    const bad = rows.filter((r) => !(r.worst <= CHECK_TOLERANCE));
    console.log(
      bad.length === 0
        ? `${info.name} agrees with ${against} within ${CHECK_TOLERANCE} on every gradient`
        : `${bad.length} case(s) above ${CHECK_TOLERANCE}: a gap in a few tensors of one case can be a ReLU or max-pool unit ` +
            "within float32 rounding of its kink, which moves that unit's share of a gradient (lib/engine/differential.ts); " +
            'gaps in every case, or in the loss, are an engine error',
    );
    if (bad.length > 0) process.exitCode = 1;
  });

/** The integer value of option --`name`, at least `min`, or an error naming the option. */
function positiveInt(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
}

/** The supernet and batch size options of `bench` and `profile`. */
function withNetworkSize(command: Command): Command {
  return command
    .option('--space <name>', 'search space', DEFAULT_BENCH.space)
    .option('--layers <n>', 'cells', String(DEFAULT_BENCH.layers))
    .option('--C <n>', 'initial channels', String(DEFAULT_BENCH.C))
    .option('--batch <n>', 'batch size', String(DEFAULT_BENCH.batch))
    .option('--image <n>', 'image side', String(DEFAULT_BENCH.image))
    .option('--in-channels <n>', 'image channels', String(DEFAULT_BENCH.inChannels));
}

/** Those options' values, checked. */
function networkSize(o: Record<string, string>): Pick<BenchConfig, 'space' | 'layers' | 'C' | 'batch' | 'image' | 'inChannels'> {
  return {
    space: getSpace(o.space).name,
    layers: positiveInt('layers', o.layers, 1),
    C: positiveInt('C', o.C, 1),
    batch: positiveInt('batch', o.batch, 1),
    image: positiveInt('image', o.image, 4),
    inChannels: positiveInt('in-channels', o.inChannels, 1),
  };
}

function parseScheme(v: string): HvpScheme {
  if (v !== 'central' && v !== 'forward') throw new Error(`--hvp-scheme must be central or forward, got ${v}`);
  return v;
}

withNetworkSize(
  program.command('bench').description('time one DARTS search iteration (phases a, b, c of the PyTorch reference); prints one JSON line'),
)
  .option('--classes <n>', 'classes', String(DEFAULT_BENCH.classes))
  .option('--iters <n>', 'timed iterations per phase', String(DEFAULT_BENCH.iters))
  .option('--warmup <n>', 'untimed iterations per phase', String(DEFAULT_BENCH.warmup))
  .option('--seed <n>', 'seed', String(DEFAULT_BENCH.seed))
  .option('--phases <list>', 'phases to run, e.g. abc, or de for the Hessian', DEFAULT_BENCH.phases)
  .option('--hess-iters <n>', 'timed repetitions of phases d and e', String(DEFAULT_BENCH.hessIters))
  .option('--hess-warmup <n>', 'untimed repetitions of phases d and e', String(DEFAULT_BENCH.hessWarmup))
  .option('--hess-products <n>', 'phase e: the most Hessian-vector products', String(DEFAULT_BENCH.hessProducts))
  .option('--hvp-scheme <scheme>', 'central | forward differences of gradients', DEFAULT_BENCH.hvpScheme)
  .option('--append <file>', 'also append the JSON line to this file')
  .action(async (o: Record<string, string>) => {
    const result = await runSearchBench(
      {
        ...networkSize(o),
        classes: positiveInt('classes', o.classes, 2),
        iters: positiveInt('iters', o.iters, 1),
        warmup: positiveInt('warmup', o.warmup, 0),
        seed: positiveInt('seed', o.seed, 0),
        phases: o.phases,
        hessIters: positiveInt('hess-iters', o.hessIters, 1),
        hessWarmup: positiveInt('hess-warmup', o.hessWarmup, 0),
        hessProducts: positiveInt('hess-products', o.hessProducts, 1),
        hvpScheme: parseScheme(o.hvpScheme),
      },
      (line) => console.error(line),
    );
    const line = JSON.stringify(result);
    console.log(line);
    if (o.append) fs.appendFileSync(o.append, line + '\n');
  });

withNetworkSize(
  program
    .command('profile')
    .description(
      "where a search step's time goes: every kernel timed, by kernel, kind and part of the step (forward, backward, optimiser), beside the wall time; prints Markdown",
    ),
)
  .option('--iters <n>', 'profiled iterations per phase', '3')
  .option('--warmup <n>', 'untimed iterations per phase', '2')
  .option('--phases <list>', 'phases of the bench to profile: a (weight step), b (alpha step), c (second order)', 'ab')
  .option('--top <n>', 'rows of the kernel tables', '20')
  .option('--append <file>', 'also append the profile as one JSON line')
  .option('--summary <file>', 'print the summary table of the profiles in a JSON-lines file (e.g. results/bench/profile.jsonl) and exit')
  .action(async (o: Record<string, string>) => {
    if (o.summary) {
      const lines = fs
        .readFileSync(o.summary, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      console.log(
        [
          "# Where a search step's time goes: profiles of ours and PyTorch's",
          '',
          `Written by \`npx tsx lib/cli.ts profile --summary ${o.summary}\` from its records; do not edit by hand.`,
          '',
          profileSummaryMarkdown(lines.map((l) => JSON.parse(l) as Record<string, unknown>)),
        ].join('\n'),
      );
      return;
    }
    const p = await profileSearchStep(
      {
        ...networkSize(o),
        iters: positiveInt('iters', o.iters, 1),
        warmup: positiveInt('warmup', o.warmup, 0),
        phases: o.phases,
      },
      (line) => console.error(line),
    );
    console.log(profileMarkdown(p, positiveInt('top', o.top, 1)));
    if (o.append) fs.appendFileSync(o.append, JSON.stringify(profileRecord(p)) + '\n');
  });

program
  .command('bench-pool')
  .description(
    'throughput of the local pool: the same searches by `rdarts grid` with 1 process, then 2 (lib/bench/pool_throughput.ts); one JSON line',
  )
  .option('--runs <n>', 'searches (seeds 0..n-1)', '4')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--epochs <n>', 'epochs per search', '1')
  .option('--jobs <list>', 'process counts to time, comma-separated', '1,2')
  .option('--append <file>', 'also append the JSON line to this file')
  .action(async (o: { runs: string; preset: string; epochs: string; jobs: string; append?: string }) => {
    const record = await poolThroughput({
      runs: positiveInt('runs', o.runs, 1),
      preset: o.preset,
      epochs: positiveInt('epochs', o.epochs, 1),
      jobs: o.jobs.split(',').map((j) => positiveInt('jobs', j, 1)),
    });
    const line = JSON.stringify(record);
    console.log(line);
    if (o.append) fs.appendFileSync(o.append, line + '\n');
  });

program
  .command('bench-hvp')
  .description('the step curve of the finite-difference Hessian-vector product on smoke-size supernets (JSON lines)')
  .option('--space <list>', 'search spaces, comma-separated', 's3,darts')
  .option('--seed <n>', 'seed', '0')
  .option('--append <file>', 'also append the JSON lines to this file')
  .action(async (o: { space: string; seed: string; append?: string }) => {
    await initBackend();
    for (const name of o.space.split(',')) {
      const rows = await hvpStepCurve(getSpace(name).name, { seed: Number(o.seed) });
      const lines = rows.map((r) => JSON.stringify({ bench: 'hvp_step_curve', seed: Number(o.seed), ...r }));
      console.log(lines.join('\n'));
      if (o.append) fs.appendFileSync(o.append, lines.join('\n') + '\n');
    }
  });

program
  .command('search')
  .description('run (or resume, or read back) a search; prints the genotype and where the run lives')
  .option('--problem <name>', `the search problem: ${Object.keys(PROBLEMS).join(' | ')}`, 'darts')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--space <name>', "s1 | s2 | s3 | s4 | darts (default: the preset's)")
  .option('--dataset <name>', `${DATASET_NAMES.join(' | ')} (default: the preset's)`)
  .option('--seed <n>', "seed (default: the preset's)")
  .option('--order <order>', 'first | second')
  .option('--epochs <n>', "search epochs (default: the preset's)")
  .option('--hessian <method>', "curvature tracking: lanczos | full | off (default: the preset's)")
  .option('--full-hessian', 'build the full alpha Hessian and store it in the epoch records, as the original code')
  .option('--config <file>', 'JSON object of config fields merged onto the preset (before the flags above)')
  .option('--out <dir>', 'folder of run directories (default results/runs)')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const num = (name: string, v: string | boolean | undefined) => {
      if (v === undefined || typeof v === 'boolean') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${v}`);
      return n;
    };
    const fromFile: Record<string, unknown> = typeof o.config === 'string' ? (readOverridesFile(o.config) as Record<string, unknown>) : {};
    const flags = Object.fromEntries(
      Object.entries({
        space: o.space,
        dataset: o.dataset,
        seed: num('seed', o.seed),
        order: o.order,
        epochs: num('epochs', o.epochs),
        hessian: o.fullHessian ? { method: 'full', recordMatrix: true } : o.hessian === undefined ? undefined : { method: o.hessian },
      }).filter(([, v]) => v !== undefined),
    );
    const merged =
      flags.hessian && isPlainObject(fromFile.hessian) && isPlainObject(flags.hessian)
        ? { hessian: { ...fromFile.hessian, ...flags.hessian } }
        : {};
    const overrides = { ...fromFile, ...flags, ...merged } as ConfigOverrides;
    const entry = problemEntry(String(o.problem ?? 'darts'));
    const problem = entry.problem(
      String(o.preset ?? 'quick'),
      overrides,
      typeof o.config === 'string' ? `${o.config} + command line` : 'command line',
    );
    const config = problem.config;
    const info = await initBackend();
    console.log(
      `search (${o.problem}): ${problem.label}, preset ${o.preset}, ${config.epochs} epochs, ${config.order} order, backend ${info.name}`,
    );
    const { status, run } = await runSearch(problem, { root: typeof o.out === 'string' ? o.out : undefined });
    console.log(`run ${run.runId} (${status}): ${run.dir}`);
    if (run.data) console.log(`data read from ${run.data}`);
    if (run.genotype)
      console.log(`genotype (${epochLabel(run.genotype.epoch, config.epochs)}): ${entry.formatGenotype(run.genotype.genotype)}`);
    const last = run.epochs[run.epochs.length - 1];
    if (last && o.problem === 'ptb')
      console.log(`validation perplexity of the search network ${Math.exp(last.valid.loss).toFixed(2)} after ${run.epochs.length} epochs`);
    else if (last && problem.metricName)
      console.log(`valid ${problem.metricName} of the model ${last.valid.accuracy.toFixed(4)} after ${run.epochs.length} epochs`);
    else if (last) console.log(`valid accuracy of the model ${last.valid.accuracy.toFixed(4)} after ${run.epochs.length} epochs`);
    if (run.done) {
      const out = typeof o.out === 'string' ? ` --out ${o.out}` : '';
      const next = [`npx rdarts show ${run.runId}${out}        # the run epoch by epoch`];
      if (o.problem === 'darts' || o.problem === undefined) {
        next.push(`npx rdarts evaluate ${run.runId}${out.replace('--out', '--runs')}    # train its genotype from scratch and test it`);
        next.push('npm run jupyter                 # the notebooks (docs: README.md)');
      }
      console.log(`next:\n  ${next.join('\n  ')}`);
    }
  });

program
  .command('pilot')
  .description("the pilot's table (issue: reproduction): per finished search of a grid file, its cost and whether it collapsed")
  .option('--grid <files...>', 'the grid files of the pilot (default results/pilot/grid.json and nb201-grid.json)')
  .option('--out <dir>', 'folder of run directories (default results/pilot/runs)')
  .option('--table <dir>', 'also save the table as <dir>/pilot.csv and .md')
  .action((o: { grid?: string[]; out?: string; table?: string }) => {
    const { rows, pending } = pilotRows(o.grid, o.out);
    for (const p of pending) console.log(`${p.name}: ${p.epochs > 0 ? `${p.epochs}/${p.of} epochs` : 'not started'} (${p.dir})`);
    if (rows.length === 0) return;
    showTable(rows, { digits: 3 });
    if (o.table) console.log(`saved ${Object.values(saveTable(rows, 'pilot', o.table)).join(', ')}`);
  });

program
  .command('config')
  .description("print a preset's whole config (every key with its default), or the JSON Schema of a --config file")
  .option('--problem <name>', `the search problem: ${Object.keys(PROBLEMS).join(' | ')}`, 'darts')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--schema', 'print the JSON Schema of a --config file (every field optional) instead')
  .action((o: { problem: string; preset: string; schema?: boolean }) => {
    const entry = problemEntry(o.problem);
    const value = o.schema
      ? configJsonSchema(entry.schema, `robust-darts-ts ${o.problem} search config overrides (rdarts search --config)`, true)
      : entry.preset(o.preset);
    console.log(JSON.stringify(value, null, 2));
  });

addSlurmOptions(
  program
    .command('grid')
    .description(
      'run the searches of a grid file ({ problem?, preset, base, runs: { name: overrides } }), one process per core, ' +
        'or submit them as a Slurm job array (--slurm); re-run to resume',
    )
    .argument('<file>', 'grid file (JSON)')
    .option('--jobs <n>', 'processes at once (default: the number of cores)')
    .option('--out <dir>', 'folder of run directories (default results/runs)')
    .option('--status', 'print where each search stands (done, running, pending, failed), from the run directories; run nothing'),
).action(async (file: string, o: SlurmFlags & { jobs?: string; out?: string; status?: boolean }) => {
  const slurm = slurmOptionsFrom('grid', o);
  const entries = readProblemGrid(file);
  const slurmDir = gridSlurmDir(`${path.basename(path.dirname(path.resolve(file)))}-${path.basename(file, '.json')}`, o.out);
  if (o.status) {
    for (const line of formatStatus(gridStatus(entries, slurmDir, o.out))) console.log(line);
    return;
  }
  if (o.slurm) {
    await submitGrid(entries, slurmDir, { slurm, dryRun: o.dryRun, wait: o.wait, command: commandLine(), out: o.out });
    return;
  }
  const codes = await runGrid(entries, { ...(o.jobs ? { jobs: Number(o.jobs) } : {}), ...(o.out ? { out: o.out } : {}) });
  const failed = [...codes].filter(([, c]) => c !== 0).map(([n]) => n);
  if (failed.length > 0) throw new Error(`grid ${file}: ${failed.length} of ${entries.length} searches failed: ${failed.join(', ')}`);
});

program
  .command('evaluate')
  .description(
    'train a genotype from scratch and test it (docs/method.md §5); prints the test error and the parameter count. ' +
      'Stored once per genotype and config under results/evals; an interrupted evaluation resumes',
  )
  .argument('<ref>', 'a search run directory, a runId under results/runs (or --runs), a genotype JSON file, or DARTS_V2')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--seed <n>', "seed of the evaluation (default: the preset's)")
  .option('--out <dir>', 'folder of evaluation directories (default results/evals)')
  .option('--runs <dir>', 'folder of search runs, to find a runId (default results/runs)')
  .option('--epoch <n>', "for a search run: evaluate the genotype of this stored epoch (0-based; DARTS-ES's stop epoch, say)")
  .action(async (ref: string, o: { preset: string; seed?: string; out?: string; runs?: string; epoch?: string }) => {
    const seed = o.seed === undefined ? undefined : Number(o.seed);
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new Error(`--seed must be an integer >= 0, got ${o.seed}`);
    const epoch = o.epoch === undefined ? undefined : Number(o.epoch);
    if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) throw new Error(`--epoch must be an integer >= 0, got ${o.epoch}`);
    await evaluateCommand(ref, { preset: o.preset, seed, out: o.out, runs: o.runs, epoch });
  });

/** --seed and --epoch of the evaluate commands: integers >= 0 where given. */
function evaluationNumbers(o: { seed?: string; epoch?: string }): { seed?: number; epoch?: number } {
  const read = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--${name} must be an integer >= 0, got ${v}`);
    return n;
  };
  return { seed: read('seed', o.seed), epoch: read('epoch', o.epoch) };
}

program
  .command('evaluate-lm')
  .description(
    'train a recurrent cell from scratch as a language model and test it (docs/method.md §9); prints the validation and test ' +
      'perplexity. Stored once per cell and config under results/evals; an interrupted evaluation resumes',
  )
  .argument('<ref>', 'DARTS_V1, DARTS_V2, a language-modelling search run directory, or its runId under results/runs (or --runs)')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--seed <n>', "seed of the evaluation (default: the preset's)")
  .option('--out <dir>', 'folder of evaluation directories (default results/evals)')
  .option('--runs <dir>', 'folder of search runs, to find a runId (default results/runs)')
  .option('--epoch <n>', 'for a search run: evaluate the cell of this stored epoch (0-based)')
  .option('--config <file>', "JSON file of fields overriding the preset's evaluation config (lib/train/lm_config.ts)")
  .action(async (ref: string, o: { preset: string; seed?: string; out?: string; runs?: string; epoch?: string; config?: string }) => {
    const { seed, epoch } = evaluationNumbers(o);
    await initBackend();
    await evaluateLmCommand(ref, { preset: o.preset, seed, out: o.out, runs: o.runs, epoch, config: o.config });
  });

program
  .command('evaluate-disparity')
  .description(
    'train a disparity genotype from scratch and test it (docs/method.md §10); prints the end-point error and the shares of ' +
      'pixels off by more than 1 and 3 px on the synthetic test split and the real pair. Stored once per genotype and config ' +
      'under results/evals; an interrupted evaluation resumes',
  )
  .argument('<ref>', 'AutoDispNet-C, a disparity search run directory, or its runId under results/runs (or --runs)')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--seed <n>', "seed of the evaluation (default: the preset's)")
  .option('--out <dir>', 'folder of evaluation directories (default results/evals)')
  .option('--runs <dir>', 'folder of search runs, to find a runId (default results/runs)')
  .option('--epoch <n>', 'for a search run: evaluate the genotype of this stored epoch (0-based)')
  .action(async (ref: string, o: { preset: string; seed?: string; out?: string; runs?: string; epoch?: string }) => {
    const { seed, epoch } = evaluationNumbers(o);
    await initBackend();
    await evaluateDisparityCommand(ref, { preset: o.preset, seed, out: o.out, runs: o.runs, epoch });
  });

program
  .command('baseline')
  .description(
    'run (or resume, or read back) a baseline (docs/method.md §4): rs-ws = random search with weight sharing; ' +
      'random-search = random search that trains each sampled cell for a few epochs (NAS-Bench-201)',
  )
  .argument('<method>', 'rs-ws | random-search')
  .option('--problem <name>', 'darts (S1-S4, the DARTS space) | nb201 (NAS-Bench-201: the cell looked up in its table)', 'darts')
  .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
  .option('--plan <name>', "use the config of this planned search (e.g. failure-s3, as notebook 04) and the preset's baseline sizes")
  .option('--space <name>', "s1 | s2 | s3 | s4 | darts (default: the preset's; not with --plan)")
  .option('--seed <n>', "seed (default: the preset's; not with --plan)")
  .option('--samples <n>', "architectures drawn (rs-ws: default 1000, or the preset's with --plan; random-search: default 20)")
  .option('--score-batches <n>', "rs-ws: validation batches per sample (default 10, or the preset's with --plan)")
  .option('--top-k <n>', "rs-ws: samples re-scored on the whole validation half (default 10, or the preset's with --plan)")
  .option('--train-epochs <n>', 'random-search: epochs that train each candidate (default 12)')
  .option('--out <dir>', 'results folder (default results/, with --problem nb201 results/nas-bench-201; runs go to <out>/baselines/<id>)')
  .action(async (method: string, o: Record<string, string | undefined>) => {
    if (method !== 'rs-ws' && method !== 'random-search') {
      throw new Error(`baseline: unknown method ${JSON.stringify(method)}; use rs-ws or random-search`);
    }
    const int = (name: string, v: string | undefined) => positiveInt(name, String(v), 0);
    const preset = parsePreset(String(o.preset), '--preset');
    let config: SearchConfig | Nb201Config;
    let sizes: RsWsParameters = RS_WS_DEFAULTS;
    if (o.problem !== 'darts' && o.problem !== 'nb201')
      throw new Error(`baseline: --problem must be darts or nb201, got ${JSON.stringify(o.problem)}`);
    const flags = { trainEpochs: '--train-epochs', scoreBatches: '--score-batches', topK: '--top-k' } as const;
    const others: readonly (keyof typeof flags)[] = method === 'rs-ws' ? ['trainEpochs'] : ['scoreBatches', 'topK'];
    const misplaced = others.filter((k) => o[k] !== undefined);
    if (misplaced.length) throw new Error(`baseline: ${misplaced.map((k) => flags[k]).join(', ')} not for ${method}`);
    if (method === 'random-search' && o.problem !== 'nb201') {
      throw new Error(
        'baseline: random-search runs on --problem nb201 (on the DARTS spaces random search trains its candidates in full: `rdarts experiment`)',
      );
    }
    if (o.problem === 'nb201') {
      if (o.plan !== undefined || o.space !== undefined) throw new Error('baseline: --plan and --space are for --problem darts');
      config = resolveNb201Config(preset, o.seed === undefined ? {} : { seed: int('seed', o.seed) }, 'command line');
    } else if (o.plan !== undefined) {
      if (o.space !== undefined || o.seed !== undefined)
        throw new Error('baseline: --plan sets the space and the seed; leave out --space and --seed');
      const planned = searchPlan(preset).find((p) => p.name === o.plan);
      if (!planned)
        throw new Error(
          `baseline: --plan ${o.plan} is not a planned search; planned: ${searchPlan(preset)
            .map((p) => p.name)
            .join(', ')}`,
        );
      config = planned.config;
      sizes = baselineSettings(preset).rsWs;
    } else {
      const overrides = Object.fromEntries(
        Object.entries({ space: o.space, seed: o.seed === undefined ? undefined : int('seed', o.seed) }).filter(([, v]) => v !== undefined),
      ) as ConfigOverrides;
      config = resolveConfig(preset, overrides, 'command line');
    }
    await initBackend();
    // NAS-Bench-201's baselines go beside its searches, where notebook 06 reads them (readNb201Baselines).
    const root = o.out ?? (o.problem === 'nb201' ? path.dirname(nb201BaselinesDir()) : undefined);
    const run =
      method === 'rs-ws'
        ? await ensureRsWs(config, {
            root,
            samples: o.samples === undefined ? sizes.samples : int('samples', o.samples),
            scoreBatches: o.scoreBatches === undefined ? sizes.scoreBatches : int('score-batches', o.scoreBatches),
            topK: o.topK === undefined ? sizes.topK : int('top-k', o.topK),
          })
        : await ensureProxyRandomSearch(config, {
            root,
            ...(o.samples === undefined ? {} : { samples: int('samples', o.samples) }),
            ...(o.trainEpochs === undefined ? {} : { trainEpochs: int('train-epochs', o.trainEpochs) }),
          });
    console.log(`${method} (${run.status}): ${run.dir}`);
    const result = run.result;
    if (result && o.problem === 'nb201') {
      const { arch } = result.genotype as Nb201Genotype;
      const accuracy = nb201Accuracies(arch).cifar10;
      console.log(`cell (sample ${result.best}): ${arch}, benchmark test accuracy ${accuracy.toFixed(2)}% (CIFAR-10)`);
    } else if (result) console.log(`genotype (sample ${result.best}): ${formatGenotype(result.genotype as Genotype)}`);
  });

addSlurmOptions(
  program
    .command('experiment')
    .description(
      'run the searches behind the notebooks and the report (lib/experiments/plan.ts), one process per core, ' +
        'or submit them as a Slurm job array (--slurm); re-run to resume',
    )
    .option('--preset <name>', 'smoke | quick | mini | paper', 'quick')
    .option('--group <list>', `comma-separated groups: ${EXPERIMENT_GROUPS.join(', ')} (default: all)`)
    .option('--jobs <n>', 'processes at once (default: the number of cores)')
    .option('--only <names>', 'comma-separated planned searches (names as --list prints them, e.g. failure-s1,dp-0.2), within --group')
    .option('--list', 'list the planned searches with their runIds and status, run nothing')
    .option(
      '--evaluate',
      "instead of searching: train from scratch every genotype the notebooks evaluate (finished searches' final " +
        'and DARTS-ES genotypes; lib/experiments/evaluations.ts), one process per core; re-run to resume or to add newly finished searches',
    )
    .option(
      '--records',
      'print the compact record files of the finished searches, evaluations and baselines (no checkpoints), ' +
        'one path a line, for `git add -f` (lib/experiments/records.ts)',
    )
    .option('--out <dir>', 'folder of run directories (default results/runs)')
    .option('--evals <dir>', 'with --evaluate: folder of evaluations (default results/evals)')
    .option('--evaluate-item <evalId>', 'run one planned evaluation (what --evaluate starts in each process)')
    .option('--status', 'print where each planned search (with --evaluate: each evaluation left) stands; run nothing'),
).action(
  async (
    o: SlurmFlags & {
      status?: boolean;
      preset: string;
      group?: string;
      only?: string;
      jobs?: string;
      list?: boolean;
      out?: string;
      evaluate?: boolean;
      evals?: string;
      records?: boolean;
      evaluateItem?: string;
    },
  ) => {
    const preset = parsePreset(o.preset, '--preset');
    const slurm = slurmOptionsFrom('experiment', o);
    if ((o.slurm || o.status) && (o.list || o.records || o.evaluateItem !== undefined))
      throw new Error('experiment: --slurm and --status go with searches or --evaluate, not with --list, --records or --evaluate-item');
    const slurmDir = gridSlurmDir(`${o.evaluate ? 'evaluate' : 'experiment'}-${preset}`, o.out);
    if (o.evaluateItem !== undefined) {
      await runPlannedEvaluation(preset, o.evaluateItem, { runs: o.out, evals: o.evals });
      return;
    }
    if (o.records) {
      for (const file of experimentRecords(preset)) console.log(path.relative(process.cwd(), file));
      for (const gap of recordGaps(preset)) console.error(`rdarts: warning: ${gap}`);
      return;
    }
    const groups =
      o.group === undefined
        ? EXPERIMENT_GROUPS
        : o.group.split(',').map((g) => {
            if (!(EXPERIMENT_GROUPS as readonly string[]).includes(g))
              throw new Error(`--group ${g} is not a group; use ${EXPERIMENT_GROUPS.join(', ')}`);
            return g as ExperimentGroup;
          });
    const only = o.only?.split(',');
    const named = searchPlan(preset, groups).map((e) => e.name);
    const unknown = only?.filter((n) => !named.includes(n)) ?? [];
    if (unknown.length > 0)
      throw new Error(`--only ${unknown.join(',')}: not in the plan of --group ${groups.join(',')}; planned: ${named.join(', ')}`);
    if (o.evaluate) {
      if (o.list) throw new Error('experiment: --list and --evaluate do not go together');
      const options = { runs: o.out, evals: o.evals, only };
      if (o.status || o.slurm) {
        const tasks = evaluationTasks(preset, groups, options);
        if (o.status) for (const line of formatStatus(tasksStatus(tasks, slurmDir))) console.log(line);
        else
          await submitAndWait(tasks, slurmDir, (pending) => pending as EvaluationTask[], {
            slurm,
            dryRun: o.dryRun,
            wait: o.wait,
            command: commandLine(),
          });
        return;
      }
      const failed = await runPlannedEvaluations(preset, groups, {
        runs: o.out,
        evals: o.evals,
        only,
        ...(o.jobs ? { jobs: Number(o.jobs) } : {}),
      });
      if (failed.length > 0) throw new Error(`experiment --evaluate: ${failed.length} evaluation(s) failed: ${failed.join(', ')}`);
      return;
    }
    const plan = searchPlan(preset, groups).filter((e) => only === undefined || only.includes(e.name));
    const entries = plan.map((e) => ({ ...e, preset }));
    if (o.status) {
      for (const line of formatStatus(gridStatus(entries, slurmDir, o.out))) console.log(line);
      return;
    }
    if (o.slurm) {
      await submitGrid(entries, slurmDir, { slurm, dryRun: o.dryRun, wait: o.wait, command: commandLine(), out: o.out });
      return;
    }
    if (o.list) {
      for (const e of plan) {
        const dir = runDirFor(e.config, o.out);
        const run = readRunIfAny(dir);
        const status = !run ? 'not started' : run.done ? 'finished' : `${run.epochs.length}/${e.config.epochs} epochs`;
        console.log(`${e.name.padEnd(16)} ${runId(e.config)}  ${status.padEnd(13)} ${JSON.stringify(e.overrides)}`);
      }
      return;
    }
    const codes = await runGrid(entries, { ...(o.jobs ? { jobs: Number(o.jobs) } : {}), ...(o.out ? { out: o.out } : {}) });
    const failed = [...codes].filter(([, c]) => c !== 0).map(([n]) => n);
    if (failed.length > 0) throw new Error(`experiment: ${failed.length} of ${plan.length} searches failed: ${failed.join(', ')}`);
  },
);

program
  .command('compare')
  .description(
    'the methods on S3 side by side from the stored runs and evaluations (read only): DARTS, DARTS-ES, ' +
      "DARTS-ADA, R-DARTS(L2), R-DARTS(DP), and the seed spread of DARTS's genotype (lib/experiments/compare.ts)",
  )
  .option('--preset <name>', 'smoke | quick | mini | paper', 'mini')
  .option('--out <dir>', 'folder of run directories (default results/runs)')
  .option('--evals <dir>', 'folder of evaluations (default results/evals)')
  .action((o: { preset: string; out?: string; evals?: string }) => {
    console.log(compareS3Markdown(parsePreset(o.preset, '--preset'), { runs: o.out, evals: o.evals }));
  });

program
  .command('engine-rerun')
  .description(
    `the searches re-run after the engine fix (results/${ENGINE_RERUN_DIR}) beside the records of before, ` +
      'with --evaluate training their final and DARTS-ES genotypes first (lib/experiments/engine_rerun.ts)',
  )
  .option('--preset <name>', 'smoke | quick | mini | paper', 'mini')
  .option('--evaluate', "train the re-runs' final and DARTS-ES genotypes (resumable)")
  .option('--write', `write results/${ENGINE_RERUN_DIR}/README.md instead of printing`)
  .action(async (o: { preset: string; evaluate?: boolean; write?: boolean }) => {
    const preset = parsePreset(o.preset, '--preset');
    if (o.evaluate) {
      await initBackend();
      for (const line of await evaluateReruns(preset)) console.error(line);
    }
    const text = rerunMarkdown(preset);
    if (!o.write) return console.log(text);
    const file = path.join(resultsDir(), ENGINE_RERUN_DIR, 'README.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text + '\n');
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  });

program
  .command('report')
  .description(
    'write results/REPORT.md from the tables, closing sentences and figures the notebooks wrote at the preset, ' +
      'and the compute from the run records (lib/report/report.ts)',
  )
  .option('--preset <name>', 'smoke | quick | mini | paper', 'mini')
  .action((o: { preset: string }) => {
    const file = writeReport(parsePreset(o.preset, '--preset'));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  });

program
  .command('runs')
  .description('list the search runs under results/runs (or --out) with their status')
  .option('--out <dir>', 'folder of run directories (default results/runs)')
  .action((o: { out?: string }) => {
    const runs = listRuns(o.out, problemCodecs());
    if (runs.length === 0) console.log('no runs');
    // Each run named by what sets it apart from the others of its problem listed (seed, data set and
    // space are shown anyway; another problem's config has other keys).
    const names: string[][] = runs.map(() => []);
    for (const problem of new Set(runs.map((r) => r.problem))) {
      const mine = runs.flatMap((r, i) => (r.problem === problem ? [i] : []));
      const fields = distinguishingFields(
        mine.map((i) => runs[i].settings),
        ['report', 'seed', 'dataset', 'space', 'problem'],
      );
      mine.forEach((i, k) => (names[i] = fields[k]));
    }
    runs.forEach((r, i) => {
      console.log(
        [
          r.runId,
          r.status.padEnd(7),
          `${r.epochs}/${r.plannedEpochs ?? '?'} epochs`,
          r.problem === 'darts' ? r.space : r.problem,
          r.dataset,
          `seed ${r.seed}`,
          r.lastValidAccuracy === undefined ? '' : `valid acc ${r.lastValidAccuracy.toFixed(4)}`,
          names[i].join(' '),
          r.error ?? '',
        ]
          .filter(Boolean)
          .join('  '),
      );
    });
  });

program
  .command('show')
  .description('summarise one run: genotype, time per epoch, and the share of an operation over the epochs')
  .argument('<run>', 'run directory, or a runId (or its first characters) under results/runs (or --out)')
  .option('--op <name>', 'operation whose share to follow', 'skip_connect')
  .option('--out <dir>', 'folder of run directories (default results/runs)')
  .option('--table <dir>', 'NAS-Bench-201 runs: also save the epoch table as <dir>/nb201-trajectory.csv and .md')
  .action((ref: string, o: { op: string; out?: string; table?: string }) => {
    const dir = resolveRunRef(ref, o.out ?? runsRoot());
    if (readRunProblem(dir) === 'ptb') {
      const run = readRun<PtbConfig, RecurrentArchitectureRecord>(dir, PTB_CONFIG_CODEC);
      const rows = recurrentTrajectory(run);
      for (const line of recurrentRunSummary(run, rows)) console.log(line);
      showTable(rows, { limit: rows.length, digits: 4 });
      return;
    }
    if (readRunProblem(dir) === 'nb201') {
      const run = readRun<Nb201Config, Nb201ArchitectureRecord>(dir, NB201_CONFIG_CODEC);
      const rows = nb201Trajectory(run);
      for (const line of nb201RunSummary(run, rows)) console.log(line);
      const table = nb201TrajectoryTable(rows);
      showTable(table, { limit: rows.length, digits: 5 });
      if (o.table) console.log(`saved ${Object.values(saveTable(table, 'nb201-trajectory', o.table)).join(', ')}`);
      return;
    }
    const problem = readRunProblem(dir);
    if (problem !== 'darts') {
      // A problem without its own summary (disparity): the epochs' losses, metric and eigenvalue, and the genotype.
      const run = readRun(dir, problemEntry(problem).codec);
      console.log(
        `run ${run.runId} (${problem}): ${run.epochs.length}/${run.config.epochs} epochs${run.done ? ' (done)' : ''}, backend ${run.backend}`,
      );
      showTable(
        run.epochs.map((r) => ({
          epoch: r.epoch,
          trainLoss: r.train.loss,
          validLoss: r.valid.loss,
          validMetric: r.valid.accuracy,
          eigenvalue: r.hessian?.dominantEigenvalue ?? null,
        })),
        { limit: run.epochs.length, digits: 4 },
      );
      if (run.genotype) console.log(`genotype (epoch ${run.genotype.epoch}): ${JSON.stringify(run.genotype.genotype)}`);
      return;
    }
    const run = readRun(dir);
    if (!isOpName(o.op)) throw new Error(`--op ${o.op} is not an operation; use one of ${PRIMITIVES.join(', ')}`);
    const space = getSpace(run.config.space);
    console.log(
      `run ${run.runId}: ${run.config.space} on ${run.config.dataset}, seed ${run.config.seed}, ` +
        `${run.epochs.length}/${run.config.epochs} epochs${run.done ? ' (done)' : ''}, backend ${run.backend}`,
    );
    if (run.epochs.length === 0) return;
    const secs = run.epochs.map((r) => epochSeconds(r));
    const total = secs.reduce((a, b) => a + b, 0);
    const hessianSecs = run.epochs.reduce((a, r) => a + (r.seconds.hessian ?? 0), 0);
    console.log(
      `time per epoch: mean ${(total / secs.length).toFixed(1)} s ` +
        `(search ${(run.epochs.reduce((a, r) => a + r.seconds.search, 0) / secs.length).toFixed(1)} s), total ${(total / 60).toFixed(1)} min; ` +
        `curvature ${(hessianSecs / 60).toFixed(1)} min = ${((100 * hessianSecs) / total).toFixed(1)}% of the total`,
    );
    const curv = run.epochs.filter((r) => r.hessian);
    if (curv.length > 0) {
      console.log(
        `dominant eigenvalue (${curv[0].hessian?.method}) by epoch: ` +
          curv.map((r) => `${r.epoch}:${r.hessian?.dominantEigenvalue.toFixed(4)}`).join(' '),
      );
    }
    const last = run.epochs[run.epochs.length - 1];
    console.log(`final genotype (${epochLabel(last.epoch, run.config.epochs)}): ${formatGenotype(last.genotype)}`);
    console.log(`parameter-free share of the genotype: ${parameterFreeShare(last.genotype).toFixed(3)}`);
    console.log(`supernet valid accuracy: ${last.valid.accuracy.toFixed(4)}\n`);
    console.log(`${o.op}: mean softmax weight, and edges where it is the strongest op, per epoch`);
    const share = opShareTable(run.epochs, space, o.op)
      .groupby('epoch')
      .pivot('cell', {
        w: (d: { meanWeight: number }) => aq.op.mean(d.meanWeight),
        n: (d: { argmaxEdges: number }) => aq.op.sum(d.argmaxEdges),
      });
    console.log(
      share.toMarkdown({
        format: Object.fromEntries(
          share
            .columnNames()
            .filter((c) => c.includes('w'))
            .map((c) => [c, (v: number) => v.toFixed(3)]),
        ),
      }),
    );
  });

program
  .command('notebooks')
  .description('execute every notebook in notebooks/ headless, in order (executed copies in results/notebooks/)')
  .option('--preset <name>', 'preset for the notebooks (default: RDARTS_PRESET, else quick)')
  .option('--out <dir>', 'folder for the executed copies')
  .option('--dir <dir>', "folder of the notebooks to run (default: the project's notebooks/)")
  .option('--compute', 'let the notebooks start missing searches and evaluations (default at smoke and quick)')
  .option('--read-only', 'only read finished searches and evaluations back; a missing one fails (default at mini and paper)')
  .action((opts: { preset?: string; out?: string; dir?: string; compute?: boolean; readOnly?: boolean }) => {
    const preset = opts.preset === undefined ? undefined : parsePreset(opts.preset, '--preset');
    if (opts.compute && opts.readOnly) throw new Error('notebooks: --compute and --read-only do not go together');
    const readOnly = opts.compute ? false : opts.readOnly ? true : undefined;
    runNotebooks(opts.dir, { preset, outDir: opts.out, readOnly, log: (l) => console.log(l) });
  });

program
  .command('jupyter')
  .description("open JupyterLab (or the classic Notebook) in notebooks/ with the project's tslab kernel")
  .allowUnknownOption()
  .argument('[args...]', 'passed on to jupyter')
  .action((args: string[]) => {
    process.exitCode = openJupyter(args);
  });

const data = program.command('data').description('data sets: fetch them where the loaders look');

data
  .command('fetch')
  .description(
    'download a data set from its official location, check its MD5s, unpack it into ' +
      '<dir>/<its folder> (progress on stderr; prints the folder)',
  )
  .argument('<name>', DATASET_NAMES.join(' | '))
  .option('--dir <dir>', 'root folder: the data set goes in its folder under it (default: $RDARTS_DATA, else data/)')
  .option(
    '--mirror <url>',
    'fetch the files from this base URL instead of the official sites, same file names ' + '(default: $RDARTS_DATA_MIRROR)',
  )
  .action(async (name: string, o: { dir?: string; mirror?: string }) => {
    const result = await fetchDataset(name, { dir: o.dir, baseUrl: o.mirror, log: (l) => console.error(l) });
    console.log(result.dir);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  // Expected failures (bad input, a failing notebook) print one clear message, not a stack.
  const message = e instanceof NotebookError || e instanceof Error ? e.message : String(e);
  console.error(`rdarts: ${message}`);
  process.exitCode = 1;
});
