/** The seam between notebooks and report (lib/analysis/report_tables.ts) holds on both sides. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CORRELATION_GROUPS, correlationGroup, TABLES } from '../../lib/analysis/report_tables';
import { repoRoot } from '../helpers';

/** The code of every notebook, by file name. */
function notebookCode(): Map<string, string> {
  const dir = path.join(repoRoot, 'notebooks');
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ipynb'))
      .map((f) => {
        const nb = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { cells: { cell_type: string; source: string[] }[] };
        return [
          f,
          nb.cells
            .filter((c) => c.cell_type === 'code')
            .map((c) => c.source.join(''))
            .join('\n'),
        ];
      }),
  );
}

describe('the tables between notebooks and report', () => {
  const code = notebookCode();

  it('every table a notebook saves is named through TABLES, and every TABLES entry is saved by its notebook', () => {
    const saved: string[] = [];
    for (const [file, src] of code) {
      for (const m of src.matchAll(/saveTable\(\s*[\w.]+\s*,\s*([^)]+)\)/g)) {
        const arg = m[1].trim();
        const key = /^TABLES\.(\w+)$/.exec(arg)?.[1];
        assert.ok(key && key in TABLES, `${file}: saveTable(..., ${arg}) does not name a table of TABLES`);
        const name = TABLES[key as keyof typeof TABLES];
        assert.ok(file.startsWith(name.slice(0, 2)), `${file} saves ${name}, a table of another notebook`);
        saved.push(name);
      }
    }
    assert.deepStrictEqual([...saved].sort(), Object.values(TABLES).sort());
  });

  it("the correlation's group labels read back as their groups", () => {
    assert.strictEqual(correlationGroup(CORRELATION_GROUPS.all(12)), 'all');
    assert.strictEqual(correlationGroup(CORRELATION_GROUPS.s3(5)), 's3');
    assert.strictEqual(correlationGroup(null), 'all', 'tables written before the groups existed');
    assert.strictEqual(correlationGroup('S2 only (3)'), undefined);
  });
});
