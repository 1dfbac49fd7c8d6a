/**
 * `rdarts compare --preset mini`: the methods on S3 side by side, straight from the stored
 * records (read only; nothing is computed): DARTS (failure-s3's final genotype), DARTS-ES (its
 * first decision's), DARTS-ADA (ada-s3's final), R-DARTS(L2) (the selection over failure-s3 and the
 * L2 group), R-DARTS(DP) (over the DP group), each with its test error where evaluated, and the
 * seed spread of DARTS's genotype. The same choices as notebooks 01, 03 and 04 (esCandidates,
 * selectRun, the plan's evaluations), so the numbers are theirs; a row whose search or evaluation
 * is missing says so.
 */
import * as fs from 'fs';
import * as path from 'path';
import { esCandidates } from '../analysis/early_stop_tables';
import { SPREAD_SEEDS, spreadTrainConfig } from '../measurements/seed_spread';
import type { PresetName } from '../config/preset';
import { selectRun } from '../control/select';
import { readRunIfAny, runDirFor, type StoredRun } from '../runs/store';
import { formatGenotype, parameterFreeShare, type Genotype } from '../spaces/genotype';
import { EVAL_FILE, evalDirFor, evalsRoot, readEvaluation } from '../train/train';
import { resolveTrainConfig, type TrainConfig } from '../train/train_config';
import { regularisationGrids, searchPlan } from './plan';
import { METHODS } from '../analysis/labels';

/** One method's row. Blank strings where the search or the evaluation is missing. */
export interface CompareRow {
  readonly method: string;
  /** How the genotype was chosen, or what is missing. */
  readonly how: string;
  readonly runId: string;
  readonly epoch: number | '';
  /** The last dominant eigenvalue measured up to `epoch`. */
  readonly eigenvalue: number | '';
  readonly parameterFreeShare: number | '';
  /** skip_connect among the 8 ops of the normal and the reduction cell. */
  readonly skips: string;
  /** Test error in percent, or what is missing. */
  readonly testError: number | string;
  readonly genotype: string;
}

/** Options: where the runs and the evaluations are (defaults results/runs, results/evals). */
export interface CompareOptions {
  readonly runs?: string;
  readonly evals?: string;
}

/** The test error (percent) of `genotype` under `config`, or what is missing. */
function testError(genotype: Genotype, config: TrainConfig, evals: string): number | string {
  const dir = evalDirFor(genotype, config, evals);
  if (!fs.existsSync(path.join(dir, EVAL_FILE))) return 'not evaluated';
  const e = readEvaluation(dir);
  return e.done && e.testError !== undefined ? 100 * e.testError : `evaluating (${e.epochs.length}/${config.epochs} epochs)`;
}

/** The rows of `preset` (file header). */
export function compareS3(
  preset: PresetName,
  options: CompareOptions = {},
): { rows: CompareRow[]; spread: { seed: number; testError: number | string }[] } {
  const evals = options.evals ?? evalsRoot();
  const config = resolveTrainConfig(preset);
  const plan = searchPlan(preset);
  const runOf = (name: string): StoredRun | undefined => {
    const p = plan.find((x) => x.name === name);
    if (!p) throw new Error(`compareS3: ${name} is not in the plan of ${preset}`);
    const dir = runDirFor(p.config, options.runs);
    return readRunIfAny(dir);
  };
  const rows: CompareRow[] = [];
  const missing = (method: string, how: string): void => {
    rows.push({ method, how, runId: '', epoch: '', eigenvalue: '', parameterFreeShare: '', skips: '', testError: '', genotype: '' });
  };
  const add = (method: string, how: string, run: StoredRun, epoch: number, g: Genotype): void => {
    const measured = run.epochs.filter((r) => r.epoch <= epoch && r.hessian);
    const count = (cell: 'normal' | 'reduce') => g[cell].filter(([op]) => op === 'skip_connect').length;
    rows.push({
      method,
      how,
      runId: run.runId,
      epoch,
      eigenvalue: measured[measured.length - 1]?.hessian?.dominantEigenvalue ?? '',
      parameterFreeShare: parameterFreeShare(g),
      skips: `${count('normal')}/8, ${count('reduce')}/8`,
      testError: testError(g, config, evals),
      genotype: formatGenotype(g),
    });
  };
  const darts = runOf('failure-s3');
  let dartsGenotype: Genotype | undefined;
  if (darts?.done) {
    const [d, es] = esCandidates([{ name: 'failure-s3', run: darts }]);
    dartsGenotype = d.genotype;
    add(METHODS.darts, 'final genotype', darts, d.epoch, d.genotype);
    add(METHODS.es, es.note, darts, es.epoch, es.genotype);
  } else {
    missing(METHODS.darts, 'failure-s3 has not finished');
    missing(METHODS.es, 'failure-s3 has not finished');
  }
  const ada = runOf('ada-s3');
  if (ada?.done && ada.genotype) {
    add(
      METHODS.ada,
      `final genotype after ${ada.decisions.filter((x) => x.action === 'rollback').length} rollback(s)`,
      ada,
      ada.genotype.epoch,
      ada.genotype.genotype,
    );
  } else missing(METHODS.ada, 'ada-s3 has not finished');
  const { l2, dp } = regularisationGrids(preset);
  const grids: [string, string[]][] = [
    [METHODS.l2, l2],
    [METHODS.dp, dp],
  ];
  for (const [method, names] of grids) {
    const runs = names.map(runOf);
    const open = names.filter((_, i) => !runs[i]?.done);
    if (open.length > 0) {
      missing(method, `grid unfinished: ${open.join(', ')}`);
      continue;
    }
    const s = selectRun(runs as StoredRun[]);
    const name = names[(runs as StoredRun[]).indexOf(s.run)];
    const signals = s.signals.map((x, i) => `${names[i]} ${(100 * x.signal).toFixed(2)}`).join(', ');
    add(
      method,
      `${name}: the highest supernet valid accuracy (%) among ${signals}`,
      s.run,
      (s.run.genotype as { epoch: number }).epoch,
      s.genotype,
    );
  }
  const spread =
    dartsGenotype === undefined
      ? []
      : SPREAD_SEEDS.map((seed) => ({ seed, testError: testError(dartsGenotype as Genotype, spreadTrainConfig(preset, seed), evals) }));
  return { rows, spread };
}

/** `compareS3` as Markdown: the table, then the seed spread. */
export function compareS3Markdown(preset: PresetName, options: CompareOptions = {}): string {
  const { rows, spread } = compareS3(preset, options);
  const num = (v: number | string, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : v);
  const lines = [
    '| method | how chosen | run | epoch | dominant eigenvalue | parameter-free share | skip_connect (normal, reduce) | test error % | genotype |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${[
          r.method,
          r.how,
          r.runId,
          r.epoch,
          num(r.eigenvalue, 3),
          num(r.parameterFreeShare, 3),
          r.skips,
          num(r.testError, 2),
          r.genotype,
        ].join(' | ')} |`,
    ),
  ];
  if (spread.length > 0) {
    lines.push(
      '',
      `DARTS's genotype at evaluation seeds ${spread.map((s) => s.seed).join(', ')}: ` +
        `${spread.map((s) => (typeof s.testError === 'number' ? `${s.testError.toFixed(2)}%` : s.testError)).join(', ')}.`,
    );
  }
  return lines.join('\n');
}
