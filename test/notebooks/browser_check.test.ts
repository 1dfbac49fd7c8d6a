import * as assert from 'assert';
import {
  type BrowserCell,
  type BrowserOutput,
  cellFailures,
  exceptionIn,
  type FigureBox,
  figureFailures,
  formatFailures,
} from '../../lib/notebooks/browser_check';
import { pickNotebooks } from '../../lib/notebooks/browser_test';

const stderr = (text: string): BrowserOutput => ({ output_type: 'stream', name: 'stderr', text });
const stdout = (text: string): BrowserOutput => ({ output_type: 'stream', name: 'stdout', text });
const code = (index: number, status: string | undefined, outputs: BrowserOutput[] = []): BrowserCell => ({
  index,
  cellType: 'code',
  executed: true,
  status,
  outputs,
});
const markdown = (index: number): BrowserCell => ({ index, cellType: 'markdown', outputs: [] });

// What tslab writes to a cell's stderr when it throws (console.error of the error, after the source line).
const TSLAB_THROW = [
  'evalmachine.<anonymous>:2',
  'throw new Error("x");',
  '^',
  '',
  'Error: x',
  '    at evalmachine.<anonymous>:2:7',
  '    at evalmachine.<anonymous>:4:3',
  '    at sigintHandlersWrap (node:vm:280:12)',
  '    at Object.execute (/repo/node_modules/tslab/dist/executor.js:160:38)',
].join('\n');

describe('exceptionIn', () => {
  it("finds an error's line and its first frames in what tslab writes for a thrown error", () => {
    assert.strictEqual(exceptionIn(TSLAB_THROW), 'Error: x\n    at evalmachine.<anonymous>:2:7\n    at evalmachine.<anonymous>:4:3');
  });

  it('recognises named errors, Node error codes, uncaught errors, a stack frame alone and compile diagnostics', () => {
    assert.match(exceptionIn('TypeError: cannot read x of undefined') ?? '', /^TypeError/);
    assert.match(exceptionIn('Error [ERR_MODULE_NOT_FOUND]: no such module') ?? '', /^Error \[ERR_MODULE_NOT_FOUND\]/);
    assert.match(exceptionIn('Uncaught RangeError: too deep') ?? '', /RangeError/);
    assert.match(exceptionIn('NotebookError: 01.ipynb: cell 3 threw') ?? '', /^NotebookError/);
    assert.strictEqual(exceptionIn('something odd\n    at f (/repo/lib/a.ts:12:3)'), 'something odd\n    at f (/repo/lib/a.ts:12:3)');
    assert.strictEqual(exceptionIn("3:7 - Cannot find name 'x'."), "3:7 - Cannot find name 'x'.");
  });

  it('leaves harmless stderr alone: warnings, progress lines, messages that mention an error mid-line', () => {
    for (const text of [
      'saveFigure: figures are saved as HTML only, without PNG: no Chromium at /usr/bin/chromium',
      'epoch 3/10 loss 0.52 acc 0.81\nepoch 4/10 loss 0.48 acc 0.83',
      '(node:1234) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.',
      'Platform node has already been set. Overwriting the platform with node.',
      'retrying after a network error: timeout',
      'the error rate is 12.5 %',
      '',
    ]) {
      assert.strictEqual(exceptionIn(text), undefined, text);
    }
  });
});

