/**
 * Figures as PNG images, offline: the standalone HTML page of `figureHtml` (plotly.js inlined) is
 * opened in headless Chromium through playwright-core, and plotly's own `Plotly.toImage` draws the
 * PNG, so the image is exactly what the HTML file shows.
 *
 * Chromium is the system one (Debian: `apt-get install chromium`, which `.ci/setup` does), never a
 * download: `$RDARTS_CHROMIUM`, else /usr/bin/chromium.
 *
 * The API is synchronous, like `saveFigure` and `saveTable`: playwright runs in a worker thread that
 * owns one browser for the whole process, and the calling thread waits for each answer (Atomics).
 * The worker does not keep the process alive; the browser is closed at exit, or by `closeBrowser()`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { writeFileAtomic } from '../io/atomic';
import { exportSize, type Figure, figureHtml } from './figure_html';

/** Size of the image: `width` x `height` CSS pixels, drawn at `scale` device pixels per CSS pixel. */
export interface PngOptions {
  /** CSS pixels; default: the figure's `layout.width`, else its `config.toImageButtonOptions.width` (exportSize), else 800. */
  readonly width?: number;
  /** CSS pixels; default: the figure's `layout.height`, else its `config.toImageButtonOptions.height`, else 500. */
  readonly height?: number;
  /** Device pixels per CSS pixel (the PNG is width*scale x height*scale); default 2. */
  readonly scale?: number;
  /** How long one render may take, launching the browser included; default 120 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Whether PNG rendering can work here, and if not, why (without starting a browser). A plain
 * interface, not a union on `ok`, so that it narrows the same way in tslab (not strict) as in `tsc`.
 */
export interface PngSupport {
  readonly ok: boolean;
  readonly executable: string;
  /** Why not, with what to install, when `ok` is false. */
  readonly reason?: string;
}

/** The Chromium that renders PNGs: `$RDARTS_CHROMIUM`, else /usr/bin/chromium (Debian's package). */
export function chromiumExecutable(): string {
  return process.env.RDARTS_CHROMIUM || '/usr/bin/chromium';
}

function installHint(executable: string): string {
  return process.env.RDARTS_CHROMIUM
    ? `RDARTS_CHROMIUM=${executable} is not an executable file; point it at a Chromium or Chrome binary`
    : 'install it with `sudo apt-get install chromium` (Debian/Ubuntu; `bash .ci/setup` does this), ' +
        'or set RDARTS_CHROMIUM to a Chromium or Chrome binary';
}

function playwrightPath(): string | undefined {
  try {
    return require.resolve('playwright-core');
  } catch {
    return undefined;
  }
}

/** Checks that the Chromium executable and playwright-core are there (starts nothing). */
export function pngSupport(): PngSupport {
  const executable = chromiumExecutable();
  try {
    fs.accessSync(executable, fs.constants.X_OK);
    if (!fs.statSync(executable).isFile()) throw new Error('not a file');
  } catch {
    return { ok: false, executable, reason: `no Chromium at ${executable}: ${installHint(executable)}` };
  }
  if (!playwrightPath()) {
    return { ok: false, executable, reason: 'the npm package playwright-core is not installed (run `npm ci`)' };
  }
  return { ok: true, executable };
}

// The worker: plain JavaScript (it is not compiled), one browser launched on first use.
const WORKER_SOURCE = String.raw`
const { workerData } = require('worker_threads');
const { port, flag, playwright, executable, args } = workerData;
let browser;
function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
process.on('uncaughtException', (e) => reply({ ok: false, error: 'PNG worker: ' + (e && e.stack || e) }));
process.on('unhandledRejection', (e) => reply({ ok: false, error: 'PNG worker: ' + (e && e.stack || e) }));
const { chromium } = require(playwright);
function launch() {
  browser ??= chromium.launch({ executablePath: executable, args, headless: true })
    .catch((e) => { browser = undefined; throw e; });
  return browser;
}
async function render({ url, width, height, scale, timeoutMs }) {
  const b = await launch();
  const context = await b.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e && e.message || e)));
    await page.goto(url, { waitUntil: 'load' });
    const image = await page.evaluate(async ({ width, height, scale }) => {
      const gd = document.querySelector('.js-plotly-plot');
      if (!window.Plotly) return { error: 'plotly.js did not load in the page' };
      if (!gd) return { error: 'plotly drew no figure' };
      return { url: await window.Plotly.toImage(gd, { format: 'png', width, height, scale }) };
    }, { width, height, scale });
    if (image.error) throw new Error(image.error + (errors.length ? ': ' + errors.join('; ') : ''));
    const prefix = 'data:image/png;base64,';
    if (!image.url.startsWith(prefix)) throw new Error('Plotly.toImage returned no PNG data URL');
    return Buffer.from(image.url.slice(prefix.length), 'base64');
  } finally {
    await context.close().catch(() => undefined);
  }
}
port.on('message', async (req) => {
  try {
    if (req.op === 'render') {
      const png = await render(req);
      reply({ ok: true, png });
    } else if (req.op === 'close') {
      const b = browser && await browser.catch(() => undefined);
      browser = undefined;
      if (b) await b.close();
      reply({ ok: true });
    } else {
      reply({ ok: false, error: 'unknown request ' + req.op });
    }
  } catch (e) {
    reply({ ok: false, error: String(e && e.message || e) });
  }
});
`;

interface WorkerHandle {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flag: Int32Array;
  launched: boolean;
}

let handle: WorkerHandle | undefined;
let exitHookInstalled = false;

function startWorker(executable: string): WorkerHandle {
  const playwright = playwrightPath();
  if (!playwright) throw new Error('figurePng: the npm package playwright-core is not installed (run `npm ci`)');
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // Root cannot use Chromium's sandbox (it refuses to start); elsewhere keep it.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, flag, playwright, executable, args },
    transferList: [port2],
    stdout: false,
    stderr: false,
  });
  worker.unref();
  port1.unref();
  const h: WorkerHandle = { worker, port: port1, flag, launched: false };
  worker.on('exit', () => {
    if (handle === h) handle = undefined;
  });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Close the browser (and its temporary profile) before the process goes; a sync wait is allowed here.
    process.on('exit', () => {
      try {
        closeBrowser(10_000);
      } catch {
        // exiting anyway: the browser ends when its pipe to the worker closes
      }
    });
  }
  return h;
}

