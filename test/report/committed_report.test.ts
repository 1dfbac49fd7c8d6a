import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildReport } from '../../lib/report/report';
import { REPORT_PRESET } from '../../lib/paths';
import { repoRoot } from '../helpers';

describe('the committed report', () => {
  it('is what `rdarts report` writes from the committed tables, figures and records (regenerate it after adding records)', () => {
    const results = path.join(repoRoot, 'results');
    const committed = fs.readFileSync(path.join(results, 'REPORT.md'), 'utf8');
    const rebuilt = buildReport(REPORT_PRESET, results, results);
    if (rebuilt !== committed) {
      const [a, b] = [committed.split('\n'), rebuilt.split('\n')];
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(
        `results/REPORT.md differs from a rebuild at line ${line + 1}:\n  committed: ${a[line]?.slice(0, 200)}\n  rebuilt:   ${b[line]?.slice(0, 200)}\n` +
          `run \`npx tsx lib/cli.ts report --preset ${REPORT_PRESET}\` (after the notebooks, if tables changed)`,
      );
    }
  });
});