describe('cellFailures', () => {
  it('passes a notebook whose cells all answered ok, harmless stderr included; markdown and empty cells are not judged', () => {
    const cells = [
      markdown(0),
      code(1, 'ok', [stdout('smoke\n'), stderr('warning: slow\n')]),
      { ...code(2, undefined), executed: false },
      code(3, 'ok', [{ output_type: 'display_data' }]),
    ];
    assert.deepStrictEqual(cellFailures(cells), []);
  });

  it('fails the cell the kernel answered with an error, with the message from its stderr; the aborted cells after it are not more failures', () => {
    const failures = cellFailures([
      markdown(0),
      code(1, 'ok'),
      code(2, 'error', [stderr(TSLAB_THROW)]),
      code(3, 'abort'),
      code(4, 'abort'),
    ]);
    assert.deepStrictEqual(failures, [
      { cell: 2, message: 'threw: Error: x\n    at evalmachine.<anonymous>:2:7\n    at evalmachine.<anonymous>:4:3' },
    ]);
    assert.deepStrictEqual(formatFailures('00-environment.ipynb', failures), [
      '00-environment.ipynb: cell 3 threw: Error: x\n    at evalmachine.<anonymous>:2:7\n    at evalmachine.<anonymous>:4:3',
    ]);
  });

  it('uses error outputs first, else the stderr tail, else says the kernel gave no message', () => {
    const error: BrowserOutput = { output_type: 'error', ename: 'ValueError', evalue: 'bad' };
    assert.deepStrictEqual(cellFailures([code(0, 'error', [stderr('Error: ignored'), error])]), [
      { cell: 0, message: 'threw: ValueError: bad' },
    ]);
    assert.deepStrictEqual(cellFailures([code(0, 'error', [stderr('a\nb\nc\nd\ne')])]), [{ cell: 0, message: 'threw: b\nc\nd\ne' }]);
    assert.deepStrictEqual(cellFailures([code(0, 'error')]), [{ cell: 0, message: 'threw: (the kernel gave no message)' }]);
  });

  it('fails a cell that finished but printed an exception (an error output, or one on stderr)', () => {
    assert.deepStrictEqual(cellFailures([code(0, 'ok', [stderr('Unhandled: TypeError: x is not a function\n')])]), []);
    assert.deepStrictEqual(cellFailures([code(0, 'ok', [stderr('TypeError: x is not a function\n')])]), [
      { cell: 0, message: 'printed an error: TypeError: x is not a function' },
    ]);
    assert.deepStrictEqual(cellFailures([code(0, 'ok', [{ output_type: 'error', ename: 'E', evalue: 'v' }])]), [
      { cell: 0, message: 'printed an error: E: v' },
    ]);
  });

  it('fails the first cell that never got an answer or was aborted with no failure before it', () => {
    assert.deepStrictEqual(cellFailures([code(0, 'ok'), code(1, undefined), code(2, undefined)]), [
      { cell: 1, message: 'never finished (no answer from the kernel)' },
    ]);
    assert.deepStrictEqual(cellFailures([code(0, 'abort'), code(1, 'abort')]), [{ cell: 0, message: 'was aborted by the kernel' }]);
    assert.deepStrictEqual(cellFailures([code(0, 'weird')]), [{ cell: 0, message: 'ended with status weird' }]);
  });
});

describe('figureFailures', () => {
  // The classic Notebook at a 1280 px window: the output area runs from x = 202 to 1180 (978 px).
  const area = { areaLeft: 202, areaRight: 1180 };
  const box = (fields: Partial<FigureBox>): FigureBox => ({
    cell: 4,
    id: 'f',
    svgs: 3,
    left: 202,
    right: 1180,
    height: 450,
    ...area,
    ...fields,
  });

  it('passes a drawn figure inside its output area, to within a pixel', () => {
    assert.deepStrictEqual(figureFailures([box({}), box({ left: 201.5, right: 1180.6 }), box({ left: 300, right: 900 })]), []);
  });

  it('fails a figure wider than the output area, saying by how much', () => {
    assert.deepStrictEqual(figureFailures([box({ right: 202 + 1400 })]), [
      { cell: 4, message: 'figure f is wider than the output area (1400 px against 978 px): part of it is off-screen' },
    ]);
    assert.strictEqual(figureFailures([box({ left: 150, right: 1100 })]).length, 1, 'sticking out on the left');
  });

  it('fails a figure plotly did not draw (no main svg, or an empty box)', () => {
    assert.deepStrictEqual(figureFailures([box({ svgs: 0, left: 0, right: 0, height: 0 })]), [
      { cell: 4, message: 'figure f did not render (0 plotly svg, 0x0 px)' },
    ]);
    assert.strictEqual(figureFailures([box({ height: 0 })]).length, 1);
    assert.strictEqual(figureFailures([box({ right: 202 })]).length, 1);
  });
});

describe('pickNotebooks', () => {
  const all = ['/nb/00-environment.ipynb', '/nb/01-failure-analysis.ipynb', '/nb/06-nas-bench-201.ipynb'];

  it('picks by file name, stem or number, in the folder order, all when nothing is named', () => {
    assert.deepStrictEqual(pickNotebooks(all, []), all);
    assert.deepStrictEqual(pickNotebooks(all, ['06-nas-bench-201']), [all[2]]);
    assert.deepStrictEqual(pickNotebooks(all, ['06,00']), [all[0], all[2]]);
    assert.deepStrictEqual(pickNotebooks(all, ['01-failure-analysis.ipynb', '01']), [all[1]]);
  });

  it('names the notebooks there are when a name matches none', () => {
    assert.throws(
      () => pickNotebooks(all, ['07']),
      /--only 07: no such notebook \(there are 00-environment, 01-failure-analysis, 06-nas-bench-201\)/,
    );
  });
});
