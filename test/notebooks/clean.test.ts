import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { KERNEL_NAME } from '../../lib/notebooks/jupyter';
import { listNotebooks } from '../../lib/notebooks/run';

describe('committed notebooks', () => {
  const notebooks = listNotebooks();

  it('exist, numbered from 00', () => {
    assert.ok(notebooks.length > 0);
    assert.match(path.basename(notebooks[0]), /^00-/);
    for (const nb of notebooks) assert.match(path.basename(nb), /^\d\d-[a-z0-9-]+\.ipynb$/);
  });

  for (const nb of notebooks) {
    it(`${path.basename(nb)} carries no outputs and uses the project kernel`, () => {
      const json = JSON.parse(fs.readFileSync(nb, 'utf8'));
      assert.strictEqual(json.metadata.kernelspec.name, KERNEL_NAME);
      json.cells.forEach((cell: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }, i: number) => {
        if (cell.cell_type !== 'code') return;
        assert.deepStrictEqual(cell.outputs, [], `cell ${i + 1} has outputs`);
        assert.strictEqual(cell.execution_count, null, `cell ${i + 1} has an execution count`);
      });
    });

    it(`${path.basename(nb)} opens with its parameters: the first code cell, tagged "parameters" (papermill's convention), the only one`, () => {
      const cells = JSON.parse(fs.readFileSync(nb, 'utf8')).cells as {
        cell_type: string;
        metadata: { tags?: string[] };
        source: string[];
      }[];
      const code = cells.filter((c) => c.cell_type === 'code');
      const tagged = code.filter((c) => c.metadata.tags?.includes('parameters'));
      assert.strictEqual(tagged.length, 1);
      assert.strictEqual(tagged[0], code[0]);
      assert.match(code[0].source.join(''), /^\/\/ Parameters: .*RDARTS_PRESET/);
    });
  }
});
