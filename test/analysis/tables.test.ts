import * as assert from 'assert';
import * as aq from 'arquero';
import * as fs from 'fs';
import * as path from 'path';
import { saveFindings, saveTable, showTable } from '../../lib/analysis/tables';
import { tempDir } from '../helpers';

describe('saveTable', () => {
  it('writes CSV and Markdown that read back to the same table', () => {
    const { dir, cleanup } = tempDir();
    try {
      const table = aq.table({ space: ['s2', 's3'], eig: [0.125, 1.5] });
      const saved = saveTable(table, 'eig', dir);
      assert.deepStrictEqual(saved, { csv: path.join(dir, 'eig.csv'), markdown: path.join(dir, 'eig.md') });
      assert.deepStrictEqual(aq.fromCSV(fs.readFileSync(saved.csv, 'utf8')).objects(), table.objects());
      assert.match(fs.readFileSync(saved.markdown, 'utf8'), /^\|space\|eig\|\n/);
    } finally {
      cleanup();
    }
  });

  it('takes plain rows as well, writing what the same arquero table writes', () => {
    const { dir, cleanup } = tempDir();
    try {
      const rows = [
        { space: 's2', eig: 0.125 },
        { space: 's3', eig: 1.5 },
      ];
      const a = saveTable(rows, 'rows', dir);
      const b = saveTable(aq.from(rows), 'table', dir);
      assert.strictEqual(fs.readFileSync(a.csv, 'utf8'), fs.readFileSync(b.csv, 'utf8'));
      assert.strictEqual(fs.readFileSync(a.markdown, 'utf8'), fs.readFileSync(b.markdown, 'utf8'));
      assert.strictEqual(fs.readFileSync(a.csv, 'utf8'), 'space,eig\ns2,0.125\ns3,1.5\n');
    } finally {
      cleanup();
    }
  });

  it('rejects a name that is not a plain file stem', () => {
    assert.throws(() => saveTable(aq.table({ a: [1] }), '../escape'), /saveTable: name "..\/escape" must be a plain file stem/);
  });
});

describe('saveFindings', () => {
  it('writes one bullet a sentence, newlines folded, and refuses no sentences or a bad name', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = saveFindings(['DARTS fails.', 'It fails\nagain.'], '01-findings', dir);
      assert.strictEqual(file, path.join(dir, '01-findings.md'));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), '- DARTS fails.\n- It fails again.\n');
      assert.throws(() => saveFindings([], 'x', dir), /saveFindings: x has no lines/);
      assert.throws(() => saveFindings(['a'], 'a/b', dir), /saveFindings: name "a\/b" must be a plain file stem/);
    } finally {
      cleanup();
    }
  });
});

describe('showTable', () => {
  it('prints Markdown outside a notebook, with numbers rounded and a row limit', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      showTable(aq.table({ x: [1 / 3, 2, 3] }), { limit: 2, digits: 3 });
    } finally {
      console.log = log;
    }
    assert.strictEqual(lines.length, 1);
    assert.match(lines[0], /\|0\.333\|\n\|2\|\n\n\(2 of 3 rows shown\)$/);
  });
});
