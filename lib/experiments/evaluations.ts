/**
 * The evaluations behind the notebooks and the report: every genotype that notebooks 01 to 04
 * train from scratch, so that `rdarts experiment --evaluate` can run them ahead, one process per
 * core, and the notebooks then only read them back (same genotype and train config, same evalId):
 *   - the final genotype of every finished planned search (01, 02, 04);
 *   - DARTS-ES's genotype of every finished failure search (03; `esCandidates`), when the rule fired
 *     before the last epoch. DARTS-ADA's first stop epoch gives the same genotype as its failure
 *     search's DARTS-ES, so the two share one evaluation;
 *   - DARTS's final S3 genotype again with the other evaluation seeds of the seed spread (01;
 *     lib/analysis/seed_spread.ts);
 *   - with the failure group, notebook 04's baselines on S3: random search's candidates (under
 *     randomSearchTrainConfig) and RS-ws's chosen genotype once the RS-ws run has finished. The RS-ws
 *     run itself (a training of search length) is a task of `runPlannedEvaluations` too.
 * Genotypes that occur twice are evaluated once. Searches that have not finished are listed as
 * waiting; their evaluations come on a later call.
 */
import * as path from 'path';
import { esCandidates, type NamedRun } from '../analysis/early_stop_tables';
import { baselineSettings, randomSearchTrainConfig } from '../measurements/baseline_settings';
import { SPREAD_SEEDS, spreadTrainConfig } from '../measurements/seed_spread';
import { initBackend } from '../backend';
import { RS_WS_METHOD, type RsWsResult } from '../baselines/rs_ws';
import { baselineDir, readBaselineResult } from '../baselines/store';
import { randomSearchCandidate } from '../baselines/random_search';
import type { PresetName } from '../config/preset';
import { type CliTask, runCliTasks } from '../cluster/pool';
import type { DirTask } from '../cluster/task_status';
import { resultsDir } from '../paths';
import { readRunIfAny, runDirFor, type StoredRun } from '../runs/store';
import { formatGenotype, type Genotype } from '../spaces/genotype';
import { getSpace } from '../spaces/spaces';
import { ensureEvaluation, evalId, evalsRoot, readEvaluationIfAny, type EvalSource } from '../train/train';
import { resolveTrainConfig, type TrainConfig } from '../train/train_config';
import { EXPERIMENT_GROUPS, PLAN_SEED, searchPlan, type ExperimentGroup } from './plan';
import { METHODS } from '../analysis/labels';

/** One genotype to train from scratch under one train config. */
export interface PlannedEvaluation {
  /** e.g. 'failure-s3', 'failure-s3 DARTS-ES', 'failure-s3 seed 1', 'rs candidate 2', 'rs-ws'. */
  readonly name: string;
  readonly genotype: Genotype;
  readonly trainConfig: TrainConfig;
  /** Where the genotype comes from (a run's stored epoch, or a baseline's name), as the notebooks record it. */
  readonly source: EvalSource;
  readonly evalId: string;
}

/** A planned search that has not finished, so its evaluations cannot be planned yet. */
export interface WaitingSearch {
  readonly name: string;
  readonly runId: string;
  /** Stored epochs (0 when the run has not started). */
  readonly epochs: number;
  readonly of: number;
}

/** The RS-ws run notebook 04 compares with: on the failure group's S3 config, at the preset's sizes. */
export function plannedRsWs(preset: PresetName, results: string = resultsDir()) {
  const darts = searchPlan(preset, ['failure']).find((p) => p.config.space === 's3');
  if (!darts) throw new Error('plannedRsWs: the plan has no failure-s3 search');
  const parameters = baselineSettings(preset).rsWs;
  return { name: darts.name, config: darts.config, parameters, dir: baselineDir(darts.config, RS_WS_METHOD, { ...parameters }, results) };
}

/** The source name of random search's candidate `index` (as notebook 04 records it). */
export const randomSearchSourceName = (index: number) => `random search (seed ${PLAN_SEED}) candidate ${index}`;

/**
 * The evaluations of `preset`'s planned searches of `groups` that can run now (file header; in plan
 * order, each evalId once), and the searches still waiting. `runs` is the folder of search runs
 * (default results/runs), `results` the results folder of the baselines; `only` keeps the planned
 * searches of these names.
 */
