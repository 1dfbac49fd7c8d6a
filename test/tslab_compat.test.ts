import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from './helpers';

// Notebooks compile lib/ with tslab's own TypeScript (5.0), older than ours (5.9): code that only
// the newer compiler accepts would fail every notebook. This checks lib/ with that compiler.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require('@tslab/typescript-for-tslab') as typeof import('typescript');

function diagnostics(options: import('typescript').CompilerOptions): string[] {
  // The root, the CLI and every subpath's index (the notebooks import from several).
  const indexes = fs
    .readdirSync(path.join(repoRoot, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(`${path.sep}index.ts`))
    .map((f) => path.join(repoRoot, 'lib', f));
  const program = ts.createProgram([path.join(repoRoot, 'lib', 'index.ts'), path.join(repoRoot, 'lib', 'cli.ts'), ...indexes], {
    ...options,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${path.relative(repoRoot, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
        : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, ' ');
  });
}

describe("lib/ under tslab's TypeScript", () => {
  it("type-checks with tslab's own compiler options (not strict: zod's types differ there)", () => {
    // node_modules/tslab/dist/converter.js createWatchCompilerHost: no `strict`, ESNext modules, Node10 resolution.
    const messages = diagnostics({
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      declaration: true,
      experimentalDecorators: true,
    });
    assert.deepStrictEqual(messages, [], `TypeScript ${ts.version}`);
  });

  it('type-checks strictly without a diagnostic', () => {
    const messages = diagnostics({
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      esModuleInterop: true,
      resolveJsonModule: true,
    });
    assert.deepStrictEqual(messages, [], `TypeScript ${ts.version}`);
  });
});
