import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { BEFORE_FIX_MARK } from '../../lib/report/engine_note';
import { buildReport } from '../../lib/report/report';
import { affectedRecord, engineAudit } from '../../lib/experiments/engine_audit';
import { ENGINE_RERUN_DIR, rerunMarkdown } from '../../lib/experiments/engine_rerun';
import { searchPlan } from '../../lib/experiments/plan';
import { runDirFor } from '../../lib/runs/store';
import { ensureRun } from '../../lib/problems/darts/run';
import { ENGINE_REVISION, engineRevisionOf, softwareVersions } from '../../lib/versions';
import { tempDir } from '../helpers';
import { fakeDataset } from '../search/fixtures';

/** Rewrites a run's config.json as engine revision 1 on wasm would have written it (no `engine` in versions). */
function markRevision1(runDir: string): void {
  const file = path.join(runDir, 'config.json');
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete c.versions.engine;
  c.backend = 'wasm';
  fs.writeFileSync(file, JSON.stringify(c, null, 2));
}

describe('engine revisions of the records', () => {
  it('every record names the engine revision; a record without one is revision 1', () => {
    assert.strictEqual(softwareVersions().engine, String(ENGINE_REVISION));
    assert.strictEqual(engineRevisionOf({ node: 'v20' }), 1);
    assert.strictEqual(engineRevisionOf(undefined), 1);
    assert.strictEqual(engineRevisionOf({ engine: '2' }), 2);
  });

  it('only wasm records of a revision before the fix are affected', () => {
    assert.strictEqual(affectedRecord('wasm', 1), true);
    assert.strictEqual(affectedRecord('wasm', ENGINE_REVISION), false);
    assert.strictEqual(affectedRecord('cpu', 1), false);
    assert.strictEqual(affectedRecord('tfjs-node', 1), false);
  });

  it('the audit lists a run with its engine, the report marks its verdicts while one was made before the fix, and the re-run table sets both side by side', async () => {
    const { dir: results, cleanup } = tempDir();
    try {
      const s3 = searchPlan('smoke').find((p) => p.name === 'failure-s3');
      assert.ok(s3);
      await ensureRun(s3.config, { root: path.join(results, 'runs'), train: fakeDataset(64), progress: 'off' });
      let [row] = engineAudit('smoke', results);
      assert.deepStrictEqual(
        [row.kind, row.name, row.space, row.engine, row.affected],
        ['search', 'failure-s3', 's3', ENGINE_REVISION, false],
      );
      assert.ok(!buildReport('smoke', results, results).includes(BEFORE_FIX_MARK));

      // The same run as revision 1 wrote it, and a re-run beside it.
      const before = runDirFor(s3.config, path.join(results, 'runs'));
      markRevision1(before);
      await ensureRun(s3.config, { root: path.join(results, ENGINE_RERUN_DIR, 'runs'), train: fakeDataset(64), progress: 'off' });
      [row] = engineAudit('smoke', results);
      assert.deepStrictEqual([row.engine, row.backend, row.affected], [1, 'wasm', true]);
      const report = buildReport('smoke', results, results);
      assert.match(
        report,
        /### The engine revision of the records\n\nMade on the wasm backend with engine revision 1: 1 of 1 search, 0 of 0 evaluations, 0 of 0 baseline runs behind this report/,
      );
      assert.match(
        report,
        /## Appendix B: the engine revision of every record\n\n[^\n]*\n\n[^\n]*\n[^\n]*\n\| search \| failure-s3 \| [0-9a-f]{12} \| s3 \| {2}\| wasm \| 1 \| {2}\| yes \|/,
      );
      assert.ok(report.includes(`** ${BEFORE_FIX_MARK} |`), 'a verdict carries the mark');

      const md = rerunMarkdown('smoke', results);
      // The re-run is made by this engine (revision 2 or later: the fixed sums).
      assert.match(
        md,
        new RegExp(`## failure-s3\\n\\n\\| +\\| before \\(engine revision 1\\) \\| after \\(engine revision ${ENGINE_REVISION}\\) \\|`),
      );
      assert.match(md, new RegExp(`\\| engine revision, backend \\| 1, wasm \\| ${ENGINE_REVISION}, `));
      assert.match(md, /\| test error, final genotype \| not evaluated \| not evaluated \|/);
      assert.match(md, /## failure-s4\n\n[^#]*\| epochs \| not run \| not run \|/);
    } finally {
      cleanup();
    }
  });
});
