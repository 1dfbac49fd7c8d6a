/**
 * The notebooks as a user meets them: a classic Jupyter Notebook server with the project's tslab
 * kernel (the kernelspec of ./jupyter.ts, found through JUPYTER_PATH), and headless Chromium
 * (playwright-core, the same system Chromium as the PNGs: lib/analysis/png.ts) that opens each
 * notebook, runs all cells and waits for the kernel. A notebook fails on a cell that throws or
 * prints an exception, on a plotly figure that does not render or is wider than the output area
 * (./browser_check.ts says precisely what counts), and when it runs out of time. One full-page
 * screenshot per notebook is saved either way.
 *
 * Nothing in the repository changes: the notebooks run from copies in a temporary folder (the
 * Notebook autosaves its outputs, 10 MB of plotly.js each), and the kernel writes its searches,
 * tables and figures under a temporary RDARTS_RESULTS (the committed NAS-Bench-201 records that
 * notebook 06 reads are copied in). The server, its kernels and the browser are stopped in all
 * cases.
 */
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { pngSupport } from '../analysis/png';
import type { PresetName } from '../config/preset';
import { outputsDir, packageRoot } from '../paths';
import { NO_COMPUTE_ENV } from '../runs/compute_guard';
import { type BrowserCell, type BrowserFailure, cellFailures, type FigureBox, figureFailures, formatFailures } from './browser_check';
import { JUPYTER_HINT, jupyterEnv } from './jupyter';
import { DEFAULT_READ_ONLY, listNotebooks } from './run';

export interface BrowserRunOptions {
  /** The notebooks to run (paths to .ipynb files), in order; default every notebook in notebooks/. */
  readonly notebooks?: readonly string[];
  /** Where the screenshots and the server's log go (default results/smoke/browser, outputsDir). */
  readonly outDir?: string;
  /** RDARTS_PRESET for the kernel (default smoke). */
  readonly preset?: PresetName;
  /**
   * RDARTS_RESULTS for the kernel: default a fresh temporary folder, removed at the end. A folder
   * given here is kept, so a second run reads back the searches of the first.
   */
  readonly results?: string;
  /** How long one notebook may take, from opening it to the last figure (default 20 minutes). */
  readonly timeoutMs?: number;
  /** The browser window (default 1280 x 900: the classic Notebook's output area is then about 980 px wide). */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Stops the run (Ctrl-C): the running notebook fails as interrupted, the rest are skipped, all is cleaned up. */
  readonly signal?: AbortSignal;
}

export interface BrowserNotebookResult {
  /** The notebook's file name. */
  readonly notebook: string;
  readonly seconds: number;
  /** The full-page screenshot, or undefined when none could be taken. */
  readonly screenshot?: string;
  readonly figures: readonly FigureBox[];
  readonly failures: readonly BrowserFailure[];
  /** One line per failure, naming the notebook and the cell (formatFailures). */
  readonly messages: readonly string[];
  /** Things worth knowing that are not failures (requests to other hosts that were blocked). */
  readonly notes: readonly string[];
}

export interface BrowserRunResult {
  readonly notebooks: readonly BrowserNotebookResult[];
  readonly ok: boolean;
  /** The server's log (the kernels' output included), copied beside the screenshots. */
  readonly serverLog: string;
}

const DEFAULT_TIMEOUT_MS = 20 * 60_000;
const DEFAULT_VIEWPORT = { width: 1280, height: 900 };

