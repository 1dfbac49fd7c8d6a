/**
 * Our own WebAssembly module of gradient kernels (grad_kernels.c, SIMD), and how to call it.
 *
 * tfjs's wasm backend keeps tensors in its own memory; this module has a separate one. A call
 * copies the inputs in (a memcpy, ~0.1 ms per MB here), runs the kernel and returns a view of the
 * result, which the caller copies into a tfjs output tensor. The .wasm is committed (build.sh makes
 * it from the C source), so no compiler is needed at install time.
 */
import * as fs from 'fs';
import * as path from 'path';
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
  'dw_filter_grad' | 'dw_input_grad' | 'conv_filter_grad' | 'conv_input_grad' | 'bn_train_forward' | 'pool3x3_forward' | 'pool3x3_backward';

// The few WebAssembly types we use (our tsconfig has no DOM lib, and @types/node 20 omits them).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  memory: WasmMemory;
  __heap_base: { value: number };
  [name: string]: unknown;
}

let exportsCache: Exports | undefined;

/** The path of the committed binary (lib/kernels/, also when running from dist/). */
export const KERNELS_WASM = path.join(packageRoot, 'lib', 'kernels', 'grad_kernels.wasm');

function module(): Exports {
  if (!exportsCache) {
    const bytes = fs.readFileSync(KERNELS_WASM);
    exportsCache = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
  }
  return exportsCache;
}

const align16 = (bytes: number) => (bytes + 15) & ~15;

/** Float32 arrays laid out in the module's memory for one call (valid until the next `reserve`). */
export interface Reservation {
  /** Byte offset of the geometry struct. */
  readonly geom: number;
  /** Byte offsets of the requested arrays, in order. */
  readonly offsets: readonly number[];
  /** A view of array `i`. */
  array(i: number): Float32Array;
}

/** Reserves the geometry struct and arrays of `lengths` floats (16-byte aligned), growing memory. */
export function reserve(lengths: readonly number[], g?: Geom): Reservation {
  const m = module();
  const base = align16(m.__heap_base.value);
  const offsets: number[] = [];
  let end = base + align16(GEOM_FIELDS.length * 4);
  for (const n of lengths) {
    offsets.push(end);
    end += align16(n * 4);
  }
  const have = m.memory.buffer.byteLength;
  if (end > have) m.memory.grow(Math.ceil((end - have) / 65536));
  if (g) new Int32Array(m.memory.buffer, base, GEOM_FIELDS.length).set(GEOM_FIELDS.map((f) => g[f]));
  return { geom: base, offsets, array: (i) => new Float32Array(m.memory.buffer, offsets[i], lengths[i]) };
}

/** Calls exported function `name` with raw (pointer or number) arguments. */
export function call(name: string, ...args: number[]): void {
  (module()[name] as (...a: number[]) => void)(...args);
}

/**
 * Runs `name` on `inputs` (float32 arrays, copied in) with geometry `g` and optional extra
 * arguments; returns a view of the `outLength` results inside the module's memory, valid until the
 * next call (copy it out at once). C signature: (in0, ..., out, geom, ...extra).
 */
export function runKernel(
  name: KernelName,
  inputs: readonly Float32Array[],
  outLength: number,
  g: Geom,
  extra: readonly number[] = [],
): Float32Array {
  const r = reserve([...inputs.map((a) => a.length), outLength], g);
  inputs.forEach((a, i) => r.array(i).set(a));
  call(name, ...r.offsets, r.geom, ...extra);
  return r.array(inputs.length);
}
