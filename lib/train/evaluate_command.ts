/**
 * `rdarts evaluate RUN_OR_GENOTYPE --preset mini` (docs/method.md §5): find the genotype that the
 * reference names, train it from scratch under the preset's evaluation config, test it, and print
 * the test error and the parameter count. The reference is tried as, in order:
 *   1. a named genotype (NAMED_GENOTYPES: DARTS_V2);
 *   2. an existing directory: a search run (its genotype.json; the run must be finished);
 *   3. an existing file: a genotype as JSON, or a run's genotype.json ({ epoch, genotype });
 *   4. a runId under the runs folder (default results/runs).
 * For a run, `epoch` picks the genotype of that stored epoch (DARTS-ES's stop epoch, say) instead of
 * the final one; the run need not be finished then.
 * The evaluation is stored once per (genotype, config) under results/evals (lib/train/train.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../backend';
import { isPlainObject } from '../config/search_config';
import type { DatasetSplits } from '../data/dataset';
import { readRun, runsRoot } from '../runs/store';
import type { ProgressMode } from '../search/progress';
import { DARTS_V2, formatGenotype, type Genotype } from '../spaces/genotype';
import { checkGenotype } from './genotype_check';
import { ensureEvaluation, type EvalSource, type EvaluationResult } from './train';
import { resolveTrainConfig } from './train_config';

/** Genotypes that can be evaluated by name. */
export const NAMED_GENOTYPES: Readonly<Record<string, Genotype>> = Object.freeze({ DARTS_V2 });

/** A genotype and where it came from. */
export interface ResolvedGenotype {
  readonly genotype: Genotype;
  readonly source: EvalSource;
}

/**
 * The final genotype of a finished search run in `dir` (an unfinished run throws, naming it), or
 * with `epoch` the genotype of that stored epoch.
 */
function fromRun(dir: string, epoch?: number): ResolvedGenotype {
  const run = readRun(dir);
  if (epoch !== undefined) {
    const record = run.epochs[epoch];
    if (!Number.isInteger(epoch) || epoch < 0 || !record) {
      throw new Error(
        `evaluate: run ${run.runId} in ${dir} has no epoch ${epoch} ` +
          `(${run.epochs.length === 0 ? 'it has no stored epoch yet' : `stored: 0..${run.epochs.length - 1}`})`,
      );
    }
    return { genotype: record.genotype, source: { kind: 'run', runId: run.runId, dir: path.resolve(dir), epoch } };
  }
  if (!run.done || !run.genotype) {
    throw new Error(
      `evaluate: run ${run.runId} in ${dir} is not finished (${run.epochs.length}/${run.config.epochs} epochs); ` +
        'finish it with `rdarts search` first',
    );
  }
  return { genotype: run.genotype.genotype, source: { kind: 'run', runId: run.runId, dir: path.resolve(dir), epoch: run.genotype.epoch } };
}

/** A genotype JSON file: a Genotype, or { genotype: Genotype, ... } (a run's genotype.json). */
function fromFile(file: string): ResolvedGenotype {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`evaluate: ${file} is not a genotype JSON file: ${(e as Error).message}`, { cause: e });
  }
  const genotype = (isPlainObject(value) && isPlainObject(value.genotype) ? value.genotype : value) as Genotype;
  try {
    checkGenotype(genotype);
  } catch (e) {
    throw new Error(`evaluate: ${file} does not hold a genotype: ${(e as Error).message}`, { cause: e });
  }
  return { genotype, source: { kind: 'file', path: path.resolve(file) } };
}

/**
 * The genotype that `ref` names (file header for the order). A reference that is none of them
 * throws, listing what was tried.
 */
export function resolveGenotype(ref: string, runs: string = runsRoot(), epoch?: number): ResolvedGenotype {
  const notRun = (what: string) => {
    if (epoch !== undefined) throw new Error(`evaluate: an epoch (${epoch}) picks a search run's genotype, but "${ref}" is ${what}`);
  };
  if (Object.prototype.hasOwnProperty.call(NAMED_GENOTYPES, ref)) {
    notRun('a named genotype');
    return { genotype: NAMED_GENOTYPES[ref], source: { kind: 'name', name: ref } };
  }
  if (fs.existsSync(ref)) {
    if (fs.statSync(ref).isDirectory()) return fromRun(ref, epoch);
    notRun('a file');
    return fromFile(ref);
  }
  const underRuns = path.join(runs, ref);
  if (ref !== '' && !ref.includes('/') && fs.existsSync(underRuns)) return fromRun(underRuns, epoch);
  throw new Error(
    `evaluate: "${ref}" is none of: a named genotype (${Object.keys(NAMED_GENOTYPES).join(', ')}); ` +
      `a run directory or genotype JSON file (no such path); a runId under ${runs} (no ${underRuns})`,
  );
}

function duration(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** Options of `evaluateCommand`. */
export interface EvaluateCommandOptions {
  /** smoke | quick | mini | paper: the evaluation config. */
  readonly preset: string;
  /** Folder of evaluation directories (default results/evals). */
  readonly out?: string;
  /** Seed of the evaluation (default: the preset's). */
  readonly seed?: number;
  /** Folder of search runs, for a runId (default results/runs). */
  readonly runs?: string;
  /** For a search run: the stored epoch whose genotype is evaluated (default: the final genotype). */
  readonly epoch?: number;
  /** Both splits, instead of loading the preset's data set (tests). */
  readonly data?: DatasetSplits;
  /** Progress display (default 'bar'). */
  readonly progress?: ProgressMode;
  /** Where the result lines go (default console.log). */
  readonly log?: (line: string) => void;
}

/** `rdarts evaluate REF --preset P [--epoch E] [--seed S] [--out DIR]`: prints and returns the evaluation. */
export async function evaluateCommand(ref: string, options: EvaluateCommandOptions): Promise<EvaluationResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { genotype, source } = resolveGenotype(ref, options.runs, options.epoch);
  const config = resolveTrainConfig(options.preset, options.seed === undefined ? {} : { seed: options.seed }, '--seed');
  const backend = await initBackend();
  const from = source.kind === 'run' ? `run ${source.runId} (epoch ${source.epoch})` : source.kind === 'file' ? source.path : source.name;
  log(`evaluate: ${from}: ${formatGenotype(genotype)}`);
  log(
    `preset ${options.preset}: ${config.layers} cells, C ${config.C}, ${config.epochs} epochs on ${config.dataset}, ` +
      `seed ${config.seed}, backend ${backend.name}`,
  );
  const result = await ensureEvaluation(genotype, config, {
    root: options.out,
    source,
    ...(options.data ? { data: options.data } : {}),
    progress: options.progress,
  });
  const e = result.evaluation;
  log(`evaluation ${e.evalId} (${result.status}): ${e.dir}`);
  log(
    `parameters: ${e.params.withoutAuxiliary.toLocaleString('en-US')} (${(e.params.withoutAuxiliary / 1e6).toFixed(3)} M; ` +
      `${e.params.withAuxiliary.toLocaleString('en-US')} with the auxiliary head)`,
  );
  if (e.done && e.testError !== undefined) {
    log(
      `test error ${(100 * e.testError).toFixed(2)}% on ${e.testImages} test images after ${e.epochs.length} epochs ` +
        `(${duration(e.seconds ?? 0)})`,
    );
  }
  return result;
}
