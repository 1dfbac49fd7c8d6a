/**
 * tfjs-backend-wasm's multi-threaded SIMD build in Node, opt-in (`RDARTS_WASM_THREADS=N`, read by
 * backend.ts). tfjs 4.22 does not load it in Node as shipped, so this patches four things before
 * the backend starts:
 * 1. the pthread worker script as a file: Node's Worker cannot start the blob: URL tfjs makes;
 * 2. inside it, the standalone Emscripten factory by path instead of the blob cut from tfjs's bundle;
 * 3. tfjs's flag that says Node has no thread support (its own comment);
 * 4. the backend's cap of half the logical cores, by reporting twice as many while it starts.
 * Our kernels then bind through their shared-memory build (lib/kernels/wasm_module.ts) and run on
 * the calling thread; only tfjs's XNNPACK kernels use the others. Measured here, a search step
 * gains nothing from a second thread (results/bench/README.md, "Threads inside one process"), so
 * the library runs one thread per process unless asked.
 *
 * Patches 1-3 stay: Emscripten starts more workers through createObjectURL when its pool runs out,
 * and backendInfo reads the flag. The threadpool's workers would keep Node alive after the last
 * line of a script; `releaseThreadWorkers` lets the process end as without threads.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';

/** The threads `RDARTS_WASM_THREADS` asks for, or undefined when unset; anything but a positive integer throws, naming it. */
export function wasmThreadsFromEnv(value: string | undefined = process.env.RDARTS_WASM_THREADS): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`RDARTS_WASM_THREADS must be a positive integer (threads of the wasm backend), got ${JSON.stringify(value)}`);
  return n;
}

/** The threads the build was enabled with in this process (it starts once per process). */
let enabled: number | undefined;

/**
 * Makes the next start of the wasm backend load the threaded build with `threads` threads; returns
 * what undoes patch 4 (call it once the backend is up).
 */
export function enableThreadedWasm(threads: number): () => void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`enableThreadedWasm: threads must be a positive integer, got ${threads}`);
  // Once per process: the backend starts once; a second start (after switching backends) reuses it.
  if (enabled === threads) return () => undefined;
  if (enabled !== undefined) throw new Error(`enableThreadedWasm: already enabled in this process with ${enabled} threads, not ${threads}`);
  enabled = threads;
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const factory = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The module object itself, which tfjs's require('os') returns (an import's namespace is a copy).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('os') as { cpus: () => unknown[]; tmpdir: () => string };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-threads-'));
  process.on('exit', () => fs.rmSync(folder, { recursive: true, force: true }));
  const worker = path.join(folder, 'worker.cjs');
  fs.writeFileSync(
    worker,
    `${wasmWorkerContents.replace(/\n/g, '\\n')};URL.createObjectURL=()=>${JSON.stringify(factory)};URL.revokeObjectURL=()=>{};\n`,
  );
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (b: Blob) => (b && b.type === 'application/javascript' ? worker : create(b));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const cpus = os.cpus;
  os.cpus = () => cpus.call(os).concat(cpus.call(os));
  return () => {
    os.cpus = cpus;
  };
}

/** What we use of Emscripten's pthread bookkeeping on the threaded module. */
interface PThreads {
  readonly PThread?: { readonly runningWorkers?: readonly { unref(): void }[] };
}

/**
 * Lets Node exit while the active wasm backend's threadpool runs: its workers (started with the
 * backend and kept for its life, each waiting for work between kernels) no longer hold the event
 * loop. A kernel waits for its threads synchronously, so no work is cut short. Returns how many it
 * released (none on the single-threaded build).
 */
export function releaseThreadWorkers(): number {
  const wasmModule = (tf.backend() as unknown as { wasm?: PThreads }).wasm;
  const workers = wasmModule?.PThread?.runningWorkers ?? [];
  for (const w of workers) w.unref();
  return workers.length;
}
