/**
 * The evaluations behind the notebooks and the report (#7): every genotype that notebooks 01 to 04
 * train from scratch out of the planned searches (lib/experiments/plan.ts), so that `rdarts
 * experiment --evaluate` can run them ahead, one process per core, and the notebooks then only read
 * them back (same genotype and train config, same evalId):
 *   - the final genotype of every finished planned search (01, 02, 04);
 *   - DARTS-ES's genotype of every finished failure search (03; `esCandidates`), when the rule fired
 *     before the last epoch. DARTS-ADA's first stop epoch gives the same genotype as its failure
 *     search's DARTS-ES, so the two share one evaluation.
 *   - DARTS's final S3 genotype again with the other evaluation seeds of the seed spread (01;
 *     lib/analysis/seed_spread.ts).
 * Genotypes that occur twice are evaluated once. Searches that have not finished are listed as
 * waiting; their evaluations come on a later call.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PresetName } from '../config/preset';
import { esCandidates, type NamedRun } from '../analysis/early_stop_tables';
import { readRun, runDirFor, type StoredRun } from '../runs/store';
import type { Genotype } from '../spaces/genotype';
import { runCliTasks, type CliTask } from '../grid';
import { EVAL_FILE, evalId, evalsRoot, readEvaluation } from '../train/train';
import { resolveTrainConfig } from '../train/train_config';
import { SPREAD_SEEDS, spreadTrainConfig } from '../analysis/seed_spread';
import { EXPERIMENT_GROUPS, searchPlan, type ExperimentGroup } from './plan';

/** One genotype to train from scratch: a stored epoch of a planned search. */
export interface PlannedEvaluation {
  /** e.g. 'failure-s3', 'failure-s3 DARTS-ES', 'l2-0.0081'. */
  readonly name: string;
  readonly runId: string;
  readonly dir: string;
  /** The stored epoch whose genotype this is. */
  readonly epoch: number;
  /** The evaluation's seed: the preset's, or one of the seed spread's. */
  readonly seed: number;
  readonly genotype: Genotype;
  /** The evaluation's id under the preset's train config (lib/train/train.ts evalId). */
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

/**
 * The evaluations of `preset`'s planned searches of `groups` that have finished (in plan order,
 * DARTS-ES after its search's final genotype, each evalId once), and the searches still waiting.
 * `root` is the folder of search runs (default results/runs); `only` keeps the planned searches of
 * these names.
 */
export function evaluationPlan(preset: PresetName, groups: readonly ExperimentGroup[] = EXPERIMENT_GROUPS,
  root?: string, only?: readonly string[]): { ready: PlannedEvaluation[]; waiting: WaitingSearch[] } {
  const trainConfig = resolveTrainConfig(preset);
  const ready: PlannedEvaluation[] = [];
  const waiting: WaitingSearch[] = [];
  const seen = new Set<string>();
  const add = (name: string, run: StoredRun, epoch: number, genotype: Genotype, seed = trainConfig.seed) => {
    const id = evalId(genotype, seed === trainConfig.seed ? trainConfig : spreadTrainConfig(preset, seed));
    if (seen.has(id)) return;
    seen.add(id);
    ready.push({ name, runId: run.runId, dir: run.dir, epoch, seed, genotype, evalId: id });
  };
  for (const planned of searchPlan(preset, groups).filter((p) => only === undefined || only.includes(p.name))) {
    const dir = runDirFor(planned.config, root);
    const run = fs.existsSync(dir) ? readRun(dir) : undefined;
    if (!run?.done || !run.genotype) {
      waiting.push({ name: planned.name, runId: dir.split(/[\\/]/).pop() ?? '', epochs: run?.epochs.length ?? 0, of: planned.config.epochs });
      continue;
    }
    add(planned.name, run, run.genotype.epoch, run.genotype.genotype);
    if (planned.group === 'failure') {
      const named: NamedRun = { name: planned.name, run };
      const es = esCandidates([named]).find((c) => c.method === 'DARTS-ES');
      if (es?.esFired) add(`${planned.name} DARTS-ES`, run, es.epoch, es.genotype);
      if (planned.config.space === 's3') {
        for (const seed of SPREAD_SEEDS) add(`${planned.name} seed ${seed}`, run, run.genotype.epoch, run.genotype.genotype, seed);
      }
    }
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
  /** Only the evaluations of these planned searches (by name). */
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
}

/**
 * `rdarts experiment --evaluate`: lists the waiting searches and the finished evaluations (with
 * their test errors), then runs the others as `rdarts evaluate RUN --epoch E` processes. Resolves
 * with the names of the evaluations that failed.
 */
export async function runPlannedEvaluations(preset: PresetName, groups: readonly ExperimentGroup[],
  options: RunEvaluationsOptions = {}): Promise<string[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const evals = options.evals ?? evalsRoot();
  const { ready, waiting } = evaluationPlan(preset, groups, options.runs, options.only);
  for (const w of waiting) log(`waiting: ${w.name} (run ${w.runId}, ${w.epochs}/${w.of} epochs); evaluated once it has finished`);
  const tasks: CliTask[] = [];
  for (const e of ready) {
    const dir = path.join(evals, e.evalId);
    const stored = fs.existsSync(path.join(dir, EVAL_FILE)) ? readEvaluation(dir) : undefined;
    if (stored?.done && stored.testError !== undefined) {
      log(`done: ${e.name} (run ${e.runId}, epoch ${e.epoch}): evaluation ${e.evalId}, test error ${(100 * stored.testError).toFixed(2)}%`);
      continue;
    }
    tasks.push({
      name: e.name, describe: `run ${e.runId}, epoch ${e.epoch} -> evaluation ${e.evalId}${stored ? ` (resumed at epoch ${stored.epochs.length})` : ''}`,
      args: ['evaluate', e.dir, '--epoch', String(e.epoch), '--preset', preset, '--seed', String(e.seed), '--out', evals],
    });
  }
  log(`${ready.length - tasks.length} of ${ready.length} planned evaluations done, ${tasks.length} to run, ${waiting.length} search(es) waiting`);
  const codes = await runCliTasks(tasks, { jobs: options.jobs, log });
  return [...codes].filter(([, c]) => c !== 0).map(([name]) => name);
}
