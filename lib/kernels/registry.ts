/**
 * The plumbing of our wasm kernels: their arguments, reading inputs from and writing outputs to
 * tfjs's wasm heap, and registering them. Registration must run before the backend initialises
 * (tfjs calls each kernel's setupFunc then), which lib/backend.ts ensures.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** What tfjs passes a kernel function. */
export interface KernelArgs {
  /** Named inputs (Concat's come as an array, indexed by position). */
  inputs: Record<string, tf.TensorInfo>;
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}

/**
 * A float32 view of tensor `t` on tfjs's heap. Valid until tfjs next allocates (which may grow and
 * detach the heap): read inputs before `makeOutput`/`output`.
 */
export const heap = (backend: BackendWasm, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/** Copies `values` into a new float32 tensor of `shape` on the wasm backend. */
export function output(backend: BackendWasm, shape: number[], values: Float32Array): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).set(values);
  return out;
}

/**
 * Registers `kernels` for wasm, replacing tfjs's kernel of the same name where one exists (its
 * setupFunc is kept, since a replacement may fall back to the original kernelFunc, which the
 * original's setup binds); returns the replaced kernelFuncs by name.
 */
export function registerOnWasm(kernels: Record<string, unknown>): Record<string, tf.KernelFunc> {
  const replaced: Record<string, tf.KernelFunc> = {};
  for (const [kernelName, fn] of Object.entries(kernels)) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing) {
      replaced[kernelName] = existing.kernelFunc;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as tf.KernelFunc, setupFunc: existing?.setupFunc });
  }
  return replaced;
}
