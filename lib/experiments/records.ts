/**
 * The compact records of a preset's experiments: what a fresh clone needs to rebuild the report's
 * tables and figures with the notebooks, read-only, without the checkpoints (about 1 MB per search
 * and 6 MB per evaluation at mini) or any computing:
 *   - every finished planned search (lib/experiments/plan.ts): its directory but checkpoint/, with
 *     discretisation.json once notebook 02 has measured the drop;
 *   - every finished evaluation under the preset's train configs (presetTrainConfigs: the planned
 *     genotypes', RS-ws's, random search's and the seed spread's): eval.json, and held_out.json
 *     where random search scored it;
 *   - the RS-ws baseline of the plan's S3 search at the preset's size: its directory but checkpoint/.
 * results/runs, results/evals and results/baselines stay git-ignored (smoke runs land there too);
 * these files are added by name: `git add -f $(rdarts experiment --preset mini --records)`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DISCRETISATION_FILE } from '../measurements/discretisation';
import { randomSearchTrainConfig } from '../measurements/baseline_settings';
import { HELD_OUT_FILE } from '../measurements/held_out';
import { SPREAD_SEEDS, spreadTrainConfig } from '../measurements/seed_spread';
import { BASELINE_FILES } from '../baselines/store';
import type { PresetName } from '../config/preset';
import { resultsDir } from '../paths';
import { LOCK_FILE } from '../runs/lock';
import { readRun, RUN_FILES, runDirFor } from '../runs/store';
import { canonicalJson } from '../config/validation';
import { EVAL_FILE, readEvaluation } from '../train/train';
import { resolveTrainConfig } from '../train/train_config';
import { evaluationPlan, plannedRsWs } from './evaluations';
import { searchPlan } from './plan';

/**
 * The train configs of a preset's evaluations, as canonical JSON: the preset's own, random
 * search's and the seed spread's.
 */
export function presetTrainConfigs(preset: PresetName): Set<string> {
  return new Set(
    [resolveTrainConfig(preset), randomSearchTrainConfig(preset), ...SPREAD_SEEDS.map((s) => spreadTrainConfig(preset, s))].map((c) =>
      canonicalJson(c),
    ),
  );
}

/** Files of `dir` (recursively) but the checkpoint folder, locks and temporary files, sorted. */
function recordFilesOf(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === RUN_FILES.checkpoints || e.name === BASELINE_FILES.checkpoints ? [] : recordFilesOf(p);
      return e.name === LOCK_FILE || e.name.endsWith('.tmp') ? [] : [p];
    })
    .sort();
}

/**
 * The record files of `preset` (file header), as absolute paths; `results` is the results folder
 * (default resultsDir()). Unfinished searches, evaluations and baselines are left out.
 */
export function experimentRecords(preset: PresetName, results: string = resultsDir()): string[] {
  const runs = path.join(results, 'runs');
  const files: string[] = [];
  for (const planned of searchPlan(preset)) {
    const dir = runDirFor(planned.config, runs);
    if (fs.existsSync(dir) && readRun(dir).done) files.push(...recordFilesOf(dir));
  }
  const configs = presetTrainConfigs(preset);
  const evals = path.join(results, 'evals');
  for (const id of fs.existsSync(evals) ? fs.readdirSync(evals).sort() : []) {
    const dir = path.join(evals, id);
    if (!fs.existsSync(path.join(dir, EVAL_FILE))) continue;
    const e = readEvaluation(dir);
    if (e.done && configs.has(canonicalJson(e.config))) files.push(...recordFilesOf(dir));
  }
  const rsWs = plannedRsWs(preset, results).dir;
  if (fs.existsSync(path.join(rsWs, BASELINE_FILES.result))) files.push(...recordFilesOf(rsWs));
  return files;
}

/**
 * What the records of `preset` still lack for a fresh clone to run the notebooks read-only: a
 * finished planned search without discretisation.json (notebook 02 measures it from the checkpoint),
 * a finished random-search evaluation without held_out.json (notebook 04). One line each; run the
 * notebooks at the preset where the checkpoints are, then list the records again.
 */
export function recordGaps(preset: PresetName, results: string = resultsDir()): string[] {
  const gaps: string[] = [];
  const runs = path.join(results, 'runs');
  for (const planned of searchPlan(preset)) {
    const dir = runDirFor(planned.config, runs);
    if (fs.existsSync(dir) && readRun(dir).done && !fs.existsSync(path.join(dir, DISCRETISATION_FILE))) {
      gaps.push(`${planned.name} (${dir}) has no ${DISCRETISATION_FILE}: run notebook 02 at ${preset} here, where its checkpoint is`);
    }
  }
  const evals = path.join(results, 'evals');
  for (const e of evaluationPlan(preset, ['failure'], runs, undefined, results).ready.filter((x) => x.name.startsWith('rs candidate'))) {
    const dir = path.join(evals, e.evalId);
    if (fs.existsSync(path.join(dir, EVAL_FILE)) && readEvaluation(dir).done && !fs.existsSync(path.join(dir, HELD_OUT_FILE))) {
      gaps.push(`${e.name} (${dir}) has no ${HELD_OUT_FILE}: run notebook 04 at ${preset} here, where its checkpoint is`);
    }
  }
  return gaps;
}
