/**
 * The report's account of which engine made its records (lib/experiments/engine_audit.ts): a
 * section listing every record with its backend and engine revision, and the mark that the
 * verdicts carry while any record behind them was made before the engine fix.
 */
import type { PresetName } from '../config/preset';
import { engineAudit } from '../experiments/engine_audit';
import { ENGINE_RERUN_DIR } from '../experiments/engine_rerun';
import { resultsDir } from '../paths';
import { ENGINE_REVISION } from '../versions';
import { mdTable } from './markdown';

/** The mark of a verdict that rests on records made before the fix. */
export const BEFORE_FIX_MARK = '(computed before the engine fix)';

/** Whether any record of `preset` under `records` was made with the float32 sums. */
export function anyBeforeFix(preset: PresetName, records: string = resultsDir()): boolean {
  return engineAudit(preset, records).some((r) => r.affected);
}

/** The report section: what the fix was, how many records it concerns, and each of them. */
export function engineSection(preset: PresetName, records: string = resultsDir()): string {
  const rows = engineAudit(preset, records);
  const affected = rows.filter((r) => r.affected);
  const count = (kind: string) => `${affected.filter((r) => r.kind === kind).length} of ${rows.filter((r) => r.kind === kind).length}`;
  const intro = affected.length === 0
    ? `Every record behind this report was made with engine revision ${ENGINE_REVISION} (lib/versions.ts) or on a backend other than wasm.`
    : `${count('search')} searches, ${count('evaluation')} evaluations and ${count('baseline')} baseline runs behind this report were ` +
      'made on the wasm backend with engine revision 1, whose batch-norm statistics and gradients and whose Sum accumulated in ' +
      'float32 (lib/versions.ts): activations ~7x further from float64 than on the cpu backend, and where a ReLU unit sat within ' +
      'that error of zero, single gradients off by a few % (up to 9% of a tensor\'s largest entry was measured). Every verdict ' +
      `that rests on them is marked ${BEFORE_FIX_MARK} until they are re-run with revision ${ENGINE_REVISION}. The size of the ` +
      `effect on a search: DARTS on S3 and S4 re-run with revision ${ENGINE_REVISION}, before and after side by side, in ` +
      `\`results/${ENGINE_RERUN_DIR}/README.md\`.`;
  const table = mdTable(['record', 'name', 'id', 'space', 'backend', 'engine', 'added in commit', 'before the fix'],
    rows.map((r) => [r.kind, r.name, r.id, r.space, r.backend, r.engine, r.commit, r.affected ? 'yes' : 'no']));
  return [intro, '', table].join('\n');
}
