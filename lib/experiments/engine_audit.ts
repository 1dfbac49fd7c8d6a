/**
 * Which records of a preset were made by an engine revision with a known numerical fault
 * (lib/versions.ts): revision 1 on the wasm backend summed in float32, so its gradients could be
 * off by a few % where a ReLU unit sat near its kink. Every planned search, every evaluation of
 * the preset's train configs and the RS-ws baseline, with its backend, engine revision and the
 * commit that added its record (from git, where the results folder is in a repository).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { PresetName } from '../config/preset';
import { canonicalJson } from '../config/validation';
import { resultsDir } from '../paths';
import { readRunConfig } from '../runs/run_read';
import { runDirFor } from '../runs/store';
import { EVAL_FILE, readEvaluation } from '../train/train';
import { engineRevisionOf, FLOAT64_SUMS_REVISION } from '../versions';
import { plannedRsWs } from './evaluations';
import { searchPlan } from './plan';
import { presetTrainConfigs } from './records';

/** One record and the engine that made it. */
export interface EngineAuditRow {
  readonly kind: 'search' | 'evaluation' | 'baseline';
  /** The plan's name of a search, else the evaluation's source or the baseline's name. */
  readonly name: string;
  readonly id: string;
  readonly space: string;
  /** An evaluation's training seed ('' for searches and baselines, whose seed is in their name's config). */
  readonly seed: number | '';
  readonly backend: string;
  readonly engine: number;
  /** Made on wasm by an engine revision before FLOAT64_SUMS_REVISION. */
  readonly affected: boolean;
  /** Short hash of the commit that added the record's file; '' where git cannot tell. */
  readonly commit: string;
}

/** Whether a record of `backend` and engine revision `engine` was made with the float32 sums. */
export function affectedRecord(backend: string | null, engine: number): boolean {
  return backend === 'wasm' && engine < FLOAT64_SUMS_REVISION;
}

function addedIn(file: string): string {
  try {
    return execFileSync('git', ['log', '--diff-filter=A', '--format=%h', '-1', '--', path.basename(file)], {
      cwd: path.dirname(file),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** The records of `preset` under `results`: the planned searches in plan order, the evaluations by id, RS-ws. */
export function engineAudit(preset: PresetName, results: string = resultsDir()): EngineAuditRow[] {
  const rows: EngineAuditRow[] = [];
  for (const p of searchPlan(preset)) {
    const dir = runDirFor(p.config, path.join(results, 'runs'));
    const file = path.join(dir, 'config.json');
    if (!fs.existsSync(file)) continue;
    const c = readRunConfig(dir);
    const engine = engineRevisionOf(c.versions);
    rows.push({
      kind: 'search',
      name: p.name,
      id: c.runId,
      space: c.config.space,
      seed: '',
      backend: c.backend ?? '?',
      engine,
      affected: affectedRecord(c.backend, engine),
      commit: addedIn(file),
    });
  }
  const configs = presetTrainConfigs(preset);
  const evals = path.join(results, 'evals');
  for (const id of fs.existsSync(evals) ? fs.readdirSync(evals).sort() : []) {
    const file = path.join(evals, id, EVAL_FILE);
    if (!fs.existsSync(file)) continue;
    const e = readEvaluation(path.join(evals, id));
    if (!configs.has(canonicalJson(e.config))) continue;
    const engine = engineRevisionOf(e.versions);
    const s = e.source;
    const source = !s
      ? 'a genotype'
      : s.kind === 'run'
        ? `run ${s.runId}, epoch ${s.epoch}`
        : s.kind === 'name'
          ? s.name
          : path.basename(s.path);
    const space = s?.kind === 'run' ? (rows.find((r) => r.id === s.runId)?.space ?? '') : '';
    rows.push({
      kind: 'evaluation',
      name: source,
      id,
      space,
      seed: e.config.seed,
      backend: e.backend,
      engine,
      affected: affectedRecord(e.backend, engine),
      commit: addedIn(file),
    });
  }
  const rsWs = plannedRsWs(preset, results);
  const rsFile = path.join(rsWs.dir, 'config.json');
  if (fs.existsSync(rsFile)) {
    const c = JSON.parse(fs.readFileSync(rsFile, 'utf8')) as { id: string; backend: string | null; versions?: Record<string, string> };
    const engine = engineRevisionOf(c.versions);
    rows.push({
      kind: 'baseline',
      name: `RS-ws (${rsWs.name}'s config)`,
      id: c.id,
      space: rsWs.config.space,
      seed: '',
      backend: c.backend ?? '?',
      engine,
      affected: affectedRecord(c.backend, engine),
      commit: addedIn(rsFile),
    });
  }
  return rows;
}