interface Reply {
  ok: boolean;
  error?: string;
  png?: Uint8Array;
}

// Sends `req` to the worker and blocks until it answers (or `timeoutMs` passes).
function request(h: WorkerHandle, req: object, timeoutMs: number): Reply {
  while (receiveMessageOnPort(h.port)); // drop a stray message (an error reported between requests)
  Atomics.store(h.flag, 0, 0);
  h.port.postMessage(req);
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(h.flag, 0) === 0) {
    const left = deadline - Date.now();
    if (left <= 0) {
      if (handle === h) handle = undefined;
      void h.worker.terminate();
      throw new Error(`figurePng: no answer from headless Chromium within ${timeoutMs} ms`);
    }
    Atomics.wait(h.flag, 0, 0, left);
  }
  const message = receiveMessageOnPort(h.port);
  if (!message) throw new Error('figurePng: the PNG worker answered nothing');
  return message.message as Reply;
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`figurePng: ${what} must be a positive number, got ${value}`);
  return value;
}

/**
 * Renders `htmlFile`, the page that `figureHtml(fig)` made (as `saveFigure` writes it), to PNG bytes.
 * Loading the page from a file is faster than handing Chromium 10 MB of HTML over the protocol.
 */
export function renderPng(htmlFile: string, fig: Figure, options: PngOptions = {}): Buffer {
  const support = pngSupport();
  if (!support.ok) throw new Error(`figurePng: ${support.reason}`);
  const size = exportSize(fig);
  const width = positive(options.width ?? size.width ?? 800, 'width');
  const height = positive(options.height ?? size.height ?? 500, 'height');
  const scale = positive(options.scale ?? 2, 'scale');
  const timeoutMs = options.timeoutMs ?? 120_000;
  handle ??= startWorker(support.executable);
  const h = handle;
  h.launched = true;
  const url = pathToFileURL(path.resolve(htmlFile)).href;
  const reply = request(
    h,
    { op: 'render', url, width: Math.round(width), height: Math.round(height), scale, timeoutMs },
    timeoutMs + 5_000,
  );
  if (!reply.ok || !reply.png) {
    throw new Error(`figurePng: rendering in ${support.executable} failed: ${reply.error ?? 'no image'}`);
  }
  return Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength);
}

/**
 * `fig` as a PNG image (the bytes of the file), drawn by plotly in headless Chromium from the same
 * standalone page that `saveFigure` writes (`figureHtml`). The first call starts the browser; later
 * calls reuse it.
 */
export function figurePng(fig: Figure, options: PngOptions = {}): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-png-'));
  try {
    const file = path.join(dir, 'figure.html');
    fs.writeFileSync(file, figureHtml(fig, 'figure'));
    return renderPng(file, fig, options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `fig` as a PNG to `file` (atomically, creating folders); returns `file`. */
export function savePng(fig: Figure, file: string, options: PngOptions = {}): string {
  writeFileAtomic(file, figurePng(fig, options));
  return file;
}

/**
 * Closes the browser now (it is also closed at exit). A later `figurePng` starts a new one.
 * `timeoutMs` bounds the wait.
 */
export function closeBrowser(timeoutMs = 10_000): void {
  const h = handle;
  if (!h) return;
  handle = undefined;
  try {
    if (h.launched) {
      const reply = request(h, { op: 'close' }, timeoutMs);
      if (!reply.ok) throw new Error(`closeBrowser: ${reply.error}`);
    }
  } finally {
    void h.worker.terminate();
  }
}

/** The PNG signature and the size in the IHDR chunk, or undefined for bytes that are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) return undefined;
  if (String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