/** The classic Notebook's major version, or undefined when `jupyter notebook` does not run. */
export function notebookMajorVersion(): number | undefined {
  const r = spawnSync('jupyter', ['notebook', '--version'], { encoding: 'utf8', env: jupyterEnv() });
  if (r.status !== 0) return undefined;
  const m = /^(\d+)\./m.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A running Notebook server. */
interface NotebookServer {
  readonly base: string;
  readonly token: string;
  readonly logFile: string;
  /** Shuts down every kernel, then the server; never throws. */
  stop(): Promise<void>;
  /** Shuts down every kernel (between notebooks, so that each starts fresh and memory is freed). */
  stopKernels(): Promise<void>;
}

async function api(base: string, token: string, route: string, method = 'GET'): Promise<Response> {
  return fetch(`${base}${route}`, { method, headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(30_000) });
}

async function startServer(dir: string, workDir: string, env: NodeJS.ProcessEnv): Promise<NotebookServer> {
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(workDir, 'jupyter.log');
  const logFd = fs.openSync(logFile, 'a');
  // Jupyter refuses to start as root without --allow-root; containers and CI machines often are root.
  const root = process.getuid?.() === 0 ? ['--allow-root'] : [];
  let child: ChildProcess;
  try {
    child = spawn(
      'jupyter',
      [
        'notebook',
        '--no-browser',
        ...root,
        '--ip=127.0.0.1',
        `--port=${port}`,
        '--NotebookApp.port_retries=0',
        `--NotebookApp.token=${token}`,
        `--notebook-dir=${dir}`,
      ],
      // Its own process group, so that stop() reaches anything it started in that group.
      { cwd: dir, env, detached: true, stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    fs.closeSync(logFd);
  }
  let exited = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // However this process ends (a second Ctrl-C exits at once), the server's group goes with it: it
  // runs detached, so the terminal's signals do not reach it.
  const onProcessExit = () => killGroup('SIGTERM');
  process.on('exit', onProcessExit);
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      process.off('exit', onProcessExit);
      resolve();
    }),
  );
  child.on('error', () => undefined);
  const stopKernels = async () => {
    try {
      const sessions = (await (await api(base, token, '/api/sessions')).json()) as { id: string }[];
      for (const s of sessions) await api(base, token, `/api/sessions/${s.id}`, 'DELETE');
    } catch {
      // The server is gone or does not answer; stop() kills it.
    }
  };
  const server: NotebookServer = {
    base,
    token,
    logFile,
    stopKernels,
    async stop() {
      if (exited) return;
      // Kernels run in their own sessions (jupyter_client starts them so): shut them down through the
      // server first, then the server itself (SIGTERM also stops kernels it still knows of).
      await stopKernels();
      killGroup('SIGTERM');
      await Promise.race([exit, sleep(15_000)]);
      if (!exited) {
        killGroup('SIGKILL');
        await Promise.race([exit, sleep(5_000)]);
      }
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the Notebook server exited at start:\n${tail(logFile)}`);
    try {
      const r = await api(base, token, '/api/status');
      if (r.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the Notebook server did not answer within 60 s:\n${tail(logFile)}`);
    }
    await sleep(300);
  }
}

// In-page code runs in Chromium, not in Node: plain JavaScript strings (the project's TypeScript has no
// DOM types), each an expression that playwright evaluates.

/** True once the notebook's kernel is connected and has answered kernel_info (tslab's reply has no `status`). */
const KERNEL_READY = String.raw`(() => {
  const nb = window.Jupyter && window.Jupyter.notebook;
  const k = nb && nb.kernel;
  return !!(k && k.is_connected() && k.info_reply && k.info_reply.implementation);
})()`;

/** Records each execute_reply and kernel deaths, stops autosave, runs all cells; returns the number of code cells sent. */
const RUN_ALL = String.raw`(() => {
  const nb = window.Jupyter.notebook;
  nb.set_autosave_interval(0);
  const state = (window.__rdarts = { replies: {}, kernelEvents: [] });
  nb.events.on('shell_reply.Kernel', (_e, d) => {
    const r = d && d.reply;
    if (r && r.header && r.header.msg_type === 'execute_reply') state.replies[r.parent_header.msg_id] = r.content.status;
  });
  for (const name of ['kernel_dead.Kernel', 'kernel_killed.Kernel', 'kernel_restarting.Kernel', 'kernel_autorestarting.Kernel',
    'kernel_failed_restart.Kernel', 'kernel_connection_dead.Kernel', 'kernel_connection_failed.Kernel']) {
    nb.events.on(name, () => state.kernelEvents.push(name));
  }
  nb.execute_all_cells();
  return nb.get_cells().filter((c) => c.cell_type === 'code' && c.last_msg_id).length;
})()`;

/** How far Run All got: code cells sent and answered, the first unanswered one, kernel events. */
const PROGRESS = String.raw`(() => {
  const nb = window.Jupyter.notebook;
  const state = window.__rdarts;
  let sent = 0, answered = 0, waiting = -1;
  nb.get_cells().forEach((c, i) => {
    if (c.cell_type !== 'code' || !c.last_msg_id) return;
    sent++;
    if (state.replies[c.last_msg_id] !== undefined) answered++;
    else if (waiting < 0) waiting = i;
  });
  return { sent, answered, waiting, busy: !!nb.kernel_busy, kernelEvents: state.kernelEvents.slice() };
})()`;