export function evaluationPlan(
  preset: PresetName,
  groups: readonly ExperimentGroup[] = EXPERIMENT_GROUPS,
  runs?: string,
  only?: readonly string[],
  results: string = resultsDir(),
): { ready: PlannedEvaluation[]; waiting: WaitingSearch[] } {
  const trainConfig = resolveTrainConfig(preset);
  const ready: PlannedEvaluation[] = [];
  const waiting: WaitingSearch[] = [];
  const seen = new Set<string>();
  const add = (name: string, genotype: Genotype, config: TrainConfig, source: EvalSource) => {
    const id = evalId(genotype, config);
    if (seen.has(id)) return;
    seen.add(id);
    ready.push({ name, genotype, trainConfig: config, source, evalId: id });
  };
  const fromRun = (run: StoredRun, epoch: number): EvalSource => ({ kind: 'run', runId: run.runId, dir: run.dir, epoch });
  const planned = searchPlan(preset, groups).filter((p) => only === undefined || only.includes(p.name));
  for (const p of planned) {
    const dir = runDirFor(p.config, runs);
    const run = readRunIfAny(dir);
    if (!run?.done || !run.genotype) {
      waiting.push({ name: p.name, runId: path.basename(dir), epochs: run?.epochs.length ?? 0, of: p.config.epochs });
      continue;
    }
    const final = run.genotype;
    add(p.name, final.genotype, trainConfig, fromRun(run, final.epoch));
    if (p.group === 'failure') {
      const named: NamedRun = { name: p.name, run };
      const es = esCandidates([named]).find((c) => c.method === METHODS.es);
      if (es?.esFired) add(`${p.name} DARTS-ES`, es.genotype, trainConfig, fromRun(run, es.epoch));
      if (p.config.space === 's3') {
        for (const seed of SPREAD_SEEDS)
          add(`${p.name} seed ${seed}`, final.genotype, spreadTrainConfig(preset, seed), fromRun(run, final.epoch));
      }
    }
  }
  if (groups.includes('failure') && only === undefined) {
    const rs = baselineSettings(preset).randomSearch;
    for (let i = 0; i < rs.samples; i++) {
      add(`rs candidate ${i}`, randomSearchCandidate(getSpace('s3'), PLAN_SEED, i), randomSearchTrainConfig(preset), {
        kind: 'name',
        name: randomSearchSourceName(i),
      });
    }
    const rsWs = readBaselineResult<RsWsResult<Genotype>>(plannedRsWs(preset, results).dir);
    if (rsWs) add('rs-ws', rsWs.genotype, trainConfig, { kind: 'name', name: `rs-ws ${rsWs.id}` });
  }
  return { ready, waiting };
}

/** Options of `runPlannedEvaluations`. */
export interface RunEvaluationsOptions {
  /** Folder of search runs (default results/runs). */
  readonly runs?: string;
  /** Folder of evaluations (default results/evals). */
  readonly evals?: string;
  /** Processes at once (default: the number of cores). */
  readonly jobs?: number;
  /** Only the evaluations of these planned searches (by name); no baselines then. */
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
}

const describeSource = (s: EvalSource) => (s.kind === 'run' ? `run ${s.runId}, epoch ${s.epoch}` : s.kind === 'name' ? s.name : s.path);

/** A task of `rdarts experiment --evaluate`: its command, and the directory it writes (for status and Slurm). */
export type EvaluationTask = CliTask & DirTask;

/** The progress of the evaluation in `dir` (eval.json: done, epochs stored of the config's). */
function evaluationProgress(dir: string, of: number) {
  const stored = readEvaluationIfAny(dir);
  return { done: stored?.done === true && stored.testError !== undefined, epochs: stored?.epochs.length ?? 0, of };
}

/**
 * The tasks of `rdarts experiment --evaluate` that are left: the RS-ws baseline when the failure
 * group is planned and it has not finished, and every unfinished evaluation (`rdarts experiment
 * --evaluate-item ID`). Logs the waiting searches and the finished evaluations (with their test
 * errors) on the way.
 */
