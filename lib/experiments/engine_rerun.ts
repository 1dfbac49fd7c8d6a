/**
 * The searches re-run after the engine fix (engine revision 2, lib/versions.ts), beside the records
 * of revision 1 that the report was built from, so that the size of the fix's effect on a search is
 * known: DARTS on S3 and S4 (the plan's failure-s3 and failure-s4). The re-runs live under
 * `<results>/rerun-engine2/` (the same run ids: the configs are the same), their evaluations too;
 * `results/runs` and `results/evals` keep the revision-1 records until the grid is re-run.
 *
 * For each search: the genotype, its parameter-free ops (the paper's sign of degeneration), the dominant eigenvalue
 * (first and last fifth of the measurements, and every measurement), the final validation
 * accuracy, and the test errors of the final and DARTS-ES genotypes (trained from scratch) under the
 * preset's evaluation config.
 */
import * as fs from 'fs';
import * as path from 'path';
import { eigenvalueEnds } from '../analysis/degeneration';
import { esCandidates } from '../analysis/early_stop_tables';
import { mdTable } from '../analysis/markdown';
import type { PresetName } from '../config/preset';
import { resultsDir } from '../paths';
import { readRun, type StoredRun } from '../runs/run_read';
import { runDirFor } from '../runs/store';
import { formatGenotype, type Genotype, parameterFreeCount } from '../spaces/genotype';
import { ensureEvaluation, evalDirFor, readEvaluationIfAny } from '../train/train';
import { resolveTrainConfig } from '../train/train_config';
import { engineRevisionOf } from '../versions';
import { searchPlan } from './plan';
import { METHODS } from '../analysis/labels';

/** Where the re-runs are stored, under the results folder. */
export const ENGINE_RERUN_DIR = 'rerun-engine2';
/** The plan's searches that are re-run. */
export const ENGINE_RERUN_SEARCHES = ['failure-s3', 'failure-s4'] as const;

/** One search on one engine revision. */
export interface RerunSide {
  readonly name: string;
  readonly engine: number;
  readonly backend: string | null;
  readonly epochs: number;
  readonly done: boolean;
  readonly genotype: string;
  readonly normalParameterFree: number;
  readonly reduceParameterFree: number;
  /** Mean of the first and of the last fifth of the measurements (lib/analysis/degeneration.ts). */
  readonly eigenvalueStart: number | null;
  readonly eigenvalueEnd: number | null;
  readonly eigenvalues: number[];
  readonly validAccuracy: number | null;
  /** Test errors (fractions) of the final and the DARTS-ES genotype; null when not evaluated. */
  readonly testError: number | null;
  readonly esTestError: number | null;
  readonly esEpoch: number | null;
  /** Whether DARTS-ES's rule fired before the last epoch (else its genotype is the final one). */
  readonly esFired: boolean | null;
}

function genotypesOf(run: StoredRun, name: string): { final: Genotype; es: Genotype; esEpoch: number; esFired: boolean } | undefined {
  if (!run.done) return undefined;
  const [darts, es] = esCandidates([{ name, run }]);
  return { final: darts.genotype, es: es.genotype, esEpoch: es.epoch, esFired: es.esFired === true };
}

function testErrorOf(genotype: Genotype | undefined, preset: PresetName, evalsRoot: string): number | null {
  if (!genotype) return null;
  const e = readEvaluationIfAny(evalDirFor(genotype, resolveTrainConfig(preset), evalsRoot));
  return e?.done ? (e.testError as number) : null;
}

/** The stored run of the plan's search `name` under `results`, undefined when it has not started. */
function storedRun(name: string, preset: PresetName, results: string): StoredRun | undefined {
  const plan = searchPlan(preset).find((p) => p.name === name);
  if (!plan) throw new Error(`engine re-run: no search ${name} in the ${preset} plan`);
  const dir = runDirFor(plan.config, path.join(results, 'runs'));
  return fs.existsSync(dir) ? readRun(dir) : undefined;
}

/** The search `name` of the plan as stored under `results` (undefined when it has not started). */
export function rerunSide(name: string, preset: PresetName, results: string): RerunSide | undefined {
  const run = storedRun(name, preset, results);
  if (!run) return undefined;
  const last = run.epochs[run.epochs.length - 1];
  const eig = run.epochs.flatMap((r) => (r.hessian ? [r.hessian.dominantEigenvalue] : []));
  const ends = eigenvalueEnds(run.epochs);
  const g = genotypesOf(run, name);
  const evals = path.join(results, 'evals');
  const stored = last?.genotype;
  return {
    name,
    engine: engineRevisionOf(run.versions),
    backend: run.backend,
    epochs: run.epochs.length,
    done: run.done,
    genotype: stored ? formatGenotype(stored) : '',
    normalParameterFree: stored ? parameterFreeCount(stored.normal) : 0,
    reduceParameterFree: stored ? parameterFreeCount(stored.reduce) : 0,
    eigenvalueStart: ends.first ?? null,
    eigenvalueEnd: ends.last ?? null,
    eigenvalues: eig,
    validAccuracy: last?.valid.accuracy ?? null,
    testError: testErrorOf(g?.final, preset, evals),
    esTestError: testErrorOf(g?.es, preset, evals),
    esEpoch: g?.esEpoch ?? null,
    esFired: g?.esFired ?? null,
  };
}