/** The figure containers: plotly's divs, and ours (figureDiv) in case plotly never drew into one. */
const FIGURES = `Array.from(new Set(document.querySelectorAll('.js-plotly-plot, div[id^="rdarts-fig-"]')))`;

const FIGURES_DRAWN = String.raw`${FIGURES}.every((el) => el.querySelector('svg.main-svg'))`;

/** Every cell (status, outputs without their display data) and every figure's box. */
const COLLECT = String.raw`(() => {
  const nb = window.Jupyter.notebook;
  const state = window.__rdarts || { replies: {} };
  const text = (t) => (Array.isArray(t) ? t.join('') : typeof t === 'string' ? t : '');
  const cells = nb.get_cells().map((c, index) => {
    const code = c.cell_type === 'code';
    return {
      index,
      cellType: c.cell_type,
      firstLine: c.get_text().split('\n')[0].slice(0, 120),
      executed: code ? !!c.last_msg_id : undefined,
      status: code && c.last_msg_id ? state.replies[c.last_msg_id] : undefined,
      outputs: code
        ? c.output_area.outputs.map((o) => ({
            output_type: o.output_type,
            name: o.name,
            text: o.output_type === 'stream' ? text(o.text).slice(-20000) : undefined,
            ename: o.ename,
            evalue: o.evalue,
          }))
        : [],
    };
  });
  const cellElements = Array.from(document.querySelectorAll('#notebook-container > .cell'));
  const figures = ${FIGURES}.map((el) => {
    const area = (el.closest('.output_subarea') || el.parentElement).getBoundingClientRect();
    const boxes = Array.from(el.querySelectorAll('svg.main-svg')).map((s) => s.getBoundingClientRect());
    return {
      cell: cellElements.indexOf(el.closest('.cell')),
      id: el.id || '',
      svgs: boxes.length,
      left: boxes.length ? Math.min(...boxes.map((b) => b.left)) : 0,
      right: boxes.length ? Math.max(...boxes.map((b) => b.right)) : 0,
      height: boxes.length ? Math.max(...boxes.map((b) => b.height)) : 0,
      areaLeft: area.left,
      areaRight: area.right,
    };
  });
  return { cells, figures };
})()`;

/**
 * Lets the page grow to its content: the classic Notebook scrolls inside #site, so a full-page
 * screenshot would otherwise show one window of it; and long outputs (notebook 01's five figures of
 * edge weights) are shown whole instead of in the Notebook's scrolled box.
 */
const UNSCROLL = String.raw`(() => {
  for (const el of document.querySelectorAll('.output_scroll')) el.classList.remove('output_scroll');
  for (const el of [document.documentElement, document.body, document.getElementById('site')]) {
    if (!el) continue;
    el.style.setProperty('height', 'auto', 'important');
    el.style.setProperty('overflow', 'visible', 'important');
  }
  document.body.style.setProperty('position', 'static', 'important');
})()`;

interface Progress {
  sent: number;
  answered: number;
  waiting: number;
  busy: boolean;
  kernelEvents: string[];
}

