/**
 * The verdicts of the browser test of the notebooks (./browser_run.ts), kept apart from the
 * browser so that they can be tested without one: which cells failed, judged from what the
 * Notebook page recorded (each code cell's execute_reply status and its outputs, nbformat's
 * fields), and which plotly figures did not render or do not fit the output area.
 *
 * What counts as a failed cell:
 * - the kernel answered its execute request with status `error` (tslab does so when a cell throws,
 *   rejects, or does not compile; it writes the error to the cell's stderr, see
 *   notebooks/.jupyter/nbconvert_config.py);
 * - it holds an output of type `error` (kernels other than tslab report exceptions that way);
 * - its stderr shows an exception although the cell finished: a line starting with an error's
 *   name and a colon (`Error: ...`, `TypeError: ...`, `Error [ERR_X]: ...`, optionally after
 *   `Uncaught `), a stack frame (`    at f (file.js:1:2)`), or one of tslab's compile
 *   diagnostics (`3:7 - Cannot find name 'x'.`). Any other stderr (warnings, progress lines) is
 *   harmless;
 * - it never got an answer (the kernel died, or the notebook ran out of time), or it was aborted
 *   without an earlier cell failing (a cell aborted after a failure is the failure's consequence,
 *   not another one).
 */

/** One output of a code cell as the Notebook holds it (nbformat's fields; display data left out). */
export interface BrowserOutput {
  /** `stream`, `error`, `display_data` or `execute_result`. */
  readonly output_type: string;
  /** For a stream: `stdout` or `stderr`. */
  readonly name?: string;
  /** For a stream: its text. */
  readonly text?: string;
  /** For an error output. */
  readonly ename?: string;
  readonly evalue?: string;
}

/** One cell of the notebook after Run All, as the page saw it. */
export interface BrowserCell {
  /** 0-based among all cells, markdown included (the messages say `cell index + 1`). */
  readonly index: number;
  /** `code`, `markdown` or `raw`. */
  readonly cellType: string;
  /** The first line of its source, for messages. */
  readonly firstLine?: string;
  /** False for a code cell left out of Run All because it is empty. */
  readonly executed?: boolean;
  /** The status of the kernel's execute_reply (`ok`, `error`, `abort`), or undefined when none came. */
  readonly status?: string;
  readonly outputs: readonly BrowserOutput[];
}

/** Something wrong with one notebook. */
export interface BrowserFailure {
  /** 0-based cell index, or undefined for the notebook as a whole. */
  readonly cell?: number;
  readonly message: string;
}

// An error's name and a colon at the start of a line: `Error: x`, `TypeError: x`, `Error [ERR_X]: x`,
// `AbortError: x`, `Uncaught RangeError: x`, `SomeException: x`.
const ERROR_LINE = /^(?:Uncaught )?(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)(?: \[[A-Z0-9_]+\])?: /;
// A V8 stack frame: `    at f (/path/file.js:12:3)`, `    at /path/file.js:12:3`, `    at async f (...)`.
const STACK_FRAME = /^\s+at (?:.+ \(.+:\d+:\d+\)|.+:\d+:\d+|.+ \(native\)|.+ \(<anonymous>\))$/;
// tslab's compile diagnostics: `3:7 - Cannot find name 'x'.`, with a file name before for modules.
const DIAGNOSTIC = /^(?:\S+ )?\d+:\d+ - \S/;

/**
 * The first lines of `text` (a stderr stream) that show an exception or a compile error, or
 * undefined when it shows none (warnings, progress lines).
 */
export function exceptionIn(text: string): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => ERROR_LINE.test(l) || STACK_FRAME.test(l) || DIAGNOSTIC.test(l));
  if (at < 0) return undefined;
  // A stack frame alone: the error's own line is usually the one before.
  const from = STACK_FRAME.test(lines[at]) && at > 0 ? at - 1 : at;
  // The error's line and two more (its first stack frames): enough to find it, short enough for a CI log.
  return lines
    .slice(from, from + 3)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .join('\n');
}

