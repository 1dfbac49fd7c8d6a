/**
 * The compute behind the records kept under results/ (the committed ones on a fresh clone): every
 * finished search, evaluation and baseline, its process time read from the record itself, summed
 * by folder (results/REPORT.md, "Compute"). A process-hour is one process's wall time; this machine
 * has two cores and mostly ran two processes at once, so the machine-hours lie between half the
 * process-hours and all of them (where more ran at once, each record also holds the others' turns, and half
 * overstates). Only what was kept is counted: runs that were not kept (pipeline
 * checks, benchmarks, CI) and epochs lost to an interruption before their record was written are not.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BASELINE_FILES, readBaselineResult } from '../baselines/store';
import { mdTable } from '../analysis/markdown';
import { REPORT_PRESET, resultsDir } from '../paths';
import { PRESETS } from '../config/preset';
import { isPlainObject } from '../config/search_config';
import { problemEntry } from '../problems/registry';
import { readRun, readRunProblem, RUN_FILES, runSeconds } from '../runs/store';

/** What a record is. */
export type LedgerKind = 'search' | 'evaluation' | 'baseline';

/** One record's process time. */
export interface LedgerEntry {
  /** The folder that holds the record, relative to the results root (`nas-bench-201/runs`). */
  readonly folder: string;
  readonly id: string;
  readonly kind: LedgerKind;
  /** Epochs undone by DARTS-ADA's rollbacks count at the run's mean epoch (lib/runs/run_read.ts runSeconds). */
  readonly seconds: number;
}

/** The evaluation records of the three domains: images (lib/train/train.ts), language, disparity. */
export const EVALUATION_FILES = ['eval.json', 'lm_eval.json', 'disparity_eval.json'] as const;
/** Folders that hold no records of their own (outputs, checkpoints). */
const NOT_RECORDS = new Set(['checkpoint', 'figures', 'tables', 'node_modules']);
/** The other presets' output folders (lib/paths.ts outputsDir): the tests' and CI's smoke runs, never committed. */
const OTHER_PRESETS = new Set<string>(PRESETS.filter((p) => p !== REPORT_PRESET));

/**
 * A finished evaluation's seconds: its total where it keeps one (images: `seconds`; language and
 * disparity: `done.seconds`, each summed over resumed calls), else its epochs'; undefined while unfinished.
 */