/** Opens one notebook, runs all its cells and judges the result. */
async function runOne(
  browser: Browser,
  server: NotebookServer,
  file: string,
  outDir: string,
  options: { timeoutMs: number; viewport: { width: number; height: number }; log: (line: string) => void; signal?: AbortSignal },
): Promise<BrowserNotebookResult> {
  const name = path.basename(file);
  const start = Date.now();
  const deadline = start + options.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const failures: BrowserFailure[] = [];
  const notes: string[] = [];
  const figures: FigureBox[] = [];
  let screenshot: string | undefined;
  const context = await browser.newContext({ viewport: options.viewport });
  try {
    // Everything is served by our server; anything else (a CDN) is blocked and noted.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      notes.push(`blocked a request to ${url.slice(0, 200)}`);
      return route.abort();
    });
    const page: Page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e?.message ?? e)));
    await page.goto(`${server.base}/notebooks/${encodeURIComponent(name)}?token=${server.token}`, { waitUntil: 'load' });
    const kernelWait = Math.min(left(), 180_000);
    await page.waitForFunction(KERNEL_READY, undefined, { timeout: kernelWait, polling: 500 }).catch(() => {
      throw new Error(`its kernel did not start within ${Math.round(kernelWait / 1000)} s (the server's log, jupyter.log, says why)`);
    });
    const sent = (await page.evaluate(RUN_ALL)) as number;
    options.log(`  ${name}: kernel ready in ${((Date.now() - start) / 1000).toFixed(1)} s, running ${sent} code cells`);

    let progress: Progress = { sent, answered: 0, waiting: -1, busy: true, kernelEvents: [] };
    let reported = -1;
    for (;;) {
      progress = (await page.evaluate(PROGRESS)) as Progress;
      if (progress.answered !== reported) {
        reported = progress.answered;
        const next = progress.waiting >= 0 ? `, at cell ${progress.waiting + 1}` : '';
        options.log(
          `  ${name}: ${progress.answered}/${progress.sent} cells done after ${((Date.now() - start) / 1000).toFixed(0)} s${next}`,
        );
      }
      if (progress.kernelEvents.length > 0) {
        failures.push({
          cell: progress.waiting >= 0 ? progress.waiting : undefined,
          message: `the kernel stopped (${progress.kernelEvents.join(', ')})`,
        });
        break;
      }
      if (progress.answered === progress.sent && !progress.busy) break;
      if (options.signal?.aborted) {
        failures.push({ cell: progress.waiting >= 0 ? progress.waiting : undefined, message: 'interrupted' });
        break;
      }
      if (Date.now() >= deadline) {
        failures.push({
          cell: progress.waiting >= 0 ? progress.waiting : undefined,
          message: `still running after ${Math.round(options.timeoutMs / 1000)} s (the time limit of one notebook)`,
        });
        break;
      }
      await sleep(1000);
    }
    // Plotly draws after the output is attached; give it until the deadline, 60 s at most.
    await page.waitForFunction(FIGURES_DRAWN, undefined, { timeout: Math.min(left(), 60_000), polling: 250 }).catch(() => undefined);
    const collected = (await page.evaluate(COLLECT)) as { cells: BrowserCell[]; figures: FigureBox[] };
    figures.push(...collected.figures);
    failures.push(...cellFailures(collected.cells));
    failures.push(...figureFailures(collected.figures));
    for (const e of pageErrors) failures.push({ message: `a script in the page threw: ${e}` });
    try {
      await page.evaluate(UNSCROLL);
      await sleep(500);
      const shot = path.join(outDir, `${name.replace(/\.ipynb$/, '')}.png`);
      await page.screenshot({ path: shot, fullPage: true, timeout: 60_000 });
      screenshot = shot;
    } catch (e) {
      notes.push(`no screenshot: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  } catch (e) {
    failures.push({ message: `the browser run failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
  } finally {
    await context.close().catch(() => undefined);
    await server.stopKernels();
  }
  return {
    notebook: name,
    seconds: (Date.now() - start) / 1000,
    screenshot,
    figures,
    failures,
    messages: formatFailures(name, failures),
    notes,
  };
}

/** The committed records the notebooks read at every preset: NAS-Bench-201's runs (notebook 06) and the pilot's (notebook 01). */
const SEEDED_RESULTS = ['nas-bench-201', 'pilot'];

/** Copies what the kernel reads from results/ into a fresh results folder (`SEEDED_RESULTS`). */
function seedResults(results: string): void {
  for (const folder of SEEDED_RESULTS) {
    const from = path.join(packageRoot, 'results', folder);
    const to = path.join(results, folder);
    if (!fs.existsSync(from) || fs.existsSync(to)) continue;
    // Checkpoints are neither committed nor read by the notebooks.
    fs.cpSync(from, to, { recursive: true, filter: (src) => path.basename(src) !== 'checkpoint' });
  }
}

/**
 * Runs `options.notebooks` (default all) in a classic Notebook in headless Chromium, one after the
 * other, each with a fresh kernel; resolves with every notebook's result (it does not stop at the
 * first failure). Throws only when the set-up fails (no Chromium, no Notebook, the server does not
 * start).
 */