export function evaluationTasks(
  preset: PresetName,
  groups: readonly ExperimentGroup[],
  options: RunEvaluationsOptions = {},
): EvaluationTask[] {
  const log = options.log ?? ((line: string) => console.log(line));
  const evals = path.resolve(options.evals ?? evalsRoot());
  const { ready, waiting } = evaluationPlan(preset, groups, options.runs, options.only);
  for (const w of waiting) log(`waiting: ${w.name} (run ${w.runId}, ${w.epochs}/${w.of} epochs); evaluated once it has finished`);
  const tasks: EvaluationTask[] = [];
  if (groups.includes('failure') && options.only === undefined) {
    const rsWs = plannedRsWs(preset);
    if (!readBaselineResult(rsWs.dir)) {
      tasks.push({
        name: 'rs-ws',
        describe: `the RS-ws baseline on ${rsWs.name}'s config (its genotype is evaluated on a later call)`,
        args: ['baseline', 'rs-ws', '--preset', preset, '--plan', rsWs.name],
        dir: rsWs.dir,
        progress: () => ({ done: readBaselineResult(rsWs.dir) !== undefined, epochs: 0 }),
      });
    }
  }
  const common = ['--preset', preset, ...(options.runs ? ['--out', path.resolve(options.runs)] : []), '--evals', evals];
  for (const e of ready) {
    const dir = path.join(evals, e.evalId);
    const stored = readEvaluationIfAny(dir);
    if (stored?.done && stored.testError !== undefined) {
      log(`done: ${e.name} (${describeSource(e.source)}): evaluation ${e.evalId}, test error ${(100 * stored.testError).toFixed(2)}%`);
      continue;
    }
    tasks.push({
      name: e.name,
      describe: `${describeSource(e.source)} -> evaluation ${e.evalId}${stored ? ` (resumed at epoch ${stored.epochs.length})` : ''}`,
      args: ['experiment', '--evaluate-item', e.evalId, ...common],
      dir,
      progress: () => evaluationProgress(dir, e.trainConfig.epochs),
    });
  }
  const evaluations = tasks.filter((t) => t.name !== 'rs-ws').length;
  log(
    `${ready.length - evaluations} of ${ready.length} planned evaluations done, ${evaluations} to run` +
      `${tasks.length > evaluations ? ' after the RS-ws baseline' : ''}, ${waiting.length} search(es) waiting`,
  );
  return tasks;
}

/**
 * `rdarts experiment --evaluate`: runs the tasks of `evaluationTasks`, one process per job.
 * Resolves with the names of the tasks that failed.
 */
export async function runPlannedEvaluations(
  preset: PresetName,
  groups: readonly ExperimentGroup[],
  options: RunEvaluationsOptions = {},
): Promise<string[]> {
  const tasks = evaluationTasks(preset, groups, options);
  const codes = await runCliTasks(tasks, { jobs: options.jobs, log: options.log });
  return [...codes].filter(([, c]) => c !== 0).map(([name]) => name);
}

/**
 * `rdarts experiment --evaluate-item ID`: runs (or resumes, or reads back) the planned evaluation
 * `id` of `preset`, found in the plan of all groups; throws when no planned evaluation has that id.
 */
export async function runPlannedEvaluation(
  preset: PresetName,
  id: string,
  options: Pick<RunEvaluationsOptions, 'runs' | 'evals' | 'log'> = {},
) {
  const log = options.log ?? ((line: string) => console.log(line));
  const item = evaluationPlan(preset, EXPERIMENT_GROUPS, options.runs).ready.find((e) => e.evalId === id);
  if (!item)
    throw new Error(`experiment --evaluate-item: no planned evaluation ${id} at preset ${preset} (see rdarts experiment --evaluate)`);
  await initBackend();
  log(`evaluate ${item.name} (${describeSource(item.source)}): ${formatGenotype(item.genotype)}`);
  const { status, evaluation } = await ensureEvaluation(item.genotype, item.trainConfig, { root: options.evals, source: item.source });
  log(`evaluation ${evaluation.evalId} (${status}): ${evaluation.dir}`);
  if (evaluation.testError !== undefined)
    log(`test error ${(100 * evaluation.testError).toFixed(2)}% on ${evaluation.testImages} test images`);
  return evaluation;
}