function evaluationEntry(file: string, folder: string, id: string): LedgerEntry | undefined {
  let raw: { seconds?: unknown; done?: unknown; epochs?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof raw;
  } catch (e) {
    throw new Error(`compute ledger: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  const epochs = Array.isArray(raw.epochs) ? (raw.epochs as { seconds?: unknown }[]) : [];
  const fromEpochs = epochs.reduce((a, r) => a + (typeof r?.seconds === 'number' ? r.seconds : 0), 0);
  if (raw.done !== true && !isPlainObject(raw.done)) return undefined;
  const total = typeof raw.seconds === 'number' ? raw.seconds : isPlainObject(raw.done) ? raw.done.seconds : undefined;
  return { folder, id, kind: 'evaluation', seconds: typeof total === 'number' ? total : fromEpochs };
}

/** A baseline's config.json names its method (lib/baselines/store.ts); a search's names its problem's config. */
function isBaseline(dir: string): boolean {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, BASELINE_FILES.config), 'utf8')) as unknown;
    return isPlainObject(raw) && typeof raw.method === 'string';
  } catch (e) {
    throw new Error(`compute ledger: cannot read ${path.join(dir, BASELINE_FILES.config)}: ${(e as Error).message}`, { cause: e });
  }
}

/** The record in `dir`, when it is one (undefined: a folder of records, or nothing). */
function recordKind(dir: string): { kind: LedgerKind; file?: string } | undefined {
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  const evalFile = EVALUATION_FILES.find(has);
  if (evalFile) return { kind: 'evaluation', file: evalFile };
  // A search has epochs.jsonl; a baseline epochs.jsonl (RS-ws) or only samples.jsonl (random search).
  if (!has(RUN_FILES.config) || !(has(RUN_FILES.epochs) || has(BASELINE_FILES.samples))) return undefined;
  return { kind: isBaseline(dir) ? 'baseline' : 'search' };
}

/** The record's entry once it has finished; undefined while it has not. */
function entryOf(dir: string, folder: string, id: string, record: { kind: LedgerKind; file?: string }): LedgerEntry | undefined {
  if (record.kind === 'evaluation') return evaluationEntry(path.join(dir, record.file as string), folder, id);
  if (record.kind === 'baseline') {
    // A baseline keeps its time in result.json, written when it finishes.
    const total = readBaselineResult<{ seconds?: { total?: number } }>(dir)?.seconds?.total;
    return total === undefined ? undefined : { folder, id, kind: 'baseline', seconds: total };
  }
  const run = readRun(dir, problemEntry(readRunProblem(dir)).codec);
  return run.done ? { folder, id, kind: 'search', seconds: runSeconds(run).seconds } : undefined;
}

/**
 * Every finished record under `root` (default results/) that `accept` keeps (by its folder and id,
 * asked before the record is read), in path order. Unfinished ones are left out: a search still
 * running in a results folder is not yet a record, and would make the report differ from a fresh
 * clone's. A record that cannot be read throws, naming its file.
 */
export function computeLedger(root: string = resultsDir(), accept: (folder: string, id: string) => boolean = () => true): LedgerEntry[] {
  if (!fs.existsSync(root)) throw new Error(`compute ledger: ${root} does not exist`);
  const entries: LedgerEntry[] = [];
  const visit = (dir: string) => {
    const record = dir === root ? undefined : recordKind(dir);
    if (record) {
      const folder = path.relative(root, path.dirname(dir)).split(path.sep).join('/');
      const id = path.basename(dir);
      if (!accept(folder, id)) return;
      const entry = entryOf(dir, folder, id, record);
      if (entry) entries.push(entry);
      return;
    }
    const children = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !NOT_RECORDS.has(d.name))
      .filter((d) => dir !== root || !OTHER_PRESETS.has(d.name))
      .map((d) => d.name)
      .sort();
    for (const c of children) visit(path.join(dir, c));
  };
  visit(root);
  return entries;
}

/** One row of the ledger's table: a folder's records and hours. */
export interface LedgerRow {
  /** The folder; for records that sit beside folders of records (ptb/quick-run-...), the records themselves. */
  readonly folder: string;
  readonly searches: number;
  readonly evaluations: number;
  readonly baselines: number;
  readonly hours: number;
}

/** The ledger by folder, in the ledger's order, with a total row; hours are process-hours. */
export function ledgerRows(entries: readonly LedgerEntry[]): LedgerRow[] {
  const folders = [...new Set(entries.map((e) => e.folder))];
  const row = (folder: string, of: readonly LedgerEntry[]): LedgerRow => ({
    folder,
    searches: of.filter((e) => e.kind === 'search').length,
    evaluations: of.filter((e) => e.kind === 'evaluation').length,
    baselines: of.filter((e) => e.kind === 'baseline').length,
    hours: of.reduce((a, e) => a + e.seconds, 0) / 3600,
  });
  const label = (f: string, of: readonly LedgerEntry[]) =>
    folders.some((g) => g.startsWith(`${f}/`)) ? of.map((e) => `${f}/${e.id}`).join(', ') : f;
  return [
    ...folders.map((f) => {
      const of = entries.filter((e) => e.folder === f);
      return row(label(f, of), of);
    }),
    row('total', entries),
  ];
}

/** The process-hours of the records under `folders` (prefixes of LedgerEntry.folder). */
export function processHours(entries: readonly LedgerEntry[], folders: readonly string[] = ['']): number {
  const inside = (f: string) => folders.some((p) => p === '' || f === p || f.startsWith(`${p}/`));
  return entries.filter((e) => inside(e.folder)).reduce((a, e) => a + e.seconds, 0) / 3600;
}

/** The ledger as a Markdown table (folder, records by kind, process-hours). */
export function ledgerTable(entries: readonly LedgerEntry[]): string {
  return mdTable(
    ['records under results/', 'searches', 'evaluations', 'baselines', 'process-hours'],
    ledgerRows(entries).map((r) => [
      r.folder === 'total' ? '**total**' : `\`${r.folder}/\``,
      r.searches || '',
      r.evaluations || '',
      r.baselines || '',
      r.hours.toFixed(2),
    ]),
  );
}