export async function runNotebooksInBrowser(options: BrowserRunOptions = {}): Promise<BrowserRunResult> {
  const log = options.log ?? (() => undefined);
  const preset = options.preset ?? 'smoke';
  const notebooks = options.notebooks ?? listNotebooks();
  if (notebooks.length === 0) throw new Error('runNotebooksInBrowser: no notebooks to run');
  for (const nb of notebooks) if (!fs.existsSync(nb)) throw new Error(`runNotebooksInBrowser: no notebook at ${nb}`);
  const names = notebooks.map((nb) => path.basename(nb));
  if (new Set(names).size !== names.length) throw new Error(`runNotebooksInBrowser: two notebooks share a file name: ${names.join(', ')}`);
  const support = pngSupport();
  if (!support.ok) throw new Error(`runNotebooksInBrowser: ${support.reason}`);
  const major = notebookMajorVersion();
  // The driver talks to the classic Notebook's page (window.Jupyter.notebook); Notebook 7 is JupyterLab-based.
  if (major === undefined) throw new Error(`runNotebooksInBrowser: \`jupyter notebook\` is not available: ${JUPYTER_HINT}`);
  if (major >= 7)
    throw new Error(
      `runNotebooksInBrowser: needs the classic Notebook (6.x), found ${major}.x: install Debian's jupyter-notebook or pip's nbclassic`,
    );

  const outDir = path.resolve(options.outDir ?? path.join(outputsDir('smoke'), 'browser'));
  fs.mkdirSync(outDir, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-browser-'));
  const results = options.results ? path.resolve(options.results) : path.join(workDir, 'results');
  fs.mkdirSync(results, { recursive: true });
  seedResults(results);
  const nbDir = path.join(workDir, 'notebooks');
  fs.mkdirSync(nbDir);
  for (const nb of notebooks) fs.copyFileSync(nb, path.join(nbDir, path.basename(nb)));
  const jupyterDirs = Object.fromEntries(
    ['JUPYTER_RUNTIME_DIR', 'JUPYTER_CONFIG_DIR', 'JUPYTER_DATA_DIR', 'IPYTHONDIR'].map((k) => {
      const dir = path.join(workDir, 'jupyter', k.toLowerCase());
      fs.mkdirSync(dir, { recursive: true });
      return [k, dir];
    }),
  );
  const env = jupyterEnv({
    ...jupyterDirs,
    RDARTS_PRESET: preset,
    RDARTS_RESULTS: results,
    [NO_COMPUTE_ENV]: DEFAULT_READ_ONLY[preset] ? '1' : '0',
    // Debian's python prints a debugger warning on every jupyter command without it.
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  });

  let server: NotebookServer | undefined;
  let browser: Browser | undefined;
  const done: BrowserNotebookResult[] = [];
  try {
    log(`browser test: ${notebooks.length} notebook(s) at preset ${preset}; results in ${results}; screenshots in ${outDir}`);
    server = await startServer(nbDir, workDir, env);
    const { chromium } = await import('playwright-core');
    // Root cannot use Chromium's sandbox (it refuses to start); elsewhere keep it (as lib/analysis/png.ts).
    const args = [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ];
    // Playwright's own signal handlers would exit before our cleanup (the server, its kernels, the
    // temporary folder) runs: the caller handles the signals (browser_test.ts aborts the run).
    browser = await chromium.launch({
      executablePath: support.executable,
      headless: true,
      args,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    for (const [i, nb] of notebooks.entries()) {
      if (options.signal?.aborted) break;
      log(`[${i + 1}/${notebooks.length}] ${path.basename(nb)} ...`);
      const result = await runOne(browser, server, nb, outDir, {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        viewport: options.viewport ?? DEFAULT_VIEWPORT,
        log,
        signal: options.signal,
      });
      const verdict = result.failures.length === 0 ? 'ok' : `FAILED (${result.failures.length} problem(s))`;
      log(
        `[${i + 1}/${notebooks.length}] ${result.notebook} ${verdict} in ${result.seconds.toFixed(1)} s, ${result.figures.length} figure(s)`,
      );
      for (const m of result.messages) log(`  ${m}`);
      done.push(result);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    const serverLog = path.join(outDir, 'jupyter.log');
    if (fs.existsSync(path.join(workDir, 'jupyter.log'))) fs.copyFileSync(path.join(workDir, 'jupyter.log'), serverLog);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const ok = done.length === notebooks.length && done.every((r) => r.failures.length === 0);
  return { notebooks: done, ok, serverLog: path.join(outDir, 'jupyter.log') };
}
