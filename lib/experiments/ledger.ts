/**
 * The compute behind the committed records: every search, evaluation and baseline stored under
 * results/, its process time read from the record itself, summed by folder (results/REPORT.md,
 * "Compute"). A process-hour is one process's wall time; this machine has two cores and mostly
 * ran two processes at once, so the machine-hours lie between half the process-hours and all of
 * them. Only what was kept is counted: runs that were not committed (pipeline checks, benchmarks,
 * CI) and epochs lost to an interruption before their record was written are not.
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
  readonly done: boolean;
  readonly seconds: number;
  /** Epochs undone by DARTS-ADA's rollbacks, timed at the run's mean epoch (lib/runs/run_read.ts runSeconds). */
  readonly undoneEpochs: number;
}

/** The evaluation records of the three domains: images (lib/train/train.ts), language, disparity. */
export const EVALUATION_FILES = ['eval.json', 'lm_eval.json', 'disparity_eval.json'] as const;
/** Folders that hold no records of their own (outputs, checkpoints). */
const NOT_RECORDS = new Set(['checkpoint', 'figures', 'tables', 'node_modules']);
/** The other presets' output folders (lib/paths.ts outputsDir): the tests' and CI's smoke runs, never committed. */
const OTHER_PRESETS = new Set<string>(PRESETS.filter((p) => p !== REPORT_PRESET));

/**
 * An evaluation's seconds: its total where it keeps one (images: `seconds`; language and disparity:
 * `done.seconds`, each summed over resumed calls), else its epochs'.
 */
function evaluationEntry(file: string, folder: string, id: string): LedgerEntry {
  let raw: { seconds?: unknown; done?: unknown; epochs?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof raw;
  } catch (e) {
    throw new Error(`compute ledger: cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  const epochs = Array.isArray(raw.epochs) ? (raw.epochs as { seconds?: unknown }[]) : [];
  const fromEpochs = epochs.reduce((a, r) => a + (typeof r?.seconds === 'number' ? r.seconds : 0), 0);
  const done = raw.done === true || isPlainObject(raw.done);
  const total = typeof raw.seconds === 'number' ? raw.seconds : isPlainObject(raw.done) ? raw.done.seconds : undefined;
  return { folder, id, kind: 'evaluation', done, seconds: typeof total === 'number' ? total : fromEpochs, undoneEpochs: 0 };
}

function entryOf(dir: string, root: string): LedgerEntry | undefined {
  const folder = path.relative(root, path.dirname(dir)).split(path.sep).join('/');
  const id = path.basename(dir);
  const has = (f: string) => fs.existsSync(path.join(dir, f));
  const evalFile = EVALUATION_FILES.find(has);
  if (evalFile) return evaluationEntry(path.join(dir, evalFile), folder, id);
  if (has(BASELINE_FILES.result) || has(BASELINE_FILES.samples)) {
    // A baseline keeps its time in result.json once finished; an unfinished one counts nothing yet.
    const total = readBaselineResult<{ seconds?: { total?: number } }>(dir)?.seconds?.total;
    return { folder, id, kind: 'baseline', done: has(BASELINE_FILES.result), seconds: total ?? 0, undoneEpochs: 0 };
  }
  if (!has(RUN_FILES.config) || !has(RUN_FILES.epochs)) return undefined;
  const run = readRun(dir, problemEntry(readRunProblem(dir)).codec);
  const { seconds, undone } = runSeconds(run);
  return { folder, id, kind: 'search', done: run.done, seconds, undoneEpochs: undone };
}

/**
 * Every record under `root` (default results/) that `accept` keeps (by its folder and id), in path
 * order; a record that cannot be read throws, naming its file.
 */
export function computeLedger(root: string = resultsDir(), accept: (folder: string, id: string) => boolean = () => true): LedgerEntry[] {
  if (!fs.existsSync(root)) throw new Error(`compute ledger: ${root} does not exist`);
  const entries: LedgerEntry[] = [];
  const visit = (dir: string) => {
    const entry = dir === root ? undefined : entryOf(dir, root);
    if (entry) {
      if (accept(entry.folder, entry.id)) entries.push(entry);
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
  readonly folder: string;
  readonly searches: string;
  readonly evaluations: string;
  readonly baselines: string;
  readonly hours: number;
}

const count = (entries: readonly LedgerEntry[], kind: LedgerKind) => {
  const of = entries.filter((e) => e.kind === kind);
  const partial = of.filter((e) => !e.done).length;
  return of.length === 0 ? '' : `${of.length}${partial > 0 ? ` (${partial} unfinished)` : ''}`;
};

/** The ledger by folder, in the ledger's order, with a total row; hours are process-hours. */
export function ledgerRows(entries: readonly LedgerEntry[]): LedgerRow[] {
  const folders = [...new Set(entries.map((e) => e.folder))];
  const row = (folder: string, of: readonly LedgerEntry[]): LedgerRow => ({
    folder,
    searches: count(of, 'search'),
    evaluations: count(of, 'evaluation'),
    baselines: count(of, 'baseline'),
    hours: of.reduce((a, e) => a + e.seconds, 0) / 3600,
  });
  return [
    ...folders.map((f) =>
      row(
        f,
        entries.filter((e) => e.folder === f),
      ),
    ),
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
      r.searches,
      r.evaluations,
      r.baselines,
      r.hours.toFixed(2),
    ]),
  );
}
