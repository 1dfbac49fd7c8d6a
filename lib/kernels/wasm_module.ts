/**
 * Our own WebAssembly module of kernels (grad_kernels.c, SIMD), and how to call it.
 *
 * The module imports tfjs-backend-wasm's memory, so a kernel reads tfjs's input tensors and writes
 * tfjs's output tensor where they lie: a call passes their heap offsets, and scratch and the
 * geometry struct are allocated on the same heap (tfjs's malloc) for the call. Nothing is copied
 * (before, every call copied its inputs in and its output out: about 15 % of a search step).
 * The .wasm is committed (build.sh makes it from the C source), so no compiler is needed at
 * install time. On tfjs's threaded wasm build (shared memory: lib/backend_wasm_threads.ts) the
 * same kernels bind through their shared-memory build, and run on the calling thread.
 * Each build also comes as a relaxed-SIMD build (fused multiply-add in the inner loops), opt-in
 * (`relaxedSimd`).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { packageRoot } from '../paths';

/** Convolution geometry in the layout of the C struct `Geom` (14 int32). */
export interface Geom {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
}

const GEOM_FIELDS: readonly (keyof Geom)[] = ['n', 'h', 'w', 'c', 'oh', 'ow', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl'];

export type KernelName =
  | 'dw_filter_grad'
  | 'dw_input_grad'
  | 'dw_forward'
  | 'dw_forward_relu'
  | 'dw_filter_grad_relu'
  | 'conv_filter_grad'
  | 'conv_input_grad'
  | 'pw_forward'
  | 'pw_input_grad'
  | 'bn_train_forward'
  | 'bn_train_backward'
  | 'sum_f64'
  | 'copy_columns'
  | 'pool3x3_forward'
  | 'pool3x3_backward'
  | 'shift_copy'
  | 'weighted_sum'
  | 'weighted_sum_grad'
  | 'relu_grad';

// The few WebAssembly types we use (our tsconfig has no DOM lib, and @types/node 20 omits them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What we use of tfjs-backend-wasm's Emscripten module. */
interface TfjsWasmModule {
  /** The single-threaded build exports its memory; the threaded build imports it (shared), as wasmMemory. */
  asm: { memory?: WasmMemory };
  wasmMemory?: WasmMemory;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

type Exports = Record<KernelName, (...args: number[]) => void> & { __stack_pointer: { value: number } };

/** The path of the committed binary (lib/kernels/, also when running from dist/). */
export const KERNELS_WASM = path.join(packageRoot, 'lib', 'kernels', 'grad_kernels.wasm');

/**
 * The same kernels linked for shared memory (atomics; build.sh), which tfjs's threaded build uses:
 * they run on the calling thread, beside tfjs's own threaded kernels.
 */
export const KERNELS_WASM_SHARED = path.join(packageRoot, 'lib', 'kernels', 'grad_kernels_shared.wasm');

/** The relaxed-SIMD builds of the two (build.sh: `acc + a * b` as relaxed_madd, FMA where the CPU has it). */
export const KERNELS_WASM_RELAXED = path.join(packageRoot, 'lib', 'kernels', 'grad_kernels_relaxed.wasm');
export const KERNELS_WASM_SHARED_RELAXED = path.join(packageRoot, 'lib', 'kernels', 'grad_kernels_shared_relaxed.wasm');

/**
 * What RDARTS_WASM_RELAXED asks for: `1` the relaxed-SIMD build, `0` or unset the plain one; anything
 * else throws, naming it.
 */
export function relaxedSimdFromEnv(value: string | undefined = process.env.RDARTS_WASM_RELAXED): boolean {
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(
    `RDARTS_WASM_RELAXED must be 1 (our kernels' relaxed-SIMD build) or 0 (the plain SIMD build), got ${JSON.stringify(value)}`,
  );
}

let relaxedChoice: boolean | undefined;

/**
 * Whether this runtime validates `bytes`, a module with relaxed SIMD: as is (Node 22, browsers), or
 * in Node 20 after turning on V8's `--experimental-wasm-relaxed-simd` (for WebAssembly compiled
 * from then on; it changes nothing else).
 */
export function acceptsRelaxedSimd(bytes: Uint8Array): boolean {
  if (WebAssembly.validate(bytes)) return true;
  if (process.versions.node === undefined) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node only, and only when asked for
  (require('v8') as typeof import('v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/**
 * Whether our kernels run their relaxed-SIMD build (fused multiply-add in the inner loops): opt-in,
 * with `RDARTS_WASM_RELAXED=1`, as it measured no faster here (an AMD EPYC, where our kernels wait
 * on loads, not on arithmetic: results/bench/README.md); CPUs that issue multiplies and adds on the
 * same ports may gain. Whether the runtime runs it is `acceptsRelaxedSimd`'s answer; a runtime
 * that rejects it is an error, not a silent fallback. Decided once per process.
 */
export function relaxedSimd(): boolean {
  if (relaxedChoice !== undefined) return relaxedChoice;
  if (!relaxedSimdFromEnv()) return (relaxedChoice = false);
  if (!acceptsRelaxedSimd(fs.readFileSync(KERNELS_WASM_RELAXED))) {
    throw new Error(
      `RDARTS_WASM_RELAXED=1, but this runtime (Node ${process.version}) does not accept relaxed SIMD; unset it for the plain SIMD build`,
    );
  }
  return (relaxedChoice = true);
}

const compiled: Record<string, object> = {};
/** Our kernels instantiated on each tfjs wasm module's memory (one per backend instance). */
const instances = new WeakMap<TfjsWasmModule, Exports>();
/** Bytes of stack given to our module (its C code keeps nothing in memory; this is a safe margin). */
const STACK_BYTES = 64 * 1024;

function wasmModule(backend: BackendWasm): TfjsWasmModule {
  return backend.wasm as unknown as TfjsWasmModule;
}

/** tfjs's heap. */
function heap(mod: TfjsWasmModule): WasmMemory {
  const memory = mod.asm.memory ?? mod.wasmMemory;
  if (!memory) throw new Error("tfjs-backend-wasm's module has no memory to bind our kernels to (neither asm.memory nor wasmMemory)");
  return memory;
}

/** Our kernels, bound to `backend`'s heap (instantiated on first use). */
function kernels(backend: BackendWasm): Exports {
  const mod = wasmModule(backend);
  let e = instances.get(mod);
  if (!e) {
    const memory = heap(mod);
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const relaxed = relaxedSimd();
    const file = shared ? (relaxed ? KERNELS_WASM_SHARED_RELAXED : KERNELS_WASM_SHARED) : relaxed ? KERNELS_WASM_RELAXED : KERNELS_WASM;
    compiled[file] ??= new WebAssembly.Module(fs.readFileSync(file));
    e = new WebAssembly.Instance(compiled[file], { env: { memory } }).exports as unknown as Exports;
    // The linker placed our stack at the bottom of memory, which is tfjs's: move it into a block of
    // tfjs's heap, so that a kernel that ever uses its stack cannot write over tfjs's data.
    const stack = mod._malloc(STACK_BYTES);
    e.__stack_pointer.value = (stack + STACK_BYTES) & ~15;
    instances.set(mod, e);
  }
  return e;
}

/** The heap offset of tensor `t`'s data. */
export function ptr(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

// Unsigned: the heap reaches past 2 GB at the paper's search size.
const align16 = (bytes: number) => ((bytes + 15) & ~15) >>> 0;

/**
 * Calls kernel `name` on tfjs's heap: `(...tensors, [table], [scratch], [geom], ...extra)` in the C
 * signature, each tensor passed by its heap offset; `table` (tensors whose offsets the kernel reads
 * from an int32 array) is written to the heap and passed by pointer, `scratchBytes` > 0 adds a
 * scratch block (16-byte aligned, uninitialised) and `geom` the geometry struct; all three are
 * freed on return.
 */
export function callKernel(
  backend: BackendWasm,
  name: KernelName,
  tensors: readonly tf.TensorInfo[],
  options: { table?: readonly tf.TensorInfo[]; geom?: Geom; scratchBytes?: number; extra?: readonly number[] } = {},
): void {
  const e = kernels(backend);
  const mod = wasmModule(backend);
  const tableBytes = options.table ? align16(options.table.length * 4) : 0;
  const scratchBytes = align16(options.scratchBytes ?? 0);
  const geomBytes = options.geom ? align16(GEOM_FIELDS.length * 4) : 0;
  const total = tableBytes + scratchBytes + geomBytes;
  const block = total > 0 ? mod._malloc(total + 15) : 0;
  try {
    const base = align16(block);
    const args = tensors.map((t) => ptr(backend, t));
    if (options.table) {
      new Int32Array(heap(mod).buffer, base, options.table.length).set(options.table.map((t) => ptr(backend, t)));
      args.push(base);
    }
    if (scratchBytes > 0) args.push(base + tableBytes);
    if (options.geom) {
      const g = options.geom;
      const at = base + tableBytes + scratchBytes;
      new Int32Array(heap(mod).buffer, at, GEOM_FIELDS.length).set(GEOM_FIELDS.map((f) => g[f]));
      args.push(at);
    }
    e[name](...args, ...(options.extra ?? []));
  } finally {
    if (block) mod._free(block);
  }
}
