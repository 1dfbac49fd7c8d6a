/**
 * arquero tables in both modes: HTML in a notebook cell, Markdown on a terminal; saved as CSV and
 * Markdown under results/tables/ (results/<preset>/tables/ for presets other than mini; outputsDir).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import * as path from 'path';
import { checkFileStem, outputsDir } from '../paths';
import { writeFileAtomic } from '../io/atomic';
import { show } from '../io/display';

export interface ShowTableOptions {
  /** Rows shown at most (default 50); files always hold every row. */
  readonly limit?: number;
  /** Significant digits of floating-point cells when shown (default 4). */
  readonly digits?: number;
}

function formatNumber(digits: number) {
  return (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? v.toPrecision(digits) : String(v));
}

/** A table, or its rows (plain objects with the same keys): scripts need not import arquero. */
export type TableLike = ColumnTable | readonly object[];

function asTable(t: TableLike): ColumnTable {
  return Array.isArray(t) ? aq.from(t as object[]) : (t as ColumnTable);
}

/** Displays a table (or rows): HTML in a notebook, Markdown elsewhere. */
export function showTable(rows: TableLike, options: ShowTableOptions = {}): void {
  const table = asTable(rows);
  const limit = options.limit ?? 50;
  const format = Object.fromEntries(table.columnNames().map((c) => [c, formatNumber(options.digits ?? 4)]));
  const more = table.numRows() > limit ? `\n(${limit} of ${table.numRows()} rows shown)` : '';
  show(table.toHTML({ limit, format }) + more, table.toMarkdown({ limit, format }) + more);
}

/** Where `saveTable` wrote a table. */
export interface SavedTable {
  readonly csv: string;
  readonly markdown: string;
}

/**
 * Writes `<dir>/<name>.csv` and `<dir>/<name>.md` (dir defaults to outputsDir()/tables: results/tables at mini, results/<preset>/tables otherwise), atomically.
 * `name` is a plain file stem: letters, digits, `-`, `_` and `.`.
 */
export function saveTable(rows: TableLike, name: string, dir = path.join(outputsDir(), 'tables')): SavedTable {
  const table = asTable(rows);
  checkFileStem(name, 'saveTable');
  const csv = path.join(dir, `${name}.csv`);
  const markdown = path.join(dir, `${name}.md`);
  writeFileAtomic(csv, table.toCSV());
  writeFileAtomic(markdown, table.toMarkdown() + '\n');
  return { csv, markdown };
}

/**
 * Writes a notebook's closing sentences as `<dir>/<name>.md`, one bullet each (dir as saveTable's),
 * for the report (lib/report/report.ts) to quote; returns the file.
 */
export function saveFindings(lines: readonly string[], name: string, dir = path.join(outputsDir(), 'tables')): string {
  checkFileStem(name, 'saveFindings');
  if (lines.length === 0) throw new Error(`saveFindings: ${name} has no lines`);
  const file = path.join(dir, `${name}.md`);
  writeFileAtomic(file, lines.map((l) => `- ${l.replace(/\n+/g, ' ')}`).join('\n') + '\n');
  return file;
}