/** Before (results/runs, revision 1) and after (results/rerun-engine2, revision 2) for every re-run search. */
export function rerunComparison(
  preset: PresetName,
  results: string = resultsDir(),
): { name: string; before: RerunSide | undefined; after: RerunSide | undefined }[] {
  return ENGINE_RERUN_SEARCHES.map((name) => ({
    name,
    before: rerunSide(name, preset, results),
    after: rerunSide(name, preset, path.join(results, ENGINE_RERUN_DIR)),
  }));
}

/**
 * Trains the final and DARTS-ES genotypes of the finished re-runs from scratch (the preset's
 * evaluation config; stored under the re-run folder's evals/). Resumable, as every evaluation.
 */
export async function evaluateReruns(preset: PresetName, results: string = resultsDir()): Promise<string[]> {
  const root = path.join(results, ENGINE_RERUN_DIR);
  const done: string[] = [];
  for (const name of ENGINE_RERUN_SEARCHES) {
    const run = storedRun(name, preset, root);
    const g = run && genotypesOf(run, name);
    if (!g) continue;
    for (const [what, genotype] of [
      ['final', g.final],
      [METHODS.es, g.es],
    ] as const) {
      const r = await ensureEvaluation(genotype, resolveTrainConfig(preset), { root: path.join(root, 'evals') });
      done.push(`${name} ${what}: test error ${((r.evaluation.testError as number) * 100).toFixed(2)}%`);
    }
  }
  return done;
}

const pct = (v: number | null) => (v === null ? 'not evaluated' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null) => (v === null ? '' : v.toFixed(3));

/** The comparison as Markdown (the re-run folder's README.md). */
export function rerunMarkdown(preset: PresetName, results: string = resultsDir()): string {
  const rows = rerunComparison(preset, results);
  const lines = [
    `# Searches re-run after the engine fix (preset ${preset})`,
    '',
    'Written by `npx tsx lib/cli.ts engine-rerun --preset ' + preset + ' --write` from the records; do not edit by hand.',
    '',
    'Before: the records in `results/runs` and `results/evals`, from which `results/REPORT.md` was built. After: the same ' +
      `configs (same run ids) searched again under \`results/${ENGINE_RERUN_DIR}\`, and their final and DARTS-ES genotypes ` +
      'evaluated under the same evaluation config. Engine revision 1 summed in float32 on the wasm backend (batch-norm ' +
      "statistics and gradients, tfjs-backend-wasm's Sum); revision 2 sums in double (lib/versions.ts). One search seed " +
      'each: the difference between the columns is the fix plus the chaos of a long search started from the same seed (a ' +
      'different rounding anywhere sends it elsewhere); it is not a seed spread.',
    '',
    'Commands: `RDARTS_RESULTS=results/rerun-engine2 npx tsx lib/cli.ts experiment --preset ' +
      preset +
      ' --group failure --only failure-s3,failure-s4 --jobs 2`, then `npx tsx lib/cli.ts engine-rerun --preset ' +
      preset +
      ' --evaluate --write`.',
    '',
  ];
  for (const { name, before, after } of rows) {
    lines.push(`## ${name}`, '');
    const sides = [before, after];
    const cell = (f: (s: RerunSide) => string) => sides.map((s) => (s ? f(s) : 'not run'));
    const table: [string, string[]][] = [
      ['engine revision, backend', cell((s) => `${s.engine}, ${s.backend ?? '?'}`)],
      ['epochs', cell((s) => `${s.epochs}${s.done ? '' : ' (running)'}`)],
      ['genotype (last stored epoch)', cell((s) => s.genotype)],
      ['parameter-free ops, normal / reduction cell', cell((s) => `${s.normalParameterFree}/8, ${s.reduceParameterFree}/8`)],
      [
        'dominant eigenvalue, mean of first → last fifth',
        cell((s) => (s.eigenvalueStart === null ? '' : `${num(s.eigenvalueStart)} → ${num(s.eigenvalueEnd)}`)),
      ],
      ['dominant eigenvalue, every measurement', cell((s) => s.eigenvalues.map((v) => v.toFixed(3)).join(', '))],
      ['supernet validation accuracy, last epoch', cell((s) => (s.validAccuracy === null ? '' : `${(s.validAccuracy * 100).toFixed(2)}%`))],
      ['test error, final genotype', cell((s) => pct(s.testError))],
      [
        'test error, DARTS-ES genotype (epoch)',
        cell(
          (s) =>
            `${pct(s.esTestError)}${
              s.esEpoch === null ? '' : s.esFired ? ` (epoch ${s.esEpoch})` : ' (the rule did not fire: the final genotype)'
            }`,
        ),
      ],
    ];
    const head = (label: string, s: RerunSide | undefined) => (s ? `${label} (engine revision ${s.engine})` : label);
    lines.push(
      mdTable(
        ['', head('before', before), head('after', after)],
        table.map(([k, [b, a]]) => [k, b, a]),
      ),
      '',
    );
  }
  return lines.join('\n');
}
