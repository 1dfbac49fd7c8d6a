/**
 * Every committed search record keeps its run id under today's code: its stored config, validated
 * by its problem's codec, hashes to the id it was stored under. A config field added later must
 * leave the old configs' ids alone (an optional field left out, e.g. hessian.passes), or the
 * notebooks would no longer find the records they read.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { problemCodecs } from '../../lib/problems/registry';
import { repoRoot } from '../helpers';

/** results/<...>/runs/<id>/config.json, outside results/smoke (CI's own outputs). */
function committedConfigs(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'smoke' && e.name !== 'checkpoint') committedConfigs(p, out);
    else if (e.name === 'config.json' && path.basename(path.dirname(path.dirname(p))) === 'runs') out.push(p);
  }
  return out;
}

describe('the committed search records (results/**/runs)', () => {
  it('are each stored under the id that their config hashes to today', () => {
    const files = committedConfigs(path.join(repoRoot, 'results'));
    assert.ok(files.length >= 20, `found ${files.length} records`);
    const codecs = problemCodecs();
    const problems = new Set<string>();
    for (const file of files) {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { runId: string; config: { problem?: string } };
      const problem = stored.config.problem ?? 'darts';
      problems.add(problem);
      const codec = codecs[problem];
      const config = codec.check(stored.config, file);
      assert.strictEqual(codec.id(config), stored.runId, `${path.relative(repoRoot, file)}: the id of its config`);
      assert.strictEqual(path.basename(path.dirname(file)), stored.runId);
    }
    assert.ok(
      ['darts', 'nb201', 'ptb'].every((p) => problems.has(p)),
      [...problems].join(),
    );
  });
});
