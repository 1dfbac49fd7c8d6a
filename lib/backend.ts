/**
 * The one tfjs of this project, and the choice of its backend.
 *
 * Every module of lib/ takes `tf` from here, so exactly one copy of tfjs-core is loaded and every
 * kernel we register (lib/kernels) lands in the engine that runs the model. The native backends
 * (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`) are optional: they download libtensorflow
 * at install time, so they are not dependencies; when a user installs them (environment.md) they
 * register into this same tfjs-core and are preferred, with no code change.
 */
// The union package: tfjs-core with its gradients and tensor methods, and the cpu backend. The
// native packages re-export this same package, so they share its tfjs-core.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as path from 'path';
import { enableThreadedWasm, releaseThreadWorkers, wasmThreadsFromEnv } from './backend_wasm_threads';
import { loadWebgpu, type WebgpuInfo } from './backend_webgpu';
import { installLeanBackprop } from './kernels/lean_backprop';
import { registerWasmFusedKernels } from './kernels/fused';
import { registerWasmGradientKernels } from './kernels/register';
import { relaxedSimd } from './kernels/wasm_module';
import { packageVersion } from './versions';

export { tf };

/** The backends `initBackend` tries, in this order, when none is named. */
export const AUTO_BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
/**
 * Every backend we know: those, and WebGPU (./backend_webgpu.ts), used only when named, since what
 * reads tensors synchronously (the search loop) does not run on it yet.
 */
export const BACKENDS = [...AUTO_BACKENDS, 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** What `initBackend` chose, and why. */
export interface BackendInfo {
  /** Our name of the active backend. */
  readonly name: BackendName;
  /** The name tfjs uses for it (`tensorflow` for both native packages). */
  readonly tfBackend: string;
  /** One sentence: forced by RDARTS_BACKEND, or the first that loaded. */
  readonly reason: string;
  /** Backends tried before it and why each did not load. */
  readonly skipped: readonly { readonly name: BackendName; readonly error: string }[];
  readonly versions: Readonly<Record<string, string>>;
  /**
   * wasm only: where the .wasm binaries were read from, SIMD, whether the threaded build runs
   * (RDARTS_WASM_THREADS, ./backend_wasm_threads.ts) and with how many threads, and whether our
   * kernels run their relaxed-SIMD build (RDARTS_WASM_RELAXED, ./kernels/wasm_module.ts).
   */
  readonly wasm?: {
    readonly dir: string;
    readonly simd: boolean;
    readonly multithread: boolean;
    readonly threads: number;
    readonly relaxedSimd: boolean;
  };
  /** webgpu only: the adapter Dawn found. */
  readonly webgpu?: WebgpuInfo;
}

const NATIVE_PACKAGE: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

const INSTALL_HINT: Record<BackendName, string> = {
  'tfjs-node-gpu':
    `install it with \`npm install --no-save @tensorflow/tfjs-node-gpu@${tf.version_core}\` on a Linux ` +
    'machine with CUDA 11.2 and cuDNN 8.1 (it downloads libtensorflow 2.9.1 at install time; see environment.md)',
  'tfjs-node':
    `install it with \`npm install --no-save @tensorflow/tfjs-node@${tf.version_core}\` where the network ` +
    'reaches storage.googleapis.com (it downloads libtensorflow 2.9.1 at install time; see environment.md)',
  wasm: 'it ships with this package: run `npm ci` in the project to restore node_modules',
  webgpu:
    `install it with \`npm install --no-save webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@${tf.version_core}\`; without a GPU, ` +
    "Mesa's software OpenGL ES serves (Debian: libegl-mesa0 libgl1-mesa-dri; environment.md)",
  cpu: 'it ships with this package: run `npm ci` in the project to restore node_modules',
};

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

/** Directory holding the wasm binaries inside node_modules (no network is ever used). */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

function parseForced(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`RDARTS_BACKEND=${value} is not a backend; use one of ${BACKENDS.join(', ')}`);
}

