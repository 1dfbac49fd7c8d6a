/**
 * tfjs's WebGPU backend in Node, through Dawn's Node bindings (the `webgpu` package): the GPU path
 * that needs no CUDA libraries (environment.md, section 3). Both packages are optional, like the
 * native backends: `npm install --no-save webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@<tfjs-core's version>`.
 *
 * Dawn offers a GPU's own adapter (Vulkan on Linux) in WebGPU's core feature level. Where there is
 * none, the compatibility level can find an OpenGL ES one, which on a machine without a GPU is
 * Mesa's llvmpipe, a software rasteriser (Debian: libegl-mesa0, libgl1-mesa-dri; with
 * EGL_PLATFORM=surfaceless it needs no display): slow, but the same shaders, so the backend's
 * kernels can be checked on any machine (`rdarts backend --force webgpu --check`).
 *
 * tfjs reads a WebGPU tensor synchronously (dataSync) only through OffscreenCanvas, which Node
 * lacks: what reads tensors synchronously (the search loop, the optimisers, the curvature) does not
 * run on it yet; the gradient check reads asynchronously.
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'url';

/** What was found: the adapter's own description and the feature level it was taken at. */
export interface WebgpuInfo {
  readonly adapter: string;
  readonly featureLevel: 'core' | 'compatibility';
  /** Dawn's backend flag, when one was needed (the compatibility level's OpenGL ES). */
  readonly dawnBackend?: string;
}

/** The limits tfjs's shaders may need beyond WebGPU's defaults (its matmul uses 256-wide workgroups). */
const RAISED_LIMITS = [
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
] as const;

type Adapter = { limits: Record<string, number>; info?: Record<string, string>; requestDevice(d?: object): Promise<unknown> };
type Gpu = { requestAdapter(o?: object): Promise<Adapter | null> };

// A real dynamic import: the `webgpu` package is an ES module, and TypeScript's CommonJS output
// would turn `import()` into `require()`.
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;

function describe(adapter: Adapter): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ') || 'unnamed adapter';
}

let loaded: WebgpuInfo | undefined;

/**
 * Loads Dawn and tfjs's WebGPU backend, finds an adapter (a GPU's in core mode first, then OpenGL
 * ES in compatibility mode) and registers it as tfjs's `webgpu` backend; throws with the reason.
 * Once per process: a later call makes the same backend active again (a second Dawn instance and
 * device beside the first crashed Mesa's OpenGL ES).
 */
export async function loadWebgpu(): Promise<WebgpuInfo> {
  if (loaded) {
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    return loaded;
  }
  loaded = await findAdapter();
  return loaded;
}

/**
 * tfjs reads a tensor that lives on the GPU synchronously only through OffscreenCanvas, absent in
 * Node, and fails with "OffscreenCanvas is not defined": say instead what does not run (file header).
 */
function withClearSyncReads(backend: tf.KernelBackend): tf.KernelBackend {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (!/OffscreenCanvas/.test(String(e))) throw e;
      throw new Error(
        "tfjs's WebGPU backend cannot read a tensor synchronously in Node (dataSync, arraySync): the search loop, the " +
          'optimisers and the curvature do not run on it yet (environment.md, section 3); it serves `rdarts backend --check` ' +
          'and lib/bench/webgpu_check.ts',
        { cause: e },
      );
    }
  };
  return backend;
}

async function findAdapter(): Promise<WebgpuInfo> {
  let dawn: Record<string, unknown>;
  try {
    dawn = await importModule(pathToFileURL(require.resolve('webgpu')).href);
  } catch (e) {
    throw new Error(`cannot load the webgpu package (Dawn): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  let backendModule: { WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    backendModule = require('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new Error(`cannot load @tensorflow/tfjs-backend-webgpu: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (tf.getKernel('Conv2D', 'webgpu') == null) {
    throw new Error(
      `@tensorflow/tfjs-backend-webgpu registered no kernels in this tfjs-core ${tf.version_core}: it uses a second copy of ` +
        'tfjs-core (another version, or a copy npm installed beside it as a peer): install it into this project, at the version equal to it',
    );
  }
  Object.assign(globalThis, dawn.globals as object);
  // Mesa's EGL would otherwise look for an X display.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const create = dawn.create as (flags: string[]) => Gpu;
  const tried: string[] = [];
  const attempts: { featureLevel: 'core' | 'compatibility'; dawnBackend?: string }[] = [
    { featureLevel: 'core' },
    { featureLevel: 'compatibility', dawnBackend: 'opengles' },
  ];
  for (const attempt of attempts) {
    const gpu = create(attempt.dawnBackend ? [`backend=${attempt.dawnBackend}`] : []);
    const adapter = await gpu.requestAdapter({ featureLevel: attempt.featureLevel, powerPreference: 'high-performance' });
    if (!adapter) {
      tried.push(`${attempt.featureLevel}${attempt.dawnBackend ? ` (${attempt.dawnBackend})` : ''}: no adapter`);
      continue;
    }
    const requiredLimits: Record<string, number> = {};
    for (const k of RAISED_LIMITS) if (adapter.limits[k] !== undefined) requiredLimits[k] = adapter.limits[k];
    const device = await adapter.requestDevice({ requiredLimits });
    // tfjs asks navigator.gpu whether WebGPU exists; Node 21 and later define a navigator without it.
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator === undefined) g.navigator = { gpu };
    else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    // Replaces the package's own factory (registered where navigator.gpu existed at its import), which
    // asks for a core adapter with the default limits.
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => withClearSyncReads(new backendModule.WebGPUBackend(device, adapter.info)));
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise');
    return { adapter: describe(adapter), ...attempt };
  }
  throw new Error(`Dawn found no WebGPU adapter (${tried.join('; ')})`);
}
