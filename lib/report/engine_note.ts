/**
 * The report's account of which engine made its records (lib/experiments/engine_audit.ts): a
 * summary near the top, the mark that every verdict carries while any record behind the report was
 * made before the engine fix (verdicts are not traced to single records, so the mark is
 * conservative), and an appendix listing every record.
 */
import type { EngineAuditRow } from '../experiments/engine_audit';
import { ENGINE_RERUN_DIR } from '../experiments/engine_rerun';
import { FLOAT64_SUMS_REVISION } from '../versions';
import { mdTable } from '../analysis/markdown';

/** The mark of a verdict that rests on records made before the fix. */
export const BEFORE_FIX_MARK = '(computed before the engine fix)';

/** The appendix's title (the summary links to it). */
export const ENGINE_APPENDIX_TITLE = 'Appendix B: the engine revision of every record';

/** Each record of a report: engineAudit's rows (which run git once a record), read once. */
export type AuditRows = readonly EngineAuditRow[];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function counts(rows: readonly EngineAuditRow[], affected: readonly EngineAuditRow[]): string {
  const of = (kind: EngineAuditRow['kind'], one: string, many: string) => {
    const all = rows.filter((r) => r.kind === kind).length;
    return `${affected.filter((r) => r.kind === kind).length} of ${plural(all, one, many)}`;
  };
  return [
    of('search', 'search', 'searches'),
    of('evaluation', 'evaluation', 'evaluations'),
    of('baseline', 'baseline run', 'baseline runs'),
  ].join(', ');
}

/** The summary near the top of the report (rows: engineAudit's): what the fix was and how many records it concerns. */
export function engineSection(rows: AuditRows): string {
  const affected = rows.filter((r) => r.affected);
  if (rows.length === 0) return 'No records yet.';
  if (affected.length === 0) {
    return (
      `Every record behind this report was made with engine revision ${FLOAT64_SUMS_REVISION} or later (lib/versions.ts), or on a ` +
      `backend other than wasm (the list: "${ENGINE_APPENDIX_TITLE}").`
    );
  }
  return (
    `Made on the wasm backend with engine revision 1: ${counts(rows, affected)} behind this report. That revision's batch-norm ` +
    'statistics and gradients and its Sum accumulated in float32 (lib/versions.ts): activations ~7x further from float64 than on ' +
    'the cpu backend, and where a ReLU unit sat within that error of zero, single gradients off by a few % (up to 9% of a ' +
    `tensor's largest entry was measured). While any record behind the report is of revision 1, every verdict is marked ` +
    `${BEFORE_FIX_MARK}. The size of the effect on a search: DARTS on S3 and S4 re-run with revision ${FLOAT64_SUMS_REVISION}, ` +
    `before and after side by side, in \`results/${ENGINE_RERUN_DIR}/README.md\`. Every record: "${ENGINE_APPENDIX_TITLE}".`
  );
}

/** The appendix: every record with its backend, engine revision and the commit that added it. */
export function engineAppendix(rows: AuditRows): string {
  if (rows.length === 0) return 'No records yet.';
  return [
    "The commit is the one that added the record's file (from git; blank outside a clone).",
    '',
    mdTable(
      ['record', 'name', 'id', 'space', 'training seed', 'backend', 'engine', 'added in commit', 'before the fix'],
      rows.map((r) => [r.kind, r.name, r.id, r.space, r.seed, r.backend, r.engine, r.commit, r.affected ? 'yes' : 'no']),
    ),
  ].join('\n');
}
