import * as assert from 'assert';
import * as path from 'path';
import { repoRoot } from './helpers';

// Notebooks compile lib/ with tslab's own TypeScript (5.0), older than ours (5.9): code that only
// the newer compiler accepts would fail every notebook. This checks lib/ with that compiler.
describe("lib/ under tslab's TypeScript", () => {
  it('type-checks without a diagnostic', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require('@tslab/typescript-for-tslab') as typeof import('typescript');
    const program = ts.createProgram([path.join(repoRoot, 'lib', 'index.ts'), path.join(repoRoot, 'lib', 'cli.ts')], {
      strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.NodeJs, esModuleInterop: true, resolveJsonModule: true,
      skipLibCheck: true, noEmit: true, types: ['node'],
    });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${path.relative(repoRoot, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, ' ');
    });
    assert.deepStrictEqual(messages, [], `TypeScript ${ts.version}`);
  });
});
