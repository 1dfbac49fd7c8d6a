/** Notebook outputs never reach git (lib/notebooks/strip_outputs.cjs, the clean filter of .gitattributes). */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, withTempDir } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { stripOutputs } = require('../../lib/notebooks/strip_outputs.cjs') as { stripOutputs: (text: string) => string };

/** A notebook as Jupyter saves it after a run: outputs, counts, run metadata, the kernel's version. */
function executed(): string {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'rdarts-tslab', display_name: 'TypeScript (robust-darts-ts)', language: 'typescript' },
        language_info: { name: 'typescript', version: '5.0.4', file_extension: '.ts', mimetype: 'text/typescript', codemirror_mode: 'ts' },
      },
      cells: [
        { cell_type: 'markdown', id: 'm0', metadata: {}, source: ['# Title'] },
        {
          cell_type: 'code',
          id: 'c0',
          metadata: { tags: ['parameters'], execution: { 'iopub.execute_input': '2026-12-05T10:00:00Z' }, scrolled: true },
          source: ["const preset = 'smoke';"],
          execution_count: 7,
          outputs: [{ output_type: 'display_data', data: { 'text/html': ['<script>' + 'x'.repeat(1000) + '</script>'] }, metadata: {} }],
        },
      ],
    },
    null,
    2,
  );
}

describe('stripOutputs', () => {
  it('drops outputs, counts, run metadata and the kernel version; keeps source, ids, tags and the kernelspec; sorts keys as nbformat', () => {
    const nb = JSON.parse(stripOutputs(executed()));
    assert.deepStrictEqual(nb.cells[1], {
      cell_type: 'code',
      execution_count: null,
      id: 'c0',
      metadata: { tags: ['parameters'] },
      outputs: [],
      source: ["const preset = 'smoke';"],
    });
    assert.deepStrictEqual(nb.cells[0], { cell_type: 'markdown', id: 'm0', metadata: {}, source: ['# Title'] });
    assert.deepStrictEqual(nb.metadata.language_info, { file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript' });
    assert.strictEqual(nb.metadata.kernelspec.name, 'rdarts-tslab');
    const text = stripOutputs(executed());
    assert.ok(text.endsWith('}\n') && text.includes('\n "cells": [\n'), 'indent 1 and a final newline, as Jupyter');
    assert.deepStrictEqual(Object.keys(JSON.parse(text)), ['cells', 'metadata', 'nbformat', 'nbformat_minor']);
    assert.strictEqual(stripOutputs(text), text, 'a stripped notebook is a fixed point');
    assert.strictEqual(stripOutputs('not json {'), 'not json {');
  });

  it('leaves every committed notebook unchanged (they are stored stripped)', () => {
    const dir = path.join(repoRoot, 'notebooks');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ipynb'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.strictEqual(stripOutputs(text), text, `${f} is not stored as the filter writes it`);
    }
  });

  it('as the git clean filter of .gitattributes, stores a run notebook without its outputs', () =>
    withTempDir(async (root) => {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
      git('init', '-q');
      git('config', 'user.email', 't@example.org');
      git('config', 'user.name', 't');
      fs.copyFileSync(path.join(repoRoot, '.gitattributes'), path.join(root, '.gitattributes'));
      fs.mkdirSync(path.join(root, 'lib', 'notebooks'), { recursive: true });
      fs.copyFileSync(
        path.join(repoRoot, 'lib', 'notebooks', 'strip_outputs.cjs'),
        path.join(root, 'lib', 'notebooks', 'strip_outputs.cjs'),
      );
      // The filter as .ci/setup configures it.
      const setup = fs.readFileSync(path.join(repoRoot, '.ci', 'setup'), 'utf8');
      const command = /git config filter\.rdarts-strip-outputs\.clean '([^']+)'/.exec(setup)?.[1];
      assert.ok(command, '.ci/setup configures the filter');
      git('config', 'filter.rdarts-strip-outputs.clean', command);
      fs.mkdirSync(path.join(root, 'notebooks'));
      fs.writeFileSync(path.join(root, 'notebooks', 'x.ipynb'), executed());
      git('add', 'notebooks/x.ipynb');
      assert.strictEqual(git('show', ':notebooks/x.ipynb'), stripOutputs(executed()));
      // The working copy keeps its outputs.
      assert.ok(fs.readFileSync(path.join(root, 'notebooks', 'x.ipynb'), 'utf8').includes('xxxx'));
    }));
});