/** Loads one backend and makes it active; throws with the reason when it cannot. */
async function load(name: BackendName): Promise<Pick<BackendInfo, 'wasm' | 'webgpu'>> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
    const pkg = NATIVE_PACKAGE[name];
    try {
      // An optional package, loaded only when asked for (it is not a dependency).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(pkg);
    } catch (e) {
      throw new Error(`cannot load ${pkg}: ${firstLine(e)}`, { cause: e });
    }
    // A native package built against another tfjs-core registers into that copy, not ours.
    if (tf.findBackendFactory('tensorflow') == null) {
      throw new Error(
        `${pkg} loaded but registered no backend in this tfjs-core ${tf.version_core}: ` +
          'it uses a second copy of tfjs-core; install the version equal to @tensorflow/tfjs-core',
      );
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} failed to initialise`);
    return {};
  }
  if (name === 'webgpu') return { webgpu: await loadWebgpu() };
  if (name === 'wasm') {
    const dir = wasmBinaryDir();
    setWasmPaths(dir + path.sep);
    registerWasmGradientKernels();
    registerWasmFusedKernels();
    const threads = wasmThreadsFromEnv();
    const restore = threads === undefined ? (): void => undefined : enableThreadedWasm(threads);
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error(`wasm backend failed to initialise from ${dir}`);
    } finally {
      restore();
    }
    if (threads !== undefined) releaseThreadWorkers();
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    // Our kernels' relaxed-SIMD build where RDARTS_WASM_RELAXED asks (it throws if the runtime lacks it).
    return { wasm: { dir, simd, multithread, threads: getThreadsCount(), relaxedSimd: relaxedSimd() } };
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
  // The cpu backend prints an advert for tfjs-node on its first tensor; we already chose with
  // knowledge of the alternatives (BackendInfo.skipped), and it must not land in notebooks.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return {};
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

function versionsOf(name: BackendName): Record<string, string> {
  const versions: Record<string, string> = { 'tfjs-core': tf.version_core, node: process.version };
  const packages: Record<BackendName, string[]> = {
    'tfjs-node-gpu': [NATIVE_PACKAGE['tfjs-node-gpu']],
    'tfjs-node': [NATIVE_PACKAGE['tfjs-node']],
    wasm: ['@tensorflow/tfjs-backend-wasm'],
    cpu: ['@tensorflow/tfjs'],
    webgpu: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'],
  };
  for (const pkg of packages[name]) versions[pkg] = packageVersion(pkg) ?? 'unknown';
  return versions;
}

/**
 * Chooses and activates the backend, once per process: `force`, else `RDARTS_BACKEND`, else the
 * first of AUTO_BACKENDS that loads. Forcing one that cannot load throws an error that says why and how
 * to install it. Later calls return the same answer (a different `force` switches backends).
 */
export function initBackend(options: { force?: BackendName } = {}): Promise<BackendInfo> {
  const forced = options.force ?? parseForced(process.env.RDARTS_BACKEND);
  if (pending && (forced === undefined || active?.name === forced)) return pending;
  pending = choose(forced).catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}

async function choose(forced: BackendName | undefined): Promise<BackendInfo> {
  installLeanBackprop();
  // A bad thread count, or a relaxed-SIMD build asked for where the runtime rejects it, is an error,
  // not a reason to skip wasm for a slower backend (relaxedSimd also turns Node 20's flag on here,
  // before any WebAssembly is compiled).
  wasmThreadsFromEnv();
  relaxedSimd();
  if (forced) {
    try {
      const details = await load(forced);
      return activate(forced, `forced by ${process.env.RDARTS_BACKEND === forced ? 'RDARTS_BACKEND' : 'the caller'}`, [], details);
    } catch (e) {
      throw new Error(`backend ${forced} was requested but cannot be used: ${firstLine(e)}; ${INSTALL_HINT[forced]}`, { cause: e });
    }
  }
  const skipped: { name: BackendName; error: string }[] = [];
  for (const name of AUTO_BACKENDS) {
    try {
      const details = await load(name);
      return activate(
        name,
        skipped.length === 0 ? 'the first backend tried' : `the first that loaded (${skipped.map((s) => s.name).join(', ')} did not)`,
        skipped,
        details,
      );
    } catch (e) {
      skipped.push({ name, error: firstLine(e) });
    }
  }
  throw new Error(`no tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.error}`).join('; ')}`);
}

function activate(
  name: BackendName,
  reason: string,
  skipped: BackendInfo['skipped'],
  details: Pick<BackendInfo, 'wasm' | 'webgpu'>,
): BackendInfo {
  active = { name, tfBackend: tf.getBackend(), reason, skipped, versions: versionsOf(name), ...details };
  return active;
}

/** The active backend's description, or undefined before `initBackend` resolved. */
export function backendInfo(): BackendInfo | undefined {
  return active;
}
