/**
 * Registering our kernels on the wasm backend. Must run before the backend initialises (tfjs calls
 * each kernel's setupFunc then), which lib/backend.ts ensures.
 */
import * as tf from '@tensorflow/tfjs';

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