function outputText(o: BrowserOutput): string {
  return o.text ?? '';
}

/** What a cell's outputs say about an error: error outputs first, else an exception on stderr. */
function errorDetail(cell: BrowserCell): string | undefined {
  const errors = cell.outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename ?? ''}: ${o.evalue ?? ''}`.replace(/^: /, ''));
  if (errors.length > 0) return errors.join('\n');
  for (const o of cell.outputs) {
    if (o.output_type !== 'stream' || o.name !== 'stderr') continue;
    const found = exceptionIn(outputText(o));
    if (found) return found;
  }
  return undefined;
}

/** The last lines of a cell's stderr, for an error the kernel reported without a recognisable message. */
function stderrTail(cell: BrowserCell): string | undefined {
  const text = cell.outputs
    .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
    .map(outputText)
    .join('')
    .trim();
  return text === '' ? undefined : text.split('\n').slice(-4).join('\n');
}

/** The failed cells of a notebook run in the browser (see the rules at the top of this file). */
export function cellFailures(cells: readonly BrowserCell[]): BrowserFailure[] {
  const failures: BrowserFailure[] = [];
  for (const cell of cells) {
    if (cell.cellType !== 'code' || cell.executed === false) continue;
    const detail = errorDetail(cell);
    if (cell.status === 'error') {
      failures.push({ cell: cell.index, message: `threw: ${detail ?? stderrTail(cell) ?? '(the kernel gave no message)'}` });
    } else if (detail !== undefined) {
      failures.push({ cell: cell.index, message: `printed an error: ${detail}` });
    } else if (cell.status === 'abort') {
      if (failures.length === 0) failures.push({ cell: cell.index, message: 'was aborted by the kernel' });
    } else if (cell.status === undefined) {
      if (failures.length === 0) failures.push({ cell: cell.index, message: 'never finished (no answer from the kernel)' });
    } else if (cell.status !== 'ok') {
      failures.push({ cell: cell.index, message: `ended with status ${cell.status}` });
    }
  }
  return failures;
}

/** Where a plotly figure was drawn, in CSS pixels of the page (getBoundingClientRect). */
export interface FigureBox {
  /** 0-based index of the cell that shows it. */
  readonly cell: number;
  /** The figure's div id. */
  readonly id: string;
  /** How many `svg.main-svg` plotly drew in it (0: not rendered). */
  readonly svgs: number;
  /** The horizontal extent of its drawing (all its main-svg together) and its height. */
  readonly left: number;
  readonly right: number;
  readonly height: number;
  /** The horizontal extent of the output area that holds it. */
  readonly areaLeft: number;
  readonly areaRight: number;
}

/** Figures that plotly did not draw, or that are wider than their output area (more than `tolerancePx`). */
export function figureFailures(figures: readonly FigureBox[], tolerancePx = 1): BrowserFailure[] {
  const failures: BrowserFailure[] = [];
  for (const f of figures) {
    const width = f.right - f.left;
    const name = f.id ? ` ${f.id}` : '';
    if (f.svgs === 0 || !(width > 0) || !(f.height > 0)) {
      failures.push({
        cell: f.cell,
        message: `figure${name} did not render (${f.svgs} plotly svg, ${Math.round(width)}x${Math.round(f.height)} px)`,
      });
      continue;
    }
    const area = f.areaRight - f.areaLeft;
    if (f.right > f.areaRight + tolerancePx || f.left < f.areaLeft - tolerancePx) {
      failures.push({
        cell: f.cell,
        message: `figure${name} is wider than the output area (${Math.round(width)} px against ${Math.round(area)} px): part of it is off-screen`,
      });
    }
  }
  return failures;
}

/** One line per failure: `01-failure-analysis.ipynb: cell 12 threw: Error: x`. */
export function formatFailures(notebook: string, failures: readonly BrowserFailure[]): string[] {
  return failures.map((f) => `${notebook}: ${f.cell === undefined ? '' : `cell ${f.cell + 1} `}${f.message}`);
}
